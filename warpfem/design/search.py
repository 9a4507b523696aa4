"""The package that meets the targets: a derivative-free search over family keys and part sizes.

Each discrete variable's choices (materials, switches) split the search into *branches*, one per
combination; in each branch the continuous variables that apply to it (a family key that needs
another switch is left out) are searched by SciPy's COBYQA, a trust-region method that fits
quadratic models to the evaluations and takes the constraints as they are. It needs no
derivatives, so a dimension that moves mesh lines costs nothing extra, and it converges in tens
of evaluations on the few variables a package has.

The variables are scaled to [0, 1] between their bounds. A goal of ``magnitude`` minimises
(J / J₀)², smooth through zero, so the method's models fit it; a constraint J ≤ L (or ≥) is
held as (L − J) / |L| ≥ 0. A design is *feasible* when every constraint holds to
:data:`FEASIBLE_RTOL`, about the discretisation's own noise between neighbouring designs.

Every evaluation is a case of the study store (``OUT/cases/<hash>``): a design already solved,
in this run or an interrupted earlier one, is read back, and the method, given the same numbers,
takes the same path, so rerunning a killed optimisation replays what it had and goes on. The
search's solves are single solves on each design's first graded mesh (``[search]`` may coarsen
it further); the best design is then solved once more on its own mesh, refined to its target,
and reported with its error estimate.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..errors import ModelError
from ..model import load_model
from ..model.families import FamilyParams, family_params
from ..studies.cases import base_raw_model, describe, edit_model, model_key
from ..studies.store import CaseStore
from ..studies.worker import solve_case
from .optimise_file import THERMAL, Constraint, OptimiseFile, Variable
from .sensitivity import outputs_of

#: relative margin a constraint may miss by and its design still count as meeting it
FEASIBLE_RTOL = 1e-3

#: the search stops refining a branch's trust region below this fraction of each variable's range
FINAL_RADIUS = 1e-3

#: the search's first trust region, as a fraction of each variable's range
FIRST_RADIUS = 0.25

#: a continuous value is rounded to the decimal at or below this fraction of its range (0.01 µm on
#: a 6 mm range): the written design reads cleanly and an interrupted run finds its designs again
ROUND = 1e-5

#: the loosest relative target a flat best design is refined to (the contract's key is below 1)
MAX_TARGET = 0.9

#: what the base model is called in a sentence refusing it
BASE = "optimisation file, the base model"

#: dotted keys every search solve gets: one solve, no refinement
SEARCH_SOLVE = {"mesh.target_error": 0.0}


@dataclass
class Evaluation:
    """One solved (or refused) design."""

    index: int
    kind: str                          # "reference", "search" or "best"
    branch: int | None
    values: dict[str, Any]             # the variables' values (a reference's edits)
    key: str | None = None             # the case's model hash
    status: str = "solved"             # "solved", "stored" (read back) or "failed"
    outputs: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    margins: dict[str, float] = field(default_factory=dict)  # per constraint, relative; ≥ 0 where it holds
    summary: dict | None = None

    @property
    def feasible(self) -> bool:
        return self.status != "failed" and all(m >= -FEASIBLE_RTOL for m in self.margins.values())


class Exhausted(Exception):
    """The evaluation budget is spent."""


class Evaluator:
    """Solves designs through the case store, at most ``budget`` of them; a design stored before is
    read back. ``run(model) -> summary`` is the solve (here, or on a Dask worker)."""

    def __init__(self, base_raw: dict, store: CaseStore, run: Callable[[dict], dict], budget: int,
                 progress: Callable[[str], None] | None = None, temperatures: list[float] = ()) -> None:
        self.base_raw, self.store, self.run, self.budget = base_raw, store, run, budget
        self.progress, self.temperatures = progress, list(temperatures)
        self.history: list[Evaluation] = []

    @property
    def spent(self) -> int:
        """Solves spent on the search and the references (a design at another temperature is one more)."""
        return sum(1 + len(self.temperatures) for e in self.history if e.kind != "best")

    def model(self, edits: dict[str, Any]) -> dict:
        """The parts-only model of the base with ``edits``."""
        return edit_model(self.base_raw, edits, (), "")[1]

    def __call__(self, edits: dict[str, Any], values: dict[str, Any], kind: str, branch: int | None) -> Evaluation:
        if kind != "best" and self.spent + 1 + len(self.temperatures) > self.budget:
            raise Exhausted
        e = Evaluation(len(self.history), kind, branch, values)
        self.history.append(e)
        try:
            e.key, e.summary, stored = self._solve(edits, f"{kind} {len(self.history)}: {describe_values(values)}")
            e.outputs = design_outputs(e.summary)
            for t in self.temperatures:   # the same design at a constraint's other temperature
                _, summary, again = self._solve({**edits, "load.temperature_c": t},
                                                f"{kind} {len(self.history)} at {t:g} °C")
                e.outputs.update({f"{k} at {t:g} C": v for k, v in design_outputs(summary).items()})
                stored = stored and again
            e.status = "stored" if stored else "solved"
        except Exception as err:  # a design the family refuses, or a failed solve: recorded, the search goes on
            e.status, e.error = "failed", describe(err)
        return e

    def _solve(self, edits: dict[str, Any], what: str) -> tuple[str, dict, bool]:
        """(case key, summary, whether it was stored before) of the base with ``edits``."""
        model = self.model(edits)
        key = model_key(model)
        self.store.save_model(key, model)
        if self.store.finished(key):
            return key, self.store.summary(key), True
        if self.progress:
            self.progress(f"solving {what}")
        summary = self.run(model)
        self.store.save_summary(key, summary)
        return key, summary, False


def design_outputs(summary: dict) -> dict[str, float]:
    """What an objective or a constraint may read from a summary: the sensitivities' outputs and,
    with ``[thermal]``, the junction temperature, θJC / θJB / θJA and the power-on warpage."""
    out = outputs_of(summary)
    heat = summary.get("thermal") or {}
    for key in THERMAL:
        value = (heat.get("power_on") or {}).get("warpage_um") if key == "power_on_warpage_um" else heat.get(key)
        if isinstance(value, (int, float)):
            out[key] = float(value)
    return out


def temperatures(spec: OptimiseFile) -> list[float]:
    """The other load temperatures the constraints read outputs at (°C), each solved per design."""
    return sorted({c.temperature_c for c in spec.constraint if c.temperature_c is not None})


def describe_values(values: dict[str, Any]) -> str:
    """Dotted keys and values, short: ``stiffener_width_mm=5.5, first_heat_sink=True``."""
    return ", ".join(f"{k.rsplit('.', 1)[-1]}={v:.4g}" if isinstance(v, float) else f"{k.rsplit('.', 1)[-1]}={v}"
                     for k, v in values.items())


# --- the problem --------------------------------------------------------------------------------

def applies(variable: Variable, params: FamilyParams | None) -> bool:
    """Whether a continuous variable applies to a branch whose family table is ``params``: a
    family key another switch turns off (``stiffener_height_mm`` under a first heat sink) does not."""
    if not variable.key.startswith("family.") or params is None:
        return True
    return params.unmet(variable.key.removeprefix("family.")) is None


def base_value(variable: Variable, params: FamilyParams | None, branch_parts: dict) -> float | None:
    """The variable's value in the branch's base design (a family default filled in)."""
    from ..studies import keys

    if variable.key.startswith("family.") and params is not None:
        value = getattr(params, variable.key.removeprefix("family."), None)
    else:
        value = keys.lookup(branch_parts, variable.key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass
class Branch:
    """One combination of the discrete choices and the continuous variables that apply to it."""

    index: int
    choices: dict[str, Any]
    variables: list[Variable]
    start: list[float]                  # in each variable's unit

    def values(self, x: np.ndarray) -> dict[str, float]:
        """The variables' values at a scaled point x ∈ [0, 1]ⁿ, rounded to :data:`ROUND` of their range."""
        out = {}
        for v, xi in zip(self.variables, np.clip(x, 0.0, 1.0)):
            low, high = v.bounds
            digits = -math.floor(math.log10(ROUND * (high - low)))  # whole decimals: 0.4, not 0.399996
            out[v.key] = min(max(round(float(low + xi * (high - low)), digits), low), high)
        return out

    def scaled(self, values: list[float]) -> np.ndarray:
        return np.array([(x - v.bounds[0]) / (v.bounds[1] - v.bounds[0]) for v, x in zip(self.variables, values)])


