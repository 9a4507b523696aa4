"""Graded element boundaries along each axis: fine at the package's material edges, nested from
one refinement to the next.

Where a part ends on another — a plate's rim under the substrate, a ring stiffener's inner wall
on the substrate, a die's edge over its underfill — linear elasticity has a singular corner, and
the error of a coarse mesh sits there (on a 30 mm package with a ring and a plate, 2-8 % of the
warpage on uniform meshes, unchanged by in-plane halving). The mesh closes in on these corners in
the plane and through the thickness, with elements that grow by a fixed ratio away from them.

**Corners and their scale.** Seen in a section across an in-plane breakpoint, a corner is where
that breakpoint meets an interface between layers (or the top or bottom face); it is singular
when two different materials meet there (a free corner of one material is not). Its scale is the
thickness of the thinnest part meeting there, the length over which the singular field varies.
Corners of an arrayed part's copies (every bump, every solder ball) are *dormant*: the first mesh
is not graded toward them, since that would cost lines at every copy's side, but all the copies of
one part form one group that the refinement halves like any other, so their share of the error
is measured and refined where it matters (a moulded package's solder balls held 1 % of its
warpage, which a bar blind to them missed).

**Size field.** Along each axis the target element length is
``s(x) = min(H, min over corners c (he_c + (g - 1) |x - x_c|))``, with ``H`` the bulk size, ``g``
the growth ratio between neighbouring elements and ``he_c`` the element size at corner c:
``edge_ratio`` times its scale (at most half the bulk size) until it is refined. ``x_c`` is the
corner's in-plane position along x and y, and its interface's height along z.

**Refining a corner** halves its element sizes, in the plane and through the thickness; where
that adds no line within the corner's former element size (a thin layer already cut finer than
the corner asked), the sizes are halved again until it does. Corners closer to each other than
``CLUSTER`` times their scale share one singular field (a die edge and the end of the underfill
fillet 0.3 mm beyond it, on a 0.06 mm underfill) and are refined together, as one group.

**Nested.** Each breakpoint interval is cut recursively until no piece is longer than the size
field at its ends; a piece is cut toward the end where the *unrefined* field is finer, so that its
near part is ``g`` times shorter than its far part (in the middle where the unrefined field is the
same at both ends, as in the bulk). Where a cut falls never depends on the refinement, so a finer
grading only adds cuts: the refined mesh contains the coarse one, and a solution on the coarse mesh
is exactly a function on the fine one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..geometry import Layout
from ..model.schema import MeshSettings

_MESH_KEYS = MeshSettings.model_fields

#: default ratio of the element at an edge to the edge's scale (the thinnest part at its corners)
EDGE_RATIO = _MESH_KEYS["edge_ratio"].default

#: default growth ratio between neighbouring elements away from an edge: 2 converged stiffener and
#: plate edges with fewer dofs than 1.5 for the same error (measured, docs/method.md)
GROWTH = _MESH_KEYS["growth"].default

#: corners nearer to each other than this many times the smaller scale are refined as one group
CLUSTER = 8.0

_TOL_MM = 1e-9

CornerKey = tuple[float, int]   # (in-plane position in mm, rounded; index into layout.zs)


def corner_key(position_mm: float, k: int) -> CornerKey:
    return (round(float(position_mm), 6), int(k))


@dataclass(frozen=True)
class Corner:
    """A singular corner line: an in-plane breakpoint (along x, y or both) meeting interface
    ``k`` of ``layout.zs``, its scale (mm) and where it runs along the other in-plane axis."""

    position_mm: float
    k: int
    z_mm: float
    scale_mm: float
    extent_mm: dict[int, tuple[float, float]]   # breakpoint axis (0: x, 1: y) -> span along the other
    array_part: int | None = None   # index of the arrayed part whose copies make the corner (dormant)

    @property
    def key(self) -> CornerKey:
        return corner_key(self.position_mm, self.k)

    @property
    def axes(self) -> tuple[int, ...]:
        return tuple(sorted(self.extent_mm))


@dataclass(frozen=True)
class Features:
    """The singular corners the mesh is graded toward, in groups refined together (indices into
    ``corners``)."""

    corners: tuple[Corner, ...]
    groups: tuple[tuple[int, ...], ...] = ()

    def group_of(self) -> np.ndarray:
        """Each corner's group."""
        out = np.empty(len(self.corners), dtype=np.int64)
        for g, members in enumerate(self.groups):
            out[list(members)] = g
        return out

    def group_name(self, g: int) -> str:
        """A group's corners as text, e.g. "x/y = 6 mm at z = 0.86 mm + x/y = 6.3 mm at z = 0.8 mm"."""
        def one(c: Corner) -> str:
            axes = "/".join("xy"[a] for a in c.axes)
            return f"{axes} = {c.position_mm:g} mm at z = {c.z_mm:g} mm"
        return " + ".join(one(self.corners[i]) for i in self.groups[g])


