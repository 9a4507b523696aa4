"""Compiled kernels of the stiffness: its product with a vector (assembled, whole rows or parts of
them, or element by element), the scatter-add assembling it, the smoother's columns (their blocks
found, their rows split by colour, their banded solves), and the conjugate gradients' updates.

SciPy's BSR product loops over each block's rows and columns generically and does not vectorise:
on the 251 k dof hex20 stiffness of the copper-plate FCBGA it runs at 3 GB/s of matrix per core,
bound by arithmetic, not memory (single precision no faster than double). Unrolled for 3 x 3
blocks the same product takes a third of the time (59 -> 19 ms per core in single precision,
studies/benchmarks/block_product.md), and the multigrid's single-precision smoother, which is
mostly such products, gains its halved memory traffic back.

Several vectors multiply together, three at a time: each block is read once for all three, so
on that matrix three products take 1.5 times one (29 against 19 ms in single precision, 45 against
32 in double, on one core), and loads solved side by side (:func:`.multigrid.solve_cg_together`)
share the matrix traffic.

The kernels run on one thread without the GIL: callers share row ranges out over the solver's
threads (:mod:`.parallel`), as they did SciPy's.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp


# reassociation lets the compiler vectorise a row's sum; the order still depends only on the row.
# Row i sums the blocks starts[q, i] .. ends[q, i] - 1 of each range q in turn: a whole row (one
# range, the matrix's indptr) or a row stored in parts.
@numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _product(starts, ends, indices, data, x, y, zero):   # pragma: no cover - compiled
    for i in range(starts.shape[1]):
        a0 = a1 = a2 = zero
        for q in range(starts.shape[0]):
            for k in range(starts[q, i], ends[q, i]):
                j = 3 * indices[k]
                x0, x1, x2 = x[j], x[j + 1], x[j + 2]
                a0 += data[k, 0, 0] * x0 + data[k, 0, 1] * x1 + data[k, 0, 2] * x2
                a1 += data[k, 1, 0] * x0 + data[k, 1, 1] * x1 + data[k, 1, 2] * x2
                a2 += data[k, 2, 0] * x0 + data[k, 2, 1] * x1 + data[k, 2, 2] * x2
        y[3 * i] = a0
        y[3 * i + 1] = a1
        y[3 * i + 2] = a2


@numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _product3(starts, ends, indices, data, x, y, zero):   # pragma: no cover - compiled
    """As :func:`_product` for three vectors at once, x and y (3N, 3): one read of each block."""
    for i in range(starts.shape[1]):
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = zero
        for q in range(starts.shape[0]):
            for k in range(starts[q, i], ends[q, i]):
                j = 3 * indices[k]
                x00, x01, x02 = x[j, 0], x[j, 1], x[j, 2]
                x10, x11, x12 = x[j + 1, 0], x[j + 1, 1], x[j + 1, 2]
                x20, x21, x22 = x[j + 2, 0], x[j + 2, 1], x[j + 2, 2]
                d = data[k]
                a00 += d[0, 0] * x00 + d[0, 1] * x10 + d[0, 2] * x20
                a01 += d[0, 0] * x01 + d[0, 1] * x11 + d[0, 2] * x21
                a02 += d[0, 0] * x02 + d[0, 1] * x12 + d[0, 2] * x22
                a10 += d[1, 0] * x00 + d[1, 1] * x10 + d[1, 2] * x20
                a11 += d[1, 0] * x01 + d[1, 1] * x11 + d[1, 2] * x21
                a12 += d[1, 0] * x02 + d[1, 1] * x12 + d[1, 2] * x22
                a20 += d[2, 0] * x00 + d[2, 1] * x10 + d[2, 2] * x20
                a21 += d[2, 0] * x01 + d[2, 1] * x11 + d[2, 2] * x21
                a22 += d[2, 0] * x02 + d[2, 1] * x12 + d[2, 2] * x22
        y[3 * i, 0], y[3 * i, 1], y[3 * i, 2] = a00, a01, a02
        y[3 * i + 1, 0], y[3 * i + 1, 1], y[3 * i + 1, 2] = a10, a11, a12
        y[3 * i + 2, 0], y[3 * i + 2, 1], y[3 * i + 2, 2] = a20, a21, a22


def block_product(A: sp.bsr_matrix, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A @ x for a 3 x 3 block matrix and a vector, or vectors as columns (3N, k), of its
    precision, into ``out`` (C-contiguous) when given; SciPy's product otherwise. Columns go
    three at a time when k is a multiple of three, else one by one."""
    if A.blocksize != (3, 3) or x.ndim not in (1, 2) or x.dtype != A.dtype or A.dtype.kind != "f":
        y = A @ x
        if out is not None:
            out[...] = y
        return y
    return rows_product(A.indptr[None, :-1], A.indptr[None, 1:], A.indices, A.data, x, out)


