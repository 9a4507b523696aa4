"""Refinement to a target: solve, refine the corners that hold the error, until the estimated error
of the warpage is under the target or the next mesh would exceed the budget.

Step 0 solves on the graded mesh of the model's ``[mesh]`` keys. Step 1 refines every singular
corner once (the mesh of step 0 is contained in it), solves the thermal load and the dual loads
of warpage and coplanarity, and splits each quantity's change by corner (:mod:`.estimate`). Later
steps refine only the corners holding most of the estimated error (those whose remainders add up
to ``MARKED_SHARE`` of the total, largest first) and measure their convergence ratio. The result
is the last step's solution, with the warpage and coplanarity error bars of :mod:`.estimate`.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..fem import Solution, StiffnessSystem, solve_thermal, solve_thermal_with
from ..fem.assemble import thermal_load
from ..fem.parallel import beside
from ..fem.system import choose_solver
from ..geometry import Layout
from ..memory import available_memory_mb, solve_peak_mb
from ..meshing import Features, Grading, features, graded_mesh, mesh_dofs, mesh_on_axes, refine_groups
from ..meshing.grading import graded_axes
from ..post.probe import interpolation
from ..post.warpage import coplanarity_load, coplanarity_um, warpage_load, warpage_um
from .estimate import CornerErrors, decompose

#: share of the total estimated error whose corners a later step refines
MARKED_SHARE = 0.7

#: a group not yet settled is refined again (with those holding most of the error) while its last
#: change was above this share of the target
NEGLIGIBLE = 0.05

#: the dual solutions weigh the residual: two digits are all the split by corner needs. A relative
#: residual says less of them the faster the multigrid gets there: since its coarse levels take a
#: graded mesh's short intervals first, 5e-2 left the copper-plate FCBGA's bar 4.8 % under the one
#: of duals solved to 1e-8 (1.9 % with the former levels) and the split of a ring-and-plate test
#: package 2 % off its change (0.2 %); 2e-2 leaves 1.0 % and 0.09 %, for 6 more iterations
#: (1.1 s) on the copper plate's two duals
DUAL_RTOL = 2e-2

METHOD = ("dual-weighted residual between nested graded meshes, split by singular corner and "
          "extrapolated per corner (2 changes or more while its elements exceed half its scale, "
          "then geometric convergence, ratio measured or 0.6)")


@dataclass(frozen=True)
class Step:
    """One solve of the refinement: its mesh size, values (µm), estimated error bars (µm, None
    before the first refinement), the corners it refined, its time (s), and the peak memory (MB)
    its solve was estimated to reach before it was meshed (None for the first, which the size
    guard estimated)."""

    dofs: int
    warpage_um: float
    coplanarity_um: float
    warpage_error_um: float | None
    coplanarity_error_um: float | None
    refined: int
    time_s: float
    peak_estimate_mb: float | None = None


@dataclass(frozen=True)
class CornerStep:
    """One refinement of one corner group: the step, the group, the smallest element sizes (mm;
    in the plane, through the thickness) at its corners before it, their ratio to the group's
    scale (its thinnest part), and the change of the warpage it made (µm)."""

    step: int
    group: int
    plane_mm: float
    through_mm: float
    per_scale: float
    change_um: float


@dataclass
class Refinement:
    """The refined solution, the steps that led to it, and why the refinement stopped."""

    solution: Solution
    grading: Grading
    features: Features
    previous: Solution | None = None   # the step before the last, on the mesh it refined
    steps: list[Step] = field(default_factory=list)
    stop: str = ""
    target: float = 0.0
    warpage: CornerErrors = field(default_factory=CornerErrors)
    coplanarity: CornerErrors = field(default_factory=CornerErrors)
    timings_s: dict[str, float] = field(default_factory=dict)   # mesh, assemble, solve, estimate
    corner_steps: list[CornerStep] = field(default_factory=list)
    solver_um: list[float] = field(default_factory=lambda: [0.0, 0.0])   # the last step's, per quantity

    @property
    def estimated(self) -> bool:
        return len(self.steps) > 1

    def error(self) -> dict:
        """The summary's ``error`` block (µm)."""
        last = self.steps[-1]
        if not self.estimated:
            return {"estimated": False, "why": self.stop}
        return {
            "estimated": True,
            "warpage_um": last.warpage_error_um,
            "coplanarity_um": last.coplanarity_error_um,
            "warpage_relative": last.warpage_error_um / max(abs(last.warpage_um), 1e-12),
            "warpage_predicted_um": 1e3 * self.warpage.predicted(),
            "warpage_solver_um": self.solver_um[0],
            "coplanarity_solver_um": self.solver_um[1],
            "method": METHOD,
            "target": self.target,
            "reached": self.stop == "target",
            "stop": self.stop,
            "steps": [vars(s) for s in self.steps],
        }


