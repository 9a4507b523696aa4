"""Small-strain linear thermo-elasticity of the meshed package under a uniform ΔT."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..geometry import Layout
from ..meshing import Mesh
from .assemble import ElementClasses, element_classes, stiffness_upper, thermal_load
from .constraints import CarrierFace, carrier_face, fixed_dofs, remove_rigid_motion
from .linear import solve_direct


@dataclass(frozen=True)
class Solution:
    """Nodal displacement (N, 3) in mm, rigid-body motion removed, and what produced it."""

    layout: Layout
    mesh: Mesh
    classes: ElementClasses
    face: CarrierFace
    u_mm: np.ndarray
    timings_s: dict[str, float] = field(default_factory=dict)


def solve_displacement(layout: Layout, mesh: Mesh) -> Solution:
    """Assemble and solve K u = f; the displacement is that of a free body."""
    t0 = time.perf_counter()
    classes = element_classes(layout, mesh)
    face = carrier_face(layout, mesh)
    fixed = fixed_dofs(layout, mesh, face)
    K = stiffness_upper(mesh, classes, fixed)
    f = thermal_load(mesh, classes)
    f[fixed] = 0.0
    t1 = time.perf_counter()
    u = solve_direct(K, f).reshape(-1, 3)
    t2 = time.perf_counter()
    if not layout.quarter:
        u = remove_rigid_motion(mesh.nodes, u, face.centre)
    return Solution(layout, mesh, classes, face, u, {"assemble": t1 - t0, "solve": t2 - t1})
