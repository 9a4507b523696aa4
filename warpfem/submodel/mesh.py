"""The submodel's geometry and mesh: OpenCASCADE solids fragmented together, meshed by Gmsh
into 10-node tetrahedra with curved (second-order) geometry, handed to scikit-fem as MeshTet2.

The region's non-bump material is a few boxes (:func:`~.site.region_cells`); every bump reaching
into the region gets its real shape, clipped to the region, and the critical bump is cut into a
lower interface layer, a core and an upper interface layer so each layer's volume is exact.
Boolean fragments make every interface conformal. Each volume keeps the label of the last input
solid it came from, so bumps win over the filler they stand in ("later wins", as in the layout).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import gmsh
import numpy as np
from skfem import ElementTetP2, MeshTet1, MeshTet2
from skfem.assembly import Dofs

from ..geometry import Layout
from ..meshing.session import gmsh_model
from ..model.bump_shape import radius_at
from .shape import BumpShape
from .site import Box, Site, region_cells

#: Gmsh's element type number for the 10-node tetrahedron
GMSH_TET10 = 11

#: fewest elements around a full circle of a curved face
ELEMENTS_PER_CIRCLE = 16

#: labels of the critical bump's three pieces, bottom up
CRITICAL_PIECES = ("critical_lower_layer", "critical_core", "critical_upper_layer")


@dataclass(frozen=True)
class RegionMesh:
    """A meshed submodel: curved P2 tetrahedra and, per element, a label naming its region.

    ``label_part[l]`` is the global model's part whose material label l takes.
    """

    mesh: MeshTet2
    label: np.ndarray             # (E,) int, index into label_names
    label_names: tuple[str, ...]
    label_part: tuple[int, ...]
    size_mm: float                # element size in the critical bump
    coarse_size_mm: float         # element size far from it

    def elements_of(self, *names: str) -> np.ndarray:
        """Indices of the elements whose label is one of ``names``."""
        wanted = [i for i, n in enumerate(self.label_names) if n in names]
        return np.flatnonzero(np.isin(self.label, wanted))


def _bump_solid(box: Box, shape: BumpShape) -> int:
    """An OCC solid of one bump's real shape, centred on its global-model prism; its tag."""
    occ = gmsh.model.occ
    x0, x1, y0, y1, z0, z1 = box
    if shape.kind == "box":
        return occ.addBox(x0, y0, z0, x1 - x0, y1 - y0, z1 - z0)
    cx, cy, h = 0.5 * (x0 + x1), 0.5 * (y0 + y1), z1 - z0
    d, D = shape.pad_diameter_mm, shape.max_diameter_mm or shape.pad_diameter_mm
    r_pad, r_mid = radius_at(shape.kind, d, D, h, 0.5 * h), radius_at(shape.kind, d, D, h, 0.0)
    if shape.kind == "cylinder" or r_mid - r_pad < 1e-9:
        return occ.addCylinder(cx, cy, z0, 0.0, 0.0, h, r_pad)
    # the barrel: revolve the half profile (axis, pad edge, arc through the widest point, pad edge)
    pts = [occ.addPoint(cx, cy, z0), occ.addPoint(cx + r_pad, cy, z0), occ.addPoint(cx + r_mid, cy, z0 + 0.5 * h),
           occ.addPoint(cx + r_pad, cy, z1), occ.addPoint(cx, cy, z1)]
    curves = [occ.addLine(pts[0], pts[1]), occ.addCircleArc(pts[1], pts[2], pts[3], center=False),
              occ.addLine(pts[3], pts[4]), occ.addLine(pts[4], pts[0])]
    face = occ.addPlaneSurface([occ.addCurveLoop(curves)])
    out = occ.revolve([(2, face)], cx, cy, z0, 0.0, 0.0, 1.0, 2 * np.pi)
    return next(t for d_, t in out if d_ == 3)


