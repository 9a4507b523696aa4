"""The multigrid on graded meshes: coarse levels that merge every pair of element intervals, as
before, against levels that merge a graded mesh's short intervals first, and the duals' tolerance
that the faster convergence asks for. Each of the eleven accuracy models is refined to its default
target in a fresh process per run, twice per variant (in the order A B C C B A, so that none gains
from the machine's drift); reported per model: the conjugate-gradient iterations of every solve
(a step's primal to ``[solver] rtol``, then its duals), the time of the solves with their set-up,
and how far the warpage and its bar moved.

    python studies/benchmarks/graded_coarsening.py     # writes graded_coarsening.md (~15 min)

A variant is set through the multigrid's constant ``FEWEST_MERGED`` (1 merges every pair) and the
refinement's ``DUAL_RTOL``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

from warpfem.fem import multigrid

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from fresh_runs import MODELS, counting_iterations, interleaved, refined, variants, write_report  # noqa: E402

#: the refinement module (its package exports the function of the same name)
REFINE = importlib.import_module("warpfem.accuracy.refine")

#: (label, FEWEST_MERGED, DUAL_RTOL)
VARIANTS = [("every pair, duals to 5e-2 (before)", 1.0, 5e-2),
            ("short first, duals to 5e-2", multigrid.FEWEST_MERGED, 5e-2),
            ("short first, duals to 2e-2 (now)", multigrid.FEWEST_MERGED, REFINE.DUAL_RTOL)]


def run(name: str, fewest: float, dual_rtol: float) -> dict:
    multigrid.FEWEST_MERGED, REFINE.DUAL_RTOL = fewest, dual_rtol
    with counting_iterations() as iterations:
        ref, total = refined(name)
    last = ref.steps[-1]
    return {"iterations": iterations, "warpage_um": last.warpage_um, "bar_um": last.warpage_error_um,
            "solve_s": sum(ref.timings_s.get(k, 0.0) for k in ("assemble", "solve", "estimate")),
            "total_s": total, "dofs": last.dofs}


def main() -> None:
    rows, sums = [], {label: [0.0, 0.0] for label, *_ in VARIANTS}
    for name in MODELS:
        runs = interleaved(__file__, name, len(VARIANTS))
        for v, label, r, solve_s, total_s, moved in variants(runs, [label for label, *_ in VARIANTS], sums):
            bar = f"{r['bar_um']:.4f}" if r["bar_um"] is not None else ""
            rows.append(f"| {name if v == 0 else ''} | {label} | {' '.join(map(str, r['iterations']))} | "
                        f"{solve_s:.1f} | {total_s:.1f} | {r['warpage_um']:.5f} | {moved:.1e} | {bar} |")
            print(rows[-1], flush=True)
    write_report(HERE / "graded_coarsening.md", "Coarse levels for graded meshes",
                 f"`python studies/benchmarks/graded_coarsening.py` on {time.strftime('%Y-%m-%d')}, 2 cores: the eleven "
                 "accuracy models refined to their default target, each run in a fresh process, two runs per variant "
                 "(times: their mean). Iterations: each solve in turn (a step's primal to rtol 1e-5, then its duals). "
                 "Set-up + solves: assembly, multigrid set-up, solves and the duals' solves and split. "
                 "Moved: the last warpage's change from the first variant's, relative.",
                 ["model", "variant", "iterations", "set-up + solves s", "refinement s", "warpage µm", "moved", "bar µm"],
                 rows, sums, ["set-up + solves, all eleven, s", "refinement, all eleven, s"])


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(run(sys.argv[1], *VARIANTS[int(sys.argv[2])][1:])))
    else:
        main()
