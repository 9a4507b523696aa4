"""The solver's products: SciPy's BSR product against warpfem's compiled one, and the conjugate
gradients' double-precision product applied element by element against the assembled matrix.

On the graded first mesh of the 40 mm FCBGA with a copper plate under its substrate
(studies/accuracy/copper_plate.toml, 251 k dofs) and on its refinement step's mesh (477 k dofs),
the finest multigrid level's stiffness is multiplied by a vector in single precision (the
smoother's) and double (the conjugate gradients'), on one thread and on the row ranges the solver
shares out over the machine's cores; in double also element by element, from the element classes'
matrices (:class:`warpfem.fem.operator.ElementOperator`, what the solver uses). Then, on the first
mesh, one V-cycle and a whole solve to the default residual, with either block product; and a
V-cycle of three vectors side by side.

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


def scipy_product(A, x, out=None):
    """SciPy's own product, in place of the compiled one."""
    y = A @ x
    if out is not None:
        out[...] = y
    return y


def product_rows(layout, mesh) -> tuple[list, object]:
    """The product timings on ``mesh``: single and double precision assembled, double element by
    element; and the mesh's system."""
    from warpfem.fem import multigrid
    from warpfem.fem.assemble import constrain, element_matrices, stiffness_bsr
    from warpfem.fem.kernels import block_product
    from warpfem.fem.parallel import limited_threads, usable_cores
    from warpfem.fem.system import StiffnessSystem

    system = StiffnessSystem(layout, mesh)
    smoother, exact = system._mg.levels[0].smoother, system._mg.exact
    K64 = constrain(stiffness_bsr(mesh.elements, mesh.node_ijk, system.classes.of_element,
                                  element_matrices(system.classes)), system.fixed, in_place=True)
    rows = []
    for label, threaded, whole in (("single", smoother.A, smoother.A.A),
                                   ("double", multigrid._RowBlocks(K64, usable_cores()), K64)):
        x = np.random.default_rng(1).standard_normal(whole.shape[1]).astype(whole.dtype)
        mb = (whole.data.nbytes + whole.indices.nbytes) / 1e6
        scipy_1, kernel_1 = best_ms(lambda: whole @ x), best_ms(lambda: block_product(whole, x))
        kernel_n = best_ms(lambda: threaded @ x)
        with mock.patch.object(multigrid, "block_product", scipy_product):
            scipy_n = best_ms(lambda: threaded @ x)
        X = np.random.default_rng(3).standard_normal((whole.shape[1], 3)).astype(whole.dtype)
        three_1, three_n = best_ms(lambda: block_product(whole, X)), best_ms(lambda: threaded @ X)
        rows.append((mesh.n_dofs, label, mb, scipy_1, kernel_1, scipy_n, kernel_n, three_1, three_n))
    del K64
    x = np.random.default_rng(1).standard_normal(exact.n)
    X = np.random.default_rng(3).standard_normal((exact.n, 3))
    with limited_threads(1):
        one_1, three_1 = best_ms(lambda: exact @ x), best_ms(lambda: exact @ X)
    mb = (exact.K.nbytes + exact.elements.nbytes + exact.of_element.nbytes) / 1e6
    rows.append((mesh.n_dofs, "double, element by element", mb, None, one_1, None, best_ms(lambda: exact @ x),
                 three_1, best_ms(lambda: exact @ X)))
    return rows, system


def main() -> None:
    from warpfem.fem import multigrid
    from warpfem.fem.assemble import thermal_load
    from warpfem.fem.kernels import block_product
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
    cycles = {}
    for name, product in (("SciPy", scipy_product), ("compiled", block_product)):
        with mock.patch.object(multigrid, "block_product", product):
            vcycle = best_ms(lambda: mg.precondition(r), 5)
            t = time.perf_counter()
            _, iterations = multigrid.solve_cg(mg, f, layout.model.solver.rtol)
            cycles[name] = (vcycle, time.perf_counter() - t, iterations)
    R = np.random.default_rng(4).standard_normal((len(f), 3))
    R[system.fixed] = 0.0
    three_cycles = best_ms(lambda: mg.precondition(R), 5)

    lines = ["# The solver's products: SciPy against the compiled kernels, assembled against element by element", "",
             f"`python studies/benchmarks/block_product.py` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores. "
             f"The finest level of the copper-plate FCBGA's graded first mesh ({mesh.n_dofs:,} dofs) and of its "
             f"refinement step's mesh; best of {REPEAT} products, ms. \"Matrix MB\": the assembled matrix's values "
             "and column indices, or the element classes' matrices and the elements' nodes and classes; "
             "\"threads\": row ranges shared out over the cores (element by element: two element ranges, summed).", "",
             "| dofs | precision | matrix MB | SciPy, 1 thread | compiled, 1 thread | SciPy, threads | compiled, threads "
             "| compiled, three vectors, 1 thread | compiled, three vectors, threads |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {n:,} | {p} | {mb:.0f} | " + " | ".join("–" if t is None else f"{t:.1f}" for t in times) + " |"
              for n, p, mb, *times in rows]
    lines += ["", "| product | one V-cycle ms | solve s | iterations |", "|---|---|---|---|"]
    lines += [f"| {k} | {v:.0f} | {s:.2f} | {n} |" for k, (v, s, n) in cycles.items()]
    lines += ["", f"One V-cycle of three vectors side by side (the compiled products and column solves of three "
              f"vectors at once): {three_cycles:.0f} ms, against {3 * cycles['compiled'][0]:.0f} ms for three in turn."]
    (HERE / "block_product.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
