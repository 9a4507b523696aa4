"""The five views of a package, each drawn into a PyVista plotter from a :class:`Scene`.

- ``deformed``: the warped package (displacement exaggerated) coloured by out-of-plane
  displacement, over the undeformed outline;
- ``moire``: out-of-plane displacement of the carrier's bottom face, with fringes, as a shadow-
  moiré measurement maps it;
- ``stress``: von Mises stress on one part, the others faded or hidden, the peak marked;
- ``exploded``: the parts pulled apart in z, coloured by part, front quarter cut away (needs no
  solve);
- ``section``: the package behind a cut through its centre, coloured by von Mises stress.

Out-of-plane displacement is always relative to the carrier's bottom-face centre, so a corner
reads the contract's warpage (µm; > 0 smile, corners up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from . import style
from .scene import Scene

if TYPE_CHECKING:
    import pyvista as pv

_TOL_MM = 1e-7
#: the exploded view spreads its levels over this fraction of the package's width
_EXPLODE_HEIGHT = 0.6
UZ_TITLE = "uz − uz(centre) [µm]"
VM_TITLE = "von Mises [MPa]"


# --- the views -------------------------------------------------------------------------------

def deformed(p: pv.Plotter, scene: Scene, *, scale: float | None = None, z_scale: float | None = None, **_) -> dict:
    """The warped package coloured by uz (µm) over the undeformed outline."""
    _needs_solution(scene, "deformed")
    b = scene.grid.bounds
    face = carrier_bottom(scene)
    width = style.span_mm(b)
    stretch = z_scale or style.z_stretch(width, b[5] - b[4], 0.04)
    factor = scale or style.warp_factor(width, stretch * float(np.ptp(face.point_data["uz_um"])) / 1e3)
    surface = scene.grid.extract_surface(algorithm=None)
    surface.point_data["uz_um"] = 1e3 * (surface.point_data["displacement_mm"][:, 2] - _centre_uz(face))
    lim = _symmetric_limit(surface.point_data["uz_um"])
    warped = _placed(surface, factor, stretch, b[4])
    p.add_mesh(warped, scalars="uz_um", cmap=style.DISPLACEMENT_CMAP, clim=(-lim, lim),
               scalar_bar_args=style.bar(UZ_TITLE, -lim, lim))
    p.add_mesh(_part_edges(scene, scene.grid, factor, stretch), color="dimgrey", line_width=1)
    outline = _placed(_edges(surface), 0.0, stretch, b[4])
    p.add_mesh(outline, color=style.OUTLINE_COLOUR, line_width=1.5)
    style.titles(p, f"{scene.name}: deformed shape, out-of-plane displacement",
                 f"{_warpage_line(scene)}black lines: undeformed outline; {style.scale_note(factor, stretch)}")
    style.look_at(p, _union(warped.bounds, outline.bounds), direction=(-0.6, -1.0, 0.55), zoom=1.25)
    return {"scale": factor, "z_scale": stretch}


def moire(p: pv.Plotter, scene: Scene, **_) -> dict:
    """Out-of-plane displacement of the carrier's bottom face, seen from above, with fringes."""
    _needs_solution(scene, "moire")
    face = carrier_bottom(scene)
    flat = _placed(face, 0.0, 0.0, face.bounds[4])
    uz = flat.point_data["uz_um"]
    lim = _symmetric_limit(uz)
    p.add_mesh(flat, scalars="uz_um", cmap=style.DISPLACEMENT_CMAP, clim=(-lim, lim),
               scalar_bar_args=style.bar(UZ_TITLE, -lim, lim))
    step = style.nice_round(max(float(np.ptp(uz)), 1e-6) / 12)
    levels = np.arange(np.ceil(uz.min() / step), np.floor(uz.max() / step) + 1) * step
    levels = levels[(levels > uz.min()) & (levels < uz.max())]
    if len(levels):
        fringes = flat.contour(isosurfaces=levels, scalars="uz_um")
        p.add_mesh(fringes.translate((0, 0, 1e-3 * style.span_mm(flat.bounds)), inplace=False),
                   color="black", line_width=1.2)
    p.show_bounds(bounds=flat.bounds, xtitle="x [mm]", ytitle="y [mm]", ztitle="", show_zaxis=False,
                  show_zlabels=False, color="black", font_size=12, location="outer", use_2d=True)
    style.titles(p, f"{scene.name}: carrier bottom face, out-of-plane displacement (moiré view)",
                 f"{_warpage_line(scene)}fringes every {step:g} µm; seen from above")
    p.view_xy()
    p.enable_parallel_projection()
    p.reset_camera()
    p.camera.zoom(1.0)
    return {"fringe_um": step}


