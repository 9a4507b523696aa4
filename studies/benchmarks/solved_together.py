"""A refinement step's three solves (the thermal load from the coarser mesh's solution, then the
warpage's and the coplanarity's duals) one after another, as before, against side by side: one
conjugate-gradient run per load, their products and V-cycles taken together three vectors at a
time. Each of the eleven accuracy models is refined to its default target in a fresh process per
run with the memory settings of `warpfem solve`, twice per variant (in the order A B B A, so that
neither gains from the machine's drift); reported per model: the iterations of every solve, the
time of the solves, of the whole refinement, and how far the warpage and its bar moved.

    python studies/benchmarks/solved_together.py     # writes solved_together.md (~8 min)

"One after another" is the refinement's former sequence, rebuilt here from the system's own solves.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from warpfem.fem import multigrid, solve_thermal
from warpfem.post.warpage import coplanarity_load, warpage_load

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from fresh_runs import MODELS, counting_iterations, interleaved, refined, variants, write_report  # noqa: E402
VARIANTS = ("one after another (before)", "side by side (now)")

#: the refinement module (its package exports the function of the same name)
REFINE = importlib.import_module("warpfem.accuracy.refine")
SOLVE_CG = multigrid.solve_cg   # before run() counts its calls


def one_by_one(mg, F, rtol, maxiter=500, X0=None):
    """:func:`multigrid.solve_cg_together`'s answer, each load solved alone in turn."""
    rtol = np.broadcast_to(rtol, (F.shape[1],))
    solved = [SOLVE_CG(mg, F[:, c], rtol[c], maxiter, None if X0 is None else X0[:, c]) for c in range(F.shape[1])]
    return np.column_stack([u for u, _ in solved]), np.array([n for _, n in solved])


def after_another(sys_, guess_mm, dual_guesses):
    """The former step: the thermal solution, then its duals (loads read from it) one by one."""
    fine = solve_thermal(sys_, guess_mm)
    loads = [warpage_load(fine), coplanarity_load(fine)]
    before = sys_.solve_s
    duals = sys_.solve_many(loads, dual_guesses, REFINE.DUAL_RTOL)
    return fine, duals, sys_.solve_s - before


def run(name: str, variant: int) -> dict:
    step = REFINE._solve_with_duals
    if variant == 0:
        REFINE._solve_with_duals = after_another
    try:
        with counting_iterations(one_by_one if variant == 0 else None) as iterations:
            ref, total = refined(name)
    finally:
        REFINE._solve_with_duals = step
    last = ref.steps[-1]
    return {"iterations": iterations, "warpage_um": last.warpage_um, "bar_um": last.warpage_error_um,
            "solve_s": sum(ref.timings_s.get(k, 0.0) for k in ("solve", "estimate")),
            "total_s": total, "dofs": last.dofs}


def main() -> None:
    rows, sums = [], {label: [0.0, 0.0] for label in VARIANTS}
    for name in MODELS:
        runs = interleaved(__file__, name, len(VARIANTS))
        base = runs[0][0]
        for v, label, r, solve_s, total_s, moved in variants(runs, list(VARIANTS), sums):
            bar_moved = abs(r["bar_um"] - base["bar_um"]) / base["bar_um"]
            rows.append(f"| {name if v == 0 else ''} | {label} | {r['dofs']:,} | {' '.join(map(str, r['iterations']))} | "
                        f"{solve_s:.2f} | {total_s:.2f} | {r['warpage_um']:.5f} | {moved:.1e} | {r['bar_um']:.4f} | "
                        f"{bar_moved:.1e} |")
            print(rows[-1], flush=True)
    write_report(HERE / "solved_together.md", "A refinement step's solves side by side",
                 f"`python studies/benchmarks/solved_together.py` on {time.strftime('%Y-%m-%d')}, 2 cores: the "
                 "eleven accuracy models refined to their default target, each run in a fresh process with the memory "
                 "settings of `warpfem solve`, two runs per variant (times: their mean). Iterations: each load's in "
                 "turn (step 0's thermal load; then for each later step its thermal load from the coarser solution "
                 "and its duals, to rtol 1e-5 and 2e-2; a coplanarity load that reads the warpage is not solved). "
                 "Solves: the refinement's solve and estimate times (the thermal loads' and the duals' solves, the "
                 "split by corner). Moved: the last warpage's and bar's change from the first variant's, relative.",
                 ["model", "variant", "dofs", "iterations", "solves s", "refinement s", "warpage µm", "moved", "bar µm",
                  "bar moved"], rows, sums, ["solves, all eleven, s", "refinement, all eleven, s"])


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(run(sys.argv[1], int(sys.argv[2]))))
    else:
        main()
