"""The compiled block product, scatter-add and banded column solves against SciPy's, NumPy's
and LAPACK's own."""

import numpy as np
import pytest
import scipy.sparse as sp

from scipy.linalg.lapack import dpbtrf

from warpfem.fem.kernels import (band_solve_add, block_product, cg_direction, cg_dots, cg_step, rows_product, scatter_add,
                                split_by_colour)


def _random_bsr(rng, n_rows: int, n_cols: int, dtype) -> sp.bsr_matrix:
    A = sp.random(n_rows, n_cols, density=0.2, random_state=rng, format="csr")
    A = sp.diags(np.r_[np.ones(3), 0.0, np.ones(n_rows - 4)]) @ A   # block row 3 empty
    A.eliminate_zeros()
    B = sp.kron(A, np.ones((3, 3))).multiply(rng.standard_normal((3 * n_rows, 3 * n_cols)))
    return B.tobsr(blocksize=(3, 3)).astype(dtype)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_block_product_equals_scipys(dtype, rtol):
    rng = np.random.default_rng(3)
    A = _random_bsr(rng, 40, 30, dtype)
    assert A.blocksize == (3, 3) and A.dtype == dtype
    x = rng.standard_normal(A.shape[1]).astype(dtype)
    y = block_product(A, x)
    assert y.dtype == dtype
    assert np.allclose(y, (A.astype(np.float64) @ x.astype(np.float64)), rtol=rtol, atol=rtol * np.abs(y).max())
    assert not y[9:12].any()   # the empty row


def test_block_product_of_row_ranges_matches_the_whole():
    rng = np.random.default_rng(4)
    A = _random_bsr(rng, 20, 20, np.float64)
    x = rng.standard_normal(A.shape[1])
    s, e = A.indptr[5], A.indptr[12]
    rows = sp.bsr_matrix((A.data[s:e], A.indices[s:e], A.indptr[5:13] - s), shape=(21, A.shape[1]))
    assert np.allclose(block_product(rows, x), (A @ x)[15:36], rtol=1e-13, atol=0)


def test_block_product_falls_back_outside_its_case():
    rng = np.random.default_rng(5)
    A = _random_bsr(rng, 10, 10, np.float32)
    x = rng.standard_normal(A.shape[1])   # double against a single-precision matrix
    assert np.allclose(block_product(A, x), A @ x)
    B = sp.random(12, 12, density=0.3, random_state=rng, format="bsr")
    B = B.tobsr(blocksize=(2, 2))
    v = rng.standard_normal(12)
    assert np.allclose(block_product(B, v), B @ v)


def test_scatter_add_sums_repeated_slots_as_add_at():
    rng = np.random.default_rng(6)
    data = rng.standard_normal((50, 9))
    slots = rng.integers(0, 50, size=1000)
    values = rng.standard_normal((1000, 9))
    expected = data.copy()
    np.add.at(expected, slots, values)
    scatter_add(data, slots, values)
    assert np.allclose(data, expected, rtol=1e-13, atol=1e-13)


def _banded_spd(rng, n: int, p: int) -> np.ndarray:
    """A random symmetric positive definite matrix of lower bandwidth p."""
    A = np.tril(np.triu(rng.standard_normal((n, n)), -p), p)
    A = A + A.T
    return A + (np.abs(A).sum(axis=1).max() + 1.0) * np.eye(n)


def _lower_band(A: np.ndarray, p: int) -> np.ndarray:
    return np.array([np.r_[np.diagonal(A, -d), np.zeros(d)] for d in range(p + 1)])


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_band_solve_add_solves_each_column_and_adds_where_told(dtype, rtol):
    rng = np.random.default_rng(8)
    n, p = 15, 8
    blocks = [_banded_spd(rng, n, p) for _ in range(3)]
    factors = np.array([dpbtrf(_lower_band(A, p), lower=1)[0] for A in blocks]).astype(dtype)
    which = np.array([2, 0, 2, 1])                       # a factor may serve several columns
    r = rng.standard_normal(4 * n + 5).astype(dtype)
    r_at = rng.permutation(len(r))[:4 * n].reshape(4, n)   # gathered from anywhere in r
    x0 = rng.standard_normal(4 * n + 3).astype(dtype)
    x_at = rng.permutation(len(x0))[:4 * n].reshape(4, n)
    x = x0.copy()
    band_solve_add(factors, which, r_at, x_at, r, x)
    expected = x0.astype(np.float64)
    for c in range(4):
        expected[x_at[c]] += np.linalg.solve(blocks[which[c]], r[r_at[c]].astype(np.float64))
    assert x.dtype == dtype
    assert np.allclose(x, expected, rtol=rtol, atol=rtol * np.abs(expected).max())
    untouched = np.setdiff1d(np.arange(len(x0)), x_at)
    assert np.array_equal(x[untouched], x0[untouched])


