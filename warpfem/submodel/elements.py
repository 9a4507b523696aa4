"""Vector P2 (10-node tetrahedron) elements as arrays: strain-displacement matrices, the 6 x 6
elastic matrix of the nine constants, element matrices and their assembly, in the Voigt order
xx, yy, zz, xy, xz, yz with engineering shears. Shared by the elastic submodel and the creeping
one."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from skfem import Basis

from ..model.elasticity import normal_block

#: the six independent components of a symmetric tensor, in the order of Voigt's notation
_PAIRS6 = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


def voigt(t: np.ndarray) -> np.ndarray:
    """Symmetric tensors (..., 3, 3) as (..., 6): xx, yy, zz, xy, xz, yz."""
    return np.stack([t[..., p, q] for p, q in _PAIRS6], axis=-1)


def tensor(v: np.ndarray) -> np.ndarray:
    """(..., 6) in the order of :func:`voigt` back to symmetric tensors (..., 3, 3)."""
    out = np.empty(v.shape[:-1] + (3, 3))
    for k, (p, q) in enumerate(_PAIRS6):
        out[..., p, q] = out[..., q, p] = v[..., k]
    return out


def elastic_matrix(constants_mpa: np.ndarray) -> np.ndarray:
    """The 6 x 6 (..., 6, 6) stiffness of the nine constants, acting on strains with engineering
    shears (γ = 2ε) and giving stresses in the order of :func:`voigt`."""
    c = np.asarray(constants_mpa, dtype=float)
    D = np.zeros(c.shape[:-1] + (6, 6))
    D[..., :3, :3] = normal_block(c)
    for k in range(3):
        D[..., 3 + k, 3 + k] = c[..., 6 + k]
    return D


def strain_matrices(basis: Basis) -> np.ndarray:
    """The strain-displacement matrices B (E, Q, 6, 30) of a vector P2 basis at its quadrature
    points: strains in the order of :func:`voigt`, with engineering shears."""
    grads = np.stack([phi[0].grad for phi in basis.basis])              # (30, 3, 3, E, Q): ∂φ_c/∂x_j
    g = np.moveaxis(grads, 0, -1)                                       # (3, 3, E, Q, 30)
    return np.stack([g[p, q] if p == q else g[p, q] + g[q, p] for p, q in _PAIRS6], axis=2)


def element_stiffness(B: np.ndarray, D: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """The element matrices ∫ Bᵀ D B dV (E, 30, 30) from B (E, Q, 6, 30), D (E, Q, 6, 6) or
    (E, 1, 6, 6) in MPa and the quadrature weights dx (E, Q) in mm³."""
    E, Q = dx.shape
    DB = np.matmul(np.broadcast_to(D, (E, Q, 6, 6)), B) * dx[..., None, None]   # (E, Q, 6, 30)
    return np.matmul(B.reshape(E, Q * 6, -1).transpose(0, 2, 1), DB.reshape(E, Q * 6, -1))


#: elements whose matrices a one-off assembly forms at once (bounds its temporaries to ~100 MB)
_ELEMENTS_PER_PASS = 4096


def stiffness_matrix(basis: Basis, constants_mpa: np.ndarray) -> sp.csr_matrix:
    """The stiffness (N/mm) of a vector P2 basis, once: ∫ Bᵀ D B dV with each element's nine
    constants ``constants_mpa`` (E, 9) in MPa, summed into a CSR matrix.

    The weak form ε(u) : C : ε(v) that scikit-fem would assemble (a test holds them equal), in
    batched products over the elements instead of once per pair of the 30 basis functions (a
    bump's region of 21 k elements: 7.4 s to 2.2 s). Without the kept pattern of
    :class:`Elements`, whose sort would cost more than one assembly saves."""
    B, D, dx = strain_matrices(basis), elastic_matrix(constants_mpa)[:, None], basis.dx
    Ke = np.empty((len(dx), B.shape[-1], B.shape[-1]))
    for e0 in range(0, len(dx), _ELEMENTS_PER_PASS):
        e = slice(e0, e0 + _ELEMENTS_PER_PASS)
        Ke[e] = element_stiffness(B[e], D[e], dx[e])
    dofs = basis.element_dofs.T                                         # (E, 30)
    rows = np.broadcast_to(dofs[:, :, None], Ke.shape).ravel()
    cols = np.broadcast_to(dofs[:, None, :], Ke.shape).ravel()
    return sp.csr_matrix((Ke.ravel(), (rows, cols)), shape=(basis.N, basis.N))


class Elements:
    """A set of elements of a vector P2 basis with what their assembly needs: strain-displacement
    matrices B (E, Q, 6, 30) (engineering shears), quadrature weights (E, Q) in mm³ and, once,
    where each element matrix entry lands in the global CSR matrix."""

    def __init__(self, basis: Basis, elements: np.ndarray):
        self.elements = elements
        self.n = basis.N
        sub = basis.with_elements(elements)
        self.B = strain_matrices(sub)
        self.dx = sub.dx
        self.dofs = sub.element_dofs.T                                  # (E, 30)
        rows = np.repeat(self.dofs, self.dofs.shape[1], axis=1).ravel()
        cols = np.tile(self.dofs, (1, self.dofs.shape[1])).ravel()
        key, self._slot = np.unique(rows * np.int64(self.n) + cols, return_inverse=True)
        self._indices = (key % self.n).astype(np.int32)
        self._indptr = np.searchsorted(key // self.n, np.arange(self.n + 1)).astype(np.int64)

    def strain(self, u: np.ndarray) -> np.ndarray:
        """Strains (E, Q, 6) of the displacement u (engineering shears)."""
        return np.einsum("eqai,ei->eqa", self.B, u[self.dofs])

    def force(self, stress_voigt: np.ndarray) -> np.ndarray:
        """∫ σ : ε(v) dV (N,) for stresses (E, Q, 6)."""
        fe = np.einsum("eqai,eqa,eq->ei", self.B, stress_voigt, self.dx)
        return np.bincount(self.dofs.ravel(), weights=fe.ravel(), minlength=self.n)

    def stiffness(self, D: np.ndarray) -> sp.csr_matrix:
        """∫ ε(u) : D ε(v) dV as a CSR matrix (N, N), D (E, Q, 6, 6) or (E, 1, 6, 6)."""
        Ke = element_stiffness(self.B, D, self.dx)
        data = np.bincount(self._slot, weights=Ke.ravel(), minlength=len(self._indices))
        return sp.csr_matrix((data, self._indices, self._indptr), shape=(self.n, self.n))