def plan_branches(spec: OptimiseFile, base_raw: dict) -> list[Branch]:
    """Every branch with its variables and start; a key or choice the base model does not take is
    refused here, in one sentence, before anything is solved."""
    out = []
    for i, choices in enumerate(spec.branches):
        where = "" if not choices else " with " + describe_values(choices)
        try:
            raw, parts = edit_model(base_raw, {**spec.set, **choices}, (), "")
        except ModelError as err:
            raise ModelError(f"optimisation file, the base model{where}: {err}") from None
        loaded = load_model(raw)
        params = family_params(loaded) if loaded.model.family else None
        variables = [v for v in spec.variable if v.continuous and applies(v, params)]
        if not variables:
            raise ModelError(f"optimisation file, the base model{where}: no variable with bounds applies to it.")
        for v in variables:  # each key alone first, so a bad one is named
            try:
                edit_model(base_raw, {**spec.set, **choices, v.key: v.bounds[0]}, (), "")
            except ModelError as err:
                raise ModelError(f"optimisation file, variable '{v.key}'{where}: {err}") from None
        start = []
        for v in variables:
            value = v.start if v.start is not None else base_value(v, params, parts)
            low, high = v.bounds
            start.append(value if value is not None and low <= value <= high else 0.5 * (low + high))
        br = Branch(i, choices, variables, start)
        try:  # the keys exist and the bounds' corners are designs the family takes (or says why not)
            edit_model(base_raw, {**spec.set, **choices, **br.values(br.scaled(start))}, (), "")
        except ModelError as err:
            raise ModelError(f"optimisation file, the start design{where}: {err}") from None
        out.append(br)
    return out


