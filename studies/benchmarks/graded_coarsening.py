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
import subprocess
import sys
import time
from pathlib import Path

from warpfem.accuracy import refine
from warpfem.fem import multigrid, system
from warpfem.meshing import initial_grading
from warpfem.model import load_model
from warpfem.pipeline import global_layout

HERE = Path(__file__).resolve().parent
ACCURACY = HERE.parent / "accuracy"
MODELS = ("bump_array", "bare_fcbga", "ring_stiffener", "copper_plate", "matched_plate", "lid",
          "lid_on_adhesive_ring", "moulded", "stiffener_plate", "small_fcbga", "buffer_pad")

#: the refinement module (its package exports the function of the same name)
REFINE = importlib.import_module("warpfem.accuracy.refine")

#: (label, FEWEST_MERGED, DUAL_RTOL)
VARIANTS = [("every pair, duals to 5e-2 (before)", 1.0, 5e-2),
            ("short first, duals to 5e-2", multigrid.FEWEST_MERGED, 5e-2),
            ("short first, duals to 2e-2 (now)", multigrid.FEWEST_MERGED, REFINE.DUAL_RTOL)]


def run(name: str, fewest: float, dual_rtol: float) -> dict:
    multigrid.FEWEST_MERGED, REFINE.DUAL_RTOL = fewest, dual_rtol
    iterations: list[int] = []
    solve_cg = multigrid.solve_cg

    def counted(*args, **kw):
        u, n = solve_cg(*args, **kw)
        iterations.append(n)
        return u, n

    multigrid.solve_cg = system.solve_cg = counted
    try:
        model = load_model(ACCURACY / f"{name}.toml")
        layout, _ = global_layout(model)   # as `warpfem solve` lays it out
        t = time.perf_counter()
        ref = refine(layout, initial_grading(layout), model.mesh.target_error, model.mesh.max_dofs)
        total = time.perf_counter() - t
    finally:
        multigrid.solve_cg = system.solve_cg = solve_cg
    last = ref.steps[-1]
    return {"iterations": iterations, "warpage_um": last.warpage_um, "bar_um": last.warpage_error_um,
            "solve_s": sum(ref.timings_s.get(k, 0.0) for k in ("assemble", "solve", "estimate")),
            "total_s": total, "dofs": last.dofs}


def run_apart(name: str, variant: int) -> dict:
    """:func:`run` in a fresh Python process, as `warpfem solve` would be."""
    out = subprocess.run([sys.executable, __file__, name, str(variant)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    rows, sums = [], {label: [0.0, 0.0] for label, *_ in VARIANTS}
    order = [*range(len(VARIANTS)), *reversed(range(len(VARIANTS)))]
    for name in MODELS:
        runs: dict[int, list[dict]] = {v: [] for v in range(len(VARIANTS))}
        for v in order:
            runs[v].append(run_apart(name, v))
        base = runs[0][0]
        for v, (label, *_) in enumerate(VARIANTS):
            r = runs[v][0]
            solve_s = sum(x["solve_s"] for x in runs[v]) / 2
            total_s = sum(x["total_s"] for x in runs[v]) / 2
            sums[label][0] += solve_s
            sums[label][1] += total_s
            moved = abs(r["warpage_um"] - base["warpage_um"]) / abs(base["warpage_um"])
            bar = f"{r['bar_um']:.4f}" if r["bar_um"] is not None else ""
            rows.append(f"| {name if v == 0 else ''} | {label} | {' '.join(map(str, r['iterations']))} | "
                        f"{solve_s:.1f} | {total_s:.1f} | {r['warpage_um']:.5f} | {moved:.1e} | {bar} |")
            print(rows[-1], flush=True)
    out = ["# Coarse levels for graded meshes", "",
           f"`python studies/benchmarks/graded_coarsening.py` on {time.strftime('%Y-%m-%d')}, 2 cores: the eleven "
           "accuracy models refined to their default target, each run in a fresh process, two runs per variant "
           "(times: their mean). Iterations: each solve in turn (a step's primal to rtol 1e-5, then its duals). "
           "Set-up + solves: assembly, multigrid set-up, solves and the duals' solves and split. "
           "Moved: the last warpage's change from the first variant's, relative.", "",
           "| model | variant | iterations | set-up + solves s | refinement s | warpage µm | moved | bar µm |",
           "|---|---|---|---|---|---|---|---|", *rows, "",
           "| variant | set-up + solves, all eleven, s | refinement, all eleven, s |", "|---|---|---|",
           *(f"| {label} | {a:.1f} | {b:.1f} |" for label, (a, b) in sums.items()), ""]
    (HERE / "graded_coarsening.md").write_text("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(run(sys.argv[1], *VARIANTS[int(sys.argv[2])][1:])))
    else:
        main()
