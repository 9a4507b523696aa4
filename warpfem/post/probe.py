"""The global solution's displacement at arbitrary points, by its own hex20 interpolation.

The mesh is a lattice of axis-aligned bricks, so a point's brick is found by a search along each
axis and its local coordinates are a linear map; the 20 serendipity shape functions then give the
displacement the finite-element solution itself holds there (no smoothing, no extrapolation).
A quarter model holds x >= 0, y >= 0 only: the rest follows by mirror symmetry, u_x odd in x and
u_y odd in y.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from ..fem import Solution
from ..fem.element import shape_values
from ..meshing import Mesh

#: a point this close to a grid line may take the brick on either side of it (mm)
_ON_LINE_MM = 1e-9


def _brick_lookup(mesh: Mesh) -> np.ndarray:
    """Element index of every lattice interval (nx, ny, nz); -1 where no material is."""
    shape = tuple(len(a) - 1 for a in mesh.axes)
    lookup = np.full(shape, -1, dtype=np.int64)
    ijk = mesh.element_ijk
    lookup[ijk[:, 0], ijk[:, 1], ijk[:, 2]] = np.arange(mesh.n_elements)
    return lookup


def _candidates(axis_mm: np.ndarray, x_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval below and above each coordinate (equal unless it sits on a grid line)."""
    n = len(axis_mm) - 1
    lo = np.clip(np.searchsorted(axis_mm, x_mm - _ON_LINE_MM, side="right") - 1, 0, n - 1)
    hi = np.clip(np.searchsorted(axis_mm, x_mm + _ON_LINE_MM, side="right") - 1, 0, n - 1)
    return lo, hi


def _nearest_bricks(mesh: Mesh, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For points (M, 3) outside the material: the nearest brick among the 27 of nearest centre,
    the reference coordinates of its point nearest to each, and the distance to it (mm)."""
    lo = mesh.nodes[mesh.elements[:, 0]]
    hi = mesh.nodes[mesh.elements[:, 6]]
    _, cand = cKDTree(0.5 * (lo + hi)).query(p, k=min(27, len(lo)))
    cand = cand.reshape(len(p), -1)
    gap = np.maximum(np.maximum(lo[cand] - p[:, None], p[:, None] - hi[cand]), 0.0)
    dist = np.linalg.norm(gap, axis=2)
    best = dist.argmin(axis=1)
    rows = np.arange(len(p))
    e = cand[rows, best]
    return e, np.clip((p - lo[e]) / (hi[e] - lo[e]), 0.0, 1.0), dist[rows, best]


def locate(mesh: Mesh, points_mm: np.ndarray, reach_mm: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Element (M,) holding each point of the solved domain (M, 3) and its reference
    coordinates (M, 3) in the unit cube. A point up to ``reach_mm`` outside all material takes
    the nearest point of the nearest brick; one farther out raises ValueError."""
    p = np.atleast_2d(np.asarray(points_mm, dtype=float))
    axes = mesh.axes
    lookup = _brick_lookup(mesh)
    outside = np.zeros(len(p), dtype=bool)
    for a, ax in enumerate(axes):
        outside |= (p[:, a] < ax[0] - _ON_LINE_MM) | (p[:, a] > ax[-1] + _ON_LINE_MM)
    bounds = [_candidates(ax, p[:, a]) for a, ax in enumerate(axes)]
    element = np.full(len(p), -1, dtype=np.int64)
    ijk = np.zeros((len(p), 3), dtype=np.int64)
    # a point on a face between a brick and an empty cell belongs to the brick; the displacement is
    # continuous, so between two bricks either one gives the same value
    for corner in range(8):
        pick = [bounds[a][(corner >> a) & 1] for a in range(3)]
        e = lookup[pick[0], pick[1], pick[2]]
        take = ~outside & (element < 0) & (e >= 0)
        element[take] = e[take]
        for a in range(3):
            ijk[take, a] = pick[a][take]
    xi = np.column_stack([(p[:, a] - ax[ijk[:, a]]) / (ax[ijk[:, a] + 1] - ax[ijk[:, a]])
                          for a, ax in enumerate(axes)])
    bad = np.flatnonzero(element < 0)
    if len(bad):
        e, x, dist = _nearest_bricks(mesh, p[bad])
        far = dist > reach_mm
        if far.any():
            raise ValueError(f"{int(far.sum())} point(s) lie outside the global model's material, "
                             f"e.g. {p[bad[np.flatnonzero(far)[0]]].tolist()} mm, "
                             f"{dist[far].max():.3g} mm from it")
        element[bad], xi[bad] = e, x
    return element, np.clip(xi, 0.0, 1.0)


def displacement_at(sol: Solution, points_mm: np.ndarray, reach_mm: float = 0.0) -> np.ndarray:
    """Displacement (M, 3) in mm of the global solution at points (M, 3) in mm.

    A quarter model is mirrored: a point at (-x, y) reads (x, y) with u_x negated, likewise in y.
    Points up to ``reach_mm`` outside the material (a real bump shape bulging past the global
    model's prism, with nothing around it) read the displacement of the nearest material point.
    """
    p = np.atleast_2d(np.asarray(points_mm, dtype=float)).copy()
    sign = np.ones_like(p)
    if sol.layout.quarter:
        sign[:, :2] = np.where(p[:, :2] < 0.0, -1.0, 1.0)
        p[:, :2] = np.abs(p[:, :2])
    element, xi = locate(sol.mesh, p, reach_mm)
    N = shape_values(xi)                                    # (M, 20)
    u = np.einsum("ma,mac->mc", N, sol.u_mm[sol.mesh.elements[element]])
    return u * sign


def interpolation(mesh: Mesh, points_mm: np.ndarray) -> sp.csr_matrix:
    """The matrix (M points x N nodes) that maps nodal values on ``mesh`` to their hex20
    interpolation at points (M, 3) in mm inside its material: between nested meshes, the exact
    embedding of the coarse mesh's functions in the fine one's."""
    element, xi = locate(mesh, points_mm)
    N = shape_values(xi)
    N[np.abs(N) < 1e-12] = 0.0
    rows = np.repeat(np.arange(len(element)), 20)
    P = sp.csr_matrix((N.ravel(), (rows, mesh.elements[element].ravel())), shape=(len(element), mesh.n_nodes))
    P.eliminate_zeros()
    return P