def limits(spec: OptimiseFile, references: dict[str, Evaluation]) -> list[float]:
    """Each constraint's limit in its output's unit (a reference's value where it names one)."""
    out = []
    for i, c in enumerate(spec.constraint):
        if isinstance(c.bound, str):
            ref = references[c.bound]
            if ref.status == "failed" or c.column not in ref.outputs:
                why = (ref.error or "the package has no such output").rstrip(".")
                raise ModelError(f"optimisation file, constraint {i + 1}: the reference '{c.bound}' gives no "
                                 f"{c.column}: {why}.")
            value = float(ref.outputs[c.column])
            out.append(abs(value) if c.kind == "within" else value)
        else:
            out.append(float(c.bound))
    return out


def margin(c: Constraint, limit: float, value: float) -> float:
    """How far a value is inside its constraint, relative to the limit (≥ 0 where it holds)."""
    scale = abs(limit) or 1.0
    if c.kind == "within":
        return (limit - abs(value)) / scale
    return (limit - value) / scale if c.kind == "at_most" else (value - limit) / scale


def margins(spec: OptimiseFile, limit_values: list[float], e: Evaluation) -> dict[str, float]:
    """Each constraint's margin at an evaluation (−1 where its output is missing: a failed design)."""
    return {f"constraint {i + 1}": margin(c, L, e.outputs[c.column]) if c.column in e.outputs else -1.0
            for i, (c, L) in enumerate(zip(spec.constraint, limit_values))}


def goal_value(goal: str, value: float) -> float:
    """The number the search makes small: |J| for magnitude, J for minimum, −J for maximum."""
    return abs(value) if goal == "magnitude" else (value if goal == "minimum" else -value)


