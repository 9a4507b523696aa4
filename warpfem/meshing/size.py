"""How big a brick mesh will be, counted before it is built: from the layout's cells and the element
boundaries along each axis (1-D arrays, cheap) to the exact number of hex20 nodes, with no mesh.

Every node of a hex20 lattice is a brick corner or an edge midpoint. Each layout cell is cut into
a x b x c bricks; a node lies inside exactly one cell, one cell face, one cell edge or at one cell
corner of the layout, and it exists when any cell touching that place holds material. Counting
the nodes of each kind per place and summing over the places that exist gives the count without
visiting a brick.
"""

from __future__ import annotations

import numpy as np

from ..geometry import Layout


def pieces(breakpoints: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    """Bricks in each breakpoint interval of one axis, given the element boundaries (both mm; the
    boundaries hold every breakpoint)."""
    at = np.searchsorted(boundaries, breakpoints - 1e-9 * max(1.0, float(np.abs(breakpoints).max())))
    return np.diff(at).astype(np.int64)


def _touched(present: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Whether any cell next to each face / edge / corner place holds material: ``present``
    padded by one along each of ``axes`` and OR-ed with its shift."""
    out = present
    for axis in axes:
        pad = [(0, 0)] * 3
        pad[axis] = (1, 1)
        p = np.pad(out, pad)
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[axis], hi[axis] = slice(None, -1), slice(1, None)
        out = p[tuple(lo)] | p[tuple(hi)]
    return out


def _sum(places: np.ndarray, *weights: np.ndarray) -> int:
    """Σ over existing places of the product of per-axis weights."""
    return int(np.einsum("ijk,i,j,k->", places.astype(np.int64), *weights))


def lattice_nodes(present: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> int:
    """Nodes of the hex20 lattice whose cell (i, j, k) is cut into a[i] x b[j] x c[k] bricks and
    holds material where ``present`` (a boolean (I, J, K) array) is True."""
    one = [np.ones(n + 1, dtype=np.int64) for n in present.shape]
    inside = (_sum(present, a - 1, b - 1, c - 1) + _sum(present, a, b - 1, c - 1)
              + _sum(present, a - 1, b, c - 1) + _sum(present, a - 1, b - 1, c))
    # open faces: (corners inside the face) + (edge midpoints inside it, along its two directions)
    faces = 0
    for normal, (u, v) in ((0, (b, c)), (1, (a, c)), (2, (a, b))):
        w = [None, None, None]
        rest = [ax for ax in range(3) if ax != normal]
        touched = _touched(present, (normal,))
        w[normal] = one[normal]
        for weights in (((u - 1), (v - 1)), (u, v - 1), (u - 1, v)):
            w[rest[0]], w[rest[1]] = weights
            faces += _sum(touched, *w)
    # open edges along each axis: (n - 1) corners and n midpoints
    edges = 0
    for along, n in ((0, a), (1, b), (2, c)):
        rest = tuple(ax for ax in range(3) if ax != along)
        w = [None, None, None]
        w[along] = 2 * n - 1
        for ax in rest:
            w[ax] = one[ax]
        edges += _sum(_touched(present, rest), *w)
    corners = int(_touched(present, (0, 1, 2)).sum())
    return inside + faces + edges + corners


def mesh_dofs(layout: Layout, boundaries: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[int, int]:
    """(bricks, dofs) of the mesh of ``layout`` on element ``boundaries`` along x, y, z (mm)."""
    a, b, c = (pieces(bp, e) for bp, e in zip((layout.xs, layout.ys, layout.zs), boundaries))
    present = layout.cells >= 0
    return _sum(present, a, b, c), 3 * lattice_nodes(present, a, b, c)
