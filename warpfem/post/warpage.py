"""Warpage, coplanarity and shape of the carrier's bottom face, as the contract defines them."""

from __future__ import annotations

import numpy as np

from ..fem import Solution

FLAT_UM = 1.0
#: VTK hex20 slots of the nodes on a brick's bottom face
_BOTTOM_SLOTS = [0, 1, 2, 3, 8, 9, 10, 11]
_TOL_MM = 1e-7


def warpage_um(sol: Solution) -> float:
    """Mean uz of the carrier's bottom corners minus uz at its centre, in µm (> 0: smile)."""
    uz = sol.u_mm[:, 2]
    return float(1e3 * (uz[list(sol.face.corners)].mean() - uz[sol.face.centre]))


def shape(warpage: float) -> str:
    """'smile' (corners up), 'cry' (corners down) or 'flat' (|warpage| < 1 µm)."""
    if abs(warpage) < FLAT_UM:
        return "flat"
    return "smile" if warpage > 0 else "cry"


def bottom_face(sol: Solution) -> tuple[np.ndarray, np.ndarray]:
    """Nodes of the carrier's bottom face and their tributary areas (mm²)."""
    mesh, carrier = sol.mesh, sol.layout.model.carrier
    x0, x1, y0, y1, z0, _ = carrier.box
    lo = mesh.nodes[mesh.elements[:, 0]]
    hi = mesh.nodes[mesh.elements[:, 6]]
    on = (np.abs(lo[:, 2] - z0) < _TOL_MM) & (lo[:, 0] >= x0 - _TOL_MM) & (hi[:, 0] <= x1 + _TOL_MM) \
        & (lo[:, 1] >= y0 - _TOL_MM) & (hi[:, 1] <= y1 + _TOL_MM)
    area = ((hi - lo)[on, 0] * (hi - lo)[on, 1]) / len(_BOTTOM_SLOTS)
    nodes = mesh.elements[on][:, _BOTTOM_SLOTS]
    weight = np.bincount(nodes.ravel(), np.repeat(area, len(_BOTTOM_SLOTS)), minlength=mesh.n_nodes)
    idx = np.flatnonzero(weight)
    return idx, weight[idx]


def coplanarity_um(sol: Solution) -> float:
    """Peak-to-valley of uz over the carrier's bottom face after removing the least-squares plane,
    in µm. A quarter model's face is mirrored into the whole face first."""
    idx, w = bottom_face(sol)
    xy, uz = sol.mesh.nodes[idx, :2], sol.u_mm[idx, 2]
    if sol.layout.quarter:
        signs = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]])
        xy = np.concatenate([xy * s for s in signs])
        uz, w = np.tile(uz, 4), np.tile(w, 4)
    A = np.column_stack([np.ones(len(uz)), xy])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(A * sw[:, None], uz * sw, rcond=None)
    r = uz - A @ coef
    return float(1e3 * (r.max() - r.min()))


def warpage_load(sol: Solution) -> np.ndarray:
    """The nodal weights j (3N,) with warpage = 1e3 · j · u in µm: the warpage's dual load, a
    self-equilibrated set of unit forces (a quarter at each corner up, one at the centre down)."""
    j = np.zeros((sol.mesh.n_nodes, 3))
    j[list(sol.face.corners), 2] += 1.0 / len(sol.face.corners)
    j[sol.face.centre, 2] -= 1.0
    return j.ravel()


def coplanarity_load(sol: Solution) -> np.ndarray:
    """The nodal weights g (3N,) with coplanarity ≈ 1e3 · g · u in µm for displacements near
    ``sol``'s: the peak-to-valley of the residual to the fitted plane, with the peak and valley
    nodes held where they are (exact for the solution itself)."""
    idx, w = bottom_face(sol)
    xy, uz = sol.mesh.nodes[idx, :2], sol.u_mm[idx, 2]
    copies = 4 if sol.layout.quarter else 1
    if copies > 1:
        signs = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1]])
        xy = np.concatenate([xy * s for s in signs])
        uz, w = np.tile(uz, 4), np.tile(w, 4)
    A = np.column_stack([np.ones(len(uz)), xy])
    fit = np.linalg.solve(A.T @ (w[:, None] * A), A.T * w)      # (3, n): plane coefficients of uz
    r = uz - A @ (fit @ uz)
    d = np.zeros(len(uz))
    d[r.argmax()] += 1.0
    d[r.argmin()] -= 1.0
    g = (d - fit.T @ (A.T @ d)).reshape(copies, -1).sum(axis=0)
    out = np.zeros((sol.mesh.n_nodes, 3))
    out[idx, 2] = g
    return out.ravel()
