"""A bump cycled through temperature with its solder viscoplastic (Anand).

The global model stays elastic: at each temperature T its displacement is the one of the model's
elastic solve at T (linear in T − stress_free_c with constant properties, interpolated between
solves at the ``global_temperatures`` otherwise). The bump's submodel is driven by it on its cut
faces at every time step of the schedule (:func:`~warpfem.model.schedule.thermal_cycles`): cooled
from the stress-free temperature to the cycle's low, then cycled. Every element whose material has
Anand constants creeps (the bump and the parts of its neighbours inside the region); the
rest of the region is elastic at the step's temperature.

Per cycle it reports the inelastic strain-energy density ΔW = ∫ σ : dεᵖ accumulated over the
cycle and averaged over the volume of each interface layer next to a pad and of the whole bump
(Darveaux's measure, MPa = mJ/mm³), and the hysteresis loop: the volume-averaged shear stress
against the volume-averaged engineering shear strain of the bump along the radial direction from
the package centre (the direction the mismatch shears it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
from skfem import Basis, ElementTetP2, ElementVector

from ..fem import Solution
from ..fem.viscoelastic import time_points
from ..post.fatigue import creep_life
from ..post.probe import displacement_at
from ..geometry import Layout
from ..memory import peak_memory_mb
from ..model.materials import Material
from ..model.schedule import Schedule, thermal_cycles
from ..model.schema import CycleSpec, Model
from .creep import CreepProblem, CreepStepper, Elastic, Solder
from .mesh import CRITICAL_PIECES, RegionMesh, build_region_mesh
from .run import bump_height_mm, reach_mm, site_at
from .shape import BumpShape
from .site import Box, Site
from .solve import INTORDER, _components, cut_facets

#: decades of a dwell resolved below its length: creep after a ramp relaxes over tens of seconds,
#: so steps from a thousandth of a 15-minute dwell (~1 s) up
DWELL_DECADES = 3

#: the interface layers' share of the bump height without a life correlation to set their thickness,
#: and the most a correlation's layer may take (two layers and a core)
LAYER_FRACTION = 0.1
MAX_LAYER_FRACTION = 0.35

#: the groups ΔW is averaged over, and the cycled bump's pieces each takes
GROUPS = {"lower_layer": CRITICAL_PIECES[:1], "upper_layer": CRITICAL_PIECES[2:], "bump": CRITICAL_PIECES}

#: the global model at a temperature (°C), as a weighted sum of solved global states
GlobalAt = Callable[[float], list[tuple[Solution, float]]]


@dataclass(frozen=True)
class CycleRecord:
    """One cycle's inelastic strain-energy densities (MPa = mJ/mm³) per group of :data:`GROUPS`,
    and its shear strain range of the bump (inelastic, engineering)."""

    cycle: int
    energy_density_mpa: dict[str, float]
    inelastic_shear_range: float


@dataclass(frozen=True)
class CycleRun:
    """A cycled bump: each cycle's record, the hysteresis loop at every step (time s,
    temperature °C, shear stress MPa, shear strain, inelastic shear strain, cycle number; 0 for the
    cool-down), the problem size and its cost."""

    cycles: list[CycleRecord]
    loop: dict[str, np.ndarray]
    n_dofs: int
    n_solder_elements: int
    steps_per_cycle: int
    newton_per_step: float
    timings_s: dict[str, float] = field(default_factory=dict)
    memory_mb: float = 0.0
    where: dict = field(default_factory=dict)     # the bump: part, copy_id, x_mm, y_mm, size_mm
    life: dict = field(default_factory=dict)      # its fatigue life (:func:`~warpfem.post.fatigue.creep_life`)

    def change_of_last(self, group: str) -> float:
        """The last cycle's ΔW of ``group`` relative to the one before: how settled it is."""
        a, b = (c.energy_density_mpa[group] for c in self.cycles[-2:])
        return abs(b - a) / abs(b) if b else 0.0

    def summary(self, spec: CycleSpec) -> dict:
        """Plain data for ``summary.json``'s ``bumps.creep``."""
        last = self.cycles[-1]
        return {
            **self.where,
            "method": "the most sheared bump's submodel cycled with its solder viscoplastic (Anand, backward Euler, "
                      "consistent tangent), driven on its cut faces by the elastic global model at each temperature",
            "cycle": {"min_c": spec.min_c, "max_c": spec.max_c, "ramp_min": spec.ramp_min, "dwell_min": spec.dwell_min,
                      "cycles": spec.cycles},
            "energy_density_mpa": last.energy_density_mpa,
            "energy_density_meaning": "inelastic strain-energy density per cycle (MPa = mJ/mm³), volume-averaged over "
                                      "the interface layer next to each pad (Darveaux) and over the whole bump, in the "
                                      "last cycle",
            "change_from_previous_cycle": {g: self.change_of_last(g) for g in GROUPS},
            "inelastic_shear_range": last.inelastic_shear_range,
            "life": self.life,
            "per_cycle": [{"cycle": c.cycle, "energy_density_mpa": c.energy_density_mpa,
                           "inelastic_shear_range": c.inelastic_shear_range} for c in self.cycles],
            "n_dofs": self.n_dofs, "steps_per_cycle": self.steps_per_cycle,
            "newton_iterations_per_step": round(self.newton_per_step, 2),
            "timings_s": {k: round(v, 3) for k, v in self.timings_s.items()}, "memory_mb": round(self.memory_mb, 1),
        }


