"""Global-local submodelling of one bump: find it, mesh it in its real shape, drive its cut faces
with the global displacement, solve, and report its stress measures."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import meshio
import numpy as np

from ..fem import Solution
from ..geometry import build_layout
from ..memory import peak_memory_mb
from ..model import ModelLike, load_model
from ..output import atomic_paths
from ..post.probe import displacement_at
from ..post.stress import von_mises_mpa
from .measures import MEANING, critical_bump_measures
from .mesh import build_region_mesh
from .shape import BumpShape
from .site import Box, Site, find_site
from .solve import RegionSolution, solve_region

#: default element size in the critical bump, as a fraction of the bump's height: with three
#: quadratic tetrahedra through the height the bump average is within 1.5 % of a mesh half the
#: size (87.9 against 86.7 MPa in docs/submodel.md), at a fifth of the dofs
SIZE_PER_HEIGHT = 1.0 / 3.0


@dataclass(frozen=True)
class SubmodelResult:
    """One bump's submodel: which bump (its part, the index of its box copy in the part's
    ``boxes()`` and its centre), how big the problem was, and its stress measures.

    ``measures`` groups are explained by ``meaning``; the averages converge under mesh
    refinement, ``raw_maximum`` does not (singular pad corners).
    """

    part: str
    copy_id: int
    x_mm: float
    y_mm: float
    bump_box_mm: Box
    region_mm: Box
    shape: dict
    size_mm: float
    n_dofs: int
    n_elements: int
    n_fixed_dofs: int
    timings_s: dict[str, float]
    memory_mb: float
    measures: dict[str, dict[str, float]]
    meaning: dict[str, str] = field(default_factory=lambda: dict(MEANING))
    solution: RegionSolution | None = field(default=None, repr=False, compare=False)

    def summary(self) -> dict:
        """Plain data (for JSON): everything but the solution itself."""
        out = asdict(self)
        out.pop("solution")
        return out


def submodel_vtu(sol: RegionSolution) -> meshio.Mesh:
    """The submodel as linear tetrahedra (its vertices), with the displacement (mm) at each
    vertex and per element the region label and volume-averaged stress (MPa)."""
    mesh, basis = sol.region.mesh, sol.basis
    u = sol.u_mm[basis.nodal_dofs].T
    w = sol.dx_mm3
    sigma = np.einsum("eqij,eq->eij", sol.stress_mpa, w) / w.sum(axis=1)[:, None, None]
    # a P2 mesh's points list its vertices first, then its mid-edge nodes
    return meshio.Mesh(mesh.p[:, :mesh.nvertices].T, [("tetra", mesh.t.T)], point_data={"displacement_mm": u},
                       cell_data={"label": [sol.region.label.astype(np.int32)],
                                  "stress_mpa": [sigma.reshape(-1, 9)],
                                  "von_mises_mpa": [von_mises_mpa(sigma)]})


def write_submodel_vtu(sol: RegionSolution, path: str | Path) -> Path:
    """Write :func:`submodel_vtu` to ``path`` atomically."""
    path = Path(path)
    with atomic_paths(path) as (tmp,):
        submodel_vtu(sol).write(tmp, file_format="vtu")
    return path


def reach_mm(shape: BumpShape) -> float:
    """How far (mm) a submodel's cut faces may lie outside the global model's material: a round
    bump may bulge past the prism the global model carries it as, and with no filler around it
    its cut faces reach up to its radius outside."""
    return 0.0 if shape.kind == "box" else 0.5 * max(shape.pad_diameter_mm or 0.0, shape.max_diameter_mm or 0.0)


def site_at(model: ModelLike, x_mm: float, y_mm: float, *, shape: BumpShape | None = None,
            size_mm: float | None = None, half_width_mm: float | None = None, depth_mm: float | None = None):
    """The layout, site, real shape and element size of the bump at (x, y) mm (defaults as
    :func:`solve_submodel`'s), before its region is meshed."""
    layout = build_layout(load_model(model))
    site: Site = find_site(layout, x_mm, y_mm, half_width_mm, depth_mm)
    shape = shape or BumpShape.of_part(layout.parts[site.bump_part])
    return layout, site, shape, size_mm or SIZE_PER_HEIGHT * bump_height_mm(site)


def bump_height_mm(site: Site) -> float:
    """The height of a site's bump, mm."""
    return site.bump_box_mm[5] - site.bump_box_mm[4]


def region_at(model: ModelLike, x_mm: float, y_mm: float, *, shape: BumpShape | None = None,
              size_mm: float | None = None, coarse_size_mm: float | None = None,
              half_width_mm: float | None = None, depth_mm: float | None = None,
              layer_fraction: float = 0.1):
    """:func:`site_at`, and the site's region meshed."""
    layout, site, shape, h = site_at(model, x_mm, y_mm, shape=shape, size_mm=size_mm, half_width_mm=half_width_mm,
                                     depth_mm=depth_mm)
    return layout, site, shape, h, build_region_mesh(layout, site, shape, h, coarse_size_mm, layer_fraction)


def solve_submodel(model: ModelLike, global_solution: Solution, x_mm: float, y_mm: float, *,
                   shape: BumpShape | None = None, size_mm: float | None = None,
                   coarse_size_mm: float | None = None, half_width_mm: float | None = None,
                   depth_mm: float | None = None, layer_fraction: float = 0.1,
                   vtu_path: str | Path | None = None) -> SubmodelResult:
    """Submodel the bump at (x, y) mm of ``model`` (whose parts give the bumps' places and the
    materials), driven by ``global_solution`` (the explicit model, or one whose bump layer is
    homogenised) on the region's cut faces.

    ``shape``: the bump's real shape (default: the one the model's bump part gives).
    ``size_mm``: element size in the bump (default a third of its height); ``coarse_size_mm``
    away from it (default 4 x size).
    ``half_width_mm``: region half-width about the bump centre (default one pitch);
    ``depth_mm``: region depth below and above the gap (default the half-width).
    ``layer_fraction``: interface layers' share of the bump height.
    """
    t0 = time.perf_counter()
    layout, site, shape, h, region = region_at(model, x_mm, y_mm, shape=shape, size_mm=size_mm,
                                               coarse_size_mm=coarse_size_mm, half_width_mm=half_width_mm,
                                               depth_mm=depth_mm, layer_fraction=layer_fraction)
    t1 = time.perf_counter()
    reach = reach_mm(shape)
    sol = solve_region(layout, region, site.region_mm, lambda p: displacement_at(global_solution, p, reach))
    t2 = time.perf_counter()
    measures = critical_bump_measures(sol)
    if vtu_path is not None:
        write_submodel_vtu(sol, vtu_path)
    t3 = time.perf_counter()
    cx, cy = site.centre_xy_mm
    return SubmodelResult(
        part=layout.parts[site.bump_part].name, copy_id=site.bump_copy, x_mm=float(cx), y_mm=float(cy), bump_box_mm=tuple(float(v) for v in site.bump_box_mm),
        region_mm=tuple(float(v) for v in site.region_mm), shape=asdict(shape), size_mm=h,
        n_dofs=sol.n_dofs, n_elements=int(region.mesh.nelements), n_fixed_dofs=sol.n_fixed_dofs,
        timings_s={"mesh": t1 - t0, **sol.timings_s, "post": t3 - t2, "total": t3 - t0},
        memory_mb=peak_memory_mb(), measures=measures, solution=sol,
    )