@dataclass(frozen=True)
class Grading:
    """How fine a graded mesh is: bulk sizes (mm), edge ratio, growth and fewest layers per slab,
    and the element sizes (mm; in-plane, through the thickness) at each corner refined beyond
    ``edge_ratio`` times its scale."""

    size_mm: float
    size_z_mm: float
    edge_ratio: float = EDGE_RATIO
    growth: float = GROWTH
    min_layers: int = 1
    sizes: dict[CornerKey, tuple[float, float]] = field(default_factory=dict)

    def corner_sizes_mm(self, corner: Corner) -> tuple[float, float]:
        """The element sizes at a corner (mm): in the plane, and through the thickness. A dormant
        corner (an arrayed part's) starts at the bulk sizes, which grade nothing."""
        if corner.key in self.sizes:
            return self.sizes[corner.key]
        if corner.array_part is not None:
            return self.size_mm, self.size_z_mm
        start = self.edge_ratio * corner.scale_mm
        return min(start, 0.5 * self.size_mm), min(start, 0.5 * self.size_z_mm)

    def halved(self, corners) -> "Grading":
        """The same grading with the element sizes at ``corners`` halved."""
        sizes = dict(self.sizes)
        for c in corners:
            plane, through = self.corner_sizes_mm(c)
            sizes[c.key] = (0.5 * plane, 0.5 * through)
        return replace(self, sizes=sizes)


def refine_groups(layout: Layout, feats: "Features", grading: Grading, groups) -> Grading:
    """``grading`` with the corners of ``groups`` refined: each group's sizes halved, and halved
    again (at most ``MAX_HALVINGS`` times) until the mesh gains a line next to one of its corners
    (within the element size the corner had)."""
    before = graded_axes(layout, feats, grading)
    out = grading
    for g in groups:
        corners = [feats.corners[i] for i in feats.groups[g]]
        reach = {c.key: grading.corner_sizes_mm(c) for c in corners}
        for _ in range(MAX_HALVINGS):
            out = out.halved(corners)
            after = graded_axes(layout, feats, out)
            if any(_gained(before, after, c, *reach[c.key]) for c in corners):
                break
    return out


#: a refinement halves a corner's sizes at most this many times looking for a new line
MAX_HALVINGS = 4


def _gained(before, after, c: "Corner", plane_mm: float, through_mm: float) -> bool:
    """Whether the mesh ``after`` has more lines than ``before`` within ``plane_mm`` of corner c
    in the plane, or within ``through_mm`` of its interface."""
    def count(axes, axis, x, reach):
        return int((np.abs(axes[axis] - x) < reach * (1 + 1e-9)).sum())
    return any(count(after, a, c.position_mm, plane_mm) > count(before, a, c.position_mm, plane_mm) for a in c.axes) \
        or count(after, 2, c.z_mm, through_mm) > count(before, 2, c.z_mm, through_mm)


