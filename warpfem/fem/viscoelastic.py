"""The process solved in time: parts bonded step by step, polymers relaxing, compounds shrinking.

Each part strains from its birth (:mod:`.history`): ε = B (u - u_birth) - θ, where θ is its free
strain since bonding (thermal, from its bonding temperature, plus cure shrinkage). An elastic
part's stress is D(T) ε. A viscoelastic part's is

    σ_n = D∞ ε_n + Σ_i h_i,n,   h_i,n = a_i h_i,n-1 + γ_i D_i (ε_n - ε_n-1),

a_i = exp(-Δξ/τ_i), γ_i = (1 - a_i) τ_i / Δξ over the step's reduced time Δξ: the recursive
update, exact when the strain is linear in reduced time within a step. Temperature is uniform,
so a_i and γ_i are one number per term for the whole part and h_i = D_i (B H_i - ϑ_i I) with a
nodal field H_i and a scalar ϑ_i that follow the same recursion on the displacement and on θ.
A time step is then one linear solve with the part's moduli D∞ + Σ γ_i D_i, and the history
enters as forces. The stress reads back as D∞ ε plus the terms' part (``history_stress_mpa``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from ..geometry import Layout
from ..meshing import Mesh
from ..model import Material
from ..model.elasticity import isotropic_constants
from ..model.schedule import Schedule
from .assemble import element_classes, element_forces, mean_strain, thermal_load
from .history import SOFT, Sequence
from .system import StiffnessSystem
from .thermoelastic import Birth, Solution

#: temperature change per time step along a ramp, K
RAMP_STEP_K = 5.0
#: time steps per decade of a hold, from HOLD_DECADES decades below its length
HOLD_PER_DECADE = 4
HOLD_DECADES = 6
#: a step's stiffness is solved with the preconditioner of an earlier step's while no brick's
#: moduli differ from that one's by more than this factor, and it took at most REBUILD_AFTER
#: iterations last time
NEAR = 2.0
REBUILD_AFTER = 30


def time_points(sched: Schedule, refine: int = 1, hold_decades: int = HOLD_DECADES) -> np.ndarray:
    """The solve times (s): every knot, ramps cut every ``RAMP_STEP_K / refine`` kelvin, holds in
    ``HOLD_PER_DECADE * refine`` steps per decade of time over the ``hold_decades`` decades below
    their length (relaxation spans decades)."""
    out = [0.0]
    for (t0, t1), (c0, c1) in zip(zip(sched.times_s, sched.times_s[1:]), zip(sched.temperatures_c, sched.temperatures_c[1:])):
        if c0 != c1:
            n = max(1, int(np.ceil(abs(c1 - c0) * refine / RAMP_STEP_K)))
            out += list(np.linspace(t0, t1, n + 1)[1:])
        elif t1 > t0:
            k = HOLD_PER_DECADE * refine
            out += list(t0 + (t1 - t0) * 10.0 ** (-np.arange(hold_decades * k, -1, -1) / k))
    return np.array(out)


def _constants(K_mpa: float, G_mpa: float) -> np.ndarray:
    """The nine constants (9,) of an isotropic material of bulk and shear moduli K, G in MPa."""
    return isotropic_constants(K_mpa - 2.0 * G_mpa / 3.0, G_mpa)


def _bulk_shear(law: Material) -> tuple[float, float]:
    lam, mu = law.lame_mpa
    return lam + 2.0 * mu / 3.0, mu


@dataclass
class _Relaxing:
    """A viscoelastic part's history: per term its nodal field H (N, 3) and, for bulk terms, ϑ;
    and the terms' decay over the step being solved."""

    law: Material
    shear: list[np.ndarray]
    bulk: list[np.ndarray]
    theta_bulk: np.ndarray
    theta: float = 0.0
    decay: tuple = ()

    @staticmethod
    def new(law: Material, n_nodes: int) -> "_Relaxing":
        p = law.viscoelastic
        return _Relaxing(law, [np.zeros((n_nodes, 3)) for _ in p.shear], [np.zeros((n_nodes, 3)) for _ in p.bulk],
                         np.zeros(len(p.bulk)))

    def step(self, dxi: float, theta: float, u: np.ndarray) -> tuple:
        """Over a step of reduced time ``dxi`` (s) to the free strain ``theta``, from the
        displacement ``u`` (N, 3): the step's moduli (nine constants in MPa), the rubbery ones, the
        free strain whose thermal load the step's moduli carry, and the fields the part's unit
        deviatoric and volumetric stiffness act on to carry the terms' history."""
        p = self.law.viscoelastic
        K0, G0 = _bulk_shear(self.law)
        a_s, g_s = _decay(dxi, [tau for _, tau in p.shear])
        a_b, g_b = _decay(dxi, [tau for _, tau in p.bulk])
        w_s = np.array([g for g, _ in p.shear]) * G0
        w_b = np.array([k for k, _ in p.bulk]) * K0
        K_inf, G_inf = K0 * p.bulk_rubbery, G0 * p.shear_rubbery
        K_eff, G_eff = K_inf + w_b @ g_b, G_inf + w_s @ g_s
        theta_bulk = a_b * self.theta_bulk + g_b * (theta - self.theta)
        self.decay = (a_s, g_s, a_b, g_b, theta_bulk, theta)
        carried = (sum((w * (g * u - a * H) for w, a, g, H in zip(w_s, a_s, g_s, self.shear)), np.zeros_like(u)),
                   sum((w * (g * u - a * H) for w, a, g, H in zip(w_b, a_b, g_b, self.bulk)), np.zeros_like(u)))
        return _constants(K_eff, G_eff), _constants(K_inf, G_inf), (K_inf * theta + w_b @ theta_bulk) / K_eff, carried

    def advance(self, du: np.ndarray) -> None:
        """Close the step: the terms' fields after the displacement increment ``du`` (N, 3)."""
        a_s, g_s, a_b, g_b, theta_bulk, theta = self.decay
        self.shear = [a * H + g * du for a, g, H in zip(a_s, g_s, self.shear)]
        self.bulk = [a * H + g * du for a, g, H in zip(a_b, g_b, self.bulk)]
        self.theta_bulk, self.theta = theta_bulk, theta

    def stress_mpa(self, classes, mesh: Mesh, which: np.ndarray) -> np.ndarray:
        """The element-averaged stress (n, 3, 3) the terms carry in the elements ``which``."""
        p = self.law.viscoelastic
        K0, G0 = _bulk_shear(self.law)
        out = np.zeros((len(which), 3, 3))
        if self.shear:
            e = mean_strain(classes, sum(g * G0 * H for (g, _), H in zip(p.shear, self.shear))[mesh.elements[which]], which)
            out += 2.0 * (e - np.trace(e, axis1=1, axis2=2)[:, None, None] * np.eye(3) / 3.0)
        if self.bulk:
            e = mean_strain(classes, sum(k * K0 * H for (k, _), H in zip(p.bulk, self.bulk))[mesh.elements[which]], which)
            theta = sum(k * K0 * th for (k, _), th in zip(p.bulk, self.theta_bulk))
            out += (np.trace(e, axis1=1, axis2=2) - 3.0 * theta)[:, None, None] * np.eye(3)
        return out


