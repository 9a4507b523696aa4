"""Stage 2b — the mesh: the cell layout meshed by Gmsh into 20-node hexahedra.

The element boundaries along each axis come from :mod:`.grading` (graded toward material edges)
or, on request, from equal subdivisions of the breakpoint intervals. Gmsh extrudes a point into the x axis, that line into the x-y footprint and the footprint into
the package, layer by layer, with the node positions set by the layer heights and every face
recombined into quadrilaterals. The result is a structured brick mesh whose lines pass through
every breakpoint of the layout, so each element lies inside exactly one cell and takes that
cell's part. Elements of empty cells are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

import gmsh
import numpy as np

from ..geometry import Layout
from ..model import Model
from .grading import Features, Grading, features, graded_axes
from .hex20 import VTK_HALF_STEPS, to_vtk_order
from .session import gmsh_model

#: default element height away from interfaces as a multiple of the in-plane size: one quadratic
#: brick through a uniform slab already bends exactly; near material edges the grading splits
#: slabs as finely as the corners there need
Z_ASPECT = 3.0

#: Gmsh's element type number for the 20-node (incomplete second-order) hexahedron
GMSH_HEX20 = 17


@dataclass(frozen=True)
class Mesh:
    """A brick mesh (mm): node coordinates, VTK-order hex20 connectivity, and each element's part."""

    nodes: np.ndarray       # (N, 3) float64, mm
    elements: np.ndarray    # (E, 20) int64, VTK hexahedron20 order
    part: np.ndarray        # (E,) int16, index into the model's parts
    copy: np.ndarray        # (E,) int32, index of the box copy of an arrayed part
    part_names: tuple[str, ...]
    size_mm: float          # in-plane target size used
    axes: tuple[np.ndarray, np.ndarray, np.ndarray]  # element boundary positions along x, y, z, mm
    element_ijk: np.ndarray  # (E, 3) int64, each element's interval index along x, y, z
    node_ijk: np.ndarray     # (N, 3) int64, each node's position in half element steps

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_elements(self) -> int:
        return len(self.elements)

    @property
    def n_dofs(self) -> int:
        return 3 * len(self.nodes)

    def element_sizes(self) -> np.ndarray:
        """Brick edge lengths (E, 3) in mm."""
        return self.nodes[self.elements[:, 6]] - self.nodes[self.elements[:, 0]]


def default_size_mm(model: Model) -> float:
    """In-plane element size that converges warpage to well under 1 %: 1/40 of the carrier's
    shorter side, and never above 1 mm, in mm."""
    b = model.carrier.box
    return min(1.0, min(b[1] - b[0], b[3] - b[2]) / 40.0)


def bulk_sizes_mm(model: Model, size_mm: float | None = None) -> tuple[float, float]:
    """The element sizes away from edges (mm): in the plane (``size_mm``, else ``[mesh] size_mm``,
    else the default) and through the thickness (``[mesh] size_z_mm``, else 3 x in-plane)."""
    size = size_mm or model.mesh.size_mm or default_size_mm(model)
    return size, model.mesh.size_z_mm or Z_ASPECT * size


def subdivide(breakpoints: np.ndarray, size_mm: float, min_count: int = 1) -> np.ndarray:
    """Node positions along an axis: each breakpoint interval cut into equal pieces no longer
    than ``size_mm`` (and at least ``min_count`` of them)."""
    out = [breakpoints[:1]]
    for a, b in zip(breakpoints[:-1], breakpoints[1:]):
        n = max(min_count, math.ceil((b - a) / size_mm - 1e-9))
        out.append(np.linspace(a, b, n + 1)[1:])
    return np.concatenate(out)


def _extrude(dimtag: tuple[int, int], axis: int, positions: np.ndarray) -> tuple[int, int]:
    length = positions[-1] - positions[0]
    step = [0.0, 0.0, 0.0]
    step[axis] = length
    heights = ((positions[1:] - positions[0]) / length).tolist()
    out = gmsh.model.geo.extrude([dimtag], *step, numElements=[1] * len(heights), heights=heights,
                                 recombine=axis > 0)
    return next(o for o in out if o[0] == dimtag[0] + 1)