def solver_errors_um(system: StiffnessSystem, sol: Solution, duals_mm: list[np.ndarray]) -> list[float]:
    """What the iterative solver's stopping short adds to each quantity J read by a dual (µm):
    J(u_h) - J(u) = z · (f - K u) for the mesh's exact solution u_h, with z the dual solution
    (K z = j). The duals are solved to two digits, so is this; zero for a factorisation."""
    r = system.residual(thermal_load(sol.mesh, sol.classes), sol.u_mm)
    return [0.0 if r is None else 1e3 * float(z.ravel() @ r) for z in duals_mm]


def _solve_with_duals(system: StiffnessSystem, guess_mm: np.ndarray,
                      dual_guesses: list | None) -> tuple[Solution, list[np.ndarray], float]:
    """The thermal solution on a refined mesh and the duals of its warpage and coplanarity, solved
    side by side from the coarser mesh's solution ``guess_mm`` (N, 3) and duals; and the duals'
    share of the solving time (s), by their share of the iterations.

    The coplanarity's load holds the peak and valley where the solution has them, known only once
    solved: they are taken from the guess, and the dual is solved again, from itself, when the
    solution moves them (a refined mesh's new node beside the old peak: 3-5 iterations, at one
    step of two of the eleven accuracy models)."""
    start = Solution(system.layout, system.mesh, system.classes, system.face, guess_mm)
    loads = [warpage_load(start), coplanarity_load(start)]
    before = system.solve_s
    fine, duals = solve_thermal_with(system, guess_mm, loads, dual_guesses, DUAL_RTOL)
    work = system.last_work
    dual_s = (system.solve_s - before) * sum(work[1:]) / max(sum(work), 1e-300)
    held = coplanarity_load(fine)
    if not np.array_equal(held, loads[1]):
        before = system.solve_s
        duals[1] = system.solve_many([held], [duals[1]], DUAL_RTOL)[0]
        dual_s += system.solve_s - before
    return fine, duals, dual_s


def _marked(errors: CornerErrors) -> list:
    """The corners holding ``MARKED_SHARE`` of the summed remainders, largest first."""
    rem = sorted(errors.remaining().items(), key=lambda kv: -abs(kv[1]))
    total = sum(abs(v) for _, v in rem)
    out, acc = [], 0.0
    for k, v in rem:
        out.append(k)
        acc += abs(v)
        if acc >= MARKED_SHARE * total:
            break
    return out


def _sizes_before(feats: Features, before: Grading, group: int) -> tuple[float, float, float]:
    """The smallest element sizes (mm; in the plane, through the thickness) at a group's corners
    under ``before``, and the larger of them over the group's scale."""
    corners = [feats.corners[i] for i in feats.groups[group]]
    plane, through = (min(s) for s in zip(*(before.corner_sizes_mm(c) for c in corners)))
    return plane, through, max(plane, through) / min(c.scale_mm for c in corners)


def _plan(layout: Layout, feats: Features, grading: Grading, todo: list, max_dofs: int, z_lines: int):
    """The grading and element boundaries that refine the corner groups ``todo`` once, and the peak
    memory (MB) estimated for their solve; or, when that mesh would exceed the budget or the
    memory available, why not."""
    finer = refine_groups(layout, feats, grading, todo)
    axes = graded_axes(layout, feats, finer)
    dofs = mesh_dofs(layout, axes)[1]
    if dofs > max_dofs:
        return f"budget: the next mesh would have {dofs} dofs (max_dofs = {max_dofs})"
    need, room = solve_peak_mb(dofs, choose_solver(dofs, layout.model.solver.method), z_lines, True), \
        available_memory_mb()
    if need > room:
        return (f"memory: the next mesh ({dofs} dofs) would need about {need / 1024:.3g} GB, and "
                f"{room / 1024:.3g} GB are available")
    return finer, axes, need