def stress(p: pv.Plotter, scene: Scene, *, part: str | None = None, others: str = "faded",
           z_scale: float | None = None, **_) -> dict:
    """Von Mises stress (MPa) on one part; the others faded or hidden; the peak element marked.

    The default part is the bumps' (their stress is what fails first), else the part holding the
    highest von Mises stress.
    """
    _needs_solution(scene, "stress")
    if others not in ("faded", "hidden"):
        raise ValueError(f"others '{others}': choose 'faded' or 'hidden'.")
    vm, pid = scene.grid.cell_data["von_mises_mpa"], scene.grid.cell_data["part_id"]
    chosen = [scene.part_id(part)] if part else list(scene.bump_parts) or [int(pid[int(vm.argmax())])]
    mine = scene.parts_grid(chosen)
    b, z0 = mine.bounds, scene.grid.bounds[4]
    stretch = z_scale or style.z_stretch(style.span_mm(b), b[5] - b[4], 0.05)
    surface = mine.extract_surface(algorithm=None)
    svm = mine.cell_data["von_mises_mpa"]
    lo, hi = float(svm.min()), float(svm.max())
    p.add_mesh(_placed(surface, 0.0, stretch, z0), scalars="von_mises_mpa", cmap=style.STRESS_CMAP,
               clim=(lo, hi), scalar_bar_args=style.bar(VM_TITLE, lo, hi))
    rest = [i for i in np.unique(pid) if i not in chosen]
    if others == "faded" and rest:
        # faces the other parts share with the chosen one would fight it for the same pixels
        context = _drop_shared_faces(scene.parts_grid(rest).extract_surface(algorithm=None), surface)
        p.add_mesh(_placed(context, 0.0, stretch, z0), color=style.FADED_COLOUR, opacity=0.15)
        p.enable_depth_peeling()
    top = int(svm.argmax())  # images of a quarter are equal; the first is the solved quarter's
    hot = mine.extract_cells([top])
    x, y, _ = hot.center
    marker = [x, y, z0 + stretch * (hot.bounds[5] - z0)]
    p.add_point_labels(np.array([marker]), [f"max {svm[top]:.1f} MPa at ({x:.2f}, {y:.2f}) mm"],
                       font_size=16, point_color="black", point_size=12, shape_opacity=0.85,
                       shape_color="white", text_color="black", always_visible=True)
    names = ", ".join(scene.part_names[i] for i in chosen)
    style.titles(p, f"{scene.name}: von Mises stress in {names}",
                 f"other parts {'faded' if others == 'faded' and rest else 'hidden'}; "
                 f"{style.scale_note(None, stretch)}")
    style.look_at(p, _placed(surface, 0.0, stretch, z0).bounds, direction=(-0.5, -1.0, 1.3), zoom=0.95)
    return {"part": names, "z_scale": stretch, "max_mpa": float(svm[top])}


def exploded(p: pv.Plotter, scene: Scene, *, z_scale: float | None = None, **_) -> dict:
    """The parts pulled apart in z, one colour each, the quarter nearest the viewer cut away so
    what lies inside a ring or under a lid shows (solved or not)."""
    grid, b = scene.grid, scene.grid.bounds
    width = style.span_mm(b)
    stretch = z_scale or style.z_stretch(width, b[5] - b[4], 0.1)
    cx, cy = _carrier_centre(scene)
    centres = grid.cell_centers().points
    behind = (centres[:, 0] > cx) | (centres[:, 1] > cy)
    level = exploded_levels(scene)
    gap = _EXPLODE_HEIGHT * width / max(max(level.values()), 1)
    colours = style.part_colours(len(scene.part_names))
    anchors, labels, placed_bounds = [], [], []
    for i in sorted(level, key=lambda i: (level[i], i)):
        mine = grid.cell_data["part_id"] == i
        # a part wholly inside the cut-away quarter is drawn whole rather than not at all
        cut = grid.extract_cells(np.flatnonzero(mine & behind if np.any(mine & behind) else mine))
        cut = cut.extract_surface(algorithm=None)
        placed = _placed(cut, 0.0, stretch, b[4], level[i] * gap)
        p.add_mesh(placed, color=colours[i], smooth_shading=False)
        p.add_mesh(_edges(placed), color="black", line_width=1)
        anchors.append(_right_corner(placed))
        labels.append(_part_label(scene, i))
        placed_bounds.append(placed.bounds)
    p.add_point_labels(np.array(anchors), labels, font_size=13, text_color="black", shape_color="white",
                       shape_opacity=0.85, point_size=6, point_color="black", always_visible=True)
    style.titles(p, f"{scene.name}: parts, exploded",
                 f"parts pulled apart in z, front quarter cut away; {style.scale_note(None, stretch)}")
    style.look_at(p, _union(*placed_bounds), direction=(-0.8, -1.0, 0.8), zoom=1.0, shift=0.0)
    return {"z_scale": stretch, "levels": {scene.part_names[i]: n for i, n in level.items()}}


