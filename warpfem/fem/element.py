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


#: Gauss rule exact to this degree: 3 x 3 x 3 points, exact for the brick's stiffness (= C3D20)
EXACT_ORDER = 5


@lru_cache(maxsize=2)
def reference_integrals(order: int = EXACT_ORDER) -> tuple[np.ndarray, np.ndarray]:
    """``G`` (3, 3, 20, 20) and ``g`` (3, 20) on the unit cube, nodes in VTK hex20 order.

    Integrated with scikit-fem's ElementHexS2 basis and a Gauss rule exact to degree ``order``:
    the default is exact for these products; 3 (2 x 2 x 2 points) gives the reduced-integration
    brick (= C3D20R), which warpfem does not use but its accuracy references compare against.
    """
    mesh = MeshHex.init_tensor(*([np.array([0.0, 1.0])] * 3))
    basis = Basis(mesh, ElementHexS2(), intorder=order)
    dofs = basis.element_dofs[:, 0]
    slot = slot_of_code(codes(np.rint(2 * basis.doflocs[:, dofs].T).astype(int)))
    grad = np.array([basis.basis[i][0].grad[:, 0, :] for i in range(20)])  # (20 local, 3, nqp)
    w = basis.dx[0]
    G = np.zeros((3, 3, 20, 20))
    g = np.zeros((3, 20))
    G[:, :, slot[:, None], slot[None, :]] = np.einsum("apk,bqk,k->pqab", grad, grad, w)
    g[:, slot] = np.einsum("apk,k->pa", grad, w)
    return G, g


#: the six size factors V / (h_p h_q) of a brick's stiffness, as (p, q) pairs: xx, yy, zz, xy, xz, yz
SIZE_PAIRS = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


@lru_cache(maxsize=1)
def stiffness_basis() -> np.ndarray:
    """The twelve 60 x 60 matrices (12, 60, 60) whose combination is any brick's stiffness.

    A brick's stiffness is linear in λ and μ and, for each of the six pairs of
    :data:`SIZE_PAIRS`, in its size factor V / (h_p h_q); entry k < 6 is the λ part of pair k,
    entry 6 + k its μ part. :func:`brick_coefficients` gives the matching weights.
    """
    G, _ = reference_integrals()
    out = np.zeros((12, 20, 3, 20, 3))
    for k, (p, q) in enumerate(SIZE_PAIRS):
        S = np.zeros((3, 3, 20, 20))        # ∫ ∂_p N_a ∂_q N_b on the pair(s) this factor scales
        S[p, q], S[q, p] = G[p, q], G[q, p]
        out[k] = np.einsum("pqab->apbq", S)                                   # λ ∂_p N_a ∂_q N_b
        out[6 + k] = np.einsum("qpab->apbq", S) + np.einsum("rrab,pq->apbq", S, np.eye(3))  # μ terms
    return out.reshape(12, 60, 60)


def brick_coefficients(h_mm: np.ndarray, lam_mpa: np.ndarray, mu_mpa: np.ndarray) -> np.ndarray:
    """Weights (C, 12) of :func:`stiffness_basis` for C bricks: edge lengths ``h_mm`` (C, 3) in mm,
    Lamé ``lam_mpa`` and ``mu_mpa`` (C,) in MPa; the stiffness comes out in N/mm."""
    h = np.asarray(h_mm, dtype=float)
    V = h.prod(axis=1)
    size = np.column_stack([V / (h[:, p] * h[:, q]) for p, q in SIZE_PAIRS])
    return np.hstack([np.asarray(lam_mpa, dtype=float)[:, None] * size, np.asarray(mu_mpa, dtype=float)[:, None] * size])


def brick_stiffness(h_mm: np.ndarray, lam_mpa: np.ndarray, mu_mpa: np.ndarray) -> np.ndarray:
    """Stiffness matrices (C, 60, 60) in N/mm of C bricks; dof 3a + p is node a, component p.

    ``h_mm`` (C, 3) edge lengths; ``lam_mpa``, ``mu_mpa`` (C,) Lamé parameters.
    """
    c = brick_coefficients(h_mm, lam_mpa, mu_mpa)
    return (c @ stiffness_basis().reshape(12, -1)).reshape(-1, 60, 60)


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
