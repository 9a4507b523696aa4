"""What a process in time costs: the moulded flip chip of studies/moulded_history.py (viscoelastic
mould with cure shrinkage) on its first graded mesh and on the mesh refined to 1 %, with each step
preconditioned by an earlier step's factorisation (the default) and with a new factorisation at
every step; and the 40 mm FCBGA of studies/fcbga_40mm.toml (multigrid) with its underfill relaxing
as the moulded study's compound does, cooled from 150 °C at 10 K/min.

    python studies/benchmarks/process_in_time.py     # writes process_in_time.md beside it
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def fcbga() -> dict:
    """studies/fcbga_40mm.toml with a relaxing underfill, cooled in time."""
    import tomllib

    from moulded_history import EMC_RELAXATION
    raw = tomllib.loads((HERE.parent / "fcbga_40mm.toml").read_text(encoding="utf-8"))
    raw["load"]["material_properties"] = "viscoelastic"
    raw["materials"] = {"underfill": {"viscoelastic": {**EMC_RELAXATION, "reference_c": 130.0}}}
    return raw


def one(target: float, reuse: bool, case: str = "moulded") -> dict:
    import resource

    from moulded_history import model
    from warpfem.fem import viscoelastic
    from warpfem.model import load_model, material_laws
    from warpfem.model.schedule import schedule
    from warpfem.pipeline import global_layout, process_sequence, solve_global

    if not reuse:
        viscoelastic.NEAR = 1.0
    m = load_model(model("viscoelastic + cure shrinkage") if case == "moulded" else fcbga())
    layout, _ = global_layout(m)
    first, _, _, _ = solve_global(layout, target_error=target)
    t0 = time.perf_counter()
    reads = viscoelastic.run(layout, first.mesh, process_sequence(layout), material_laws(m), schedule(m))
    seconds = time.perf_counter() - t0
    c = reads[-1].timings_s
    return {"dofs": first.mesh.n_dofs, "method": first.solver["method"], "steps": c["time_steps"],
            "systems": c["systems"], "assemble_s": c["assemble"], "solve_s": c["solve"], "seconds": seconds,
            "per_step_s": seconds / c["time_steps"],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(one(float(sys.argv[1]), sys.argv[2] == "reuse", sys.argv[3])))
        return
    rows = []
    for case, target, reuse in [("moulded", t, r) for t in (0.0, 0.01) for r in ("reuse", "rebuild")] + \
            [("fcbga_40mm", 0.0, "reuse")]:
        done = subprocess.run([sys.executable, __file__, str(target), reuse, case], capture_output=True, text=True,
                              check=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append((case, target, reuse, r))
        print(case, target, reuse, r, flush=True)
    write_table(rows)


def write_table(rows: list) -> None:
    """process_in_time.md from the rows (case, target, preconditioner, measurements)."""
    lines = ["# The process in time: cost", "",
             f"`python studies/benchmarks/process_in_time.py` on {platform.machine()}, Python "
             f"{platform.python_version()}, 2 cores. The moulded flip chip of `studies/moulded_history.py` "
             "(viscoelastic EMC with cure shrinkage): flip-chip reflow, mould cure 120 s, post-mould cure 4 h, "
             "cool-down at 5 K/min, reflow to 260 °C and back. *reuse*: each step solved by conjugate gradients "
             "preconditioned with an earlier step's factorisation or multigrid hierarchy (rebuilt when a brick's "
             "moduli moved by more than 2x or the last solve took over 30 iterations); *rebuild*: a new one every "
             "step. The last row: `studies/fcbga_40mm.toml` with its underfill relaxing (the moulded study's "
             "illustrative spectrum, referenced at 130 °C), cooled from 150 °C to 25 °C at 10 K/min.", "",
             "| model | mesh | dofs | solver | preconditioner | time steps | factorisations / hierarchies | "
             "assemble s | solve s | total s | s per step | peak MB |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for case, target, reuse, r in rows:
        mesh = "first graded (--fast)" if target == 0 else "refined to 1 %"
        lines.append(f"| {case} | {mesh} | {r['dofs']:,} | {r['method']} | {reuse} | {r['steps']} | {r['systems']} | "
                     f"{r['assemble_s']:.1f} | {r['solve_s']:.1f} | {r['seconds']:.1f} | {r['per_step_s']:.2f} | "
                     f"{r['peak_mb']:.0f} |")
    (HERE / "process_in_time.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