def refine(layout: Layout, grading: Grading, target: float, max_dofs: int,
           progress: Callable[[Step, str], None] | None = None) -> Refinement:
    """Solve ``layout`` on graded meshes from ``grading`` until the warpage's estimated relative
    error is at most ``target`` (0: one solve, no estimate) or the next mesh would have more
    than ``max_dofs`` dofs; ``progress`` hears of each step and what comes next.

    The first refinement refines every corner group, so its mesh is known before the first solve:
    it is meshed beside that solve's set-up, and the time reported for meshing is the time the
    solve waited for it."""
    feats = features(layout)
    clock = _Clock()
    with clock("mesh"):
        mesh = graded_mesh(layout, feats, grading)
    z_lines = len(mesh.axes[2])   # the first mesh's, as the memory fit counts them
    todo = list(range(len(feats.groups)))
    stop = ""
    if target <= 0:
        stop = "a single solve was asked for (target_error = 0)"
    elif not feats.corners:
        stop = "the model has no material edge to refine (uniform layers)"
    with beside() as submit:
        with clock("mesh"):
            plan = _plan(layout, feats, grading, todo, max_dofs, z_lines) if not stop else None
            ahead = submit(mesh_on_axes, layout, plan[1], plan[0].size_mm) if isinstance(plan, tuple) else None
        with StiffnessSystem(layout, mesh) as system:
            sol = solve_thermal(system)
        clock.add(assemble=system.setup_s, solve=system.solve_s)
        first = Step(mesh.n_dofs, warpage_um(sol), coplanarity_um(sol), None, None, 0, clock.elapsed())
        with clock("mesh"):   # waits for the mesh made beside, if it is not done
            mesh_ahead = None if ahead is None else ahead.result()
    out = Refinement(sol, grading, feats, target=target, timings_s=clock.totals, stop=stop, steps=[first])
    duals: list[np.ndarray] = []
    while not out.stop:
        if progress:
            progress(out.steps[-1], f"refining {len(todo)} corner group(s)")
        start = first.time_s if len(out.steps) == 1 else clock.elapsed()
        with clock("mesh"):
            if plan is None:
                plan = _plan(layout, feats, out.grading, todo, max_dofs, z_lines)
            if isinstance(plan, str):
                out.stop = plan
                break
            (finer, axes, need), plan = plan, None
            mesh = mesh_ahead or mesh_on_axes(layout, axes, finer.size_mm)
            mesh_ahead = None
            embed = interpolation(out.solution.mesh, mesh.nodes)   # the last mesh's functions in this one
        sizes = {g: _sizes_before(feats, out.grading, g) for g in todo}   # before this step's refinement
        with StiffnessSystem(layout, mesh, coarser=(system, embed)) as system:
            fine, duals, dual_s = _solve_with_duals(system, embed @ out.solution.u_mm, [embed @ d for d in duals] or None)
            clock.add(assemble=system.setup_s, solve=system.solve_s - dual_s, estimate=dual_s)
            with clock("estimate"):
                solver_um = solver_errors_um(system, fine, duals)
                per_scale = {g: v[2] for g, v in sizes.items()}
                for errors, split in zip((out.warpage, out.coplanarity), decompose(out.solution, fine, duals, feats, embed)):
                    errors.add(split, todo, per_scale)
        out.corner_steps += [CornerStep(len(out.steps), g, *sizes[g], 1e3 * out.warpage.changes[g][-1]) for g in todo]
        w = warpage_um(fine)
        out.solver_um = solver_um
        bar_w = 1e3 * out.warpage.bar() + abs(solver_um[0])
        out.previous, out.solution, out.grading = out.solution, fine, finer
        out.steps.append(Step(mesh.n_dofs, w, coplanarity_um(fine), bar_w, 1e3 * out.coplanarity.bar() + abs(solver_um[1]),
                              len(todo), clock.elapsed() - start, round(need, 1)))
        if bar_w <= target * abs(w):
            out.stop = "target"
        hidden = [g for g in out.warpage.unsettled() if abs(out.warpage.changes[g][-1]) * 1e3 > NEGLIGIBLE * target * abs(w)]
        todo = sorted(set(_marked(out.warpage)) | set(hidden))
    if progress:
        progress(out.steps[-1], "done")
    return out


class _Clock:
    """Wall time by activity (s), and in all since it was made."""

    def __init__(self):
        self.t0 = time.perf_counter()
        self.totals: dict[str, float] = {}

    def add(self, **seconds: float) -> None:
        for k, v in seconds.items():
            self.totals[k] = self.totals.get(k, 0.0) + v

    @contextlib.contextmanager
    def __call__(self, what: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.add(**{what: time.perf_counter() - t})

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0
