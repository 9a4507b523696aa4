"""The solver's products: SciPy's BSR product against warpfem's compiled one, and the conjugate
gradients' double-precision product applied element by element against the assembled matrix.

On the graded first mesh of the 40 mm FCBGA with a copper plate under its substrate
(studies/accuracy/copper_plate.toml, 251 k dofs) and on its refinement step's mesh (477 k dofs),
the finest multigrid level's stiffness is multiplied by a vector in single precision (the
smoother's) and double (the conjugate gradients'), on one thread and on the row ranges the solver
shares out over the machine's cores; in double also element by element, from the element classes'
matrices (:class:`warpfem.fem.operator.ElementOperator`, what the solver uses). Then, on the first
mesh, one V-cycle (one vector, three side by side) and a whole solve to the default residual, with
the smoother's rows split by their columns' colours, as the solver stores them (a forward sweep from
zero reads the blocks of the colours before each row's, its residual those after), and with whole
rows read by the sweep and by the residual (as before that split).

    python studies/benchmarks/block_product.py        # writes block_product.md (~2 min)
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from unittest import mock

import numpy as np

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "accuracy" / "copper_plate.toml"
REPEAT = 20


def best_ms(fn, repeat: int = REPEAT) -> float:
    """The fastest of ``repeat`` calls after a warm-up, in ms."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * min(times)


def threaded_product(A):
    """A @ x with A's block rows cut into ranges of equal work, one per core, multiplied side by side."""
    from warpfem.fem.kernels import block_product, rows_product
    from warpfem.fem.parallel import run_all, split_points, usable_cores

    cuts = split_points(A.indptr, usable_cores())
    ranges = [(r0, r1, A.indptr[r0:r1][None], A.indptr[r0 + 1:r1 + 1][None]) for r0, r1 in zip(cuts[:-1], cuts[1:])]

    def product(x):
        y = np.empty((A.shape[0], *x.shape[1:]), dtype=A.dtype)
        run_all([lambda r=r: rows_product(r[2], r[3], A.indices, A.data, x, out=y[3 * r[0]:3 * r[1]]) for r in ranges])
        return y

    return product if len(ranges) > 1 else (lambda x: block_product(A, x))


def whole_rows_vcycle(mg, b, level=0):
    """The V-cycle with every row read whole: the forward sweep from zero, then b - A x."""
    if level == len(mg.levels):
        return mg._solve_coarse(b)
    lv = mg.levels[level]
    x = np.zeros_like(b)
    lv.smoother._sweep(b, x, lv.smoother.sweeps)
    x += lv.P @ whole_rows_vcycle(mg, lv.R @ (b - lv.smoother.matvec(x)), level + 1).astype(b.dtype)
    lv.smoother.post(b, x)
    return x


def product_rows(layout, mesh) -> tuple[list, object]:
    """The product timings on ``mesh``: single and double precision assembled, double element by
    element; and the mesh's system."""
    from warpfem.fem.assemble import constrain, element_matrices, stiffness_bsr
    from warpfem.fem.kernels import block_product
    from warpfem.fem.parallel import limited_threads
    from warpfem.fem.system import StiffnessSystem

    system = StiffnessSystem(layout, mesh)
    exact = system._mg.exact
    matrices = element_matrices(system.classes)
    rows = []
    for label, dtype in (("single", np.float32), ("double", np.float64)):
        whole = constrain(stiffness_bsr(mesh.elements, mesh.node_ijk, system.classes.of_element, matrices, dtype=dtype),
                          system.fixed, in_place=True)
        threaded = threaded_product(whole)
        x = np.random.default_rng(1).standard_normal(whole.shape[1]).astype(whole.dtype)
        mb = (whole.data.nbytes + whole.indices.nbytes) / 1e6
        scipy_1, kernel_1 = best_ms(lambda: whole @ x), best_ms(lambda: block_product(whole, x))
        kernel_n = best_ms(lambda: threaded(x))
        X = np.random.default_rng(3).standard_normal((whole.shape[1], 3)).astype(whole.dtype)
        three_1, three_n = best_ms(lambda: block_product(whole, X)), best_ms(lambda: threaded(X))
        rows.append((mesh.n_dofs, label, mb, scipy_1, kernel_1, kernel_n, three_1, three_n))
    x = np.random.default_rng(1).standard_normal(exact.n)
    X = np.random.default_rng(3).standard_normal((exact.n, 3))
    with limited_threads(1):
        one_1, three_1 = best_ms(lambda: exact @ x), best_ms(lambda: exact @ X)
    mb = (exact.K.nbytes + exact.elements.nbytes + exact.of_element.nbytes) / 1e6
    rows.append((mesh.n_dofs, "double, element by element", mb, None, one_1, best_ms(lambda: exact @ x),
                 three_1, best_ms(lambda: exact @ X)))
    return rows, system


