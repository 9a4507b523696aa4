"""Supports of a free body: rigid-body motion removed, bending never restrained.

Full model: the statically determinate 3-2-1 support on the carrier's bottom face (its centre
fixed in x, y, z; a point on the +x side in y and z; a point on the +y side in z). A thermal load
is self-equilibrated, so these supports carry no reaction and the deformation is that of a free
body. Quarter model: symmetry planes x = 0 (ux = 0) and y = 0 (uy = 0) plus uz at the centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..geometry import MERGE_TOL_MM, Layout
from ..meshing import Mesh

#: the layout's own "same position": it merges breakpoints this close, so the carrier's centre line
#: may sit on a part's edge that far from it
_TOL_MM = MERGE_TOL_MM


@dataclass(frozen=True)
class CarrierFace:
    """Key points of the carrier's bottom face (mm), as node indices."""

    z_mm: float
    centre: int
    corners: tuple[int, ...]   # the corners the (possibly quarter) mesh holds
    plus_x: int                # the face's +x edge midpoint-line node at y = centre y
    plus_y: int


def _node_at(mesh: Mesh, xyz: tuple[float, float, float], what: str) -> int:
    d = np.abs(mesh.nodes - np.asarray(xyz)).max(axis=1)
    i = int(d.argmin())
    if d[i] > _TOL_MM:
        raise ValueError(f"no mesh node at the carrier's {what} {xyz}")
    return i


def carrier_face(layout: Layout, mesh: Mesh) -> CarrierFace:
    """Locate the carrier's bottom-face centre, corners and axis end points in the mesh."""
    x0, x1, y0, y1, z0, _ = layout.model.carrier.box
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    xs = (x1,) if layout.quarter else (x0, x1)
    ys = (y1,) if layout.quarter else (y0, y1)
    corners = tuple(_node_at(mesh, (x, y, z0), "corner") for x in xs for y in ys)
    return CarrierFace(
        z_mm=z0,
        centre=_node_at(mesh, (cx, cy, z0), "bottom-face centre"),
        corners=corners,
        plus_x=_node_at(mesh, (x1, cy, z0), "+x edge"),
        plus_y=_node_at(mesh, (cx, y1, z0), "+y edge"),
    )


def fixed_dofs(layout: Layout, mesh: Mesh, face: CarrierFace) -> np.ndarray:
    """Boolean mask (3N,) of the dofs held at zero."""
    fixed = np.zeros((mesh.n_nodes, 3), dtype=bool)
    if layout.quarter:
        fixed[np.abs(mesh.nodes[:, 0]) < _TOL_MM, 0] = True
        fixed[np.abs(mesh.nodes[:, 1]) < _TOL_MM, 1] = True
        fixed[face.centre, 2] = True
    else:
        fixed[face.centre, :] = True
        fixed[face.plus_x, 1:] = True
        fixed[face.plus_y, 2] = True
    return fixed.ravel()


def remove_rigid_motion(nodes_mm: np.ndarray, u_mm: np.ndarray, anchor: int) -> np.ndarray:
    """Displacement less its least-squares rigid-body rotation, translated so ``anchor`` stays put.

    Gives the same displacement field for a full model as the quarter model's symmetry planes do,
    instead of the tilt that the 3-2-1 support leaves.
    """
    x = nodes_mm - nodes_mm.mean(axis=0)
    n = len(x)
    modes = np.zeros((n, 3, 3))
    # rotations about x, y, z: u = w × x
    modes[:, 1, 0], modes[:, 2, 0] = -x[:, 2], x[:, 1]
    modes[:, 0, 1], modes[:, 2, 1] = x[:, 2], -x[:, 0]
    modes[:, 0, 2], modes[:, 1, 2] = -x[:, 1], x[:, 0]
    A = modes.reshape(3 * n, 3)
    w, *_ = np.linalg.lstsq(A, (u_mm - u_mm.mean(axis=0)).ravel(), rcond=None)
    v = u_mm - (A @ w).reshape(n, 3)
    return v - v[anchor]
