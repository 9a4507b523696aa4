"""The submodel stepped through time with its solder viscoplastic (Anand) and the rest elastic.

A step from t_n to t_{n+1} holds the driven dofs at their new displacement and finds the free
ones by Newton's method on the residual

    r(u) = ∫ σ(u) : ε(v) dV − f_ext(t_{n+1}),

σ elastic (the nine constants and free thermal strains at the step's temperature) outside the
solder and Anand's backward-Euler update (:mod:`warpfem.fem.anand`) in it. Its consistent
tangent converges quadratically, but factorising it costs ten solves: the factorisation is kept
across iterations and steps and renewed only when an iteration cuts the residual by less than
:data:`REFACTOR_RATIO`. A backtracking line search guards load reversals,
and a step that still fails is halved. The solder's history (inelastic strain and resistance per
integration point) moves on only when a step has converged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp
from skfem import Basis

from ..fem.anand import PointState, PointStep, integrate
from ..fem.linear import DirectSolver
from ..model.solder import Anand
from .elements import Elements, elastic_matrix, tensor, voigt

#: a step has converged when the free dofs' residual is below this fraction of the largest nodal
#: force the step's stresses carry, or the Newton update below this fraction of the displacement
RESIDUAL_TOL = 1e-6
UPDATE_TOL = 1e-10
MAX_NEWTON = 25
#: a factorised tangent is kept across iterations and steps (the solder is a small part of the
#: stiffness, so an older tangent still converges, and a solve costs a tenth of a factorisation)
#: until an iteration cuts the residual by less than this factor
REFACTOR_RATIO = 0.5
#: step lengths tried along a Newton update, in turn
LINE_SEARCH = (1.0, 0.5, 0.25, 0.125)
#: times a step may be halved when Newton fails
MAX_CUTS = 6

class NotConverged(RuntimeError):
    """Newton's method did not converge within a step."""


@dataclass(frozen=True)
class Elastic:
    """The elastic parts at a temperature: the nine constants (E, 9) in MPa and the free thermal
    strains (E, 3) of every element outside the solder (rows of solder elements are ignored)."""

    constants_mpa: np.ndarray
    free_strain: np.ndarray


@dataclass(frozen=True)
class Solder:
    """The solder at a temperature: shear and bulk moduli (MPa) and its free thermal strain."""

    shear_mpa: float
    bulk_mpa: float
    free_strain: float


@dataclass(frozen=True)
class CreepProblem:
    """What the time stepper needs: the vector P2 ``basis``, which elements are solder and their
    Anand law, the elastic and solder properties as functions of temperature (°C), the driven
    dofs and their displacement (mm) at a time (s), and optional external nodal forces (N) at a
    time."""

    basis: Basis
    solder: np.ndarray                        # (E,) bool
    law: Anand
    elastic_at: Callable[[float], Elastic]
    solder_at: Callable[[float], Solder]
    fixed_dofs: np.ndarray
    fixed_displacement_mm: Callable[[float], np.ndarray]
    external_force_n: Callable[[float], np.ndarray] | None = None


@dataclass
class CreepState:
    """Where a run stands: the time (s), temperature (°C), displacement (P2 coefficients, mm),
    the solder's history at its integration points (ordered element by element) and the last
    step's mean velocity (mm/s), which predicts the next step's displacement."""

    time_s: float
    temperature_c: float
    u_mm: np.ndarray
    points: PointState
    velocity_mm_per_s: np.ndarray | None = None


@dataclass(frozen=True)
class StepResult:
    """One converged step: the solder's stress (Es, Q, 3, 3) in MPa, its equivalent inelastic
    strain increment and inelastic work density increment (Es, Q) (MPa = mJ/mm³), and how many
    Newton iterations it took."""

    state: CreepState
    stress_mpa: np.ndarray
    strain_increment: np.ndarray
    work_mpa: np.ndarray
    iterations: int
    residuals: list[float] = field(default_factory=list)


