"""Stage 5 — output: writers by file extension, all atomic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ..meshing import Mesh
from .atomic import atomic_paths
from .msh import write_msh
from .vtu import write_vtu

#: mesh writers by file extension
MESH_WRITERS: dict[str, Callable[[Mesh, Path], None]] = {".msh": write_msh, ".vtu": write_vtu}


def write_mesh(mesh: Mesh, path: str | Path) -> Path:
    """Write a mesh atomically in the format its extension names."""
    path = Path(path)
    writer = MESH_WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ValueError(f"cannot write a mesh as '{path.suffix}'; known: {', '.join(sorted(MESH_WRITERS))}")
    with atomic_paths(path) as (tmp,):
        writer(mesh, tmp)
    return path


def write_json(data: dict, path: Path) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


__all__ = ["MESH_WRITERS", "atomic_paths", "write_json", "write_mesh", "write_msh", "write_vtu"]