def rows_product(starts: np.ndarray, ends: np.ndarray, indices: np.ndarray, data: np.ndarray, x: np.ndarray,
                 out: np.ndarray | None = None) -> np.ndarray:
    """y[i] = Σ data[k] x[indices[k]] over the blocks k = starts[q, i] .. ends[q, i] - 1 of each
    range q, for each row i of a 3 x 3 block matrix (``data`` (nnzb, 3, 3)): a whole matrix (one
    range per row), or rows stored in parts, all or some of them. ``starts``, ``ends``: (ranges,
    rows); x (3N,) or (3N, k) and y (3 rows,) or (3 rows, k) in the matrix's precision."""
    y = np.empty((3 * starts.shape[1], *x.shape[1:]), dtype=data.dtype) if out is None else out
    zero = data.dtype.type(0)
    if x.ndim == 1:
        _product(starts, ends, indices, data, np.ascontiguousarray(x), y, zero)
    elif x.shape[1] == 3:
        _product3(starts, ends, indices, data, np.ascontiguousarray(x), y, zero)
    else:
        step = 3 if x.shape[1] % 3 == 0 else 1
        for c in range(0, x.shape[1], step):
            part = x[:, c:c + 3] if step == 3 else x[:, c]
            y[:, c:c + step] = rows_product(starts, ends, indices, data, np.ascontiguousarray(part)).reshape(-1, step)
    return y


@numba.njit(nogil=True, cache=True)
def split_by_colour(indptr, indices, data, row_colour, colour, chunk):   # pragma: no cover - compiled
    """Reorder, in place, the blocks of a 3 x 3 block matrix in three parts by their column's
    ``colour`` (of each node) against their row's ``row_colour`` (lower, own, higher), ``chunk``
    rows at a time: in each chunk, every row's lower-colour blocks, row after row, then every row's
    own-colour blocks, then every row's higher-colour blocks, each row's in storage order. A chunk
    moves only within its own stretch of memory, through a copy of it. Returns each row's
    (3, rows) starts and ends of its three parts."""
    rows = len(indptr) - 1
    starts = np.empty((3, rows), dtype=np.int64)
    ends = np.empty((3, rows), dtype=np.int64)
    widest = 0
    for r0 in range(0, rows, chunk):
        widest = max(widest, indptr[min(rows, r0 + chunk)] - indptr[r0])
    flat = data.reshape(len(indices), 9)
    held_indices, held_data = np.empty(widest, dtype=indices.dtype), np.empty((widest, 9), dtype=data.dtype)
    part_of = np.empty(widest, dtype=np.int8)
    for r0 in range(0, rows, chunk):
        r1 = min(rows, r0 + chunk)
        s, e = indptr[r0], indptr[r1]
        for k in range(e - s):
            held_indices[k] = indices[s + k]
            for v in range(9):
                held_data[k, v] = flat[s + k, v]
        for i in range(r0, r1):
            for k in range(indptr[i] - s, indptr[i + 1] - s):
                c = colour[held_indices[k]]
                part_of[k] = 0 if c < row_colour[i] else 1 if c == row_colour[i] else 2
        at = s
        for part in range(3):
            for i in range(r0, r1):
                starts[part, i] = at
                for k in range(indptr[i] - s, indptr[i + 1] - s):
                    if part_of[k] == part:
                        indices[at] = held_indices[k]
                        for v in range(9):
                            flat[at, v] = held_data[k, v]
                        at += 1
                ends[part, i] = at
    return starts, ends