def solder_tangent(step: PointStep, shear_mpa: float, bulk_mpa: float) -> np.ndarray:
    """Anand's consistent tangent (P, 6, 6) on engineering-shear strains:
    K 1⊗1 + 2Gθ I_dev + γ n̂⊗n̂."""
    P = len(step.theta)
    one = np.r_[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    dev = np.diag([2.0 / 3.0] * 3 + [0.5] * 3)
    dev[:3, :3] -= (1.0 - np.eye(3)) / 3.0
    n = voigt(step.normal)
    D = np.broadcast_to(bulk_mpa * np.outer(one, one), (P, 6, 6)).copy()
    D += 2.0 * shear_mpa * step.theta[:, None, None] * dev
    D += step.gamma_mpa[:, None, None] * n[:, :, None] * n[:, None, :]
    return D


class CreepStepper:
    """Steps a :class:`CreepProblem` through time; keeps the elements' matrices and the elastic
    stiffness of the last temperature between steps."""

    def __init__(self, problem: CreepProblem):
        self.problem = problem
        self.solder = Elements(problem.basis, np.flatnonzero(problem.solder))
        rest = np.flatnonzero(~problem.solder)
        self.elastic = Elements(problem.basis, rest) if len(rest) else None
        self.free = np.setdiff1d(np.arange(problem.basis.N), problem.fixed_dofs)
        self._cache: tuple[np.ndarray, sp.csr_matrix] | None = None
        self._solver: DirectSolver | None = None

    def _drop_solver(self) -> None:
        if self._solver is not None:
            self._solver.close()
            self._solver = None

    def close(self) -> None:
        """Free the kept factorisation."""
        self._drop_solver()

    def initial(self, time_s: float, temperature_c: float, u_mm: np.ndarray | None = None) -> CreepState:
        """The state at ``time_s`` (s), ``temperature_c`` (°C): solder at its initial resistance, no
        inelastic strain, displacement ``u_mm`` (default zero)."""
        u = np.zeros(self.problem.basis.N) if u_mm is None else np.asarray(u_mm, dtype=float).copy()
        return CreepState(time_s, temperature_c, u, PointState.initial(self.problem.law, self.solder.dx.size))

    def _elastic_at(self, temperature_c: float) -> tuple[sp.csr_matrix, np.ndarray]:
        """The elastic elements' stiffness (assembled again only when their constants change) and
        their thermal force ∫ (−C α ΔT) : ε(v) dV at ``temperature_c`` (°C)."""
        n = self.problem.basis.N
        if self.elastic is None:
            return sp.csr_matrix((n, n)), np.zeros(n)
        el = self.problem.elastic_at(temperature_c)
        c = el.constants_mpa[self.elastic.elements]
        if self._cache is None or not np.array_equal(self._cache[0], c):
            self._cache = (c, self.elastic.stiffness(elastic_matrix(c)[:, None]))
        D = elastic_matrix(c)
        a = np.zeros((len(c), 6))
        a[:, :3] = el.free_strain[self.elastic.elements]
        sigma0 = -np.einsum("eab,eb->ea", D, a)[:, None, :]
        return self._cache[1], self.elastic.force(np.broadcast_to(sigma0, self.elastic.dx.shape + (6,)))

    def step(self, state: CreepState, time_s: float, temperature_c: float) -> StepResult:
        """Solve the step from ``state`` to ``time_s`` (s) at ``temperature_c`` (°C) by Newton's
        method with a backtracking line search; :class:`NotConverged` if it fails."""
        p = self.problem
        dt = time_s - state.time_s
        K_el, thermal_el = self._elastic_at(temperature_c)
        sol = p.solder_at(temperature_c)
        f_ext = p.external_force_n(time_s) if p.external_force_n is not None else np.zeros(p.basis.N)
        shape = self.solder.dx.shape

        def residual(u: np.ndarray) -> tuple[np.ndarray, float, float, PointStep]:
            ev = self.solder.strain(u)
            ev[..., 3:] *= 0.5                                             # engineering shears to tensor ones
            pt = integrate(p.law, tensor(ev).reshape(-1, 3, 3), sol.free_strain, state.points, sol.shear_mpa,
                           sol.bulk_mpa, dt, temperature_c)
            f_sol = self.solder.force(voigt(pt.stress_mpa).reshape(shape + (6,)))
            f_el = K_el @ u
            r = (f_el + thermal_el + f_sol - f_ext)[self.free]
            scale = max(np.abs(f_sol).max(), np.abs(f_el).max(), np.abs(f_ext).max(), 1e-300)
            return r, float(np.abs(r).max()), float(scale), pt

        # the last step's velocity predicts the free dofs: Newton then starts near the answer
        # instead of with all of the driven dofs' jump taken up by the elements along them
        u = state.u_mm + (state.velocity_mm_per_s * dt if state.velocity_mm_per_s is not None else 0.0)
        u[p.fixed_dofs] = p.fixed_displacement_mm(time_s)
        # converged when the largest unbalanced force is RESIDUAL_TOL of the largest force; steps are
        # judged by the unbalanced force itself, since the forces it is relative to change with them
        r, res, scale, pt = residual(u)
        history = [res / scale]
        for it in range(1, MAX_NEWTON + 2):
            if res <= RESIDUAL_TOL * scale:
                break
            if it > MAX_NEWTON:
                self._drop_solver()
                raise NotConverged(f"Newton's method did not converge in {MAX_NEWTON} iterations at t = {time_s:g} s, "
                                   f"T = {temperature_c:g} C (residual {history[-1]:.2e})")
            if self._solver is None:
                K_t = K_el + self.solder.stiffness(solder_tangent(pt, sol.shear_mpa, sol.bulk_mpa).reshape(shape + (6, 6)))
                self._solver = DirectSolver(sp.triu(K_t[self.free][:, self.free], format="csr"))
            du = self._solver.solve(-r)
            # a full step that raises the residual is cut back (a load reversal can overshoot)
            for alpha in LINE_SEARCH:
                trial = u.copy()
                trial[self.free] += alpha * du
                r_t, res_t, scale_t, pt_t = residual(trial)
                if res_t < res or alpha == LINE_SEARCH[-1]:
                    break
            if res_t > REFACTOR_RATIO * res:
                self._drop_solver()        # the kept tangent has gone stale: the next iteration takes the current one
            u, r, res, scale, pt = trial, r_t, res_t, scale_t, pt_t
            history.append(res / scale)
            # a round-off floor can keep the residual above its tolerance
            if alpha * np.abs(du).max() <= UPDATE_TOL * max(np.abs(u).max(), 1e-300):
                break
        velocity = (u - state.u_mm) / dt if dt > 0 else None
        return StepResult(CreepState(time_s, temperature_c, u, pt.state, velocity), pt.stress_mpa.reshape(shape + (3, 3)),
                          pt.strain_increment.reshape(shape), pt.work_mpa.reshape(shape), len(history) - 1, history)

    def advance(self, state: CreepState, time_s: float, temperature_at: Callable[[float], float]) -> StepResult:
        """Step from ``state`` to ``time_s`` (s), the temperature (°C) at any time given by
        ``temperature_at``; a step Newton cannot converge is cut in halves (at most
        ``MAX_CUTS`` times), the halves' work and inelastic strain summed."""
        return self._advance(state, time_s, temperature_at, 0)

    def _advance(self, state, time_s, temperature_at, depth) -> StepResult:
        try:
            return self.step(state, time_s, temperature_at(time_s))
        except NotConverged:
            if depth >= MAX_CUTS:
                raise
        mid = 0.5 * (state.time_s + time_s)
        first = self._advance(state, mid, temperature_at, depth + 1)
        second = self._advance(first.state, time_s, temperature_at, depth + 1)
        return StepResult(second.state, second.stress_mpa, first.strain_increment + second.strain_increment,
                          first.work_mpa + second.work_mpa, first.iterations + second.iterations,
                          first.residuals + second.residuals)