def _corner_table(layout: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per part (and no part, -1, last): its material index (-1 for none), its thickness in mm
    (infinite for none) and, for an arrayed part of more than one copy, its own index (else -1)."""
    names = sorted({p.material for p in layout.parts})
    material = [names.index(p.material) for p in layout.parts]
    thick = [p.box[5] - p.box[4] for p in layout.parts]
    arrayed = [i if p.array is not None and len(p.sites()) > 1 else -1 for i, p in enumerate(layout.parts)]
    return np.array(material + [-1]), np.array(thick + [np.inf]), np.array(arrayed + [-1])


def _axis_corners(layout: Layout, axis: int) -> list[tuple[float, int, float, tuple[float, float], int | None]]:
    """Singular corners at the breakpoints along x (axis 0) or y (1): (position, k, scale, extent,
    arrayed part or None)."""
    cells = np.moveaxis(layout.cells, axis, 0)          # (n, other in-plane axis, z)
    bp, other = (layout.xs, layout.ys) if axis == 0 else (layout.ys, layout.xs)
    material, thick, arrayed = _corner_table(layout)
    empty = np.full(cells.shape[1:], -1, dtype=cells.dtype)
    pad = np.full((cells.shape[1], 1), -1, dtype=cells.dtype)
    out = []
    for i in range(len(bp)):
        if i == 0 and layout.quarter:
            continue  # the symmetry plane
        left = np.hstack([pad, cells[i - 1] if i > 0 else empty, pad])      # (other, nz + 2)
        right = np.hstack([pad, cells[i] if i < len(cells) else empty, pad])
        for k in range(left.shape[1] - 1):   # interface k lies between padded layers k and k + 1
            four = np.stack([left[:, k], left[:, k + 1], right[:, k], right[:, k + 1]], axis=1)
            mats = material[four]
            on_edge = (four[:, :2] != four[:, 2:]).any(axis=1)
            m = np.sort(mats, axis=1)
            distinct = ((m >= 0) & np.r_["1", np.ones((len(m), 1), dtype=bool), np.diff(m, axis=1) != 0]).sum(axis=1)
            singular = on_edge & (distinct >= 2)
            owner = arrayed[four].max(axis=1)   # an arrayed part there (the last one, if several)
            for part in np.unique(owner[singular]):
                rows = np.flatnonzero(singular & (owner == part))
                extent = (float(other[rows.min()]), float(other[rows.max() + 1]))
                out.append((float(bp[i]), k, float(thick[four[rows]].min()), extent, None if part < 0 else int(part)))
    return out


def features(layout: Layout) -> Features:
    """The layout's singular corners. Corners that x and y breakpoints share at the same position
    and height (a square package's) are one corner, graded along both axes."""
    found: dict[CornerKey, Corner] = {}
    for axis in (0, 1):
        for position, k, scale, extent, part in _axis_corners(layout, axis):
            key = corner_key(position, k)
            c = found.get(key)
            if c is not None:
                scale = min(scale, c.scale_mm)
                if axis in c.extent_mm:   # the same line for an arrayed part and a plain one
                    extent = (min(extent[0], c.extent_mm[axis][0]), max(extent[1], c.extent_mm[axis][1]))
                # a plain corner is graded from the start: it wins over a dormant one
                part = None if c.array_part is None or part is None else min(part, c.array_part)
            spans = {axis: extent} if c is None else {**c.extent_mm, axis: extent}
            found[key] = Corner(position, k, float(layout.zs[k]), scale, spans, part)
    corners = tuple(found[k] for k in sorted(found))
    return Features(corners, _groups(corners))


def _groups(corners: tuple[Corner, ...]) -> tuple[tuple[int, ...], ...]:
    """Plain corners joined when nearer than ``CLUSTER`` times the smaller scale (in the section
    across a breakpoint axis they share), transitively; the dormant corners of one arrayed part
    are one group of their own."""
    parent = list(range(len(corners)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(corners):
        for j in range(i):
            b = corners[j]
            if a.array_part is not None or b.array_part is not None:
                if a.array_part == b.array_part:
                    parent[root(i)] = root(j)
            elif set(a.axes) & set(b.axes):
                d = np.hypot(a.position_mm - b.position_mm, a.z_mm - b.z_mm)
                if d < CLUSTER * min(a.scale_mm, b.scale_mm):
                    parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(corners)):
        groups.setdefault(root(i), []).append(i)
    return tuple(tuple(g) for g in groups.values())


def edge_sizes(feats: Features, grading: Grading) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Per axis x, y, z: the positions (mm) the mesh closes in on and the element size there (mm)."""
    sizes: list[dict[float, float]] = [{}, {}, {}]
    for c in feats.corners:
        plane, through = grading.corner_sizes_mm(c)
        for axis in c.axes:
            sizes[axis][c.position_mm] = min(sizes[axis].get(c.position_mm, np.inf), plane)
        sizes[2][c.z_mm] = min(sizes[2].get(c.z_mm, np.inf), through)
    return tuple((np.array(list(d), dtype=float), np.array(list(d.values()), dtype=float)) for d in sizes)


def graded_axis(breakpoints: np.ndarray, positions: np.ndarray, sizes: np.ndarray, start_sizes: np.ndarray,
                bulk_mm: float, growth: float, min_count: int = 1) -> np.ndarray:
    """Element boundaries (mm) along one axis: every breakpoint, and the cuts of each breakpoint
    interval that bring every piece within the size field of ``sizes`` at ``positions`` (see the
    module's docstring). Pieces are cut toward the end where the field of the unrefined sizes
    ``start_sizes`` is finer, so that the cuts, and the nesting, do not depend on the refinement.

    Each interval is first cut into ``min_count`` equal pieces (a fewest count of layers)."""
    def field(at: np.ndarray, x: float) -> float:
        return float(np.min(at + (growth - 1.0) * np.abs(positions - x), initial=bulk_mm))

    q = 1.0 / (1.0 + growth)
    out = [float(breakpoints[0])]
    for a0, b0 in zip(breakpoints[:-1], breakpoints[1:]):
        starts = np.linspace(a0, b0, min_count + 1)
        pieces = [(float(starts[i]), float(starts[i + 1])) for i in range(min_count)][::-1]
        while pieces:
            a, b = pieces.pop()
            if b - a <= min(field(sizes, a), field(sizes, b)) * (1.0 + 1e-9):
                out.append(b)
                continue
            fa, fb = field(start_sizes, a), field(start_sizes, b)
            if abs(fa - fb) <= _TOL_MM:
                cut = 0.5 * (a + b)
            elif fa < fb:
                cut = a + q * (b - a)
            else:
                cut = b - q * (b - a)
            pieces += [(cut, b), (a, cut)]
    out[-1] = float(breakpoints[-1])
    return np.array(out)


def graded_axes(layout: Layout, feats: Features, grading: Grading) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Element boundaries along x, y and z (mm) for a layout graded as ``grading`` says."""
    now, start = edge_sizes(feats, grading), edge_sizes(feats, replace(grading, sizes={}))
    bulk = (grading.size_mm, grading.size_mm, grading.size_z_mm)
    return tuple(graded_axis(bp, p, h, h0, H, grading.growth, grading.min_layers if axis == 2 else 1)
                 for axis, (bp, (p, h), (_, h0), H) in enumerate(zip((layout.xs, layout.ys, layout.zs), now, start, bulk)))