# a class's matrix is read row by row against the element's 60 values; reassociation vectorises
# each row's sum, whose order still depends only on the row
@numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _element_product(elements, of_element, K, x, y):   # pragma: no cover - compiled
    xe = np.empty(60)
    for e in range(len(elements)):
        c = of_element[e]
        for a in range(20):
            n = 3 * elements[e, a]
            xe[3 * a], xe[3 * a + 1], xe[3 * a + 2] = x[n], x[n + 1], x[n + 2]
        for a in range(20):
            n = 3 * elements[e, a]
            for p in range(3):
                s = 0.0
                for j in range(60):
                    s += K[c, 3 * a + p, j] * xe[j]
                y[n + p] += s


@numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract"})
def _element_product3(elements, of_element, K, x, y):   # pragma: no cover - compiled
    """As :func:`_element_product` for three vectors at once, x and y (3N, 3)."""
    xe = np.empty((3, 60))
    for e in range(len(elements)):
        c = of_element[e]
        for a in range(20):
            n = 3 * elements[e, a]
            for p in range(3):
                xe[0, 3 * a + p], xe[1, 3 * a + p], xe[2, 3 * a + p] = x[n + p, 0], x[n + p, 1], x[n + p, 2]
        for a in range(20):
            n = 3 * elements[e, a]
            for p in range(3):
                s0 = s1 = s2 = 0.0
                for j in range(60):
                    k = K[c, 3 * a + p, j]
                    s0 += k * xe[0, j]
                    s1 += k * xe[1, j]
                    s2 += k * xe[2, j]
                y[n + p, 0] += s0
                y[n + p, 1] += s1
                y[n + p, 2] += s2


def element_product_add(elements: np.ndarray, of_element: np.ndarray, K: np.ndarray, x: np.ndarray,
                        y: np.ndarray) -> None:
    """y += K_e x_e summed over elements, element e of class ``of_element[e]`` with matrix
    ``K[of_element[e]]`` (C, 60, 60) over its nodes ``elements[e]`` (E, 20), each node's three
    components in turn; x and y (3N,) or k vectors side by side (3N, k), in double precision."""
    elements, of_element = (np.ascontiguousarray(a, dtype=np.int64) for a in (elements, of_element))
    if x.ndim == 1:
        _element_product(elements, of_element, K, np.ascontiguousarray(x), y)
    elif x.shape[1] == 3:
        _element_product3(elements, of_element, K, np.ascontiguousarray(x), y)
    else:
        for q in range(x.shape[1]):
            part = np.zeros(len(x))
            _element_product(elements, of_element, K, np.ascontiguousarray(x[:, q]), part)
            y[:, q] += part


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


# one vector's substitution is a chain of dependent multiply-adds; three vectors side by side are
# three independent chains on the same factor entries, so they take 1.4 times one, not three
# (6.6 against 5.0 ms for every column of the copper-plate FCBGA's first mesh,
# studies/benchmarks/column_solves.md)
@numba.njit(nogil=True, cache=True)
def _band_solve_add3(factors, which, r_at, x_at, r, x):   # pragma: no cover - compiled
    """As :func:`_band_solve_add` for three vectors at once, r and x (n, 3)."""
    m, p = factors.shape[2], factors.shape[1] - 1
    y = np.empty((m, 3))
    for c in range(len(which)):
        L = factors[which[c]]
        for j in range(m):
            i0 = r_at[c, j]
            s0, s1, s2 = np.float64(r[i0, 0]), np.float64(r[i0, 1]), np.float64(r[i0, 2])
            for k in range(max(0, j - p), j):
                a = L[j - k, k]
                s0, s1, s2 = s0 - a * y[k, 0], s1 - a * y[k, 1], s2 - a * y[k, 2]
            d = L[0, j]
            y[j, 0], y[j, 1], y[j, 2] = s0 / d, s1 / d, s2 / d
        for j in range(m - 1, -1, -1):
            s0, s1, s2 = y[j, 0], y[j, 1], y[j, 2]
            for i in range(j + 1, min(m, j + p + 1)):
                a = L[i - j, j]
                s0, s1, s2 = s0 - a * y[i, 0], s1 - a * y[i, 1], s2 - a * y[i, 2]
            d = L[0, j]
            y[j, 0], y[j, 1], y[j, 2] = s0 / d, s1 / d, s2 / d
        for j in range(m):
            i0 = x_at[c, j]
            x[i0, 0] += y[j, 0]
            x[i0, 1] += y[j, 1]
            x[i0, 2] += y[j, 2]


