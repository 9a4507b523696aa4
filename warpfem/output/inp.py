"""CalculiX / Abaqus input deck: the same mesh, materials, thermal load and supports as warpfem's.

Elements are C3D20 (20-node bricks, full integration: the element warpfem uses) or C3D20R; one
ELSET, material and solid section per part; an initial temperature equal to the stress-free one
and a step to the reported temperature; the supports of :mod:`warpfem.fem.constraints`. Units
are the contract's: mm, N, MPa, K. The deck asks for nodal displacements and, for the parts
named, integration-point stresses in the ``.dat`` file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, TextIO

import numpy as np

from ..fem.constraints import carrier_face, fixed_dofs
from ..geometry import Layout
from ..meshing import Mesh

ELEMENT_TYPES = ("C3D20", "C3D20R")


def set_name(name: str) -> str:
    """A part or material name as an Abaqus/CalculiX identifier (letters, digits, underscores)."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return clean if clean[:1].isalpha() else f"P_{clean}"


def _rows(fh: TextIO, rows: Iterable[str]) -> None:
    fh.write("\n".join(rows))
    fh.write("\n")


def _elements(fh: TextIO, ids: np.ndarray, conn: np.ndarray) -> None:
    # a data line holds at most 16 entries: the id and 15 nodes, then the last 5 nodes
    for e, nodes in zip(ids, conn):
        fh.write(f"{e}," + ",".join(map(str, nodes[:15])) + ",\n" + ",".join(map(str, nodes[15:])) + "\n")


def _material(fh, m, stress_free_c: float) -> None:
    """A material's elasticity and expansion; an orthotropic one by its engineering constants,
    so the solver makes its stiffness from them on its own."""
    o = m.orthotropic
    if o is None:
        fh.write(f"*ELASTIC\n{m.E_gpa * 1e3:.10g},{m.nu:.10g}\n")
        fh.write(f"*EXPANSION, ZERO={stress_free_c:.10g}\n{m.cte_ppm * 1e-6:.10g}\n")
        return
    E, G = [e * 1e3 for e in o.E_gpa], [g * 1e3 for g in o.G_gpa]
    first = [*E, *o.nu, G[0], G[1]]
    fh.write("*ELASTIC, TYPE=ENGINEERING CONSTANTS\n" + ",".join(f"{v:.10g}" for v in first) + f"\n{G[2]:.10g}\n")
    fh.write(f"*EXPANSION, TYPE=ORTHO, ZERO={stress_free_c:.10g}\n" + ",".join(f"{a * 1e-6:.10g}" for a in o.cte_ppm) + "\n")


def write_inp(layout: Layout, mesh: Mesh, path: Path, element_type: str = "C3D20",
              stress_parts: Iterable[str] = ()) -> None:
    """Write the deck; ``stress_parts`` are parts whose integration-point stresses are printed."""
    if element_type not in ELEMENT_TYPES:
        raise ValueError(f"element type must be one of {ELEMENT_TYPES}")
    load = layout.model.load
    face = carrier_face(layout, mesh)
    fixed = fixed_dofs(layout, mesh, face).reshape(-1, 3)
    with open(path, "w", encoding="ascii") as fh:
        fh.write(f"*HEADING\nwarpfem model {layout.model.name}: units mm, N, MPa, K\n")
        fh.write("*NODE, NSET=NALL\n")
        _rows(fh, (f"{i + 1},{x:.12g},{y:.12g},{z:.12g}" for i, (x, y, z) in enumerate(mesh.nodes)))
        for p, part in enumerate(layout.parts):
            sel = np.flatnonzero(mesh.part == p)
            fh.write(f"*ELEMENT, TYPE={element_type}, ELSET={set_name(part.name)}\n")
            _elements(fh, sel + 1, mesh.elements[sel] + 1)  # VTK hex20 order is Abaqus' C3D20 order
        for name, m in layout.materials.items():
            fh.write(f"*MATERIAL, NAME={set_name(name)}\n")
            _material(fh, m, load.stress_free_c)
        for part in layout.parts:
            fh.write(f"*SOLID SECTION, ELSET={set_name(part.name)}, MATERIAL={set_name(part.material)}\n")
        fh.write(f"*INITIAL CONDITIONS, TYPE=TEMPERATURE\nNALL,{load.stress_free_c:.10g}\n")
        fh.write("*STEP\n*STATIC\n*BOUNDARY\n")
        nodes, dofs = np.nonzero(fixed)
        _rows(fh, (f"{n + 1},{d + 1},{d + 1}" for n, d in zip(nodes, dofs)))
        fh.write(f"*TEMPERATURE\nNALL,{load.temperature_c:.10g}\n")
        fh.write("*NODE PRINT, NSET=NALL\nU\n")
        for name in stress_parts:
            fh.write(f"*EL PRINT, ELSET={set_name(name)}\nS\n")
        fh.write("*END STEP\n")
