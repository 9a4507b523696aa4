"""Stage 6 — the pipeline a user calls: model → layout → mesh → solve → post → files.

``solve(model)`` is the whole job; ``mesh(model)`` and ``expand(model)`` stop earlier. Each takes a
:class:`~warpfem.model.Model`, a dict, TOML text or a path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np
import tomli_w

from . import __version__, guard
from .accuracy import refine
from .accuracy.refine import Step
from .fem import Solution, solve_displacement
from .fem import viscoelastic
from .fem.history import Sequence, final_state
from .geometry import Layout, build_layout
from .guard import SizeEstimate
from .memory import peak_memory_mb
from .meshing import Mesh, build_mesh, initial_grading
from .model import Model, ModelLike, load_model, material_laws
from .model.schedule import schedule
from .model.validate import validate
from .model.bump_layer import HomogenisedLayer, homogenise
from .output import atomic_paths, write_json, write_mesh, write_vtu
from .output.bumps_csv import write_bumps_csv
from .output.loop_csv import write_loop_csv
from .post import STRESS_RECOVERY, BumpTable, Fields, bump_results, element_fields, metrics
from .post.warpage import warpage_um
from .submodel import SubmodelResult, submodel_bumps, submodel_vtu, with_creep_columns, with_submodels
from .submodel.cycle import CycleRun, GlobalAt, cycle_bump
from .submodel.report import critical_error
from .thermal import Powered, powered


#: temperature spacing (K) of the global states a cycled bump is driven by, with
#: temperature-dependent properties
CYCLE_NODE_K = 15.0


@dataclass(frozen=True)
class Result:
    """A solved package: the solution, per-element stress fields and the contract's summary."""

    solution: Solution
    fields: Fields
    summary: dict
    bumps: BumpTable | None = None
    submodels: dict[int, SubmodelResult] = field(default_factory=dict)   # by bump table row
    powered: Powered | None = None   # with [thermal]: the temperature field and the power-on state
    creep: CycleRun | None = None    # with [cycle] solder = "anand": the critical bump cycled

    @property
    def model(self) -> Model:
        return self.solution.layout.model

    @property
    def mesh(self) -> Mesh:
        return self.solution.mesh

    @property
    def warpage_um(self) -> float:
        return self.summary["warpage_um"]

    @property
    def coplanarity_um(self) -> float:
        return self.summary["coplanarity_um"]

    def write(self, outdir: str | Path) -> Path:
        """Write ``summary.json``, ``result.vtu``, with bumps ``bumps.csv`` and each bump submodel's
        ``submodel_bump_ID.vtu`` into ``outdir``: all or none of them, replacing a previous solve's
        results whole."""
        outdir = Path(outdir)
        f = self.fields
        targets = [outdir / "result.vtu", outdir / "summary.json"]
        if self.bumps is not None:
            targets.append(outdir / "bumps.csv")
        ids = [int(self.bumps.columns["id"][r]) for r in self.submodels] if self.submodels else []
        targets += [outdir / f"submodel_bump_{i}.vtu" for i in ids]
        if self.creep is not None:
            targets.append(outdir / "creep_loop.csv")
        with atomic_paths(*targets) as (vtu, js, *rest):
            csv, subs = rest[:1], rest[1:]
            if self.creep is not None:
                subs, loop_csv = subs[:-1], subs[-1]
                write_loop_csv(self.creep.loop, loop_csv)
            powered = {} if self.powered is None else {"temperature_c": self.powered.temperature_c,
                                                       "displacement_powered_mm": self.powered.solution.u_mm}
            write_vtu(
                self.mesh, vtu,
                point_data={"displacement_mm": self.solution.u_mm, **powered},
                cell_data={
                    "stress_mpa": f.stress_mpa.reshape(-1, 9),
                    "von_mises_mpa": f.von_mises_mpa,
                    "max_principal_mpa": f.max_principal_mpa,
                },
            )
            write_json(self.summary, js)
            if csv:
                write_bumps_csv(self.bumps, csv[0])
            for sub, tmp in zip(self.submodels.values(), subs):
                submodel_vtu(sub.solution).write(tmp, file_format="vtu")
        # a previous solve's submodels of other bumps would pass for this one's
        for stale in set(outdir.glob("submodel_bump_*.vtu")) - set(targets):
            stale.unlink()
        return outdir


