"""Linear solvers for the symmetric positive definite stiffness system K u = f.

``direct``: MKL Pardiso told the matrix is SPD (mtype 2, upper triangle) — a Cholesky-type
factorisation; where MKL is missing (arm64), SciPy's SuperLU on the full matrix.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

try:  # MKL ships for x86-64 only
    import pypardiso
except (ImportError, OSError):  # pragma: no cover - depends on the platform
    pypardiso = None

#: Pardiso's matrix type for real symmetric positive definite matrices
PARDISO_SPD = 2


def full_from_upper(K_upper: sp.csr_matrix) -> sp.csr_matrix:
    """The whole symmetric matrix from its upper triangle."""
    return (K_upper + sp.triu(K_upper, k=1, format="csr").T).tocsr()


def solve_pardiso(K_upper: sp.csr_matrix, f: np.ndarray) -> np.ndarray:
    """Solve with Pardiso as a symmetric positive definite system."""
    solver = pypardiso.PyPardisoSolver(mtype=PARDISO_SPD)
    solver.set_iparm(1, 1)  # iparm numbering is one-based here: use the values set below
    solver.set_iparm(2, 3)  # ordering: METIS nested dissection, computed in parallel
    try:
        return solver.solve(K_upper, f)
    finally:
        solver.free_memory(everything=True)


def solve_superlu(K_upper: sp.csr_matrix, f: np.ndarray) -> np.ndarray:
    """Solve with SciPy's SuperLU (no MKL needed)."""
    return spla.spsolve(full_from_upper(K_upper).tocsc(), f)


def direct_name() -> str:
    """The direct solver :func:`solve_direct` uses here."""
    return "MKL Pardiso (symmetric positive definite)" if pypardiso is not None else "SciPy SuperLU"


def solve_direct(K_upper: sp.csr_matrix, f: np.ndarray) -> np.ndarray:
    """The best direct solver available here."""
    if pypardiso is not None:
        return solve_pardiso(K_upper, f)
    return solve_superlu(K_upper, f)
