"""Small-strain linear thermo-elasticity of the meshed package under a uniform ΔT."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..geometry import Layout
from ..meshing import Mesh
from .assemble import ElementClasses, constrain, element_classes, element_matrices, stiffness_bsr, thermal_load, upper_csr
from .constraints import CarrierFace, carrier_face, fixed_dofs, remove_rigid_motion
from .linear import direct_name, solve_direct
from .multigrid import Multigrid, fine_grid, plane_fixed, solve_cg

#: above this many dofs "auto" takes the iterative solver: it is faster from about 30 k dofs (2x at
#: 100 k, 4x at 330 k on a 40 mm FCBGA), and a direct factorisation's memory grows faster than the
#: mesh (4 GB at 330 k dofs) where the multigrid's grows in proportion (3 GB at 1 M)
AUTO_DIRECT_MAX_DOFS = 50_000


@dataclass(frozen=True)
class Solution:
    """Nodal displacement (N, 3) in mm, rigid-body motion removed, and what produced it."""

    layout: Layout
    mesh: Mesh
    classes: ElementClasses
    face: CarrierFace
    u_mm: np.ndarray
    timings_s: dict[str, float] = field(default_factory=dict)
    solver: dict = field(default_factory=dict)


def choose_method(layout: Layout, mesh: Mesh) -> str:
    """'direct' or 'iterative', as the model's ``[solver] method`` asks or by size."""
    method = layout.model.solver.method
    if method == "auto":
        return "direct" if mesh.n_dofs <= AUTO_DIRECT_MAX_DOFS else "iterative"
    return method


def solve_displacement(layout: Layout, mesh: Mesh) -> Solution:
    """Assemble and solve K u = f; the displacement is that of a free body.

    Timings: ``assemble`` is everything up to the linear solve (for the iterative solver, the
    whole multigrid hierarchy), ``solve`` the factorisation or the iterations."""
    t0 = time.perf_counter()
    classes = element_classes(layout, mesh)
    face = carrier_face(layout, mesh)
    Ke = element_matrices(classes)
    f = thermal_load(mesh, classes)
    method = choose_method(layout, mesh)
    if method == "direct":
        fixed = fixed_dofs(layout, mesh, face)
        f[fixed] = 0.0
        K = upper_csr(constrain(stiffness_bsr(mesh.elements, mesh.node_ijk, classes.of_element, Ke), fixed,
                                in_place=True))
        t1 = time.perf_counter()
        u = solve_direct(K, f).reshape(-1, 3)
        info = {"method": "direct", "library": direct_name()}
    else:
        rtol = layout.model.solver.rtol
        f[plane_fixed(mesh, layout.quarter)] = 0.0
        mg = Multigrid(fine_grid(mesh, classes.of_element, Ke), layout.quarter)
        t1 = time.perf_counter()
        u, iterations = solve_cg(mg, f, rtol)
        u = u.reshape(-1, 3)
        info = {"method": "iterative", "library": "conjugate gradients + column-smoothed multigrid",
                "levels": mg.n_levels, "iterations": iterations, "rtol": rtol}
    t2 = time.perf_counter()
    if layout.quarter:
        u[:, 2] -= u[face.centre, 2]
    else:
        u = remove_rigid_motion(mesh.nodes, u, face.centre)
    return Solution(layout, mesh, classes, face, u, {"assemble": t1 - t0, "solve": t2 - t1}, info)
