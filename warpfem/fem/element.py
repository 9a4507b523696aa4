"""The hex20 brick element: scikit-fem's serendipity basis, integrated once on the unit cube.

For an axis-aligned brick of edge lengths h, every stiffness term is a reference integral scaled
by the brick's size:  ∫ ∂_p N_a ∂_q N_b dV = V / (h_p h_q) · G[p, q, a, b]  and
∫ ∂_p N_a dV = V / h_p · g[p, a],  with V = hx hy hz. So each distinct (material, brick size)
pair costs one small tensor contraction, whatever the number of elements sharing it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from skfem import Basis, ElementHexS2, MeshHex

from ..meshing.hex20 import codes, slot_of_code


@lru_cache(maxsize=1)
def reference_integrals() -> tuple[np.ndarray, np.ndarray]:
    """``G`` (3, 3, 20, 20) and ``g`` (3, 20) on the unit cube, nodes in VTK hex20 order.

    Integrated with scikit-fem's ElementHexS2 basis and a Gauss rule exact for these products.
    """
    mesh = MeshHex.init_tensor(*([np.array([0.0, 1.0])] * 3))
    basis = Basis(mesh, ElementHexS2(), intorder=5)
    dofs = basis.element_dofs[:, 0]
    slot = slot_of_code(codes(np.rint(2 * basis.doflocs[:, dofs].T).astype(int)))
    grad = np.array([basis.basis[i][0].grad[:, 0, :] for i in range(20)])  # (20 local, 3, nqp)
    w = basis.dx[0]
    G = np.zeros((3, 3, 20, 20))
    g = np.zeros((3, 20))
    G[:, :, slot[:, None], slot[None, :]] = np.einsum("apk,bqk,k->pqab", grad, grad, w)
    g[:, slot] = np.einsum("apk,k->pa", grad, w)
    return G, g


def brick_stiffness(h_mm: np.ndarray, lam_mpa: np.ndarray, mu_mpa: np.ndarray) -> np.ndarray:
    """Stiffness matrices (C, 60, 60) in N/mm of C bricks; dof 3a + p is node a, component p.

    ``h_mm`` (C, 3) edge lengths; ``lam_mpa``, ``mu_mpa`` (C,) Lamé parameters.
    """
    G, _ = reference_integrals()
    h = np.asarray(h_mm, dtype=float)
    scale = h.prod(axis=1)[:, None, None] / (h[:, :, None] * h[:, None, :])  # (C, p, q)
    S = np.einsum("cpq,pqab->cpqab", scale, G)  # ∫ ∂_p N_a ∂_q N_b
    lam, mu = np.asarray(lam_mpa, dtype=float), np.asarray(mu_mpa, dtype=float)
    K = np.einsum("c,cpqab->capbq", lam, S)                       # λ ∂_p N_a ∂_q N_b
    K += np.einsum("c,cqpab->capbq", mu, S)                       # μ ∂_q N_a ∂_p N_b
    K += np.einsum("c,crrab,pq->capbq", mu, S, np.eye(3))         # μ δ_pq ∂_r N_a ∂_r N_b
    return K.reshape(-1, 60, 60)


def brick_thermal_load(h_mm: np.ndarray, thermal_stress_mpa: np.ndarray) -> np.ndarray:
    """Thermal load vectors (C, 60) in N of C bricks.

    ``thermal_stress_mpa`` (C,) is (3λ + 2μ) α ΔT, the isotropic stress a fully restrained brick
    would carry; the load is its work on each shape function's divergence.
    """
    _, g = reference_integrals()
    h = np.asarray(h_mm, dtype=float)
    f = (h.prod(axis=1)[:, None] / h)[:, :, None] * g[None]      # (C, p, a) = ∫ ∂_p N_a
    return (np.asarray(thermal_stress_mpa)[:, None, None] * f).transpose(0, 2, 1).reshape(-1, 60)


def brick_mean_gradient(h_mm: np.ndarray) -> np.ndarray:
    """Volume-averaged shape-function gradients (C, 3, 20) in 1/mm: (1/V) ∫ ∂_p N_a dV."""
    _, g = reference_integrals()
    return g[None] / np.asarray(h_mm, dtype=float)[:, :, None]


def shape_values(xi: np.ndarray) -> np.ndarray:
    """The 20 serendipity shape functions (M, 20), VTK node order, at reference points (M, 3)
    in the unit cube (scikit-fem's ElementHexS2)."""
    element = ElementHexS2()
    slot = slot_of_code(codes(np.rint(2 * element.doflocs).astype(int)))
    X = np.asarray(xi, dtype=float).T
    out = np.empty((X.shape[1], 20))
    for i in range(20):
        out[:, slot[i]] = element.lbasis(X, i)[0]
    return out