def section(p: pv.Plotter, scene: Scene, *, z_scale: float | None = None, section_y_mm: float | None = None,
            **_) -> dict:
    """The package behind the plane y = ``section_y_mm`` (default: through the carrier's centre),
    the cut face towards the viewer, coloured by von Mises stress (MPa), or by part before a
    solve; part edges drawn."""
    grid, b = scene.grid, scene.grid.bounds
    yc = _carrier_centre(scene)[1] if section_y_mm is None else float(section_y_mm)
    if not b[2] < yc < b[3]:
        raise ValueError(f"section at y = {yc:g} mm: the package spans y = {b[2]:g} to {b[3]:g} mm.")
    behind = grid.clip(normal=(0.0, -1.0, 0.0), origin=(0.0, yc, 0.0), crinkle=False)
    width = style.span_mm(b)
    stretch = z_scale or style.z_stretch(width, b[5] - b[4], 0.3)
    surface = _placed(behind.extract_surface(algorithm=None), 0.0, stretch, b[4])
    if scene.solved:
        vm = behind.cell_data["von_mises_mpa"]
        hi = float(vm.max())
        p.add_mesh(surface, scalars="von_mises_mpa", cmap=style.STRESS_CMAP, clim=(0.0, hi),
                   scalar_bar_args=style.bar(VM_TITLE, 0.0, hi))
        quantity = "von Mises stress"
    else:
        colours = style.part_colours(len(scene.part_names))
        present = np.unique(surface.cell_data["part_id"])
        for i in present:
            part = surface.extract_cells(np.flatnonzero(surface.cell_data["part_id"] == i))
            p.add_mesh(part, color=colours[int(i)], label=_part_label(scene, int(i)))
        p.add_legend(bcolor="white", face="rectangle", loc="upper right", size=(0.28, 0.035 * len(present) + 0.02))
        quantity = "parts"
    p.add_mesh(_part_edges(scene, behind, 0.0, stretch), color="black", line_width=1.5)
    style.titles(p, f"{scene.name}: section at y = {yc:g} mm, {quantity}",
                 f"cut face towards the viewer; black lines: part edges; {style.scale_note(None, stretch)}")
    style.look_at(p, surface.bounds, direction=(-0.25, -1.0, 0.22), zoom=1.2 if scene.solved else 1.0,
                  shift=0.06 if scene.solved else 0.0)
    return {"z_scale": stretch, "y_mm": yc}


VIEWS: dict[str, Callable[..., dict]] = {
    "deformed": deformed, "moire": moire, "stress": stress, "exploded": exploded, "section": section,
}


# --- what the views are made of --------------------------------------------------------------

def carrier_bottom(scene: Scene) -> pv.PolyData:
    """The carrier's bottom face as quads (mm), with point data ``uz_um`` when solved:
    out-of-plane displacement relative to the face's centre, µm."""
    surface = scene.parts_grid([scene.carrier]).extract_surface(algorithm=None)
    z0 = surface.bounds[4]
    bottom = surface.extract_cells(np.flatnonzero(surface.cell_centers().points[:, 2] < z0 + _TOL_MM))
    bottom = bottom.extract_surface(algorithm=None)
    if scene.solved:
        bottom.point_data["uz_um"] = 1e3 * (bottom.point_data["displacement_mm"][:, 2] - _centre_uz(bottom))
    return bottom