def cycle_schedule(spec: CycleSpec, stress_free_c: float) -> Schedule:
    """The model's cycling after assembly (°C against s)."""
    return thermal_cycles(stress_free_c, spec.min_c, spec.max_c, spec.ramp_min, spec.dwell_min, spec.cycles)


def _solder_law(materials: list[Material], labels: np.ndarray) -> tuple[np.ndarray, Material]:
    """Which region labels creep, and their one solder material."""
    creeping = [i for i, m in enumerate(materials) if m.anand is not None]
    if not creeping:
        raise ValueError("no material in the bump's submodel has Anand constants: give the bump material "
                         "[materials.NAME] anand = \"sac305\" (or the nine constants)")
    laws = {materials[i].name for i in creeping}
    if len(laws) > 1:
        raise ValueError(f"the bump's submodel holds several creeping solders ({', '.join(sorted(laws))}); "
                         "one solder per submodel is supported")
    return np.isin(labels, creeping), materials[creeping[0]]


def driven_by(global_at: GlobalAt, reach_mm: float) -> Callable[[float, np.ndarray], np.ndarray]:
    """Displacements (M, 3) in mm at points (M, 3) and a temperature, from ``global_at``; each
    global state is probed at the points once."""
    probed: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def at(temperature_c: float, points: np.ndarray) -> np.ndarray:
        total = np.zeros((len(points), 3))
        for sol, weight in global_at(temperature_c):
            hit = probed.get(id(sol))
            if hit is None or hit[0] is not points:
                hit = probed[id(sol)] = (points, displacement_at(sol, points, reach_mm))
            total += weight * hit[1]
        return total

    return at


def cycle_bump(model: Model, global_at: GlobalAt, x_mm: float, y_mm: float, *,
               size_mm: float | None = None, progress: Callable[[int, int], None] | None = None) -> CycleRun:
    """Cycle the bump at (x, y) mm of ``model`` through its ``[cycle]`` (its submodel meshed as
    :func:`~.run.solve_submodel` meshes it), driven by the global model at each temperature."""
    layout, site, shape, h = site_at(model, x_mm, y_mm, size_mm=size_mm)
    part, solder = layout.parts[site.bump_part], layout.part_material(site.bump_part)
    height = bump_height_mm(site)
    # the correlation holds for ΔW averaged over the layer thickness its constants were fitted with
    fraction = LAYER_FRACTION if solder.life is None else min(solder.life.layer_mm / height, MAX_LAYER_FRACTION)
    region = build_region_mesh(layout, site, shape, h, None, fraction)
    cx, cy = site.centre_xy_mm
    r = float(np.hypot(cx, cy))
    direction = (cx / r, cy / r) if r > 0 else (1.0, 0.0)
    run = cycle_region(layout, region, site.region_mm, driven_by(global_at, reach_mm(shape)), model.cycle,
                       direction, progress)
    life = ({"note": f"material '{solder.name}' has no life correlation: give [materials.{solder.name}] life"}
            if solder.life is None else
            creep_life(run.cycles[-1].energy_density_mpa, solder.life, pad_mm(site, shape), fraction * height))
    return replace(run, where={"part": part.name, "copy_id": site.bump_copy, "x_mm": float(cx), "y_mm": float(cy),
                               "size_mm": h, "layer_mm": fraction * height,
                               "shear_direction": "radial, from the package centre to the bump"}, life=life)


def pad_mm(site: Site, shape: BumpShape) -> float:
    """The width (mm) of the bump's pad a crack crosses: a round bump's pad diameter, a box bump's
    side (the carved bump's own, not its part's block)."""
    box = site.bump_box_mm
    if shape.kind != "box" and shape.pad_diameter_mm:
        return shape.pad_diameter_mm
    return min(box[1] - box[0], box[3] - box[2])