def materials_used(layout: Layout) -> dict[str, dict]:
    """The resolved properties of each material the parts use: E in GPa, ν, CTE in ppm/K. With
    temperature-dependent properties they are those at ``temperature_c``, and ``cte_ppm`` is the
    secant CTE from ``stress_free_c`` (the integral of the instantaneous CTE over ΔT). An
    orthotropic material's are its x values, with all of them under ``orthotropic``."""
    used = {p.material: layout.materials[p.material] for p in layout.parts}
    out = {}
    for n, m in used.items():
        out[n] = {"E_gpa": m.E_gpa, "nu": m.nu, "cte_ppm": m.cte_ppm}
        if (o := m.orthotropic) is not None:
            out[n]["orthotropic"] = {"E_gpa": list(o.E_gpa), "nu": list(o.nu), "G_gpa": list(o.G_gpa),
                                     "cte_ppm": list(o.cte_ppm)}
    return out


def material_models(layout: Layout) -> dict[str, str]:
    """Which law each material followed: elastic (isotropic or orthotropic), or viscoelastic (and
    with cure shrinkage)."""
    out = {}
    for name in {p.material for p in layout.parts}:
        m = layout.materials[name]
        if (p := m.viscoelastic) is not None:
            kind = f"viscoelastic: {len(p.shear)} shear and {len(p.bulk)} bulk Prony terms, shift {p.shift.kind}"
        else:
            kind = "elastic, orthotropic" if m.orthotropic else "elastic"
        if m.cure is not None:
            kind += f"; cure shrinkage {m.cure.total_pct:g} % by volume"
        out[name] = kind
    return dict(sorted(out.items()))


def global_layout(model: Model) -> tuple[Layout, dict[str, HomogenisedLayer]]:
    """The cell layout of the global model: the model's own, or with its bump parts turned into a
    homogenised layer when ``[bumps] global = "homogenised"``; and what was homogenised."""
    global_model, layers = homogenise(model)
    return build_layout(global_model), layers


def at_temperature(model: Model, temperature_c: float) -> Model:
    """The model reported at another temperature (°C)."""
    return model.model_copy(update={"load": model.load.model_copy(update={"temperature_c": temperature_c})})


def global_at_temperature(model: Model, sol: Solution) -> GlobalAt:
    """The elastic global model at any temperature, as weights of solved states on ``sol``'s mesh:
    with constant properties ``sol`` scaled by the temperature change (a state at the cycle's low
    when ``sol`` is stress-free); with temperature-dependent ones, states every
    ``CYCLE_NODE_K`` kelvin across the cycle, linear between them."""
    free_c = model.load.stress_free_c
    low, high = model.cycle.min_c, model.cycle.max_c

    def state(t_c: float) -> Solution:
        return solve_displacement(global_layout(at_temperature(model, t_c))[0], sol.mesh)

    if not model.load.temperature_dependent:
        ref_c, base = model.load.temperature_c, sol
        if ref_c == free_c:
            ref_c, base = low, state(low)
        return lambda t_c: [(base, (t_c - free_c) / (ref_c - free_c))]
    nodes = np.unique(np.r_[np.linspace(low, high, int(np.ceil((high - low) / CYCLE_NODE_K)) + 1), free_c])
    # stress-free is the zero state: nothing to solve there
    states = [None if t == free_c else state(t) for t in nodes]

    def at(t_c: float) -> list[tuple[Solution, float]]:
        k = int(np.clip(np.searchsorted(nodes, t_c) - 1, 0, len(nodes) - 2))
        w = (t_c - nodes[k]) / (nodes[k + 1] - nodes[k])
        return [(s, weight) for s, weight in ((states[k], 1.0 - w), (states[k + 1], w)) if s is not None]

    return at


def process_sequence(layout: Layout) -> Sequence | None:
    """The layout's process steps (None when every part is bonded at once at stress_free_c and
    nothing happens in time)."""
    model = layout.model
    if not model.load.viscoelastic and (not model.steps or model.step_temperatures_c() == [model.load.stress_free_c]):
        return None
    if not model.steps:
        return Sequence(np.zeros(len(layout.parts), dtype=int), (model.load.stress_free_c,))
    step_of = model.part_steps()
    return Sequence(np.array([step_of[p.name] for p in layout.parts]), tuple(model.step_temperatures_c()))