def exploded_levels(scene: Scene) -> dict[int, int]:
    """The level each part is lifted to in the exploded view: one above every part under it
    that it covers (whose footprint it shares), and bumps one above whatever surrounds them.
    Parts side by side, such as a die inside a stiffener ring, share a level."""
    grid = scene.grid
    pid = grid.cell_data["part_id"]
    centres = grid.cell_centers().points
    present = [int(i) for i in np.unique(pid)]
    columns = {i: set(map(tuple, np.round(centres[pid == i, :2], 6))) for i in present}
    zrange = {i: (centres[pid == i, 2].min(), centres[pid == i, 2].max()) for i in present}
    bounds = {i: scene.parts_grid([i]).bounds for i in present}
    order = sorted(present, key=lambda i: (bounds[i][4], bounds[i][5], i))
    level: dict[int, int] = {}
    for n, i in enumerate(order):
        below = [j for j in order[:n] if columns[i] & columns[j]
                 or ((i in scene.bump_parts or j in scene.bump_parts)
                     and zrange[i][0] <= zrange[j][1] and zrange[j][0] <= zrange[i][1])]
        level[i] = 1 + max((level[j] for j in below), default=-1)
    return level


def _placed(mesh: pv.DataSet, factor: float = 0.0, stretch: float = 1.0, z0: float = 0.0, lift: float = 0.0):
    """A copy of ``mesh`` displaced by ``factor`` × its displacement, stretched ``stretch``-fold
    in z about ``z0`` and lifted by ``lift`` (mm, after stretching)."""
    out = mesh.copy()
    p = np.array(out.points, dtype=float)
    if factor:
        p += factor * out.point_data["displacement_mm"]
    p[:, 2] = z0 + stretch * (p[:, 2] - z0) + lift
    out.points = p
    return out


def _edges(surface: pv.PolyData) -> pv.PolyData:
    """Where a surface folds (box edges), not the mesh lines on its flat faces."""
    return surface.extract_feature_edges(30.0, boundary_edges=False, non_manifold_edges=False, manifold_edges=False)


def _part_edges(scene: Scene, grid: pv.UnstructuredGrid, factor: float, stretch: float) -> pv.PolyData:
    """The box edges of every part in ``grid``, placed like the parts."""
    z0 = scene.grid.bounds[4]
    edges = []
    for i in np.unique(grid.cell_data["part_id"]):
        sub = grid.extract_cells(np.flatnonzero(grid.cell_data["part_id"] == i)).extract_surface(algorithm=None)
        edges.append(_edges(_placed(sub, factor, stretch, z0)))
    return edges[0].merge(edges[1:]) if len(edges) > 1 else edges[0]


def _drop_shared_faces(surface: pv.PolyData, other: pv.PolyData) -> pv.PolyData:
    """``surface`` without the faces that ``other`` also has (same centre)."""
    theirs = set(map(tuple, np.round(other.cell_centers().points, 6)))
    mine = np.round(surface.cell_centers().points, 6)
    keep = [k for k, c in enumerate(map(tuple, mine)) if c not in theirs]
    return surface.extract_cells(keep).extract_surface(algorithm=None)


def _centre_uz(face: pv.PolyData) -> float:
    b = face.bounds
    centre = np.array([(b[0] + b[1]) / 2, (b[2] + b[3]) / 2, b[4]])
    return float(face.point_data["displacement_mm"][np.argmin(np.linalg.norm(face.points - centre, axis=1)), 2])


def _symmetric_limit(values: np.ndarray) -> float:
    return max(float(np.abs(values).max()), 1e-6)


def _needs_solution(scene: Scene, view: str) -> None:
    if not scene.solved:
        raise ValueError(f"the {view} view draws results; '{scene.name}' has not been solved.")


def _warpage_line(scene: Scene) -> str:
    s = scene.summary or {}
    if "warpage_um" not in s:
        return ""
    return f"warpage {s['warpage_um']:+.1f} µm ({s['shape']}), coplanarity {s['coplanarity_um']:.1f} µm; "


def _right_corner(surface: pv.PolyData) -> np.ndarray:
    """The top corner of a part furthest to the right as the exploded view's camera sees it."""
    pts = surface.points
    top = pts[pts[:, 2] >= pts[:, 2].max() - _TOL_MM]
    return top[np.argmax(top[:, 0] - top[:, 1])]


def _part_label(scene: Scene, i: int) -> str:
    if scene.part_materials:
        return f"{scene.part_names[i]} ({scene.part_materials[i]})"
    return scene.part_names[i]


def _carrier_centre(scene: Scene) -> tuple[float, float]:
    b = scene.parts_grid([scene.carrier]).bounds
    return (b[0] + b[1]) / 2, (b[2] + b[3]) / 2


def _union(*bounds) -> tuple[float, ...]:
    a = np.array(bounds, dtype=float)
    return tuple(a[:, k].min() if k % 2 == 0 else a[:, k].max() for k in range(6))
