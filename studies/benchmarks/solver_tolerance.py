"""How far the iterative solver must go: the default refinement of the eleven accuracy models
(studies/accuracy/references.json) with ``[solver] rtol`` at 1e-6, 1e-5 and 1e-4.

The solver's relative residual decides how much of each solve is arithmetic spent below the
discretisation error. For each tolerance, each model is refined to its default target in this
process, as ``warpfem solve`` does: its warpage and bar against the tightest run's, the solver's
share of the warpage that the duals read (``error.warpage_solver_um``) against the change the
tolerance actually made, the largest change of a part's peak von Mises stress, and the time.

    python studies/benchmarks/solver_tolerance.py      # writes solver_tolerance.md (~8 min)
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from warpfem.accuracy import refine
from warpfem.geometry import build_layout
from warpfem.memory import settle_memory
from warpfem.meshing import initial_grading
from warpfem.model import load_model
from warpfem.post import element_fields, part_maxima

HERE = Path(__file__).resolve().parent
ACCURACY = HERE.parent / "accuracy"
TOLERANCES = (1e-6, 1e-5, 1e-4)


def refined(name: str, rtol: float) -> dict:
    """One model refined to its default target with the solver stopping at ``rtol``."""
    model = load_model(ACCURACY / f"{name}.toml")
    model = model.model_copy(update={"solver": model.solver.model_copy(update={"rtol": rtol})})
    layout = build_layout(model)
    t = time.perf_counter()
    ref = refine(layout, initial_grading(layout), model.mesh.target_error, model.mesh.max_dofs)
    seconds = time.perf_counter() - t
    last = ref.steps[-1]
    maxima = part_maxima(ref.solution, element_fields(ref.solution))
    peaks = np.array([p["max_von_mises_mpa"] for p in maxima.values()])
    return {"warpage_um": last.warpage_um, "bar_um": last.warpage_error_um, "solver_um": ref.solver_um[0],
            "steps": len(ref.steps), "peaks_mpa": peaks, "time_s": seconds, "solve_s": ref.timings_s["solve"]}


def main() -> None:
    settle_memory()
    names = list(json.loads((ACCURACY / "references.json").read_text()))
    lines = ["# The solver's tolerance: 1e-6, 1e-5 and 1e-4", "",
             f"`python studies/benchmarks/solver_tolerance.py` on {time.strftime('%Y-%m-%d')}, 2 cores. Each "
             "accuracy model refined to its default target (1 %) in one process with `[solver] rtol` as given. "
             "Changes are against the 1e-6 run's, relative to its value; \"solver share read\" is the duals' "
             "estimate of what solving the last mesh exactly would add to the warpage (µm), \"change made\" what "
             "this tolerance moved it from the 1e-6 run (µm); \"stress\" the largest change of a part's peak "
             "von Mises stress.", "",
             "| model | rtol | warpage µm | change | bar change | solver share read µm | change made µm | "
             "stress | steps | solve s | time s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    totals = {r: 0.0 for r in TOLERANCES}
    for name in names:
        runs = {r: refined(name, r) for r in TOLERANCES}
        base = runs[TOLERANCES[0]]
        for r, run in runs.items():
            totals[r] += run["time_s"]
            dw = run["warpage_um"] - base["warpage_um"]
            lines.append(
                f"| {name} | {r:g} | {run['warpage_um']:.5f} | {abs(dw) / abs(base['warpage_um']):.1e} | "
                f"{abs(run['bar_um'] - base['bar_um']) / base['bar_um']:.1e} | {run['solver_um']:+.1e} | {dw:+.1e} | "
                f"{np.abs(run['peaks_mpa'] / base['peaks_mpa'] - 1).max():.1e} | {run['steps']} | "
                f"{run['solve_s']:.1f} | {run['time_s']:.1f} |")
            print(lines[-1], flush=True)
    lines += ["", "| rtol | time s, all eleven |", "|---|---|"]
    lines += [f"| {r:g} | {t:.0f} |" for r, t in totals.items()]
    (HERE / "solver_tolerance.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-len(TOLERANCES) - 2:]))


if __name__ == "__main__":
    main()
