"""The hex20 brick element: scikit-fem's serendipity basis, integrated once on the unit cube.

For an axis-aligned brick of edge lengths h and an axis-aligned (orthotropic or isotropic)
material, every stiffness term is a reference integral scaled by the brick's size:  ∫ ∂_p N_a ∂_q N_b dV = V / (h_p h_q) · G[p, q, a, b]  and
∫ ∂_p N_a dV = V / h_p · g[p, a],  with V = hx hy hz. So each distinct (material, brick size)
pair costs one small tensor contraction, whatever the number of elements sharing it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from skfem import Basis, ElementHexS2, MeshHex

from ..meshing.hex20 import codes, slot_of_code
from ..model.elasticity import PAIRS


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


def _stiffness_terms() -> list[tuple[int, int, list[tuple[int, int, int, int]]]]:
    """The fifteen terms of an orthotropic brick's stiffness: for each, the material constant
    (index into :data:`~warpfem.model.elasticity.CONSTANTS`), the size pair it scales with and the
    entries (p, q, i, j) it adds, K[a p, b q] += ∫ ∂_i N_a ∂_j N_b."""
    terms = [(p, p, [(p, p, p, p)]) for p in range(3)]                                  # C11, C22, C33
    terms += [(3 + k, 3 + k, [(p, q, p, q), (q, p, q, p)]) for k, (p, q) in enumerate(PAIRS)]   # C12, C13, C23
    for k, (p, q) in enumerate(PAIRS):                                                 # G12, G13, G23
        terms += [(6 + k, 3 + k, [(p, q, q, p), (q, p, p, q)]),   # the cross terms of γ_pq
                  (6 + k, q, [(p, p, q, q)]), (6 + k, p, [(q, q, p, p)])]
    return terms


TERMS = _stiffness_terms()
_TERM_CONSTANT = np.array([t[0] for t in TERMS])
_TERM_SIZE = np.array([t[1] for t in TERMS])


@lru_cache(maxsize=1)
def stiffness_basis() -> np.ndarray:
    """The fifteen 60 x 60 matrices (15, 60, 60) whose combination is any brick's stiffness.

    A brick's stiffness is linear in its nine orthotropic constants and, for each of the six pairs
    of :data:`SIZE_PAIRS`, in its size factor V / (h_p h_q); each term of
    :func:`_stiffness_terms` is one constant times one size factor, and
    :func:`brick_coefficients` gives the matching weights.
    """
    G, _ = reference_integrals()
    out = np.zeros((len(TERMS), 20, 3, 20, 3))
    for m, (_, _, entries) in enumerate(TERMS):
        for p, q, i, j in entries:
            out[m, :, p, :, q] += G[i, j]
    return out.reshape(len(TERMS), 60, 60)


def _size_factors(h_mm: np.ndarray) -> np.ndarray:
    """The factors V / (h_p h_q) (C, 6) of :data:`SIZE_PAIRS` of C bricks of edge lengths (C, 3) in mm."""
    h = np.asarray(h_mm, dtype=float)
    V = h.prod(axis=1)
    return np.column_stack([V / (h[:, p] * h[:, q]) for p, q in SIZE_PAIRS])


def brick_coefficients(h_mm: np.ndarray, constants_mpa: np.ndarray) -> np.ndarray:
    """Weights (C, 15) of :func:`stiffness_basis` for C bricks: edge lengths ``h_mm`` (C, 3) in mm,
    the nine orthotropic constants ``constants_mpa`` (C, 9) in MPa; the stiffness comes out in N/mm."""
    return np.asarray(constants_mpa, dtype=float)[:, _TERM_CONSTANT] * _size_factors(h_mm)[:, _TERM_SIZE]


#: how each constant is made of λ and μ in an isotropic material: C_pp = λ + 2μ, C_pq = λ, G_pq = μ
_ISOTROPIC_PARTS = np.array([[1.0, 2.0]] * 3 + [[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 3)


@lru_cache(maxsize=1)
def isotropic_directions() -> np.ndarray:
    """(12, 15): the combinations of the fifteen basis matrices that make an isotropic brick's
    stiffness, the λ part of each of the six size pairs and then their μ parts; with
    :func:`isotropic_coefficients` they give the same matrices as :func:`brick_coefficients`
    from four-fifths of the work."""
    out = np.zeros((12, len(TERMS)))
    for m, (constant, pair, _) in enumerate(TERMS):
        out[pair, m], out[6 + pair, m] = _ISOTROPIC_PARTS[constant]
    return out


def isotropic_coefficients(h_mm: np.ndarray, lam_mpa: np.ndarray, mu_mpa: np.ndarray) -> np.ndarray:
    """Weights (C, 12) of :func:`isotropic_directions` for C bricks of edge lengths ``h_mm``
    (C, 3) in mm and Lamé ``lam_mpa``, ``mu_mpa`` (C,) in MPa."""
    size = _size_factors(h_mm)
    return np.hstack([np.asarray(lam_mpa, dtype=float)[:, None] * size, np.asarray(mu_mpa, dtype=float)[:, None] * size])


def brick_stiffness(h_mm: np.ndarray, constants_mpa: np.ndarray) -> np.ndarray:
    """Stiffness matrices (C, 60, 60) in N/mm of C bricks; dof 3a + p is node a, component p.

    ``h_mm`` (C, 3) edge lengths; ``constants_mpa`` (C, 9) the nine orthotropic constants.
    """
    c = brick_coefficients(h_mm, constants_mpa)
    return (c @ stiffness_basis().reshape(len(TERMS), -1)).reshape(-1, 60, 60)


def brick_thermal_load(h_mm: np.ndarray, thermal_stress_mpa: np.ndarray) -> np.ndarray:
    """Thermal load vectors (C, 60) in N of C bricks.

    ``thermal_stress_mpa`` (C, 3) are the normal stresses Σ_q C_pq α_q ΔT a fully restrained brick
    would carry; the load is the work of each on its shape functions' gradient along its axis.
    """
    _, g = reference_integrals()
    h = np.asarray(h_mm, dtype=float)
    f = (h.prod(axis=1)[:, None] / h)[:, :, None] * g[None]      # (C, p, a) = ∫ ∂_p N_a
    return (np.asarray(thermal_stress_mpa)[:, :, None] * f).transpose(0, 2, 1).reshape(-1, 60)


def brick_mean_gradient(h_mm: np.ndarray) -> np.ndarray:
    """Volume-averaged shape-function gradients (C, 3, 20) in 1/mm: (1/V) ∫ ∂_p N_a dV."""
    _, g = reference_integrals()
    return g[None] / np.asarray(h_mm, dtype=float)[:, :, None]


#: the distinct points' keys (a number per distinct coordinate, combined) stay below this
KEY_LIMIT = 2 ** 62


def shape_values(xi: np.ndarray) -> np.ndarray:
    """The 20 serendipity shape functions (M, 20), VTK node order, at reference points (M, 3)
    in the unit cube (scikit-fem's ElementHexS2).

    Each distinct point is evaluated once: on a lattice the points (a finer mesh's nodes in a
    coarser mesh's bricks, a child's nodes in its parent) take a few hundred distinct places, and
    scikit-fem's basis, which also forms every gradient, took 0.7 s for 500 k points against 0.07."""
    xi = np.asarray(xi, dtype=float).reshape(-1, 3)
    key, kinds = np.zeros(len(xi), dtype=np.int64), 1
    for column in xi.T:
        values, at = np.unique(column, return_inverse=True)
        if kinds * len(values) >= KEY_LIMIT:   # renumber the keys so far before they overflow
            _, key = np.unique(key, return_inverse=True)
            key, kinds = key.ravel(), int(key.max()) + 1
        key, kinds = key * len(values) + at.ravel(), kinds * len(values)
    _, first, of_point = np.unique(key, return_index=True, return_inverse=True)
    element = ElementHexS2()
    slot = slot_of_code(codes(np.rint(2 * element.doflocs).astype(int)))
    X = xi[first].T
    distinct = np.empty((len(first), 20))
    for i in range(20):
        distinct[:, slot[i]] = element.lbasis(X, i)[0]
    return np.take(distinct, of_point.ravel(), axis=0)