def _clip(tag: int, box: Box) -> list[int]:
    """The part of solid ``tag`` inside ``box`` (the solid is consumed)."""
    occ = gmsh.model.occ
    x0, x1, y0, y1, z0, z1 = box
    tool = occ.addBox(x0, y0, z0, x1 - x0, y1 - y0, z1 - z0)
    out, _ = occ.intersect([(3, tag)], [(3, tool)])
    return [t for d, t in out if d == 3]


def _solids(layout: Layout, site: Site, shape: BumpShape,
            layer_fraction: float) -> tuple[list[tuple[int, int]], list[str], list[int]]:
    """Every input solid as (tag, label), with the label names and their parts; bumps last."""
    cells, bumps = region_cells(layout, site)
    occ = gmsh.model.occ
    names: list[str] = []
    parts: list[int] = []

    def label(name: str, part: int) -> int:
        if name not in names:
            names.append(name)
            parts.append(part)
        return names.index(name)

    solids = []
    for i, j, k in zip(*np.nonzero(cells.parts >= 0)):
        p = int(cells.parts[i, j, k])
        x0, x1, y0, y1 = cells.xs[i], cells.xs[i + 1], cells.ys[j], cells.ys[j + 1]
        z0, z1 = cells.zs[k], cells.zs[k + 1]
        solids.append((occ.addBox(x0, y0, z0, x1 - x0, y1 - y0, z1 - z0), label(layout.parts[p].name, p)))
    rx0, rx1, ry0, ry1, rz0, rz1 = site.region_mm
    for b, p in bumps[1:]:
        for t in _clip(_bump_solid(b, shape), site.region_mm):
            solids.append((t, label(f"neighbour_bumps:{layout.parts[p].name}", p)))
    z0, z1 = site.bump_box_mm[4:6]
    cut = layer_fraction * (z1 - z0)
    levels = [z0, z0 + cut, z1 - cut, z1]
    whole = _bump_solid(site.bump_box_mm, shape)
    for n, name in enumerate(CRITICAL_PIECES):
        piece = whole if n == 2 else occ.copy([(3, whole)])[0][1]
        for t in _clip(piece, (rx0, rx1, ry0, ry1, levels[n], levels[n + 1])):
            solids.append((t, label(name, site.bump_part)))
    return solids, names, parts


def _size_field(box: Box, fine_mm: float, coarse_mm: float, transition_mm: float) -> None:
    """Element size ``fine_mm`` inside ``box``, growing to ``coarse_mm`` over ``transition_mm``."""
    f = gmsh.model.mesh.field
    tag = f.add("Box")
    for key, value in zip(("XMin", "XMax", "YMin", "YMax", "ZMin", "ZMax"), box):
        f.setNumber(tag, key, value)
    f.setNumber(tag, "VIn", fine_mm)
    f.setNumber(tag, "VOut", coarse_mm)
    f.setNumber(tag, "Thickness", transition_mm)
    f.setAsBackgroundMesh(tag)


#: the field alone sets the size: no coarsening from the geometry's points or boundaries; and
#: curved faces get at least ``ELEMENTS_PER_CIRCLE`` elements around a full circle, so even the
#: coarse neighbour bumps are faceted finely enough for their curved P2 elements to stay valid
SIZE_OPTIONS = {"Mesh.MeshSizeExtendFromBoundary": 0, "Mesh.MeshSizeFromPoints": 0,
                "Mesh.MeshSizeFromCurvature": ELEMENTS_PER_CIRCLE}


def _edge_midnode_slots() -> list[tuple[int, int, int]]:
    """(slot, vertex a, vertex b) of each mid-edge node of Gmsh's 10-node tetrahedron, read from
    its reference coordinates: the node lies half way between vertices a and b."""
    _, _, _, n, ref, n_vertices = gmsh.model.mesh.getElementProperties(GMSH_TET10)
    ref = np.asarray(ref).reshape(n, 3)
    out = []
    for s in range(n_vertices, n):
        a, b = next((a, b) for a in range(n_vertices) for b in range(a + 1, n_vertices)
                    if np.allclose(0.5 * (ref[a] + ref[b]), ref[s]))
        out.append((s, a, b))
    return out


