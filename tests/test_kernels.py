"""The compiled block product and scatter-add against SciPy's and NumPy's own."""

import numpy as np
import pytest
import scipy.sparse as sp

from warpfem.fem.kernels import block_product, scatter_add


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