@dataclass(frozen=True)
class Read:
    """The state at one read time: the time (s), temperature (°C) and solution."""

    time_s: float
    temperature_c: float
    solution: Solution
    timings_s: dict = field(default_factory=dict)


def run(layout: Layout, mesh: Mesh, seq: Sequence, laws: dict[str, Material], sched: Schedule,
        read_s: list[float] | None = None, refine: int = 1) -> list[Read]:
    """Solve the process ``sched`` step by step; the states at ``read_s`` (s; default the end),
    each read at the first solve time at or after it. ``laws`` gives each material's thermal
    strain, moduli against temperature, relaxation and shrinkage."""
    parts = layout.parts
    n_parts = len(parts)
    law = [laws[p.material] for p in parts]
    ve = [m.viscoelastic for m in law]
    bond_t = np.array([sched.temperatures_c[0] if k == 0 else seq.temperatures_c[k] for k in seq.part_step])
    bond_s = np.array([sched.bond_s[k] for k in seq.part_step])
    elements_of = [np.flatnonzero(mesh.part == i) for i in range(n_parts)]
    wanted = sorted(read_s if read_s is not None else [sched.end_s])
    times = np.union1d(time_points(sched, refine), [t for t in wanted if 0.0 < t < sched.end_s])
    reads: list[Read] = []
    u = np.zeros((mesh.n_nodes, 3))
    shapes: dict[int, np.ndarray] = {}
    born = np.zeros(n_parts, dtype=bool)
    history: dict[int, _Relaxing] = {}
    clock = {"assemble": 0.0, "solve": 0.0, "history": 0.0, "time_steps": 0, "systems": 0}
    t_start = time.perf_counter()
    system, stale = None, False
    # a relaxing part's history acts through its unit deviatoric (D = 2 dev) and volumetric (D = I ⊗ I) stiffness
    units = [element_classes(layout, mesh, np.zeros(n_parts), None, np.tile(isotropic_constants(*unit), (n_parts, 1)))
             for unit in ((-2.0 / 3.0, 1.0), (1.0, 0.0))] if any(ve) else []
    for n in range(1, len(times)):
        t0, t1 = times[n - 1], times[n]
        T0, T1 = sched.temperature_at(t0), sched.temperature_at(t1)
        for i in np.flatnonzero(~born & (bond_s <= t0 + 1e-9)):
            born[i] = True
            shapes.setdefault(int(seq.part_step[i]), u.copy())
            if ve[i] is not None:
                history[i] = _Relaxing.new(law[i], mesh.n_nodes)
        moduli = np.zeros((n_parts, 9))
        moduli_rubbery = np.zeros((n_parts, 9))
        strain = np.zeros((n_parts, 3))       # the free strain whose thermal load the step's moduli carry
        theta = np.zeros((n_parts, 3))
        carried: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for i in range(n_parts):
            if not born[i]:
                moduli[i] = moduli_rubbery[i] = (law[i] if ve[i] else law[i].at(bond_t[i], T1)).constants_mpa * SOFT
                continue
            theta[i] = law[i].thermal_strains(bond_t[i], T1) + (law[i].cure.linear_strain(t1 - bond_s[i]) if law[i].cure else 0.0)
            if ve[i] is None:
                moduli[i] = moduli_rubbery[i] = law[i].at(bond_t[i], T1).constants_mpa
                strain[i] = theta[i]
            else:   # a relaxing material is isotropic: its free strain is the same along every axis
                moduli[i], moduli_rubbery[i], strain[i], carried[i] = history[i].step(
                    ve[i].shift.reduced_time_s(t1 - t0, T0, T1), theta[i, 0], u)
        classes = element_classes(layout, mesh, strain, None, moduli)
        rubbery = element_classes(layout, mesh, theta, None, moduli_rubbery)
        forces = _forces(mesh, seq, classes, rubbery, units, born, shapes, carried, elements_of)
        system, stale, u_new = _solve_step(layout, mesh, system, stale, classes, forces, u, clock)
        th = time.perf_counter()
        for i in carried:
            history[i].advance(u_new - u)
        clock["history"] += time.perf_counter() - th
        clock["time_steps"] += 1
        u = u_new
        while wanted and wanted[0] <= t1 + 1e-9:
            wanted.pop(0)
            sol = _solution(layout, mesh, seq, rubbery, system, u, born, shapes, history, elements_of)
            reads.append(Read(t1, T1, sol, {**clock, "total": time.perf_counter() - t_start}))
    if system is not None:
        system.close()
    return reads