def _skfem_mesh(coords: np.ndarray, conn: np.ndarray) -> MeshTet2:
    """scikit-fem's curved P2 mesh from Gmsh's nodes (N, 3) and 10-node tetrahedra (E, 10)."""
    vertices, t = np.unique(conn[:, :4], return_inverse=True)
    t = t.reshape(-1, 4)
    m1 = MeshTet1(np.ascontiguousarray(coords[vertices].T), np.ascontiguousarray(t.T))
    m2 = MeshTet2.from_mesh(m1)
    edge_dof = Dofs(m1, ElementTetP2()).edge_dofs[0]
    nv = len(vertices)
    edges = np.sort(m1.edges, axis=0)
    order = np.argsort(edges[0] * nv + edges[1])
    keys_sorted = (edges[0] * nv + edges[1])[order]
    doflocs = m2.doflocs.copy()
    # straight mid-edge points are replaced by Gmsh's, which lie on the curved geometry
    for slot, a, b in _edge_midnode_slots():
        lo, hi = np.minimum(t[:, a], t[:, b]), np.maximum(t[:, a], t[:, b])
        e = order[np.searchsorted(keys_sorted, lo * nv + hi)]
        doflocs[:, edge_dof[e]] = coords[conn[:, slot]].T
    return replace(m2, doflocs=doflocs)


def volume_elements(gmsh_type: int, owner: dict[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The meshed Gmsh model's node coordinates (N, 3) in mm, its elements of ``gmsh_type`` in every
    volume as rows of node indices (E, nodes per element), and each element's ``owner[volume]``."""
    tags, xyz, _ = gmsh.model.mesh.getNodes()
    index = np.empty(int(tags.max()) + 1, dtype=np.int64)
    index[tags] = np.arange(len(tags))
    n_nodes = gmsh.model.mesh.getElementProperties(gmsh_type)[3]
    conn, label = [], []
    for _, volume in gmsh.model.getEntities(3):
        _, node_tags = gmsh.model.mesh.getElementsByType(gmsh_type, volume)
        c = index[np.asarray(node_tags, dtype=np.int64)].reshape(-1, n_nodes)
        conn.append(c)
        label.append(np.full(len(c), owner[volume]))
    return np.asarray(xyz).reshape(-1, 3), np.concatenate(conn), np.concatenate(label)


def build_region_mesh(layout: Layout, site: Site, shape: BumpShape, size_mm: float,
                      coarse_size_mm: float | None = None, layer_fraction: float = 0.1) -> RegionMesh:
    """Mesh a submodel region: size ``size_mm`` in the critical bump, ``coarse_size_mm`` (default
    four times that) away from it; interface layers ``layer_fraction`` of the bump height."""
    if not 0.0 < layer_fraction < 0.5:
        raise ValueError(f"layer_fraction must lie between 0 and 0.5 (two layers and a core); got {layer_fraction:g}")
    coarse = coarse_size_mm or 4.0 * size_mm
    with gmsh_model("warpfem-submodel", SIZE_OPTIONS):
        solids, names, parts = _solids(layout, site, shape, layer_fraction)
        dimtags = [(3, t) for t, _ in solids]
        _, children = gmsh.model.occ.fragment(dimtags, [])
        gmsh.model.occ.synchronize()
        owner: dict[int, int] = {}
        for (_, lab), kids in zip(solids, children):
            for d, t in kids:
                if d == 3:
                    owner[t] = lab   # later inputs overwrite: bumps win over the filler boxes
        _size_field(site.bump_box_mm, size_mm, coarse, 0.5 * min(site.pitch_mm))
        gmsh.model.mesh.generate(3)
        gmsh.model.mesh.setOrder(2)
        coords, conn, label = volume_elements(GMSH_TET10, owner)
        mesh = _skfem_mesh(coords, conn)
    return RegionMesh(mesh, label, tuple(names), tuple(parts), size_mm, coarse)