def main() -> None:
    from warpfem.fem import multigrid
    from warpfem.fem.assemble import thermal_load
    from warpfem.meshing import features, initial_grading, mesh_on_axes, refine_groups
    from warpfem.meshing.grading import graded_axes
    from warpfem.pipeline import layout_and_mesh

    layout, mesh = layout_and_mesh(MODEL)
    feats, grading = features(layout), initial_grading(layout)
    finer = refine_groups(layout, feats, grading, range(len(feats.groups)))
    rows, _ = product_rows(layout, mesh_on_axes(layout, graded_axes(layout, feats, finer), finer.size_mm))
    first_rows, system = product_rows(layout, mesh)
    rows = first_rows + rows
    mg = system._mg
    f = np.where(system.fixed, 0.0, thermal_load(mesh, system.classes))
    r = np.random.default_rng(2).standard_normal(len(f))
    r[system.fixed] = 0.0
    R = np.random.default_rng(4).standard_normal((len(f), 3))
    R[system.fixed] = 0.0
    cycles = {}
    for name, vcycle in (("whole rows", lambda b: whole_rows_vcycle(mg, b)), ("split by colour", mg.vcycle)):
        with mock.patch.object(mg, "vcycle", vcycle):
            one, three = best_ms(lambda: mg.precondition(r), 5), best_ms(lambda: mg.precondition(R), 5)
            t = time.perf_counter()
            _, iterations = multigrid.solve_cg(mg, f, layout.model.solver.rtol)
            cycles[name] = (one, three, time.perf_counter() - t, iterations)

    lines = ["# The solver's products: SciPy against the compiled kernels, assembled against element by element", "",
             f"`python studies/benchmarks/block_product.py` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores. "
             f"The finest level of the copper-plate FCBGA's graded first mesh ({mesh.n_dofs:,} dofs) and of its "
             f"refinement step's mesh; best of {REPEAT} products, ms. \"Matrix MB\": the assembled matrix's values "
             "and column indices, or the element classes' matrices and the elements' nodes and classes; "
             "\"threads\": row ranges shared out over the cores (element by element: two element ranges, summed).", "",
             "| dofs | precision | matrix MB | SciPy, 1 thread | compiled, 1 thread | compiled, threads "
             "| compiled, three vectors, 1 thread | compiled, three vectors, threads |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {n:,} | {p} | {mb:.0f} | " + " | ".join("–" if t is None else f"{t:.1f}" for t in times) + " |"
              for n, p, mb, *times in rows]
    lines += ["", f"The multigrid of the first mesh ({mg.n_levels} levels), the smoother's rows read whole or split by "
              "their columns' colours; V-cycles best of 5, the solve to the default residual:", "",
              "| smoother rows | one V-cycle ms | three vectors side by side ms | solve s | iterations |",
              "|---|---|---|---|---|"]
    lines += [f"| {k} | {one:.0f} | {three:.0f} | {s:.2f} | {n} |" for k, (one, three, s, n) in cycles.items()]
    (HERE / "block_product.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
