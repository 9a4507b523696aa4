"""VTK ``.vtu`` writer for results: displacement per node, stress and part per element."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np

from ..meshing import Mesh


def write_vtu(mesh: Mesh, path: Path, point_data: dict[str, np.ndarray] | None = None,
              cell_data: dict[str, np.ndarray] | None = None) -> None:
    """Write hex20 cells with the given nodal and per-element arrays (one cell block)."""
    cells = {"part_id": mesh.part.astype(np.int32), "copy_id": mesh.copy}
    cells.update(cell_data or {})
    meshio.Mesh(
        mesh.nodes,
        [("hexahedron20", mesh.elements)],
        point_data=point_data or {},
        cell_data={k: [np.asarray(v)] for k, v in cells.items()},
    ).write(path, file_format="vtu")
