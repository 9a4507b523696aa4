"""Process steps: parts bonded one step after another, each stress-free in the shape the package
has when it joins (element birth), solved as a sequence of elastic states on one mesh.

The state after step j, at temperature T, is the equilibrium of the parts bonded so far, each
strained from its own birth — thermally from its bonding temperature, mechanically from the
shape it was bonded in:

    K(T) u = f_th(T) + Σ_e K_e(T) u_birth(e)

with the moduli at T (elastic at each temperature). Parts not yet bonded stay in the mesh at
``SOFT`` times their stiffness and without load, so they follow the package's shape (the shape
they will be bonded in) without holding it, as element birth in Ansys and Abaqus does. With
constant properties the states superpose exactly as an incremental analysis, ΔT by ΔT; one step
with every part is the single solve.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from ..geometry import Layout
from ..meshing import Mesh
from ..model import Material
from .assemble import element_classes, element_forces, thermal_load
from .system import StiffnessSystem
from .thermoelastic import Birth, Solution

#: stiffness of a part not yet bonded, relative to its own: it follows, it does not hold
SOFT = 1e-6


@dataclass(frozen=True)
class Sequence:
    """The process: the step bonding each part (per part of the layout) and each step's bonding
    temperature (°C)."""

    part_step: np.ndarray
    temperatures_c: tuple[float, ...]

    @property
    def n_steps(self) -> int:
        return len(self.temperatures_c)


def state(layout: Layout, mesh: Mesh, seq: Sequence, laws: dict[str, Material], shapes: list[np.ndarray],
          upto: int, temperature_c: float | np.ndarray, guess_mm: np.ndarray | None = None) -> Solution:
    """The package once the parts of steps 0..``upto`` are bonded, at ``temperature_c`` (°C; one
    for all, or each brick's (E,)); ``layout`` carries the moduli, ``laws`` each material's
    thermal strain, ``shapes[k]`` (N, 3) mm the displacement step k's parts were bonded in."""
    born = seq.part_step <= upto
    if np.ndim(temperature_c) == 0:
        strain = np.array([laws[p.material].thermal_strains(seq.temperatures_c[k], temperature_c) if b else np.zeros(3)
                           for p, k, b in zip(layout.parts, seq.part_step, born)])
        classes = element_classes(layout, mesh, strain, np.where(born, 1.0, SOFT))
    else:
        classes = element_classes(layout, mesh, np.zeros(len(layout.parts)), np.where(born, 1.0, SOFT))
        classes = replace(classes, element_alpha_dt=_brick_strains(layout, mesh, seq, laws, born, temperature_c))
    element_step = seq.part_step[mesh.part]
    with StiffnessSystem(layout, mesh, classes) as system:
        f = thermal_load(mesh, classes)
        for k in range(1, upto + 1):
            which = np.flatnonzero(element_step == k)
            if len(which):
                f += element_forces(mesh, classes, shapes[k], which)
        u = system.solve(f, guess_mm)
        timings = {"assemble": system.setup_s, "solve": system.solve_s}
    birth = Birth(np.minimum(element_step, upto), tuple(shapes[:upto + 1]))
    return Solution(layout, mesh, classes, system.face, u, timings, dict(system.info), birth)


def _brick_strains(layout: Layout, mesh: Mesh, seq: Sequence, laws: dict[str, Material], born: np.ndarray,
                   temperature_c: np.ndarray) -> np.ndarray:
    """Each brick's free thermal strain (E, 3) from its part's bonding temperature to its own."""
    out = np.zeros((mesh.n_elements, 3))
    for i, part in enumerate(layout.parts):
        if not born[i]:
            continue
        mine = np.flatnonzero(mesh.part == i)
        law, t0 = laws[part.material], seq.temperatures_c[seq.part_step[i]]
        out[mine] = [law.thermal_strains(t0, t) for t in temperature_c[mine]]
    return out


def bonding_shapes(layout_at: Callable[[float], Layout], mesh: Mesh, seq: Sequence,
                   laws: dict[str, Material]) -> tuple[list[np.ndarray], dict[str, float]]:
    """The package's displacement (N, 3) in mm when each step bonds its parts — step 0's
    undeformed, step k's the state after steps 0..k-1 at step k's temperature — and the time (s)
    the states took. ``layout_at(T)``: the layout with the moduli of temperature T."""
    shapes = [np.zeros((mesh.n_nodes, 3))]
    timings: dict[str, float] = {}
    for k in range(1, seq.n_steps):
        t = seq.temperatures_c[k]
        s = state(layout_at(t), mesh, seq, laws, shapes, k - 1, t, shapes[-1] if k > 1 else None)
        shapes.append(s.u_mm)
        for key, v in s.timings_s.items():
            timings[key] = timings.get(key, 0.0) + v
    return shapes, timings


def final_state(layout_at: Callable[[float], Layout], mesh: Mesh, seq: Sequence, laws: dict[str, Material],
                temperature_c: float, shapes: list[np.ndarray] | None = None) -> Solution:
    """The package after every step, at ``temperature_c`` (°C); ``shapes`` from
    :func:`bonding_shapes` when already known (a sweep over the final temperature)."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    if shapes is None:
        shapes, timings = bonding_shapes(layout_at, mesh, seq, laws)
    s = state(layout_at(temperature_c), mesh, seq, laws, shapes, seq.n_steps - 1, temperature_c,
              shapes[-1] if seq.n_steps > 1 else None)
    for key, v in s.timings_s.items():
        timings[key] = timings.get(key, 0.0) + v
    timings["history"] = time.perf_counter() - t0
    return replace(s, timings_s=timings)
