"""What a picture is drawn from: the whole package as linear bricks, its result arrays and names.

A :class:`Scene` comes from any of the things a user has at hand: an output directory or its
``result.vtu`` (with ``summary.json`` beside it), a :class:`~warpfem.pipeline.Result`, a bare
mesh, or a model that has not been solved. The 20-node bricks keep only their corners (the
bricks are straight-sided, so the undeformed geometry is exact) and a quarter model is mirrored
into the whole package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import meshio
import numpy as np

from ..meshing import Mesh
from ..model import Model, load_model
from ..pipeline import Result
from ..pipeline import mesh as mesh_model
from .backend import pyvista
from .mirror import mirror_quarter

if TYPE_CHECKING:
    import pyvista as pv

#: result arrays carried into a picture, as written to result.vtu
POINT_ARRAYS = ("displacement_mm",)
CELL_ARRAYS = ("stress_mpa", "von_mises_mpa", "max_principal_mpa")


@dataclass(frozen=True)
class Scene:
    """The whole package, ready to draw (lengths in mm).

    ``grid`` holds 8-node bricks with cell data ``part_id``, ``copy_id`` and ``image`` (which
    mirror image of a quarter model: 0 is the solved quarter, and ``copy_id`` is that of the
    image's original) and, when solved, point data ``displacement_mm`` and cell data
    ``stress_mpa``, ``von_mises_mpa``, ``max_principal_mpa`` (MPa).
    """

    grid: pv.UnstructuredGrid
    name: str
    part_names: tuple[str, ...]
    carrier: int
    bump_parts: tuple[int, ...]
    quarter: bool
    summary: dict | None = None
    part_materials: tuple[str, ...] = ()

    @property
    def solved(self) -> bool:
        return "displacement_mm" in self.grid.point_data

    def part_id(self, name: str) -> int:
        """The id of the part called ``name``; ValueError naming the parts if there is none."""
        if name not in self.part_names:
            raise ValueError(f"part '{name}': the model has no such part; its parts are {', '.join(self.part_names)}.")
        return self.part_names.index(name)

    def parts_grid(self, ids: list[int] | tuple[int, ...]) -> pv.UnstructuredGrid:
        """The bricks of the given parts."""
        return self.grid.extract_cells(np.flatnonzero(np.isin(self.grid.cell_data["part_id"], ids)))


def build_scene(nodes: np.ndarray, hex20: np.ndarray, point_data: dict[str, np.ndarray],
                cell_data: dict[str, np.ndarray], *, name: str, part_names: tuple[str, ...], carrier: int,
                bump_parts: tuple[int, ...], quarter: bool, summary: dict | None = None,
                part_materials: tuple[str, ...] = ()) -> Scene:
    """A scene from hex20 bricks (VTK order) and their arrays; a quarter is mirrored whole."""
    pv = pyvista()
    hexes = np.asarray(hex20)[:, :8]
    used = np.unique(hexes)
    renumber = np.full(len(nodes), -1, dtype=np.int64)
    renumber[used] = np.arange(len(used))
    nodes, hexes = np.asarray(nodes, dtype=float)[used], renumber[hexes]
    point_data = {k: np.asarray(v)[used] for k, v in point_data.items()}
    cell_data = {k: np.asarray(v) for k, v in cell_data.items()}
    if quarter:
        nodes, hexes, point_data, cell_data = mirror_quarter(nodes, hexes, point_data, cell_data)
    else:
        cell_data["image"] = np.zeros(len(hexes), dtype=np.int8)
    grid = pv.UnstructuredGrid({pv.CellType.HEXAHEDRON: hexes}, nodes)
    for k, v in point_data.items():
        grid.point_data[k] = v
    for k, v in cell_data.items():
        grid.cell_data[k] = v
    return Scene(grid, name, tuple(part_names), carrier, tuple(bump_parts), quarter, summary, tuple(part_materials))


def scene_from_result(result: Result) -> Scene:
    """The scene of a solved package held in memory."""
    m, f, model = result.mesh, result.fields, result.model
    return build_scene(
        m.nodes, m.elements,
        {"displacement_mm": result.solution.u_mm},
        {"part_id": m.part, "copy_id": m.copy, "stress_mpa": f.stress_mpa.reshape(-1, 9),
         "von_mises_mpa": f.von_mises_mpa, "max_principal_mpa": f.max_principal_mpa},
        name=model.name, part_names=m.part_names, summary=result.summary, **_roles(model),
    )


def scene_from_mesh(mesh: Mesh, *, name: str = "mesh", symmetry: str = "full", carrier: int = 0,
                    bump_parts: tuple[int, ...] = ()) -> Scene:
    """The scene of a bare mesh; ``symmetry="quarter"`` mirrors a quarter mesh whole."""
    return build_scene(mesh.nodes, mesh.elements, {}, {"part_id": mesh.part, "copy_id": mesh.copy},
                       name=name, part_names=mesh.part_names, carrier=carrier, bump_parts=bump_parts,
                       quarter=symmetry == "quarter")


def scene_from_model(model: Any) -> Scene:
    """The scene of an unsolved model: meshed only at its parts' edges, which is all a picture of
    the geometry needs (a few hundred bricks, meshed in well under a second)."""
    model = load_model(model)
    b = model.carrier.box
    coarse_mm = 2.0 * max(b[1] - b[0], b[3] - b[2], b[5] - b[4])
    m = mesh_model(model, size_mm=coarse_mm)
    return build_scene(m.nodes, m.elements, {}, {"part_id": m.part, "copy_id": m.copy},
                       name=model.name, part_names=m.part_names, **_roles(model))


def scene_from_files(path: str | Path) -> Scene:
    """The scene of an output directory, or of a ``result.vtu`` with its ``summary.json`` beside it."""
    path = Path(path)
    vtu = path / "result.vtu" if path.is_dir() else path
    if not vtu.is_file():
        raise FileNotFoundError(f"'{path}': no result.vtu there; solve a model with `warpfem solve MODEL -o OUTDIR` first.")
    summary_path = vtu.with_name("summary.json")
    if not summary_path.is_file():
        raise FileNotFoundError(f"'{vtu}': summary.json is not beside it; warpfem needs it for the part names and symmetry.")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    data = meshio.read(vtu)
    block = next((c for c in data.cells if c.type == "hexahedron20"), None)
    if block is None or len(data.cells) != 1:
        raise ValueError(f"'{vtu}': expected one block of hexahedron20 cells, as warpfem writes.")
    names = sorted(summary["parts"], key=lambda n: summary["parts"][n]["part_id"])
    cells = {k: v[0] for k, v in data.cell_data.items() if k in CELL_ARRAYS + ("part_id", "copy_id")}
    return build_scene(
        data.points, block.data,
        {k: v for k, v in data.point_data.items() if k in POINT_ARRAYS}, cells,
        name=summary["model"], part_names=tuple(names), summary=summary,
        part_materials=tuple(summary["parts"][n]["material"] for n in names),
        quarter=summary.get("symmetry") == "quarter", **_summary_roles(summary, data.points, block.data, cells),
    )


def as_scene(source: Any) -> Scene:
    """A scene from a Scene, Result, Mesh, Model, model dict, output directory, result.vtu or
    model file (``.toml``)."""
    if isinstance(source, Scene):
        return source
    if isinstance(source, Result):
        return scene_from_result(source)
    if isinstance(source, Mesh):
        return scene_from_mesh(source)
    if isinstance(source, (str, Path)) and Path(source).suffix.lower() != ".toml" and "\n" not in str(source):
        return scene_from_files(source)
    if isinstance(source, (Model, dict, str, Path)):
        return scene_from_model(source)
    raise TypeError(f"cannot draw a {type(source).__name__}: give a Result, an output directory, "
                    "a result.vtu, a Mesh or a model")


def _roles(model: Model) -> dict:
    parts = model.parts
    return {
        "carrier": next(i for i, p in enumerate(parts) if p.role == "carrier"),
        "bump_parts": tuple(i for i, p in enumerate(parts) if p.role == "bumps"),
        "quarter": model.model.symmetry == "quarter",
        "part_materials": tuple(p.material for p in parts),
    }


def _summary_roles(summary: dict, points: np.ndarray, hex20: np.ndarray, cells: dict) -> dict:
    """Carrier and bump parts as the summary names them. A summary written before ``role`` was
    recorded names only the critical bump part; its carrier is then the part reaching lowest."""
    parts = summary["parts"]
    carrier = [p["part_id"] for p in parts.values() if p.get("role") == "carrier"]
    bumps = tuple(p["part_id"] for p in parts.values() if p.get("role") == "bumps")
    if not bumps and "bumps" in summary:
        bumps = (parts[summary["bumps"]["part"]]["part_id"],)
    if not carrier:
        bottom = points[hex20[:, 0], 2]
        carrier = [int(cells["part_id"][int(bottom.argmin())])]
    return {"carrier": carrier[0], "bump_parts": bumps}