def process_in_time(layout: Layout, mesh: Mesh, seq: Sequence, refine: int = 1) -> tuple[Solution, list[dict], dict]:
    """The viscoelastic process on ``mesh``: the final state, the warpage at each knot of the
    schedule (end of each ramp and hold) and the timings (s)."""
    model = layout.model
    sched = schedule(model)
    if len(sched.times_s) == 1:   # bonded where it is read and never held: nothing happens in time
        sol = final_state(global_layouts(model), mesh, seq, material_laws(model), model.load.temperature_c)
        return sol, [], {"time_steps": 0, "total_s": sol.timings_s.get("history", 0.0)}
    reads = viscoelastic.run(layout, mesh, seq, material_laws(model), sched, list(sched.times_s[1:]), refine)
    knots = [{"time_s": r.time_s, "temperature_c": r.temperature_c, "event": e, "warpage_um": warpage_um(r.solution)}
             for r, e in zip(reads, sched.events[1:])]
    timings = {k: v for k, v in reads[-1].timings_s.items() if k not in ("time_steps", "systems")}
    final = replace(reads[-1].solution, timings_s=timings)
    return final, knots, {"time_steps": reads[-1].timings_s["time_steps"], "total_s": timings["total"]}


def global_layouts(model: Model) -> Callable[[float], Layout]:
    """The global layout at any temperature (°C): the moduli of that temperature."""
    return lambda t: global_layout(at_temperature(model, t))[0]


def process_summary(model: Model, knots: list[dict] | None = None, cost: dict | None = None) -> dict:
    """The summary's ``process`` block: each step, its bonding temperature and its parts; in time
    (viscoelastic), the warpage at each knot of the schedule and the number of time steps."""
    step_of = model.part_steps()
    out = {"steps": [{"name": s.name, "temperature_c": t, "parts": [p for p, k in step_of.items() if k == i],
                      **({"ramp_k_per_min": s.ramp_k_per_min or model.load.ramp_k_per_min, "hold_s": s.hold_s}
                         if model.load.viscoelastic else {})}
                     for i, (s, t) in enumerate(zip(model.steps, model.step_temperatures_c()))],
           "birth": "each step's parts bonded stress-free in the package's shape at its temperature; "
                    "elastic at each temperature"}
    if knots is not None:
        out["birth"] = ("each step's parts bonded stress-free in the package's shape at its temperature; solved in "
                        "time through the ramps and holds, relaxing parts by their Prony series (recursive update "
                        "per time step), cure shrinkage after bonding")
        out["history"] = knots
        out.update(cost or {})
    return out


def sized_layout(model: Model, size_mm: float | None = None, target_error: float | None = None,
                 force: bool = False) -> tuple[Layout, dict[str, HomogenisedLayer], SizeEstimate]:
    """The global layout, what was homogenised, and the estimated size and memory of the solve;
    a model that will not fit this machine is refused (ModelError) before its layout is built
    when its lower bound already does not fit, else before it is meshed; ``force`` goes on."""
    if not force:
        validate(model)   # the size bound reads the carrier and the arrays: they must be sound first
        guard.check_model(model, size_mm, model.solver.method)
    layout, layers = global_layout(model)
    estimate = guard.estimate(layout, size_mm, target_error)
    if not force:
        guard.check(estimate, model, size_mm)
    return layout, layers, estimate


def layout_and_mesh(model: ModelLike, *, size_mm: float | None = None, force: bool = False) -> tuple[Layout, Mesh]:
    """A model's (global) cell layout and its first mesh (refused when it will not fit, unless
    ``force``)."""
    layout, _, _ = sized_layout(load_model(model), size_mm, force=force)
    return layout, build_mesh(layout, size_mm)


def mesh(model: ModelLike, path: str | Path | None = None, *, size_mm: float | None = None,
         force: bool = False) -> Mesh:
    """Mesh a model; write it to ``path`` (.msh or .vtu) when given."""
    _, m = layout_and_mesh(model, size_mm=size_mm, force=force)
    if path is not None:
        write_mesh(m, path)
    return m


