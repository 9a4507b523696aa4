"""The solver's 3 x 3 block product: SciPy's BSR product against warpfem's compiled one.

On the graded first mesh of the 40 mm FCBGA with a copper plate under its substrate
(studies/accuracy/copper_plate.toml, 251 k dofs), the finest multigrid level's stiffness is
multiplied by a vector in single precision (the smoother's) and double (conjugate gradients'),
on one thread and on the row ranges the solver shares out over the machine's cores; then one
V-cycle and a whole solve to the default residual, with either product; and the compiled product
and a V-cycle of three vectors side by side.

    python studies/benchmarks/block_product.py        # writes block_product.md (~1 min)
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


def main() -> None:
    from warpfem.fem import multigrid
    from warpfem.fem.assemble import thermal_load
    from warpfem.fem.kernels import block_product
    from warpfem.fem.system import StiffnessSystem
    from warpfem.pipeline import layout_and_mesh

    layout, mesh = layout_and_mesh(MODEL)
    system = StiffnessSystem(layout, mesh)
    mg = system._mg
    smoother = mg.levels[0].smoother
    rows = []
    for label, threaded, whole in (("single", smoother.A, smoother.A.A), ("double", smoother.exact, smoother.exact.A)):
        x = np.random.default_rng(1).standard_normal(whole.shape[1]).astype(whole.dtype)
        mb = (whole.data.nbytes + whole.indices.nbytes) / 1e6
        scipy_1, kernel_1 = best_ms(lambda: whole @ x), best_ms(lambda: block_product(whole, x))
        kernel_n = best_ms(lambda: threaded @ x)
        with mock.patch.object(multigrid, "block_product", scipy_product):
            scipy_n = best_ms(lambda: threaded @ x)
        X = np.random.default_rng(3).standard_normal((whole.shape[1], 3)).astype(whole.dtype)
        three_1, three_n = best_ms(lambda: block_product(whole, X)), best_ms(lambda: threaded @ X)
        rows.append((label, mb, scipy_1, kernel_1, scipy_n, kernel_n, three_1, three_n))

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

    lines = ["# The 3 x 3 block product: SciPy against the compiled kernel", "",
             f"`python studies/benchmarks/block_product.py` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores. "
             f"The finest level of the copper-plate FCBGA's graded first mesh ({mesh.n_dofs:,} dofs); best of "
             f"{REPEAT} products, ms.", "",
             "| precision | matrix MB | SciPy, 1 thread | compiled, 1 thread | SciPy, row ranges | compiled, row ranges "
             "| compiled, three vectors, 1 thread | compiled, three vectors, row ranges |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {p} | {mb:.0f} | " + " | ".join(f"{t:.1f}" for t in times) + " |" for p, mb, *times in rows]
    lines += ["", "| product | one V-cycle ms | solve s | iterations |", "|---|---|---|---|"]
    lines += [f"| {k} | {v:.0f} | {s:.2f} | {n} |" for k, (v, s, n) in cycles.items()]
    lines += ["", f"One V-cycle of three vectors side by side (the compiled products and column solves of three "
              f"vectors at once): {three_cycles:.0f} ms, against {3 * cycles['compiled'][0]:.0f} ms for three in turn."]
    (HERE / "block_product.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
