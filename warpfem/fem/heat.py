"""Steady heat conduction on the package's brick mesh, with scikit-fem.

The 20-node serendipity brick (``ElementHexS2``) on the same nodes as the elastic solve, so the
temperature lands on the elastic mesh as it is; conductivity per element, in the plane and
through the thickness; heat made in a part's volume or on one of its faces; convection and fixed
temperatures on exposed faces; every other face adiabatic (symmetry planes included). Units are
mm, W and K: a conductivity in W/(m·K) enters as 1e-3 W/(mm·K), a heat-transfer coefficient in
W/(m²·K) as 1e-6 W/(mm²·K).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree
from skfem import Basis, BilinearForm, ElementHexS2, FacetBasis, LinearForm, MeshHex, asm, condense

from ..meshing import Mesh
from ..meshing.hex20 import codes, slot_of_code
from .linear import solve_direct

#: W/(m·K) → W/(mm·K), W/(m²·K) → W/(mm²·K)
PER_M_TO_PER_MM = 1e-3
PER_M2_TO_PER_MM2 = 1e-6


@lru_cache(maxsize=1)
def _vertex_slots() -> np.ndarray:
    """The VTK hex20 slot of each of scikit-fem's eight brick vertices, in its local order."""
    ref = MeshHex.init_tensor(np.array([0.0, 1.0]), np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    return slot_of_code(codes(2 * ref.p.T[ref.t[:, 0]].astype(int)))


@dataclass(frozen=True)
class HeatMesh:
    """The elastic mesh as scikit-fem sees it, and which of its nodes each temperature dof is."""

    skfem: MeshHex
    basis: Basis
    node_of_dof: np.ndarray   # (ndofs,)
    z_range: np.ndarray       # (E, 2) each brick's bottom and top z, mm


def heat_mesh(mesh: Mesh) -> HeatMesh:
    corners = mesh.elements[:, _vertex_slots()]
    vertices, t = np.unique(corners, return_inverse=True)
    m = MeshHex(np.ascontiguousarray(mesh.nodes[vertices].T), np.ascontiguousarray(t.reshape(corners.shape).T))
    basis = Basis(m, ElementHexS2())
    dist, node = cKDTree(mesh.nodes).query(basis.doflocs.T)
    if dist.max() > 1e-9 * max(1.0, np.abs(mesh.nodes).max()):
        raise RuntimeError("the temperature's dofs do not fall on the mesh's nodes")
    z = mesh.nodes[mesh.elements[:, [0, 6]], 2]
    return HeatMesh(m, basis, node, z)


@dataclass(frozen=True)
class FaceLoad:
    """Facets (scikit-fem indices) with a heat flux (W/mm²), a convection (h in W/(mm²·K) to
    ``ambient_c``) or a fixed temperature (°C)."""

    facets: np.ndarray
    flux_w_mm2: float = 0.0
    h_w_mm2k: float = 0.0
    ambient_c: float = 0.0
    fixed_c: float | None = None


def faces(hm: HeatMesh, elements: np.ndarray, side: str, exposed: bool) -> np.ndarray:
    """The horizontal facets on the ``side`` ("top" or "bottom") of the region of bricks
    ``elements`` (bool mask): facets between it and another part (or nothing), only those with
    nothing beyond them when ``exposed``."""
    m = hm.skfem
    fz = m.p[2, m.facets]
    flat = np.all(np.isclose(fz, fz[0]), axis=0)
    out = []
    for k in (0, 1):
        e = m.f2t[k]
        ok = flat & (e >= 0)
        ok[ok] &= elements[e[ok]]
        level = hm.z_range[np.maximum(e, 0), 1 if side == "top" else 0]
        ok &= np.isclose(fz[0], level)
        beyond = m.f2t[1 - k]
        ok &= (beyond < 0) if exposed else ((beyond < 0) | ~elements[np.maximum(beyond, 0)])
        out.append(np.flatnonzero(ok))
    return np.unique(np.concatenate(out))


@BilinearForm
def _conduction(u, v, w):
    return w.kxy * (u.grad[0] * v.grad[0] + u.grad[1] * v.grad[1]) + w.kz * u.grad[2] * v.grad[2]


@LinearForm
def _source(v, w):
    return w.q * v


@BilinearForm
def _film(u, v, w):
    return w.h * u * v


def _per_element(basis: Basis, values: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.asarray(values, dtype=float)[:, None], basis.dx.shape)


def solve_heat(hm: HeatMesh, k_w_mmk: np.ndarray, q_w_mm3: np.ndarray, loads: list[FaceLoad],
               n_nodes: int) -> tuple[np.ndarray, float]:
    """The temperature (°C) at every node of the elastic mesh, and the heat (W) that leaves
    through the convection and fixed faces. ``k_w_mmk``: (E, 2) in-plane and through-thickness
    conductivity; ``q_w_mm3``: (E,) heat made per volume."""
    b = hm.basis
    K = asm(_conduction, b, kxy=_per_element(b, k_w_mmk[:, 0]), kz=_per_element(b, k_w_mmk[:, 1]))
    f = asm(_source, b, q=_per_element(b, q_w_mm3))
    fixed_dofs, fixed_values = [], []
    robin = []
    for load in loads:
        if len(load.facets) == 0:
            continue
        fb = FacetBasis(hm.skfem, b.elem, facets=load.facets)
        ones = np.ones(fb.dx.shape)
        if load.fixed_c is not None:
            dofs = b.get_dofs(facets=load.facets).all()
            fixed_dofs.append(dofs)
            fixed_values.append(np.full(len(dofs), load.fixed_c))
            continue
        if load.flux_w_mm2:
            f = f + asm(_source, fb, q=load.flux_w_mm2 * ones)
        if load.h_w_mm2k:
            Kh = asm(_film, fb, h=load.h_w_mm2k * ones)
            fa = asm(_source, fb, q=load.h_w_mm2k * load.ambient_c * ones)
            K, f = K + Kh, f + fa
            robin.append((Kh, fa))
    T = np.zeros(b.N)
    if fixed_dofs:
        D = np.concatenate(fixed_dofs)
        T[D] = np.concatenate(fixed_values)
        A, rhs, _, free = condense(K, f, x=T, D=D)
        T[free] = solve_direct(sp.triu(A, format="csr"), rhs)
    else:
        T = solve_direct(sp.triu(K, format="csr"), f)
    # the heat out: through the films, and what the fixed faces take (their reaction)
    out = sum(float(np.sum(Kh @ T - fa)) for Kh, fa in robin)
    if fixed_dofs:
        r = K @ T - f
        out -= float(np.sum(r[np.unique(np.concatenate(fixed_dofs))]))   # r: what they put in
    nodal = np.full(n_nodes, np.nan)
    nodal[hm.node_of_dof] = T
    return nodal, out


def element_means(hm: HeatMesh, nodal_c: np.ndarray) -> np.ndarray:
    """Each brick's volume-mean temperature (°C) from the nodal one."""
    b = hm.basis
    values = np.asarray(b.interpolate(nodal_c[hm.node_of_dof]))
    return np.sum(values * b.dx, axis=1) / np.sum(b.dx, axis=1)


def volumes_mm3(hm: HeatMesh) -> np.ndarray:
    return np.sum(hm.basis.dx, axis=1)


def face_areas_mm2(hm: HeatMesh, facets: np.ndarray) -> float:
    if len(facets) == 0:
        return 0.0
    return float(np.sum(FacetBasis(hm.skfem, hm.basis.elem, facets=facets).dx))
