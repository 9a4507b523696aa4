"""Where a submodel sits: the bump at a point, its pitch, the region around it and what fills it.

Everything is read off the global model's cell layout (:class:`~warpfem.geometry.Layout`), so the
submodel sees exactly the parts the global mesh saw ("later wins" already resolved). A quarter
layout holds x >= 0, y >= 0; points elsewhere are read from their mirror image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..geometry import Layout

Box = tuple[float, float, float, float, float, float]

#: lengths closer than this are equal (mm)
_TOL_MM = 1e-7


def part_at(layout: Layout, points_mm: np.ndarray) -> np.ndarray:
    """Index of the part occupying each point (M, 3) in mm; -1 for none or outside the model."""
    p = np.atleast_2d(np.asarray(points_mm, dtype=float))
    if layout.quarter:
        p = np.column_stack([np.abs(p[:, 0]), np.abs(p[:, 1]), p[:, 2]])
    idx, inside = [], np.ones(len(p), dtype=bool)
    for a, ax in enumerate((layout.xs, layout.ys, layout.zs)):
        i = np.searchsorted(ax, p[:, a], side="right") - 1
        inside &= (i >= 0) & (i < len(ax) - 1)
        idx.append(np.clip(i, 0, len(ax) - 2))
    out = layout.cells[idx[0], idx[1], idx[2]].astype(np.int64)
    out[~inside] = -1
    return out


def bump_parts(layout: Layout) -> list[int]:
    """Indices of the parts with ``role = "bumps"``."""
    return [i for i, p in enumerate(layout.parts) if p.role == "bumps"]


def _run(mask: np.ndarray, i: int) -> tuple[int, int]:
    """The run of True around index i of a 1-D mask, as [start, stop)."""
    lo, hi = i, i + 1
    while lo > 0 and mask[lo - 1]:
        lo -= 1
    while hi < len(mask) and mask[hi]:
        hi += 1
    return lo, hi


def _grid_index(ax: np.ndarray, v: float) -> int:
    return int(np.clip(np.searchsorted(ax, v, side="right") - 1, 0, len(ax) - 2))


def bump_box_at(layout: Layout, x_mm: float, y_mm: float, z_mm: float) -> Box | None:
    """The box (mm) of the single bump at a point: the block of cells of its part and copy
    around it; None where no bump part is."""
    sx, sy = (np.sign(x_mm) or 1.0, np.sign(y_mm) or 1.0) if layout.quarter else (1.0, 1.0)
    ax, ay = (abs(x_mm), abs(y_mm)) if layout.quarter else (x_mm, y_mm)
    i, j, k = (_grid_index(layout.xs, ax), _grid_index(layout.ys, ay), _grid_index(layout.zs, z_mm))
    p = int(layout.cells[i, j, k])
    if p < 0 or layout.parts[p].role != "bumps":
        return None
    c = layout.copies[i, j, k]
    i0, i1 = _run((layout.cells[:, j, k] == p) & (layout.copies[:, j, k] == c), i)
    j0, j1 = _run((layout.cells[i, :, k] == p) & (layout.copies[i, :, k] == c), j)
    k0, k1 = _run((layout.cells[i, j, :] == p) & (layout.copies[i, j, :] == c), k)
    x0, x1, y0, y1 = layout.xs[i0], layout.xs[i1], layout.ys[j0], layout.ys[j1]
    if layout.quarter:
        # a bump astride a symmetry plane is held half in the quarter: restore its mirror half
        if x0 < _TOL_MM:
            x0 = -x1
        if y0 < _TOL_MM:
            y0 = -y1
        x0, x1 = sorted((sx * x0, sx * x1))
        y0, y1 = sorted((sy * y0, sy * y1))
    return (float(x0), float(x1), float(y0), float(y1), float(layout.zs[k0]), float(layout.zs[k1]))


def _neighbour_distance(layout: Layout, box: Box, axis: int) -> float | None:
    """Centre distance (mm) to the nearest other bump along one axis, None if there is none."""
    centre = np.array([0.5 * (box[0] + box[1]), 0.5 * (box[2] + box[3]), 0.5 * (box[4] + box[5])])
    ax = layout.xs if axis == 0 else layout.ys
    lo, hi = box[2 * axis], box[2 * axis + 1]
    lines = np.unique(np.concatenate([ax, -ax])) if layout.quarter else ax
    bumps = bump_parts(layout)
    best = None
    for direction in (1.0, -1.0):
        edge = hi if direction > 0 else lo
        beyond = lines[lines > edge + _TOL_MM] if direction > 0 else lines[lines < edge - _TOL_MM][::-1]
        for a, b in zip(np.r_[edge, beyond[:-1]], beyond):
            probe = centre.copy()
            probe[axis] = 0.5 * (a + b)
            if part_at(layout, probe[None])[0] not in bumps:
                continue
            other = bump_box_at(layout, *probe)
            if other is not None:
                d = abs(0.5 * (other[2 * axis] + other[2 * axis + 1]) - centre[axis])
                best = d if best is None else min(best, d)
                break
    return best


def bump_pitch_mm(layout: Layout, box: Box) -> tuple[float, float]:
    """Centre distance to the nearest neighbouring bump along x and along y (mm); a bump with no
    neighbour along an axis takes twice its own width there."""
    out = []
    for axis in (0, 1):
        d = _neighbour_distance(layout, box, axis)
        out.append(d if d is not None else 2.0 * (box[2 * axis + 1] - box[2 * axis]))
    return out[0], out[1]


@dataclass(frozen=True)
class Site:
    """A submodel's site: the critical bump (as the global model carries it), its part, the
    filler part between bumps, and the region box (all mm)."""

    bump_box_mm: Box
    bump_part: int
    bump_copy: int            # index of the part's box copy (``Part.boxes()``) holding the bump
    filler_part: int          # -1: nothing fills the gap between bumps
    pitch_mm: tuple[float, float]
    region_mm: Box

    @property
    def centre_xy_mm(self) -> tuple[float, float]:
        b = self.bump_box_mm
        return 0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3])


def model_extent_mm(layout: Layout) -> Box:
    """The bounding box of the whole (mirrored) global model."""
    xs, ys, zs = layout.xs, layout.ys, layout.zs
    x0 = -xs[-1] if layout.quarter else xs[0]
    y0 = -ys[-1] if layout.quarter else ys[0]
    return (float(x0), float(xs[-1]), float(y0), float(ys[-1]), float(zs[0]), float(zs[-1]))


def filler_part(layout: Layout, bump_box: Box, region: Box) -> int:
    """The part filling the bonding gap between bumps: the one holding most of the gap's volume
    in the region outside bump parts; -1 if there is none."""
    xs, ys = _lines(layout, region, 0), _lines(layout, region, 1)
    xc, yc = 0.5 * (xs[1:] + xs[:-1]), 0.5 * (ys[1:] + ys[:-1])
    area = np.outer(np.diff(xs), np.diff(ys)).ravel()
    X, Y = np.meshgrid(xc, yc, indexing="ij")
    z = np.full(X.size, 0.5 * (bump_box[4] + bump_box[5]))
    parts = part_at(layout, np.column_stack([X.ravel(), Y.ravel(), z]))
    bumps = bump_parts(layout)
    keep = (parts >= 0) & ~np.isin(parts, bumps)
    if not keep.any():
        return -1
    return int(np.bincount(parts[keep], weights=area[keep]).argmax())


def _lines(layout: Layout, region: Box, axis: int) -> np.ndarray:
    """The layout's grid lines along an axis inside the region, with the region's own bounds."""
    ax = (layout.xs, layout.ys, layout.zs)[axis]
    if layout.quarter and axis < 2:
        ax = np.concatenate([-ax[::-1], ax])
    lo, hi = region[2 * axis], region[2 * axis + 1]
    inner = ax[(ax > lo + _TOL_MM) & (ax < hi - _TOL_MM)]
    return np.unique(np.r_[lo, inner, hi])


def find_site(layout: Layout, x_mm: float, y_mm: float, half_width_mm: float | None = None,
              depth_mm: float | None = None) -> Site:
    """The site of the bump at (x, y): region half-width ``half_width_mm`` about the bump centre
    in x and y (default: one pitch, so the region holds the bump's own cell and half a cell of
    each neighbour), and ``depth_mm`` below and above the gap (default: the half-width), both
    clipped to the global model."""
    for p in bump_parts(layout):
        z0, z1 = layout.parts[p].box[4:6]
        box = bump_box_at(layout, x_mm, y_mm, 0.5 * (z0 + z1))
        if box is not None:
            break
    else:
        raise ValueError(f"no bump at x = {x_mm:g} mm, y = {y_mm:g} mm: no part with role = \"bumps\" is there")
    pitch = bump_pitch_mm(layout, box)
    cx, cy = 0.5 * (box[0] + box[1]), 0.5 * (box[2] + box[3])
    ax_mm, ay_mm = (half_width_mm, half_width_mm) if half_width_mm else pitch
    if min(ax_mm - 0.5 * (box[1] - box[0]), ay_mm - 0.5 * (box[3] - box[2])) <= 0:
        raise ValueError(f"a region half-width of {ax_mm:g} mm does not hold the bump itself "
                         f"({box[1] - box[0]:g} x {box[3] - box[2]:g} mm)")
    depth = depth_mm if depth_mm else max(ax_mm, ay_mm)
    ext = model_extent_mm(layout)
    region = (max(cx - ax_mm, ext[0]), min(cx + ax_mm, ext[1]), max(cy - ay_mm, ext[2]), min(cy + ay_mm, ext[3]),
              max(box[4] - depth, ext[4]), min(box[5] + depth, ext[5]))
    part = int(part_at(layout, [[cx, cy, 0.5 * (box[4] + box[5])]])[0])
    return Site(box, part, copy_at(layout, part, cx, cy), filler_part(layout, box, region), pitch, region)


def copy_at(layout: Layout, part: int, x_mm: float, y_mm: float) -> int:
    """Index of the box copy of a part (in ``Part.boxes()``, whole model) whose footprint holds
    (x, y); the last one, as later copies win."""
    boxes = np.array(layout.parts[part].boxes())
    inside = (boxes[:, 0] <= x_mm) & (x_mm <= boxes[:, 1]) & (boxes[:, 2] <= y_mm) & (y_mm <= boxes[:, 3])
    return int(np.flatnonzero(inside)[-1])


@dataclass(frozen=True)
class RegionCells:
    """The region's material outside the bumps: a grid of boxes (mm), each owned by one part (-1
    for none), with every grid line that separates identical slices removed."""

    xs: np.ndarray
    ys: np.ndarray
    zs: np.ndarray
    parts: np.ndarray   # (nx, ny, nz) int


def _merge_axis(lines: np.ndarray, parts: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop the grid lines along ``axis`` whose two neighbouring slices hold the same parts."""
    keep_slice = [0]
    keep_line = [0]
    for s in range(1, parts.shape[axis]):
        if not np.array_equal(np.take(parts, s, axis=axis), np.take(parts, keep_slice[-1], axis=axis)):
            keep_slice.append(s)
            keep_line.append(s)
    keep_line.append(len(lines) - 1)
    return lines[keep_line], np.take(parts, keep_slice, axis=axis)


