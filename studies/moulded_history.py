"""The moulded flip chip (seed 001) through its process in time: elastic, viscoelastic, and
viscoelastic with cure shrinkage — the figures and table docs/studies.md reads.

    python studies/moulded_history.py            # into out/moulded_history/
    python studies/moulded_history.py --docs     # also the figure into docs/pictures/

The process: flip-chip reflow (die on its bumps, 217 °C) → mould cure at 175 °C, 120 s in the
press (the mould bonds at its gel point) → post-mould cure, 4 h at 175 °C → cool-down to 25 °C at
5 K/min → a reflow to 260 °C at 60 K/min, 30 s at the peak → back to 25 °C at 60 K/min. Three
material models of one package on one mesh:

- elastic: temperature-dependent elastic data (the mould's glass transition), bonded in the same
  order; the state depends on the temperature only;
- viscoelastic: the built-in EMC's Prony series and WLF shift (docs/materials.md);
- viscoelastic + cure shrinkage: and the EMC shrinking 0.3 % by volume over the 120 s in the press.

Each model runs in its own process so that its peak memory is its own; the viscoelastic + shrinkage
history is solved again with time steps halved (ramps every 2.5 K, 8 steps per decade of a hold).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "pictures"

MODELS = ("elastic", "viscoelastic", "viscoelastic + cure shrinkage")
SHRINKAGE_PCT = 0.3

#: an illustrative moulding compound, not a measured grade: the built-in EMC's glassy (24 GPa) and
#: rubbery (1.2 GPa, g∞ = 0.05) moduli, eight shear terms of equal weight one per decade from
#: 10 ms to 10⁵ s at its Tg (160 °C), the WLF "universal" constants C1 = 17.44, C2 = 51.6 K
#: (Williams, Landel & Ferry, J. Am. Chem. Soc. 77 (1955) 3701) above Tg and an assumed Arrhenius
#: Ea/R = 30 000 K (Ea ≈ 250 kJ/mol) below it; bulk elastic
EMC_RELAXATION = {"shear_weights": [0.95 / 8] * 8, "shear_times_s": [10.0 ** k for k in range(-2, 6)],
                  "shift": "wlf_arrhenius", "reference_c": 160.0, "wlf_c1": 17.44, "wlf_c2_k": 51.6,
                  "activation_k": 30000.0, "source": "illustrative (studies/moulded_history.py)"}


def model(kind: str, read_c: float = 25.0) -> dict:
    """The package and its process for one material model, read at ``read_c`` (°C) at the end."""
    raw = tomllib.loads((HERE / "families" / "molded_underfill.toml").read_text(encoding="utf-8"))
    raw["family"]["solder_balls"] = False            # balls attach after the package's own history
    for key in ("ball_pitch_mm", "ball_size_mm"):
        raw["family"].pop(key, None)
    raw["load"].update(stress_free_c=217.0, temperature_c=read_c)
    steps = [{"name": "flip-chip reflow", "temperature_c": 217.0},
             {"name": "mould cure", "temperature_c": 175.0, "parts": ["mould"]}]
    if kind == "elastic":
        raw["load"]["material_properties"] = "temperature_dependent"
    else:
        raw["load"].update(material_properties="viscoelastic", ramp_k_per_min=60.0)
        steps[1].update(ramp_k_per_min=20.0, hold_s=120.0)
        steps += [{"name": "post-mould cure", "temperature_c": 175.0, "hold_s": 4 * 3600.0},
                  {"name": "cool-down", "temperature_c": 25.0, "ramp_k_per_min": 5.0},
                  {"name": "reflow peak", "temperature_c": 260.0, "ramp_k_per_min": 60.0, "hold_s": 30.0}]
        raw["materials"] = {"emc": {"viscoelastic": EMC_RELAXATION}}
        if "shrinkage" in kind:
            raw["materials"]["emc"].update(cure_shrinkage_pct=SHRINKAGE_PCT, cure_end_s=120.0)
    raw["steps"] = steps
    return raw


def run_one(kind: str, refine: int) -> dict:
    """One material model's history (in this process): warpage against time, the reads, the cost."""
    import warpfem
    from warpfem.fem import viscoelastic
    from warpfem.model import load_model, material_laws
    from warpfem.model.schedule import schedule
    from warpfem.pipeline import global_layout, process_sequence, solve_global
    from warpfem.post.warpage import warpage_um

    t0 = time.perf_counter()
    if kind == "elastic":
        reads = {f"{t:g} °C": warpfem.solve(model(kind, t), target_error=0).warpage_um for t in (25.0, 260.0)}
        curve = []
        steps, systems = 2, 2
        dofs = warpfem.solve(model(kind), target_error=0).summary["mesh"]["dofs"]
    else:
        m = load_model(model(kind))
        layout, _ = global_layout(m)
        first, _, _, _ = solve_global(layout, target_error=0)
        sched = schedule(m)
        times = list(viscoelastic.time_points(sched, refine)[1:])
        states = viscoelastic.run(layout, first.mesh, process_sequence(layout), material_laws(m), sched, times, refine)
        curve = [(r.time_s, r.temperature_c, warpage_um(r.solution)) for r in states]
        knots = {t: e for t, e in zip(sched.times_s, sched.events)}
        at = {knots[t]: w for t, _, w in curve if t in knots}
        reads = {"25 °C before reflow": at["step 'cool-down' reached"], "260 °C": at["step 'reflow peak' reached"],
                 "260 °C after 30 s": at["step 'reflow peak' held 30 s"], "25 °C after reflow": curve[-1][2]}
        steps, systems = states[-1].timings_s["time_steps"], states[-1].timings_s["systems"]
        dofs = first.mesh.n_dofs
    return {"reads_um": reads, "curve": curve, "time_steps": steps, "factorisations": systems, "dofs": dofs,
            "seconds": time.perf_counter() - t0,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def _plot(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    colours = {"viscoelastic": "tab:blue", "viscoelastic + cure shrinkage": "tab:red"}
    for kind, colour in colours.items():
        t, c, w = zip(*results[kind]["curve"])
        ax.plot([x / 3600.0 for x in t], w, color=colour, label=kind)
        start = next(i for i, (x, y) in enumerate(zip(t, c)) if y == 25.0 and x > 3600.0)
        bx.plot(c[start:], w[start:], color=colour, label=kind)
    e = results["elastic"]["reads_um"]
    bx.plot([25.0, 260.0], [e["25 °C"], e["260 °C"]], "ks", label="elastic")
    ax.set_xlabel("time since flip-chip reflow [h]")
    ax.set_ylabel("warpage [µm] (+ smile, − cry)")
    ax.set_title("through the process")
    bx.set_xlabel("temperature [°C]")
    bx.set_title("the reflow after the process (25 → 260 → 25 °C)")
    for a in (ax, bx):
        a.axhline(0.0, color="0.6", lw=0.8)
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", action="store_true", help="also copy the figure into docs/pictures/")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--refine", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--replot", action="store_true", help="redraw the figure from the last results.json")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.refine)))
        return
    out = HERE.parent / "out" / "moulded_history"
    out.mkdir(parents=True, exist_ok=True)
    if args.replot:
        _plot(json.loads((out / "results.json").read_text(encoding="utf-8")), out / "moulded_history.png")
        if args.docs:
            shutil.copy(out / "moulded_history.png", DOCS / "moulded_history.png")
        return
    results = {}
    for kind, refine in [(k, 1) for k in MODELS] + [(MODELS[-1], 2)]:
        label = kind if refine == 1 else f"{kind}, time steps halved"
        done = subprocess.run([sys.executable, __file__, "--one", kind, "--refine", str(refine)],
                              capture_output=True, text=True, check=True)
        results[label] = json.loads(done.stdout.strip().splitlines()[-1])
        r = results[label]
        print(f"{label}: {r['reads_um']} ({r['time_steps']} steps, {r['factorisations']} factorisations, "
              f"{r['dofs']} dofs, {r['seconds']:.1f} s, {r['peak_mb']:.0f} MB)", flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    _plot(results, out / "moulded_history.png")
    if args.docs:
        shutil.copy(out / "moulded_history.png", DOCS / "moulded_history.png")


if __name__ == "__main__":
    main()
