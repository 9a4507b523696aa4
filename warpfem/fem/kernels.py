"""Compiled kernels of the stiffness: its product with a vector, the scatter-add assembling it, and
the banded solves of the smoother's columns.

SciPy's BSR product loops over each block's rows and columns generically and does not vectorise:
on the 251 k dof hex20 stiffness of the copper-plate FCBGA it runs at 3 GB/s of matrix per core,
bound by arithmetic, not memory (single precision no faster than double). Unrolled for 3 x 3
blocks the same product takes a third of the time (59 -> 19 ms per core in single precision,
studies/benchmarks/block_product.md), and the multigrid's single-precision smoother, which is
mostly such products, gains its halved memory traffic back.

The kernel runs on one thread without the GIL: callers share row ranges out over the solver's
threads (:mod:`.parallel`), as they did SciPy's.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp


# reassociation lets the compiler vectorise a row's sum; the order still depends only on the row
@numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _product(indptr, indices, data, x, y, zero):   # pragma: no cover - compiled
    for i in range(len(indptr) - 1):
        a0 = a1 = a2 = zero
        for k in range(indptr[i], indptr[i + 1]):
            j = 3 * indices[k]
            x0, x1, x2 = x[j], x[j + 1], x[j + 2]
            a0 += data[k, 0, 0] * x0 + data[k, 0, 1] * x1 + data[k, 0, 2] * x2
            a1 += data[k, 1, 0] * x0 + data[k, 1, 1] * x1 + data[k, 1, 2] * x2
            a2 += data[k, 2, 0] * x0 + data[k, 2, 1] * x1 + data[k, 2, 2] * x2
        y[3 * i] = a0
        y[3 * i + 1] = a1
        y[3 * i + 2] = a2


def block_product(A: sp.bsr_matrix, x: np.ndarray) -> np.ndarray:
    """A @ x for a 3 x 3 block matrix and a vector of its precision; SciPy's product otherwise."""
    if A.blocksize != (3, 3) or x.ndim != 1 or x.dtype != A.dtype or A.dtype.kind != "f":
        return A @ x
    y = np.empty(A.shape[0], dtype=A.dtype)
    _product(A.indptr, A.indices, A.data, np.ascontiguousarray(x), y, A.dtype.type(0))
    return y


@numba.njit(nogil=True, cache=True)
def _scatter_add(data, slots, values):   # pragma: no cover - compiled
    for i in range(len(slots)):
        s = slots[i]
        for c in range(data.shape[1]):
            data[s, c] += values[i, c]


def scatter_add(data: np.ndarray, slots: np.ndarray, values: np.ndarray) -> None:
    """data[slots[i]] += values[i] for every i, repeated slots summed: (n, m) += (k, m) at (k,).

    With 2 M sorted slots into 200 k rows of 9, NumPy's ``np.add.at`` took 19 times as long and
    one ``bincount`` per column 25 times (a strided pass over the values per column)."""
    _scatter_add(data, np.ascontiguousarray(slots, dtype=np.int64), np.ascontiguousarray(values, dtype=data.dtype))


@numba.njit(nogil=True, cache=True)
def _band_solve_add(factors, which, r_at, x_at, r, x):   # pragma: no cover - compiled
    m, p = factors.shape[2], factors.shape[1] - 1
    y = np.empty(m)
    for c in range(len(which)):
        L = factors[which[c]]
        for j in range(m):            # L y = r
            s = np.float64(r[r_at[c, j]])
            for k in range(max(0, j - p), j):
                s -= L[j - k, k] * y[k]
            y[j] = s / L[0, j]
        for j in range(m - 1, -1, -1):   # L^T z = y, z over y
            s = y[j]
            for i in range(j + 1, min(m, j + p + 1)):
                s -= L[i - j, j] * y[i]
            y[j] = s / L[0, j]
        for j in range(m):
            x[x_at[c, j]] += y[j]


def band_solve_add(factors: np.ndarray, which: np.ndarray, r_at: np.ndarray, x_at: np.ndarray,
                   r: np.ndarray, x: np.ndarray) -> None:
    """x[x_at[c]] += (L Lᵀ)⁻¹ r[r_at[c]] for each column c, L the banded Cholesky factor
    ``factors[which[c]]`` in LAPACK's lower band storage (L[i, j] at [i - j, j]); (F, p + 1, m)
    factors, (C,) and (C, m) indices. Sums in double, whatever the precision of the arrays."""
    _band_solve_add(factors, np.ascontiguousarray(which, dtype=np.int64), np.ascontiguousarray(r_at, dtype=np.int64),
                    np.ascontiguousarray(x_at, dtype=np.int64), r, x)