def solve_global(layout: Layout, size_mm: float | None = None, target_error: float | None = None,
                 progress: Callable[[Step, str], None] | None = None) -> tuple[Solution, dict, dict, Solution | None]:
    """The global model's solution, its ``error`` block, its timings (s) and the solution of the
    refinement's step before the last (None after a single solve): refined on graded meshes to the
    target (``[mesh] target_error`` unless ``target_error`` is given), or one solve on a uniform
    mesh when ``[mesh] graded = false``."""
    settings = layout.model.mesh
    if not settings.graded:
        t0 = time.perf_counter()
        m = build_mesh(layout, size_mm)
        t1 = time.perf_counter()
        sol = solve_displacement(layout, m)
        return sol, {"estimated": False, "why": "uniform mesh ([mesh] graded = false)"}, {"mesh": t1 - t0, **sol.timings_s}, None
    target = settings.target_error if target_error is None else target_error
    ref = refine(layout, initial_grading(layout, size_mm), target, settings.max_dofs, progress)
    return ref.solution, ref.error(), dict(ref.timings_s), ref.previous


def _last_step_peak_mb(error: dict, size: SizeEstimate) -> float:
    """The peak memory (MB) estimated before meshing the global solve's last mesh: the
    refinement's own estimate when it went past the first mesh, else the size guard's."""
    steps = error.get("steps") or [{}]
    last = steps[-1].get("peak_estimate_mb")
    return round(size.first_peak_mb, 1) if last is None else last


