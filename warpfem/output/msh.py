"""Gmsh ``.msh`` writer: one discrete volume and one named physical group per part."""

from __future__ import annotations

from pathlib import Path

import gmsh
import numpy as np

from ..meshing import Mesh
from ..meshing.build import GMSH_HEX20
from ..meshing.hex20 import codes, slot_of_code
from ..meshing.session import gmsh_model


def _vtk_to_gmsh() -> np.ndarray:
    ref = np.asarray(gmsh.model.mesh.getElementProperties(GMSH_HEX20)[4]).reshape(-1, 3)
    return slot_of_code(codes(np.rint(ref + 1).astype(int)))


def write_msh(mesh: Mesh, path: Path) -> None:
    """Write the mesh as Gmsh 4.1 with hex20 elements grouped by part."""
    with gmsh_model("warpfem-msh", {"Mesh.MshFileVersion": 4.1, "Mesh.Binary": 0}):
        order = _vtk_to_gmsh()
        node_entity = gmsh.model.addDiscreteEntity(3)
        gmsh.model.mesh.addNodes(3, node_entity, np.arange(1, mesh.n_nodes + 1), mesh.nodes.ravel())
        first = 1
        for i, name in enumerate(mesh.part_names):
            sel = np.flatnonzero(mesh.part == i)
            entity = node_entity if i == 0 else gmsh.model.addDiscreteEntity(3)
            gmsh.model.mesh.addElementsByType(
                entity, GMSH_HEX20, np.arange(first, first + len(sel)), (mesh.elements[sel][:, order] + 1).ravel()
            )
            first += len(sel)
            gmsh.model.addPhysicalGroup(3, [entity], tag=i + 1, name=name)
        gmsh.write(str(path))
