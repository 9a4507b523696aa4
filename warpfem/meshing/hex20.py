"""The 20-node serendipity brick: its local node layout, shared by the mesh, solver and writers.

Nodes are stored in VTK / meshio ``hexahedron20`` order. Each node is named by its position in
the brick in half-steps, ``(ix, iy, iz)`` with each in {0, 1, 2}, coded ``ix + 3 iy + 9 iz``;
matching codes (never a hand-copied permutation) is how every other library's order is mapped.
"""

from __future__ import annotations

import numpy as np

#: half-step positions of the 20 nodes in VTK hexahedron20 order
VTK_HALF_STEPS = np.array(
    [
        (0, 0, 0), (2, 0, 0), (2, 2, 0), (0, 2, 0), (0, 0, 2), (2, 0, 2), (2, 2, 2), (0, 2, 2),
        (1, 0, 0), (2, 1, 0), (1, 2, 0), (0, 1, 0), (1, 0, 2), (2, 1, 2), (1, 2, 2), (0, 1, 2),
        (0, 0, 1), (2, 0, 1), (2, 2, 1), (0, 2, 1),
    ]
)


def codes(half_steps: np.ndarray) -> np.ndarray:
    """Integer code of half-step positions (..., 3) in {0, 1, 2}."""
    h = np.asarray(half_steps)
    return h[..., 0] + 3 * h[..., 1] + 9 * h[..., 2]


VTK_CODES = codes(VTK_HALF_STEPS)
_SLOT = np.full(27, -1)
_SLOT[VTK_CODES] = np.arange(20)


def slot_of_code(code: np.ndarray) -> np.ndarray:
    """The VTK slot (0..19) of each node code; -1 for positions a serendipity brick lacks."""
    return _SLOT[np.asarray(code)]


def to_vtk_order(conn: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Reorder brick connectivity (E, 20) of any library's convention into VTK order.

    Positions are read off the coordinates, so this works whatever order ``conn`` is in, as long
    as each element is an axis-aligned brick.
    """
    xyz = nodes[conn]  # (E, 20, 3)
    lo, hi = xyz.min(axis=1, keepdims=True), xyz.max(axis=1, keepdims=True)
    half = np.rint(2.0 * (xyz - lo) / (hi - lo)).astype(np.int64)
    slot = slot_of_code(codes(half))
    if (slot < 0).any() or (np.sort(slot, axis=1) != np.arange(20)).any():
        raise ValueError("connectivity is not a 20-node axis-aligned brick")
    out = np.empty_like(conn)
    np.put_along_axis(out, slot, conn, axis=1)
    return out