def solve(model: ModelLike, outdir: str | Path | None = None, *, size_mm: float | None = None,
          method: str | None = None, target_error: float | None = None,
          progress: Callable[[Step, str], None] | None = None, force: bool = False,
          estimated: Callable[[SizeEstimate], None] | None = None,
          cycle_progress: Callable[[int, int], None] | None = None) -> Result:
    """Solve a model end to end; write ``summary.json`` and ``result.vtu`` to ``outdir`` if given.

    ``size_mm`` overrides the model's ``[mesh] size_mm`` (in-plane element size away from edges,
    mm), ``method`` its ``[solver] method`` ("auto", "direct" or "iterative") and ``target_error``
    its ``[mesh] target_error`` (0: one solve without an error estimate); ``progress`` hears of
    each refinement step, ``estimated`` of the size estimate before meshing and ``cycle_progress``
    of each time step of a cycled bump (``[cycle] solder = "anand"``). A model whose
    first solve will not fit the machine's memory is refused unless ``force``.
    """
    t0 = time.perf_counter()
    model = load_model(model)
    if method is not None:
        model = model.model_copy(update={"solver": model.solver.model_copy(update={"method": method})})
    layout, layers, size = sized_layout(model, size_mm, target_error, force)
    if estimated:
        estimated(size)
    sol, error, step_timings, coarser = solve_global(layout, size_mm, target_error, progress)
    global_peak_mb = peak_memory_mb()
    seq = process_sequence(layout)
    knots, cost = None, None
    if seq is not None:
        if model.load.viscoelastic:
            sol, knots, cost = process_in_time(layout, sol.mesh, seq)
            what = "the process in time is"
        else:
            sol = final_state(global_layouts(model), sol.mesh, seq, material_laws(layout.model), model.load.temperature_c)
            what = "the process steps are"
        step_timings = {k: step_timings.get(k, 0.0) + sol.timings_s.get(k, 0.0)
                        for k in {*step_timings, *sol.timings_s} if k != "total"}
        if error.get("estimated"):
            error = {**error, "note": "estimated with every part bonded at stress_free_c, on the mesh refined for "
                                      f"that; {what} solved on the same mesh"}
    m = sol.mesh
    t2 = time.perf_counter()
    fields = element_fields(sol)
    table, bumps = bump_results(sol, fields, model, layers)
    t3 = time.perf_counter()
    # a bump submodel is driven by one elastic state, not yet by a process history
    subs = submodel_bumps(model, sol, table) if seq is None else {}
    if seq is not None and bumps is not None:
        bumps = {**bumps, "submodel": "not run: bump submodels do not follow process steps yet"}
    table, bumps = with_submodels(table, bumps, subs, model)
    creep = None
    if table is not None and model.cycle is not None and model.cycle.solder == "anand":
        if seq is not None:
            bumps = {**bumps, "creep": "not run: the cycled bump submodel does not follow process steps yet"}
        else:
            crit = table.most_sheared
            creep = cycle_bump(model, global_at_temperature(model, sol), float(table.columns["x_mm"][crit]),
                               float(table.columns["y_mm"][crit]),
                               size_mm=model.bumps.submodel_size_mm if model.bumps is not None else None,
                               progress=cycle_progress)
            bumps = {**bumps, "creep": {"id": int(table.columns["id"][crit]), **creep.summary(model.cycle)}}
            table = with_creep_columns(table, crit, creep)
    if subs and error.get("estimated"):
        error = {**error, **(critical_error(model, sol, subs, table.critical, coarser) or {})}
    t4 = time.perf_counter()
    power = None
    if model.thermal is not None:
        power = powered(layout, sol, seq, global_layouts(model))
        on = metrics(power.solution, element_fields(power.solution))
        power = replace(power, summary={**power.summary, "power_on": {k: on[k] for k in ("warpage_um", "coplanarity_um",
                                                                                       "shape", "parts")}})
    t5 = time.perf_counter()
    summary = {"model": model.name, **metrics(sol, fields, bumps)}
    summary.update(
        error=error,
        mesh={"nodes": m.n_nodes, "elements": m.n_elements, "dofs": m.n_dofs, "size_mm": m.size_mm,
              "element": "hex20 (20-node serendipity brick, full integration)", "graded": model.mesh.graded,
              "steps": len(error.get("steps", [None]))},
        timings_s={**step_timings, "post": t3 - t2, **({"submodels": t4 - t3} if subs or creep else {}),
                   **({"thermal": t5 - t4} if power is not None else {}), "total": t5 - t0},
        solver=sol.solver,
        memory_mb=peak_memory_mb(),
        size_estimate={**size.summary(), "last_step_peak_memory_mb": _last_step_peak_mb(error, size),
                       "measured_peak_memory_mb": round(global_peak_mb, 1)},
        materials=materials_used(layout),
        material_properties=model.load.material_properties,
        **({"process": process_summary(model, knots, cost)} if seq is not None else {}),
        **({"material_models": material_models(layout)}
           if model.load.viscoelastic or any(m.orthotropic for m in layout.materials.values()) else {}),
        **({"thermal": power.summary} if power is not None else {}),
        symmetry=model.model.symmetry,
        delta_t_k=model.load.delta_t_k,
        stress_recovery=STRESS_RECOVERY,
        warpfem_version=__version__,
    )
    summary["timings_s"] = {k: round(v, 4) for k, v in summary["timings_s"].items()}
    result = Result(sol, fields, summary, table, subs, power, creep)
    if outdir is not None:
        result.write(outdir)
    return result


def expand(model: ModelLike, path: str | Path | None = None) -> Model:
    """The parts-only equivalent of a (family) model; written as TOML to ``path`` when given."""
    m = load_model(model)
    build_layout(m)  # refuse a bad expansion here, not at solve time
    if path is not None:
        with atomic_paths(Path(path)) as (tmp,):
            tmp.write_text(parts_toml(m), encoding="utf-8")
    return m


def parts_toml(model: Model) -> str:
    """An expanded model as the TOML text of a parts-only model file."""
    data = model.model_dump(mode="json", exclude_none=True, exclude={"family"})
    data["model"].pop("family", None)
    data["model"].pop("process", None)   # its steps are written out
    if not model.load.viscoelastic:       # times mean nothing without the process in time
        for table in [data["load"], *data.get("steps", [])]:
            table.pop("ramp_k_per_min", None)
            table.pop("hold_s", None)
    return tomli_w.dumps(_tomlable(data))


def _tomlable(data):
    """TOML has no null and no tuples: drop empty values, turn tuples into lists."""
    if isinstance(data, dict):
        return {k: _tomlable(v) for k, v in data.items() if v not in (None, [], (), {})}
    if isinstance(data, (list, tuple)):
        return [_tomlable(v) for v in data]
    if isinstance(data, np.generic):
        return data.item()
    return data