def _ratio(a, b) -> float:
    """The largest factor between two sets of moduli, brick by brick (normal and shear stiffnesses)."""
    out = 1.0
    for c in (0, 1, 2, 6, 7, 8):
        r = a.constants_mpa[a.of_element, c] / b.constants_mpa[b.of_element, c]
        out = max(out, float(r.max()), float(1.0 / r.min()))
    return out


def _decay(dxi: float, taus: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """a_i = exp(-Δξ/τ_i) and γ_i = (1 - a_i) τ_i / Δξ (→ 1 as Δξ → 0) of each term."""
    x = dxi / np.array(taus, dtype=float)
    a = np.exp(-x)
    g = np.where(x > 1e-8, -np.expm1(-x) / np.where(x > 1e-8, x, 1.0), 1.0 - 0.5 * x)
    return a, g


def _solve_step(layout, mesh, system, stale: bool, classes, forces, u, clock: dict):
    """The step's displacement: by conjugate gradients preconditioned with ``system`` while its
    moduli are near the step's and its last solve was quick, else on a system built for the step.
    Returns the system kept, whether it has gone stale, and the displacement (N, 3)."""
    if system is not None and not stale and _ratio(classes, system.classes) <= NEAR:
        ts = time.perf_counter()
        u_new, iterations = system.solve_near(classes, forces, u)
        clock["solve"] += time.perf_counter() - ts
        return system, iterations > REBUILD_AFTER, u_new
    if system is not None:
        system.close()
    system = StiffnessSystem(layout, mesh, classes)
    clock["assemble"] += system.setup_s
    clock["systems"] += 1
    before = system.solve_s
    u_new = system.solve(forces, u)
    clock["solve"] += system.solve_s - before
    return system, False, u_new


def _forces(mesh, seq, classes, rubbery, units, born, shapes, carried, elements_of) -> np.ndarray:
    """A step's load (3N,) in N: the thermal load of its moduli, each later-bonded part's
    resistance to the shape it was bonded in (rubbery moduli for a relaxing part), and the forces
    with which the relaxing parts' terms carry their history (through the ``units`` classes)."""
    forces = thermal_load(mesh, classes)
    for k, shape in shapes.items():
        if k > 0:
            which = np.flatnonzero(born[mesh.part] & (seq.part_step[mesh.part] == k))
            forces += element_forces(mesh, rubbery, shape, which)
    for i, fields in carried.items():
        for unit, field_ in zip(units, fields):
            if np.any(field_):
                forces += element_forces(mesh, unit, field_, elements_of[i])
    return forces


def _solution(layout, mesh, seq, rubbery, system, u, born, shapes, history, elements_of) -> Solution:
    """The state as a solution: the rubbery moduli of the relaxing parts in its classes, and the
    stress their terms still carry beside it."""
    element_step = np.where(born[mesh.part], seq.part_step[mesh.part], 0)
    n_steps = max(shapes) + 1 if shapes else 1
    birth = Birth(element_step, tuple(shapes.get(k, np.zeros_like(u)) for k in range(n_steps)))
    sol = Solution(layout, mesh, rubbery, system.face, u.copy(), {}, dict(system.info), birth)
    if not history:
        return sol
    extra = np.zeros((mesh.n_elements, 3, 3))
    for i, h in history.items():
        extra[elements_of[i]] = h.stress_mpa(rubbery, mesh, elements_of[i])
    return replace(sol, history_stress_mpa=extra)