# --- the search ---------------------------------------------------------------------------------

def search_branch(spec: OptimiseFile, branch: Branch, evaluate: Callable[[dict, dict], Evaluation],
                  limit_values: list[float], budget: int) -> list[Evaluation]:
    """Search one branch with SciPy (at most ``budget`` new evaluations); its evaluations."""
    from scipy.optimize import Bounds, NonlinearConstraint, minimize

    seen: dict[tuple, Evaluation] = {}
    order: list[Evaluation] = []
    scale = [1.0]

    def at(x: np.ndarray) -> Evaluation:
        values = branch.values(np.asarray(x, dtype=float))
        token = tuple(values.values())
        if token not in seen:
            if len(order) >= budget:
                raise Exhausted
            e = evaluate(values, branch.choices)
            e.margins = margins(spec, limit_values, e)
            seen[token] = e
            order.append(e)
            if len(order) == 1 and spec.optimise.objective in e.outputs:
                scale[0] = abs(e.outputs[spec.optimise.objective]) or 1.0
        return seen[token]

    def objective(x: np.ndarray) -> float:
        e = at(x)
        if e.status == "failed" or spec.optimise.objective not in e.outputs:
            good = [objective_of(o) for o in order if o.status != "failed" and spec.optimise.objective in o.outputs]
            return 10.0 * max(good, default=1.0) + 1.0  # worse than anything seen: the method steps away
        return objective_of(e)

    def objective_of(e: Evaluation) -> float:
        j = e.outputs[spec.optimise.objective] / scale[0]
        return j * j if spec.optimise.goal == "magnitude" else goal_value(spec.optimise.goal, j)

    def constraints(x: np.ndarray) -> np.ndarray:
        return np.array(list(at(x).margins.values()))

    x0 = branch.scaled(branch.start)
    n = len(x0)
    cons = [NonlinearConstraint(constraints, 0.0, np.inf)] if spec.constraint else []
    if spec.optimise.method == "COBYQA":
        options = {"maxfev": budget, "initial_tr_radius": FIRST_RADIUS, "final_tr_radius": FINAL_RADIUS}
    else:
        options = {"maxiter": budget, "rhobeg": FIRST_RADIUS, "tol": FINAL_RADIUS}
    try:
        at(x0)  # the branch's start design first: the base the search improves on, and the scale
        minimize(objective, x0, method=spec.optimise.method, bounds=Bounds(np.zeros(n), np.ones(n)),
                 constraints=cons, options=options)
    except Exhausted:
        pass
    return order


def best_of(evaluations: list[Evaluation], objective: str, goal: str) -> Evaluation | None:
    """The feasible design with the best objective; else the one nearest to feasible."""
    solved = [e for e in evaluations if e.status != "failed" and objective in e.outputs]
    feasible = [e for e in solved if e.feasible]
    if feasible:
        return min(feasible, key=lambda e: goal_value(goal, e.outputs[objective]))
    return max(solved, key=lambda e: min(e.margins.values(), default=0.0), default=None)


@dataclass
class Optimum:
    """What the search found and what it rests on."""

    spec: OptimiseFile
    branches: list[Branch]
    history: list[Evaluation]
    limits: list[float]
    best: Evaluation | None             # the best design from the search's solves
    refined: Evaluation | None          # the same design on its own mesh, refined to its target
    edits: dict[str, Any]               # the best design's dotted keys ([set], choices, values)
    timings_s: dict[str, float] = field(default_factory=dict)


