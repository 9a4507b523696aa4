"""Direct solvers for the symmetric positive definite stiffness system K u = f.

MKL Pardiso told the matrix is SPD (mtype 2, upper triangle) — a Cholesky-type factorisation,
kept for further right-hand sides; where MKL is missing (arm64), SciPy's SuperLU on the full
matrix.
"""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

#: the pypardiso module, None where MKL is missing (it ships for x86-64 only); imported at the
#: first direct solve, since importing it costs 0.2 s that a refused model or a picture never needs
pypardiso: object = ...


def _pardiso():
    global pypardiso
    if pypardiso is ...:
        try:
            import pypardiso as module
        except (ImportError, OSError):  # pragma: no cover - depends on the platform
            module = None
        pypardiso = module
    return pypardiso

#: Pardiso's matrix type for real symmetric positive definite matrices
PARDISO_SPD = 2


def full_from_upper(K_upper: sp.csr_matrix) -> sp.csr_matrix:
    """The whole symmetric matrix from its upper triangle."""
    return (K_upper + sp.triu(K_upper, k=1, format="csr").T).tocsr()


def direct_name() -> str:
    """The direct solver :class:`DirectSolver` uses here."""
    return "MKL Pardiso (symmetric positive definite)" if _pardiso() is not None else "SciPy SuperLU"


class DirectSolver:
    """A factorisation of an SPD matrix given by its upper triangle, for any number of loads."""

    def __init__(self, K_upper: sp.csr_matrix):
        self.K = K_upper
        pardiso = _pardiso()
        self._pardiso = None
        if pardiso is not None:
            self._pardiso = pardiso.PyPardisoSolver(mtype=PARDISO_SPD)
            # pypardiso looks for MKL by walking the whole environment (0.2 s) on each new solver
            # unless told where it is: tell it what the first one found
            os.environ.setdefault("PYPARDISO_MKL_RT", self._pardiso.libmkl._name)
            self._pardiso.set_iparm(1, 1)  # iparm numbering is one-based here: use the values set below
            self._pardiso.set_iparm(2, 3)  # ordering: METIS nested dissection, computed in parallel
            self._pardiso.factorize(K_upper)
        else:
            self._lu = spla.splu(full_from_upper(K_upper).tocsc())

    def solve(self, f: np.ndarray) -> np.ndarray:
        if self._pardiso is not None:
            return self._pardiso.solve(self.K, f)
        return self._lu.solve(f)

    def close(self) -> None:
        if self._pardiso is not None:
            self._pardiso.free_memory(everything=True)


def solve_direct(K_upper: sp.csr_matrix, f: np.ndarray) -> np.ndarray:
    """Solve once with the best direct solver available here."""
    solver = DirectSolver(K_upper)
    try:
        return solver.solve(f)
    finally:
        solver.close()