@pytest.mark.parametrize("k", [1, 2, 3, 6])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_block_product_of_vectors_side_by_side_equals_each_alone(k, dtype, rtol):
    # three at a time through one kernel, others one by one: every path the same product
    rng = np.random.default_rng(9)
    A = _random_bsr(rng, 40, 30, dtype)
    X = rng.standard_normal((A.shape[1], k)).astype(dtype)
    Y = block_product(A, X)
    expected = A.astype(np.float64) @ X.astype(np.float64)
    assert Y.shape == (A.shape[0], k) and Y.dtype == dtype
    assert np.allclose(Y, expected, rtol=rtol, atol=rtol * np.abs(expected).max())
    out = np.full((A.shape[0], k), np.nan, dtype=dtype)
    assert block_product(A, X, out=out) is out and np.array_equal(out, Y)


@pytest.mark.parametrize("k", [2, 3])
def test_band_solve_add_of_vectors_side_by_side_equals_each_alone(k):
    rng = np.random.default_rng(10)
    n, p = 12, 6
    factors = np.array([dpbtrf(_lower_band(_banded_spd(rng, n, p), p), lower=1)[0] for _ in range(2)])
    which = np.array([1, 0, 1])
    r = rng.standard_normal((3 * n + 4, k))
    r_at = rng.permutation(len(r))[:3 * n].reshape(3, n)
    x_at = rng.permutation(3 * n + 2)[:3 * n].reshape(3, n)
    X = rng.standard_normal((3 * n + 2, k))
    alone = X.copy()
    for q in range(k):
        column = alone[:, q].copy()
        band_solve_add(factors, which, r_at, x_at, r[:, q].copy(), column)
        alone[:, q] = column
    band_solve_add(factors, which, r_at, x_at, r, X)
    assert np.allclose(X, alone, rtol=1e-13, atol=1e-13)


def test_the_conjugate_gradients_updates_are_numpys_on_the_loads_still_iterating():
    rng = np.random.default_rng(11)
    n, k = 50, 4
    cols = np.array([0, 2, 3])            # load 1 has converged: its columns stay as they are
    R, P, X = (rng.standard_normal((n, k)) for _ in range(3))
    Z, Q = rng.standard_normal((n, 3)), rng.standard_normal((n, 3))
    beta, alpha = rng.standard_normal(3), rng.standard_normal(3)
    halves = cg_dots(R, Z, cols, 0, 20) + cg_dots(R, Z, cols, 20, n)
    assert np.allclose(halves, np.einsum("ij,ij->j", R[:, cols], Z), rtol=1e-13, atol=0)
    P_new = P.copy()
    P_new[:, cols] = Z + beta * P[:, cols]
    cg_direction(P, Z, cols, beta, 0, n)
    assert np.allclose(P, P_new, rtol=1e-14, atol=1e-14)
    X_new, R_new = X.copy(), R.copy()
    X_new[:, cols] += alpha * P[:, cols]
    R_new[:, cols] -= alpha * Q
    squares = cg_step(X, R, P, Q, cols, alpha, 0, 30) + cg_step(X, R, P, Q, cols, alpha, 30, n)
    assert np.allclose(X, X_new, rtol=1e-14, atol=1e-14) and np.allclose(R, R_new, rtol=1e-14, atol=1e-14)
    assert np.allclose(squares, (R_new ** 2).sum(axis=0), rtol=1e-13, atol=0)   # every column's, for the norms


@pytest.mark.parametrize("chunk", [1, 7, 100])
def test_rows_split_by_their_columns_colours_keep_their_blocks_and_their_products(chunk):
    rng = np.random.default_rng(12)
    A = _random_bsr(rng, 30, 30, np.float32)
    colour = rng.integers(0, 4, size=30)
    row_colour = rng.integers(0, 4, size=30)
    indices, data = A.indices.copy(), A.data.copy()
    starts, ends = split_by_colour(A.indptr, indices, data, row_colour, colour, chunk)
    x = rng.standard_normal((A.shape[1], 3)).astype(np.float32)
    for i in range(30):
        row = set(A.indices[A.indptr[i]:A.indptr[i + 1]])
        parts = [indices[starts[p, i]:ends[p, i]] for p in range(3)]
        assert sorted(np.concatenate(parts)) == sorted(row)   # each block once, in one part
        assert (colour[parts[0]] < row_colour[i]).all() and (colour[parts[1]] == row_colour[i]).all()
        assert (colour[parts[2]] > row_colour[i]).all()
        assert all((np.diff(p) > 0).all() for p in parts)   # storage order kept within a part
    # a chunk's blocks stay in the chunk's stretch of memory
    for r0 in range(0, 30, chunk):
        r1 = min(30, r0 + chunk)
        assert starts[:, r0:r1].min() >= A.indptr[r0] and ends[:, r0:r1].max() <= A.indptr[r1]
    for X in (x, x[:, 0].copy()):
        whole = rows_product(starts, ends, indices, data, X)   # the three parts of every row
        assert np.allclose(whole, block_product(A, X), rtol=1e-5, atol=1e-5 * np.abs(whole).max())
        above = rows_product(starts[2:], ends[2:], indices, data, X)
        upper = A.multiply(colour[np.repeat(np.arange(30), 3)][None, :] > np.repeat(row_colour, 3)[:, None])
        assert np.allclose(above, upper @ X, rtol=1e-5, atol=1e-5 * np.abs(above).max())