def band_solve_add(factors: np.ndarray, which: np.ndarray, r_at: np.ndarray, x_at: np.ndarray,
                   r: np.ndarray, x: np.ndarray) -> None:
    """x[x_at[c]] += (L Lᵀ)⁻¹ r[r_at[c]] for each column c, L the banded Cholesky factor
    ``factors[which[c]]`` in LAPACK's lower band storage (L[i, j] at [i - j, j]); (F, p + 1, m)
    factors, (C,) and (C, m) indices; r and x one vector (n,) or k vectors side by side (n, k), x
    updated in place. Sums in double, whatever the precision of the arrays."""
    which, r_at, x_at = (np.ascontiguousarray(a, dtype=np.int64) for a in (which, r_at, x_at))
    if x.ndim == 1:
        _band_solve_add(factors, which, r_at, x_at, r, x)
    elif x.shape[1] == 3:
        _band_solve_add3(factors, which, r_at, x_at, r, x)
    else:
        for q in range(x.shape[1]):   # views: x updated in place
            _band_solve_add(factors, which, r_at, x_at, r[:, q], x[:, q])


# The conjugate gradients' vector updates for k loads side by side, (n, k) arrays in double
# precision, over rows r0..r1 (the caller sums fixed row ranges in a fixed order). Fused, each
# array is read once per update where NumPy's expressions made a temporary per operation; on the
# copper-plate FCBGA's 477 k-dof step they took a sixth of the solve. ``cols``: the loads still
# iterating (columns of the full arrays); ``Z``, ``Q``: their preconditioned residuals and
# products, one column each.
@numba.njit(nogil=True, cache=True)
def cg_dots(A, B, cols, r0, r1):   # pragma: no cover - compiled
    """Σ_i A[i, cols[j]] B[i, j] over rows r0..r1, for each j."""
    out = np.zeros(len(cols))
    for i in range(r0, r1):
        for j in range(len(cols)):
            out[j] += A[i, cols[j]] * B[i, j]
    return out


@numba.njit(nogil=True, cache=True)
def cg_direction(P, Z, cols, beta, r0, r1):   # pragma: no cover - compiled
    """P[:, cols[j]] = Z[:, j] + beta[j] P[:, cols[j]] over rows r0..r1."""
    for i in range(r0, r1):
        for j in range(len(cols)):
            P[i, cols[j]] = Z[i, j] + beta[j] * P[i, cols[j]]


@numba.njit(nogil=True, cache=True)
def cg_step(X, R, P, Q, cols, alpha, r0, r1):   # pragma: no cover - compiled
    """X[:, c] += alpha[j] P[:, c] and R[:, c] -= alpha[j] Q[:, j] for c = cols[j] over rows
    r0..r1; returns Σ_i R[i, c]² over those rows for every column c of R."""
    out = np.zeros(R.shape[1])
    for i in range(r0, r1):
        for j in range(len(cols)):
            c = cols[j]
            X[i, c] += alpha[j] * P[i, c]
            R[i, c] -= alpha[j] * Q[i, j]
        for c in range(R.shape[1]):
            out[c] += R[i, c] * R[i, c]
    return out


@numba.njit(nogil=True, cache=True)
def column_entries(indptr, indices, node_of_row, column, starts):   # pragma: no cover - compiled
    """The stored blocks of a 3 x 3 block matrix (block row i holding node ``node_of_row[i]``) that
    couple two nodes of one node column on or below the diagonal: (block, column, row within the
    column, column within the column), in storage order. ``column``: each node's column; ``starts``:
    each column's first node (a column's nodes are consecutive)."""
    count = 0
    for i in range(len(indptr) - 1):
        node = node_of_row[i]
        first = starts[column[node]]
        for k in range(indptr[i], indptr[i + 1]):
            count += first <= indices[k] <= node
    block, col = np.empty(count, dtype=np.int64), np.empty(count, dtype=np.int64)
    lr, lc = np.empty(count, dtype=np.int64), np.empty(count, dtype=np.int64)
    at = 0
    for i in range(len(indptr) - 1):
        node = node_of_row[i]
        c = column[node]
        first = starts[c]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            if first <= j <= node:
                block[at], col[at], lr[at], lc[at] = k, c, node - first, j - first
                at += 1
    return block, col, lr, lc
