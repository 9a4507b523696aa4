"""Small-strain linear thermo-elasticity of the meshed package under a uniform ΔT."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..geometry import Layout
from ..meshing import Mesh
from .assemble import ElementClasses, thermal_load
from .constraints import CarrierFace
from .system import StiffnessSystem


@dataclass(frozen=True)
class Birth:
    """When each element joined the package and in what shape: element e was bonded stress-free
    in step ``of_element[e]``, when the package's displacement was ``shapes[of_element[e]]`` (N, 3)
    in mm (step 0: undeformed). Its strain counts from that shape."""

    of_element: np.ndarray
    shapes: tuple[np.ndarray, ...]

    def offsets_mm(self, elements: np.ndarray, which=slice(None)) -> np.ndarray:
        """The birth displacement (E, 20, 3) of the elements ``which`` (rows of ``elements``)."""
        rows = np.arange(len(elements))[which]
        out = np.zeros((len(rows), elements.shape[1], 3))
        steps = self.of_element[rows]
        for k in np.unique(steps):
            if k > 0:
                sel = steps == k
                out[sel] = self.shapes[k][elements[rows[sel]]]
        return out


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
    birth: Birth | None = None   # process steps: strain counts from each element's birth shape
    history_stress_mpa: np.ndarray | None = None   # (E, 3, 3): relaxing parts' stress beyond their rubbery part


def solve_thermal(system: StiffnessSystem, guess_mm: np.ndarray | None = None) -> Solution:
    """The displacement under the model's thermal load, on a prepared system (the iterative
    solver starting from ``guess_mm`` (N, 3) when given).

    Timings: ``assemble`` is everything up to the linear solve (for the iterative solver, the
    whole multigrid hierarchy), ``solve`` the factorisation's substitution or the iterations."""
    return solve_thermal_with(system, guess_mm)[0]


def solve_thermal_with(system: StiffnessSystem, guess_mm: np.ndarray | None = None, loads: list[np.ndarray] = (),
                       guesses: list | None = None, rtol: float | None = None) -> tuple[Solution, list[np.ndarray]]:
    """:func:`solve_thermal`, and the displacements (N, 3) in mm under further nodal loads (3N,) in
    N, found in the same iterations (:meth:`~.system.StiffnessSystem.solve_many`), each from its
    guess and to ``rtol`` (default the model's); the solution's ``solve`` time covers them all."""
    before = system.solve_s
    f = thermal_load(system.mesh, system.classes)
    if len(loads):
        u, *others = system.solve_many([f, *loads], [guess_mm, *(guesses or [None] * len(loads))],
                                       [None, *[rtol] * len(loads)])
    else:
        u, others = system.solve(f, guess_mm), []
    timings = {"assemble": system.setup_s, "solve": system.solve_s - before}
    return Solution(system.layout, system.mesh, system.classes, system.face, u, timings, dict(system.info)), others


def solve_displacement(layout: Layout, mesh: Mesh) -> Solution:
    """Assemble and solve K u = f for the thermal load; the displacement is that of a free body."""
    with StiffnessSystem(layout, mesh) as system:
        return solve_thermal(system)
