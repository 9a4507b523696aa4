"""Which SciPy method the optimiser uses: COBYQA against COBYLA on the same package problem.

The molded flip-chip heat-sink family example (a 12 mm package, solved once per design on a
coarsened first mesh): its substrate's and heat sink's thicknesses chosen for the smallest
|warpage| with the critical bump's volume-averaged von Mises at most the base design's. Each
method runs from the base design with the same budget into its own store; the table gives, per
method, the evaluations until |warpage| first fell below 2 % of the base's with the constraint
met, the best |warpage| found, its bump stress against the limit, and the evaluations spent.

    python studies/benchmarks/optimiser_methods.py          # writes optimiser_methods.md/.json
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from pathlib import Path

import tomli_w

HERE = Path(__file__).resolve().parent
BASE = HERE.parent / "families" / "molded_flip_chip_heat_sink.toml"
METHODS = ("COBYQA", "COBYLA")
BUDGET = 60
NEAR = 0.02


def problem(method: str) -> dict:
    """The optimisation file's data for one method."""
    return {"optimise": {"name": f"flat_molded_{method}", "base": BASE.as_posix(), "objective": "warpage_um",
                         "max_solves": BUDGET, "method": method},
            "search": {"mesh.edge_ratio": 8.0},
            "variable": [{"key": "family.carrier_thickness_mm", "bounds": [0.3, 1.2]},
                         {"key": "family.heat_sink_thickness_mm", "bounds": [0.1, 0.6]}],
            "constraint": [{"output": "bump_critical_avg_von_mises_mpa", "at_most": "base"}],
            "reference": [{"name": "base"}]}


def run(method: str, folder: Path) -> dict:
    from warpfem.design.optimise_run import optimise

    path = folder / f"{method}.toml"
    path.write_text(tomli_w.dumps(problem(method)))
    t = time.perf_counter()
    o = optimise(path, folder / method).optimum
    seconds = time.perf_counter() - t
    searched = [e for e in o.history if e.kind == "search"]
    start = abs(searched[0].outputs["warpage_um"])
    near = next((i + 1 for i, e in enumerate(searched)
                 if e.feasible and abs(e.outputs["warpage_um"]) <= NEAR * start), None)
    return {"method": method, "evaluations": len(searched) + 1, "to_within_2pct": None if near is None else near + 1,
            "start_warpage_um": searched[0].outputs["warpage_um"], "best_warpage_um": o.best.outputs["warpage_um"],
            "best_values": o.best.values, "bump_mpa": o.best.outputs["bump_critical_avg_von_mises_mpa"],
            "limit_mpa": o.limits[0], "feasible": o.best.feasible, "seconds": round(seconds, 1)}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run(m, Path(tmp)) for m in METHODS]
    (HERE / "optimiser_methods.json").write_text(json.dumps({"machine": platform.processor() or platform.machine(),
                                                              "rows": rows}, indent=2) + "\n")
    lines = ["# Optimiser methods", "",
             "Substrate and heat-sink thickness of the molded flip-chip heat-sink example for the smallest",
             "|warpage| with the critical bump's average von Mises at most the base design's",
             f"(`studies/benchmarks/optimiser_methods.py`, budget {BUDGET} evaluations, the reference included).", "",
             "| method | evaluations | until \\|w\\| ≤ 2 % of the base's | best \\|w\\| (µm) | at (carrier, heat sink mm) | "
             "bump (MPa) / limit | time (s) |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        at = ", ".join(f"{v:.4g}" for v in r["best_values"].values())
        lines.append(f"| {r['method']} | {r['evaluations']} | {r['to_within_2pct'] or 'never'} | "
                     f"{abs(r['best_warpage_um']):.3g} (from {abs(r['start_warpage_um']):.3g}) | {at} | "
                     f"{r['bump_mpa']:.1f} / {r['limit_mpa']:.1f} | {r['seconds']} |")
    (HERE / "optimiser_methods.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
