"""Heat and history on the seed families: the figures docs/thermal.md and docs/studies.md read.

    python studies/heat_and_history.py            # all three, into out/heat_and_history/
    python studies/heat_and_history.py --docs     # also the figures into docs/pictures/

1. A moulded flip chip (seed 001) swept 25 → 260 → 25 °C with temperature-dependent materials and
   the family's assembly sequence (flip-chip reflow 217 °C, mould cure 175 °C, ball attach).
2. Seed 002 (stiffener, lid, second heat sink) bonded in its assembly order against every part
   bonded at once at 150 °C, at 25 °C and at the 260 °C reflow peak.
3. Seeds 002 and 004 with a powered die: junction temperature, θJC, θJB, θJA and the power-on
   warpage for each heat-sink option.

Every solve here is one graded mesh (``target_error = 0``), which ranks designs; the error bars of
refined solves are what docs/studies.md's accuracy section reports.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
import tomllib
from pathlib import Path

import warpfem

HERE = Path(__file__).resolve().parent
FAMILIES = HERE / "families"
DOCS = HERE.parent / "docs" / "pictures"

#: the profile's read points: elastic states have no history in temperature, so heating is enough
HEATING = (25.0, 50.0, 75.0, 100.0, 125.0, 150.0, 160.0, 175.0, 183.0, 200.0, 217.0, 230.0, 245.0, 260.0)


def _family(name: str) -> dict:
    return tomllib.loads((FAMILIES / f"{name}.toml").read_text(encoding="utf-8"))


def moulded_sweep(out: Path) -> dict:
    """Three models of one package across the profile: version 1 (all bonded at 175 °C, room-
    temperature data), temperature-dependent data bonded at once, and that with the assembly order."""
    t0 = time.perf_counter()
    curves = {}
    for label, dependent, process in (("all at 175 °C, room-temperature data", False, False),
                                      ("all at 175 °C, temperature-dependent data", True, False),
                                      ("assembly order, temperature-dependent data", True, True)):
        raw = _family("molded_underfill")
        if process:
            raw["model"]["process"] = "family"
        if dependent:
            raw["load"]["material_properties"] = "temperature_dependent"
        sweep = warpfem.sweep_temperature(raw, HEATING, target_error=0)
        curves[label] = {"points": [(p.temperature_c, p.warpage_um) for p in sweep.points],
                         "zero_c": sweep.zero_crossings_c(), "dofs": sweep.summary()["mesh"]["dofs"]}
        if process:
            sweep.write(out / "moulded_sweep", pictures=False)
    _plot_curves(curves, out / "moulded_sweep.png")
    return {"curves": curves, "seconds": time.perf_counter() - t0}


def _plot_curves(curves: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.0, 4.6), dpi=120)
    for (label, c), style in zip(curves.items(), (":", "--", "o-")):
        t, w = zip(*c["points"])
        ax.plot(t, w, style, label=label, markersize=4)
    ax.axhline(0.0, color="#999", linewidth=0.8)
    for x, text in ((160.0, "EMC Tg"), (185.0, "BT Tg"), (175.0, "mould cure"), (217.0, "reflow")):
        ax.axvline(x, color="#bbb", linewidth=0.8, linestyle=":")
        ax.text(x, ax.get_ylim()[1], text, fontsize=7, rotation=90, va="top", ha="right", color="#666")
    ax.set_xlabel("temperature [°C]")
    ax.set_ylabel("warpage [µm]  (+ smile, − cry)")
    ax.set_title("Seed 001 moulded flip chip (12 mm): warpage across the reflow profile", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def lid_order(out: Path) -> dict:
    rows = {}
    for label, process in (("all parts at 150 °C", None), ("assembly order", "family")):
        raw = _family("stiffener_dual_heat_sink")
        raw["load"]["material_properties"] = "temperature_dependent"
        if process:
            raw["model"]["process"] = process
        for t in (25.0, 260.0):
            raw["load"]["temperature_c"] = t
            r = warpfem.solve(raw, target_error=0)
            rows[(label, t)] = {"warpage_um": r.warpage_um, "coplanarity_um": r.coplanarity_um,
                                "die_mpa": r.summary["parts"]["die"]["max_von_mises_mpa"],
                                "lid_mpa": r.summary["parts"]["first_heat_sink"]["max_von_mises_mpa"],
                                "steps": [(s["name"], s["temperature_c"]) for s in r.summary.get("process", {}).get("steps", [])]}
    return {f"{k[0]} @ {k[1]:g} °C": v for k, v in rows.items()}


#: seed 002 options: (label, [family] changes); 100 W in the 20 mm die's active (bottom) face
SEED_002 = [
    ("bare die, stiffener", {"first_heat_sink": False, "second_heat_sink": False, "stiffener_width_mm": 5.0,
                              "stiffener_height_mm": 0.805, "integral_heat_sink": None, "second_heat_sink_size_mm": None,
                              "second_heat_sink_material": None}),
    ("lid", {"second_heat_sink": False, "second_heat_sink_size_mm": None, "second_heat_sink_material": None}),
    ("lid + second heat sink", {}),
    ("integral lid + stiffener + second heat sink", {"integral_heat_sink": True}),
]
#: seed 004 options: 2 W in the 10 mm package's die
SEED_004 = [("carrier_size_heat_sink", "heat sink on the die"),
            ("carrier_size_heat_sink_buffer_pad", "heat sink on a silicon buffer pad (lead frame)"),
            ("carrier_size_heat_sink_pedestal", "heat sink with a pedestal (flip chip)")]


def _top_part(model) -> str:
    return max(model.parts, key=lambda p: p.box[5]).name


def _powered(raw: dict, watts: float, h_top: float, h_bottom: float) -> dict:
    model = warpfem.load_model(raw)
    die = "die" if any(p.name == "die" for p in model.parts) else next(p.name for p in model.parts if "die" in p.name)
    raw["thermal"] = {"ambient_c": 25.0, "power": [{"part": die, "watts": watts, "face": "bottom"}],
                      "convection": [{"part": _top_part(model), "face": "top", "h_w_m2k": h_top},
                                     {"part": model.carrier.name, "face": "bottom", "h_w_m2k": h_bottom}]}
    r = warpfem.solve(raw, target_error=0)
    th = r.summary["thermal"]
    return {"junction_c": th["junction_c"], "theta_jc": th["theta_jc_k_w"], "theta_jb": th["theta_jb_k_w"],
            "theta_ja": th["theta_ja_k_w"], "heat_balance": th["heat_balance"], "warpage_25c_um": r.warpage_um,
            "power_on_um": th["power_on"]["warpage_um"], "range_c": th["temperature_range_c"],
            "dofs": r.summary["mesh"]["dofs"], "seconds": r.summary["timings_s"]["total"]}


def thermal_options(out: Path) -> dict:
    rows = {}
    for label, change in SEED_002:
        raw = _family("stiffener_dual_heat_sink")
        raw["family"].update(change)
        raw["family"] = {k: v for k, v in raw["family"].items() if v is not None}   # keys the option does not use
        rows[f"002: {label}"] = _powered(raw, 100.0, 5000.0, 200.0)
    for name, label in SEED_004:
        rows[f"004: {label}"] = _powered(_family(name), 2.0, 5000.0, 200.0)
    return rows


def _plot_thermal(rows: dict, path: Path) -> None:
    """θJC and θJA per option, and the warpage at 25 °C against powered."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = list(rows)
    y = np.arange(len(labels))
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(12.0, 4.2), dpi=120, sharey=True)
    a.barh(y, [rows[k]["theta_jc"] for k in labels], color="#1f77b4")
    a.set_xlabel("θJC [K/W]")
    b.barh(y, [rows[k]["theta_ja"] for k in labels], color="#ff7f0e")
    b.set_xlabel("θJA [K/W] (cold plate 5000, board 200 W/(m²·K))")
    c.barh(y - 0.2, [rows[k]["warpage_25c_um"] for k in labels], height=0.4, label="unpowered, 25 °C")
    c.barh(y + 0.2, [rows[k]["power_on_um"] for k in labels], height=0.4, label="powered")
    c.axvline(0.0, color="#999", linewidth=0.8)
    c.set_xlabel("warpage [µm]")
    c.legend(fontsize=7)
    a.set_yticks(y, labels, fontsize=8)
    a.invert_yaxis()
    a.set_xscale("log")   # a bare die's θJC is a hundredth of a moulded package's
    for ax in (a, b, c):
        ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle("Seeds 002 (100 W, 40 mm) and 004 (2 W, 10 mm): heat-sink options", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", type=Path, default=Path("out/heat_and_history"))
    ap.add_argument("--docs", action="store_true", help="copy the figures into docs/pictures/")
    ap.add_argument("--replot", action="store_true", help="redraw the thermal figure from results.json")
    ap.add_argument("parts", nargs="*", default=["sweep", "order", "thermal"])
    args = ap.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    found = {}
    if args.replot:
        rows = json.loads((args.output / "results.json").read_text())["thermal"]
        _plot_thermal(rows, DOCS / "heat_sink_options.png")
        return
    if "sweep" in args.parts:
        found["moulded_sweep"] = moulded_sweep(args.output)
        if args.docs:
            shutil.copy(args.output / "moulded_sweep.png", DOCS / "moulded_sweep.png")
    if "order" in args.parts:
        found["lid_order"] = lid_order(args.output)
    if "thermal" in args.parts:
        found["thermal"] = thermal_options(args.output)
        _plot_thermal(found["thermal"], args.output / "heat_sink_options.png")
        if args.docs:
            shutil.copy(args.output / "heat_sink_options.png", DOCS / "heat_sink_options.png")
    path = args.output / "results.json"
    previous = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**previous, **found}, indent=1))
    print(json.dumps(found, indent=1))


if __name__ == "__main__":
    main()