def cycle_region(layout: Layout, region: RegionMesh, box: Box,
                 drive: Callable[[float, np.ndarray], np.ndarray],
                 spec: CycleSpec, direction_xy: tuple[float, float],
                 progress: Callable[[int, int], None] | None = None) -> CycleRun:
    """Cycle the submodel ``region`` (in ``box``) of ``layout``'s model through ``spec``, its cut
    faces driven by ``drive(T, points)`` (displacements (M, 3) in mm of the global model
    at T °C); the loop's shear is along ``direction_xy`` (a unit vector in the package plane)."""
    t0 = time.perf_counter()
    stress_free = layout.model.load.stress_free_c
    basis = Basis(region.mesh, ElementVector(ElementTetP2()), intorder=INTORDER)
    materials = [layout.part_material(p) for p in region.label_part]
    solder_mask, solder = _solder_law(materials, region.label)
    fixed = basis.get_dofs(cut_facets(layout, region, box)).all()
    comp = _components(basis)[fixed]
    points = basis.doflocs[:, fixed].T

    def elastic_at(t_c: float) -> Elastic:
        at = [m.at(stress_free, t_c) for m in materials]
        constants = np.array([m.constants_mpa for m in at])[region.label]
        strains = np.array([m.thermal_strains(stress_free, t_c) for m in materials])[region.label]
        return Elastic(constants, strains)

    def solder_at(t_c: float) -> Solder:
        m = solder.at(stress_free, t_c)
        lam, mu = m.lame_mpa
        return Solder(mu, lam + 2.0 * mu / 3.0, solder.thermal_strain(stress_free, t_c))

    sched = cycle_schedule(spec, stress_free)
    problem = CreepProblem(basis, solder_mask, solder.anand, elastic_at, solder_at, fixed,
                           lambda t: drive(sched.temperature_at(t), points)[np.arange(len(fixed)), comp])
    stepper = CreepStepper(problem)
    t1 = time.perf_counter()

    times = time_points(sched, spec.time_refine, DWELL_DECADES)[1:]
    ends = np.array([t for t, e in zip(sched.times_s, sched.events) if e.split()[0] == "cycle" and len(e.split()) == 2])
    # cycle k holds the steps ending in (end of cycle k - 1, end of cycle k]; 0 is the cool-down
    cycle_of = np.where(times <= sched.times_s[1] * (1 + 1e-12), 0,
                        np.searchsorted(ends * (1 + 1e-12), times) + 1)
    position = np.full(len(region.label), -1)
    position[np.flatnonzero(solder_mask)] = np.arange(int(solder_mask.sum()))
    groups = {g: position[region.elements_of(*pieces)] for g, pieces in GROUPS.items()}
    dx = stepper.solder.dx
    volume = {g: float(dx[idx].sum()) for g, idx in groups.items()}
    bump = groups["bump"]
    c, s = direction_xy

    def radial(xz: np.ndarray, yz: np.ndarray) -> float:
        """Volume average over the bump of a shear (E, Q) pair taken along the radial direction."""
        return float(np.sum((c * xz[bump] + s * yz[bump]) * dx[bump]) / volume["bump"])

    state = stepper.initial(0.0, stress_free)
    loop = {k: np.zeros(len(times)) for k in ("time_s", "temperature_c", "shear_stress_mpa", "shear_strain",
                                              "inelastic_shear_strain")}
    energy = np.zeros((spec.cycles + 1, len(GROUPS)))
    newton = 0
    for n, t in enumerate(times):
        temp = sched.temperature_at(t)
        step = stepper.advance(state, float(t), sched.temperature_at)
        state = step.state
        newton += step.iterations
        weighted = step.work_mpa * dx
        energy[cycle_of[n]] += [weighted[idx].sum() / volume[g] for g, idx in groups.items()]
        strain = stepper.solder.strain(state.u_mm)                      # engineering shears
        plastic = state.points.plastic_strain.reshape(dx.shape + (3, 3))
        loop["time_s"][n], loop["temperature_c"][n] = t, temp
        loop["shear_stress_mpa"][n] = radial(step.stress_mpa[..., 0, 2], step.stress_mpa[..., 1, 2])
        loop["shear_strain"][n] = radial(strain[..., 4], strain[..., 5])
        loop["inelastic_shear_strain"][n] = 2.0 * radial(plastic[..., 0, 2], plastic[..., 1, 2])
        if progress is not None:
            progress(n + 1, len(times))
    t2 = time.perf_counter()
    loop["cycle"] = cycle_of
    records = [CycleRecord(k, dict(zip(GROUPS, map(float, energy[k]))),
                           float(np.ptp(loop["inelastic_shear_strain"][cycle_of == k])))
               for k in range(1, spec.cycles + 1)]
    return CycleRun(records, loop, int(basis.N), int(solder_mask.sum()), int(np.sum(cycle_of == spec.cycles)),
                    newton / len(times), {"set_up": t1 - t0, "cycles": t2 - t1}, peak_memory_mb())
