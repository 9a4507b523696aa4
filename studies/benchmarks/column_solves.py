"""The smoother's column solves: dense inverses against banded Cholesky factors.

The multigrid relaxes each vertical line of nodes by an exact solve with its block of the
stiffness. Those blocks are banded (a node couples only to nodes at most two half steps above or
below it), and were once inverted as dense matrices. On the graded first mesh of the 40 mm FCBGA
with a copper plate under its substrate (studies/accuracy/copper_plate.toml, 251 k dofs), for the
finest level's columns exactly as the smoother gathers them: the time to prepare them (distinct
blocks found, then inverted or factored, on the solver's threads), their memory in the smoother's
single precision, the time to apply them all once (what one sweep adds to its residual products)
and how far the two answers differ.

    python studies/benchmarks/column_solves.py     # writes column_solves.md (~1 min)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

from warpfem.fem import multigrid
from warpfem.fem.assemble import _unique_rows, element_classes, element_matrices
from warpfem.fem.kernels import band_solve_add
from warpfem.fem.parallel import run_all, thread_count
from warpfem.geometry import build_layout
from warpfem.meshing import features, graded_mesh, initial_grading
from warpfem.model import load_model

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from block_product import best_ms  # noqa: E402
MODEL = HERE.parent / "accuracy" / "copper_plate.toml"
REPEAT = 10


def dense(band: np.ndarray) -> np.ndarray:
    """The symmetric blocks (m, n, n) of lower band storage (m, p + 1, n)."""
    m, q, n = band.shape
    out = np.zeros((m, n, n))
    j = np.arange(n)
    for d in range(q):
        out[:, j[:n - d] + d, j[:n - d]] = band[:, d, :n - d]
        out[:, j[:n - d], j[:n - d] + d] = band[:, d, :n - d]
    return out


def inverted(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct blocks' dense inverses in single precision (on the solver's threads), and
    each block's among them: the smoother's former preparation."""
    distinct, of_block = _unique_rows(blocks.reshape(len(blocks), -1))
    distinct = distinct.reshape(-1, *blocks.shape[1:])
    parts = np.array_split(np.arange(len(distinct)), min(thread_count(), len(distinct)))
    return np.concatenate(run_all([lambda p=p: np.linalg.inv(distinct[p]).astype(np.float32) for p in parts])), of_block


def main() -> None:
    layout = build_layout(load_model(MODEL))
    mesh = graded_mesh(layout, features(layout), initial_grading(layout))
    classes = element_classes(layout, mesh)
    grid = multigrid.fine_grid(mesh, classes.of_element, element_matrices(classes))
    bands: list[np.ndarray] = []
    factored = multigrid._factored

    def capture(band):
        bands.append(band)
        return factored(band)

    with mock.patch.object(multigrid, "_factored", capture):
        multigrid.Multigrid._smoother(grid, multigrid.plane_fixed(mesh, layout.quarter))
    denses = [dense(b) for b in bands]
    columns = sum(len(b) for b in bands)

    prep_band = best_ms(lambda: [factored(b) for b in bands], 3) / 1e3
    prep_dense = best_ms(lambda: [inverted(d) for d in denses], 3) / 1e3
    factors = [factored(b) for b in bands]
    inverses = [inv[of] for inv, of in (inverted(d) for d in denses)]   # one per column, as the smoother held them
    rng = np.random.default_rng(7)
    rs = [rng.standard_normal((len(b), b.shape[2])).astype(np.float32) for b in bands]

    def apply_band():
        out = []
        for (f, which), r in zip(factors, rs):
            x = np.zeros(r.size, dtype=np.float32)
            at = np.arange(r.size).reshape(r.shape)
            band_solve_add(f, which, at, at, r.ravel(), x)
            out.append(x.reshape(r.shape))
        return out

    def apply_dense():
        return [np.matmul(inv, r[:, :, None])[:, :, 0] for inv, r in zip(inverses, rs)]

    def apply_band_three():   # three vectors side by side, each column's three at once
        for (f, which), r in zip(factors, rs):
            R = np.repeat(r.reshape(-1, 1), 3, axis=1)
            at = np.arange(r.size).reshape(r.shape)
            band_solve_add(f, which, at, at, R, np.zeros_like(R))

    ms_band, ms_dense = best_ms(apply_band, REPEAT), best_ms(apply_dense, REPEAT)
    ms_three = best_ms(apply_band_three, REPEAT)
    diff = max(float(np.abs(a - b).max() / np.abs(b).max()) for a, b in zip(apply_band(), apply_dense()))
    mb_band = sum(f.nbytes + w.nbytes for f, w in factors) / 1e6
    mb_dense = sum(i.nbytes for i in inverses) / 1e6
    distinct = sum(len(f) for f, _ in factors)
    lines = ["# The smoother's column solves: dense inverses against banded Cholesky factors", "",
             f"`python studies/benchmarks/column_solves.py` on {time.strftime('%Y-%m-%d')}, 2 cores. The finest level of the "
             f"copper-plate FCBGA's graded first mesh ({mesh.n_dofs:,} dofs): {columns:,} node columns, {distinct:,} distinct "
             f"blocks, {len(bands)} batches of equal length. Preparation: best of 3; applying every column once "
             f"(one thread): best of {REPEAT}.", "",
             "| column solve | prepare s | memory MB | apply all once, ms |", "|---|---|---|---|",
             f"| dense inverse (single precision, one per column) | {prep_dense:.2f} | {mb_dense:.0f} | {ms_dense:.1f} |",
             f"| banded Cholesky (single precision, distinct ones, sums in double) | {prep_band:.2f} | {mb_band:.0f} | {ms_band:.1f} |",
             "", f"Largest difference between the two answers, relative to the largest value: {diff:.1e}.", "",
             f"The banded solves of three vectors side by side (three independent chains of multiply-adds on the "
             f"same factor entries): {ms_three:.1f} ms, against {ms_band:.1f} ms for one."]
    (HERE / "column_solves.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