def region_cells(layout: Layout, site: Site) -> tuple[RegionCells, list[tuple[Box, int]]]:
    """The region's cells with the bump cells of the critical bump's gap handed to the filler,
    and the box (mm) and part of every bump of that gap reaching into the region (the critical
    one first). Bumps of other gaps (a second bump layer) stay as the global model has them."""
    xs, ys, zs = (_lines(layout, site.region_mm, a) for a in range(3))
    centres = np.meshgrid(0.5 * (xs[1:] + xs[:-1]), 0.5 * (ys[1:] + ys[:-1]), 0.5 * (zs[1:] + zs[:-1]),
                          indexing="ij")
    pts = np.column_stack([c.ravel() for c in centres])
    parts = part_at(layout, pts)
    z0, z1 = site.bump_box_mm[4:6]
    in_gap = np.isin(parts, bump_parts(layout)) & (pts[:, 2] > z0) & (pts[:, 2] < z1)
    bumps: list[tuple[Box, int]] = [(site.bump_box_mm, site.bump_part)]
    for pt, p in zip(pts[in_gap], parts[in_gap]):
        b = bump_box_at(layout, *pt)
        if b is not None and not any(np.allclose(b, o, atol=_TOL_MM) for o, _ in bumps):
            bumps.append((b, int(p)))
    parts[in_gap] = site.filler_part
    grid = parts.reshape(len(xs) - 1, len(ys) - 1, len(zs) - 1)
    lines = [xs, ys, zs]
    for axis in range(3):
        lines[axis], grid = _merge_axis(lines[axis], grid, axis)
    return RegionCells(lines[0], lines[1], lines[2], grid), bumps