def optimise_designs(spec: OptimiseFile, store: CaseStore, *, run: Callable[[dict], dict] | None = None,
                     progress: Callable[[str], None] | None = None) -> Optimum:
    """Solve the references, search every branch, re-solve the best design refined; every solve
    through ``store``. ``run`` solves one model (default: here, with every core)."""
    t0 = time.perf_counter()
    base_raw = base_raw_model(spec.base_model, BASE)
    branches = plan_branches(spec, base_raw)
    run = run or (lambda model: solve_case(model, None))
    evaluator = Evaluator(base_raw, store, run, spec.optimise.max_solves, progress, temperatures(spec))
    search_set = {**spec.set, **spec.search, **SEARCH_SOLVE}

    references = {r.name: evaluator({**search_set, **r.overrides}, dict(r.overrides), "reference", None)
                  for r in spec.reference}
    limit_values = limits(spec, references)
    for left, br in zip(range(len(branches), 0, -1), branches):
        budget = (spec.optimise.max_solves - evaluator.spent) // left
        if budget < 1:
            break
        search_branch(spec, br, lambda values, choices: evaluator({**search_set, **choices, **values},
                                                                   {**choices, **values}, "search", br.index),
                      limit_values, budget)
    t1 = time.perf_counter()
    searched = [e for e in evaluator.history if e.kind == "search"]
    best = best_of(searched, spec.optimise.objective, spec.optimise.goal)
    refined, edits = None, {}
    if best is not None:
        edits = {**spec.set, **best.values, **held_error(spec, evaluator, searched, best)}
        if progress:
            progress("solving the best design on its own mesh, refined to its target")
        refined = evaluator(edits, dict(best.values), "best", best.branch)
        refined.margins = margins(spec, limit_values, refined)
    return Optimum(spec, branches, evaluator.history, limit_values, best, refined, edits,
                   {"search": t1 - t0, "best": time.perf_counter() - t1})


def held_error(spec: OptimiseFile, evaluator: Evaluator, searched: list[Evaluation], best: Evaluation) -> dict:
    """``mesh.target_error`` for the best design when the search drove the warpage toward zero: the
    base design's target as an absolute error (its target × its |warpage|), so a flat design is
    refined as far as the package it improves on and not toward a relative target no mesh meets.
    Empty where the objective is not the warpage's magnitude or the design is not flatter."""
    start = start_design(searched)
    if spec.optimise.objective != "warpage_um" or spec.optimise.goal != "magnitude" or start is None:
        return {}
    w0, w = abs(start.outputs["warpage_um"]), abs(best.outputs["warpage_um"])
    target = evaluator.model({**spec.set, **best.values})["mesh"]["target_error"]
    if target <= 0 or w >= w0:
        return {}
    return {"mesh.target_error": round(min(MAX_TARGET, target * w0 / max(w, 1e-9)), 4)}


def check_grid(optimum: Optimum, levels: int | None = None, spread: float = 0.05) -> dict[str, list[float]]:
    """A grid around the best design in its branch's continuous variables: ``levels`` values each
    (5 for up to two variables, else 3), ``spread`` of each range apart, inside the bounds."""
    best = optimum.best
    branch = optimum.branches[best.branch]
    levels = levels or (5 if len(branch.variables) <= 2 else 3)
    grid = {}
    for v in branch.variables:
        low, high = v.bounds
        h = spread * (high - low)
        centre = min(max(best.values[v.key], low + h * (levels // 2)), high - h * (levels // 2))
        grid[v.key] = [float(round(centre + h * (k - levels // 2), 10)) for k in range(levels)]
    return grid


def start_design(history: list[Evaluation]) -> Evaluation | None:
    """The base design the search improves on: its first solved search evaluation."""
    return next((e for e in history if e.kind == "search" and e.status != "failed"), None)


def objective_improvement(optimum: Optimum) -> float | None:
    """The best design's objective over the base design's (the first search evaluation), in %."""
    first = start_design(optimum.history)
    if first is None or optimum.best is None:
        return None
    name, goal = optimum.spec.optimise.objective, optimum.spec.optimise.goal
    a, b = goal_value(goal, first.outputs[name]), goal_value(goal, optimum.best.outputs[name])
    return None if a == 0 or math.isnan(a) else 100.0 * (b - a) / abs(a)


__all__ = ["FEASIBLE_RTOL", "Branch", "Evaluation", "Evaluator", "Optimum", "best_of", "check_grid",
           "optimise_designs", "plan_branches"]