def _gmsh_bricks(px: np.ndarray, py: np.ndarray, pz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes (N, 3) and hex20 connectivity (E, 20) of the tensor box px x py x pz, from Gmsh."""
    # 20-node bricks; every edge of a box lattice is straight, so their mid-nodes need no
    # projection on the geometry (a third off Gmsh's second-order pass, the same nodes to 1e-13 mm)
    with gmsh_model("warpfem-mesh", {"Mesh.SecondOrderIncomplete": 1, "Mesh.SecondOrderLinear": 1}):
        p = gmsh.model.geo.addPoint(px[0], py[0], pz[0])
        line = _extrude((0, p), 0, px)
        surface = _extrude(line, 1, py)
        _extrude(surface, 2, pz)
        gmsh.model.geo.synchronize()
        gmsh.model.mesh.generate(3)
        gmsh.model.mesh.setOrder(2)
        tags, coords, _ = gmsh.model.mesh.getNodes()
        _, node_tags = gmsh.model.mesh.getElementsByType(GMSH_HEX20)
    index = np.empty(int(tags.max()) + 1, dtype=np.int64)
    index[tags] = np.arange(len(tags))
    return coords.reshape(-1, 3), index[node_tags.reshape(-1, 20)]


def initial_grading(layout: Layout, size_mm: float | None = None) -> Grading:
    """The graded mesh's settings from the model's ``[mesh]`` keys; ``size_mm`` overrides the
    bulk in-plane size ``[mesh] size_mm``."""
    settings = layout.model.mesh
    return Grading(*bulk_sizes_mm(layout.model, size_mm), settings.edge_ratio, settings.growth, settings.min_layers)


def graded_mesh(layout: Layout, feats: Features, grading: Grading) -> Mesh:
    """The mesh of a layout graded as ``grading`` says toward the corners ``feats``."""
    return mesh_on_axes(layout, graded_axes(layout, feats, grading), grading.size_mm)


def first_axes(layout: Layout, size_mm: float | None = None) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], float]:
    """The element boundaries along x, y, z (mm) of the first mesh the ``[mesh]`` keys ask for,
    and its in-plane bulk size (mm); ``size_mm`` overrides ``[mesh] size_mm``."""
    settings = layout.model.mesh
    if settings.graded:
        grading = initial_grading(layout, size_mm)
        return graded_axes(layout, features(layout), grading), grading.size_mm
    size, size_z = bulk_sizes_mm(layout.model, size_mm)
    return (subdivide(layout.xs, size), subdivide(layout.ys, size), subdivide(layout.zs, size_z, settings.min_layers)), size


def build_mesh(layout: Layout, size_mm: float | None = None) -> Mesh:
    """Mesh a layout with hex20 bricks as its ``[mesh]`` keys say: graded toward its material edges
    (the first mesh a refining solve starts from) or, with ``graded = false``, uniform. ``size_mm``
    overrides ``[mesh] size_mm``."""
    return mesh_on_axes(layout, *first_axes(layout, size_mm))


def mesh_on_axes(layout: Layout, axes: tuple[np.ndarray, np.ndarray, np.ndarray], size_mm: float) -> Mesh:
    """Mesh a layout with hex20 bricks whose boundaries along x, y, z are ``axes`` (mm); each axis
    must hold every breakpoint of the layout."""
    px, py, pz = axes
    nodes, conn = _gmsh_bricks(px, py, pz)
    conn = to_vtk_order(conn, nodes)
    centre = 0.5 * (nodes[conn[:, 0]] + nodes[conn[:, 6]])
    i = np.searchsorted(layout.xs, centre[:, 0]) - 1
    j = np.searchsorted(layout.ys, centre[:, 1]) - 1
    k = np.searchsorted(layout.zs, centre[:, 2]) - 1
    part = layout.cells[i, j, k]
    keep = part >= 0
    conn, part, copy = conn[keep], part[keep], layout.copies[i, j, k][keep]
    ijk = np.column_stack([np.searchsorted(a, c - 1e-9) for a, c in zip((px, py, pz), nodes[conn[:, 0]].T)])
    # elements in the same lattice order as the nodes: neighbours in memory are neighbours in space
    order = np.lexsort((ijk[:, 2], ijk[:, 1], ijk[:, 0]))
    conn, part, copy, ijk = conn[order], part[order], copy[order], ijk[order]
    # number nodes column by column (x, then y, then z fastest): each vertical line of nodes is
    # then a contiguous range, which the solver's through-thickness smoother relies on
    # (by the integer lattice position, not the coordinates: two nodes of one grid line may
    # differ in the last bit of x)
    lattice = np.full((len(nodes), 3), -1, dtype=np.int64)
    lattice[conn] = 2 * ijk[:, None, :] + VTK_HALF_STEPS[None]
    used = np.unique(conn)
    used = used[np.lexsort(lattice[used].T[::-1])]
    renumber = np.full(len(nodes), -1, dtype=np.int64)
    renumber[used] = np.arange(len(used))
    elements = renumber[conn]
    node_ijk = lattice[used]
    return Mesh(
        nodes=nodes[used],
        elements=elements,
        part=part.astype(np.int16),
        copy=copy.astype(np.int32),
        part_names=tuple(p.name for p in layout.parts),
        size_mm=size_mm,
        axes=(px, py, pz),
        element_ijk=ijk,
        node_ijk=node_ijk,
    )
