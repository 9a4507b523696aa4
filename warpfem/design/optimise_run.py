"""``warpfem optimise``: read the file, search through the case store, write the record, the history,
its chart, the best design as a model file and a grid study that checks it."""

from __future__ import annotations

import copy
import json
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import tomli_w

from ..output import atomic_paths
from ..pipeline import expand, parts_toml
from ..studies.store import CaseStore, exclusive
from ..studies.worker import solve_case
from .history_chart import write_history_chart, write_history_csv
from .search import FEASIBLE_RTOL, SEARCH_SOLVE, Optimum, check_grid, objective_improvement, optimise_designs
from .optimise_file import OptimiseFile, load_optimise_file

FILES = ("optimise.json", "history.csv", "history.png", "best.toml", "check_study.toml")


def best_model_toml(optimum: Optimum) -> str:
    """The best design as a model file: the base file with the design's keys written into its
    tables, or, where a key edits parts or materials, the design's parts-only model."""
    if any(key.split(".")[0] in ("parts", "materials") for key in optimum.edits):
        from ..studies.cases import base_raw_model, edit_model
        from .search import BASE

        base_raw = base_raw_model(optimum.spec.base_model, BASE)
        return _header(optimum) + parts_toml(expand(edit_model(base_raw, optimum.edits, (), "")[1]))
    data = copy.deepcopy(optimum.spec.base_model)
    for key, value in optimum.edits.items():
        *path, last = key.split(".")
        node = data
        for seg in path:
            node = node.setdefault(seg, {})
        node[last] = value
    data.setdefault("model", {})["name"] = f"{data['model'].get('name', 'design')}_optimised"
    return _header(optimum) + tomli_w.dumps(data)


def _header(optimum: Optimum) -> str:
    """Comment lines saying where the design comes from."""
    spec = optimum.spec
    lines = [f"# The best design of the optimisation '{spec.optimise.name}' ({spec.optimise.method}, "
             f"{sum(e.kind != 'best' for e in optimum.history)} evaluations): {spec.optimise.goal} of "
             f"{spec.optimise.objective}."]
    if "mesh.target_error" in optimum.edits and "mesh.target_error" not in spec.set:
        lines.append(f"# mesh.target_error = {optimum.edits['mesh.target_error']:g} holds the base design's error on "
                     "warpage as an absolute one: this design's warpage is near zero.")
    return "\n".join(lines) + "\n\n"


def check_study(optimum: Optimum) -> dict:
    """A study file's data: the grid around the best design, solved as the search solved."""
    spec = optimum.spec
    choices = optimum.branches[optimum.best.branch].choices
    return {"study": {"name": f"{spec.optimise.name}_check",
                      "description": "a grid around the optimiser's best design, each solved as the search solved it"},
            "base": spec.base_model, "set": {**spec.set, **spec.search, **SEARCH_SOLVE, **choices},
            "grid": check_grid(optimum)}


@dataclass
class OptimiseReport:
    """The optimum and the files it is written to."""

    optimum: Optimum

    def record(self) -> dict:
        o, spec = self.optimum, self.optimum.spec
        counts = {k: sum(e.status == k and e.kind != "best" for e in o.history) for k in ("solved", "stored", "failed")}
        return {
            "name": spec.optimise.name, "method": spec.optimise.method,
            "objective": spec.optimise.objective, "goal": spec.optimise.goal,
            "constraints": [{"output": c.output, c.kind: limit,
                             **({"temperature_c": c.temperature_c} if c.temperature_c is not None else {}),
                             **({"reference": c.bound} if isinstance(c.bound, str) else {})}
                            for c, limit in zip(spec.constraint, o.limits)],
            "feasible_rtol": FEASIBLE_RTOL,
            "references": {r.name: {"outputs": e.outputs, "model_hash": e.key, "error": e.error}
                           for r, e in zip(spec.reference, (x for x in o.history if x.kind == "reference"))},
            "branches": [{"choices": b.choices, "variables": [v.key for v in b.variables],
                          "evaluations": sum(e.branch == b.index and e.kind == "search" for e in o.history)}
                         for b in o.branches],
            "evaluations": {"search_and_references": sum(e.kind != "best" for e in o.history), **counts},
            "best": None if o.best is None else {
                "feasible": o.best.feasible, "values": o.best.values, "branch": o.best.branch + 1,
                "search": {"outputs": o.best.outputs, "margins": o.best.margins, "model_hash": o.best.key},
                "refined": None if o.refined is None else {
                    "outputs": o.refined.outputs, "margins": o.refined.margins, "model_hash": o.refined.key,
                    "dofs": (o.refined.summary or {}).get("mesh", {}).get("dofs"),
                    "error": (o.refined.summary or {}).get("error"), "failed": o.refined.error},
                "objective_change_from_start_pct": objective_improvement(o)},
            "timings_s": {k: round(v, 3) for k, v in o.timings_s.items()},
        }

    def write(self, outdir: str | Path) -> None:
        """OUTDIR/optimise.json, history.csv, history.png and, with a best design, best.toml and
        check_study.toml: all or none."""
        outdir = Path(outdir)
        o = self.optimum
        names = FILES if o.best is not None else FILES[:3]
        with atomic_paths(*(outdir / f for f in names)) as paths:
            paths[0].write_text(json.dumps(self.record(), indent=2) + "\n", encoding="utf-8")
            write_history_csv(o, paths[1])
            write_history_chart(o, paths[2])
            if o.best is not None:
                paths[3].write_text(best_model_toml(o), encoding="utf-8")
                paths[4].write_text(tomli_w.dumps(check_study(o)), encoding="utf-8")


def optimise(path: str | Path, outdir: str | Path, *, scheduler: Any = None,
             progress: Callable[[str], None] | None = None) -> OptimiseReport:
    """Run an optimisation file into ``outdir`` (its solves under ``outdir/cases``, read back on a
    rerun); with ``scheduler`` (a Dask address or Client) each design is solved on the cluster."""
    spec: OptimiseFile = load_optimise_file(path)
    outdir = Path(outdir)
    with exclusive(outdir), ExitStack() as stack:
        run = None
        if scheduler is not None:
            from ..studies.run import dask_executor

            executor = dask_executor(scheduler, stack)()
            run = lambda model: executor.submit(solve_case, model, None, None).result()  # noqa: E731
        report = OptimiseReport(optimise_designs(spec, CaseStore(outdir / "cases"), run=run, progress=progress))
        report.write(outdir)
    return report


__all__ = ["FILES", "OptimiseReport", "best_model_toml", "check_study", "optimise"]
