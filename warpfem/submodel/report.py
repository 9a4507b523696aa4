"""The submodels a model asks for (``[bumps] submodel``), merged into its bump table and summary.

The global model finds the critical bumps by their volume-averaged von Mises; each gets a
submodel in its real shape, whose volume averages are the trustworthy values for that bump (a
homogenised global layer localises only an average bump into its cell). They go into the table
as ``submodel_*`` columns beside the global model's own, so no column changes meaning from row
to row; ``critical_avg_von_mises_mpa`` takes the submodel's value when the critical bump has one,
and ``critical_avg_source`` says which.
"""

from __future__ import annotations

import numpy as np

from ..fem import Solution
from ..model import Model
from ..post.bump_table import BumpTable
from ..post.bumps import fatigue_life
from .cycle import CycleRun
from .run import SubmodelResult, solve_submodel

#: the table's submodel columns: (column, measures group, quantity)
COLUMNS = [
    ("submodel_avg_von_mises_mpa", "bump_average", "von_mises_mpa"),
    ("submodel_avg_shear_mpa", "bump_average", "shear_mpa"),
    ("submodel_avg_peel_mpa", "bump_average", "peel_mpa"),
    ("submodel_max_von_mises_mpa", "raw_maximum", "von_mises_mpa"),
]


def chosen_rows(model: Model, table: BumpTable) -> list[int]:
    """Rows of the bumps ``[bumps] submodel`` asks for, most critical first (the critical bump by
    default: the global model's own bump average reads up to 15 % high)."""
    which = model.bumps.submodel if model.bumps is not None else "critical"
    if which == "none":
        return []
    n = 1 if which == "critical" else min(int(which), table.count)
    return [int(r) for r in np.argsort(-table.columns["avg_von_mises_mpa"], kind="stable")[:n]]


def submodel_bumps(model: Model, sol: Solution, table: BumpTable | None) -> dict[int, SubmodelResult]:
    """The submodels the model asks for, by table row, driven by the global solution ``sol``."""
    if table is None:
        return {}
    size = model.bumps.submodel_size_mm if model.bumps is not None else None
    col = table.columns
    return {r: solve_submodel(model, sol, float(col["x_mm"][r]), float(col["y_mm"][r]), size_mm=size)
            for r in chosen_rows(model, table)}


def with_submodels(table: BumpTable, entry: dict, subs: dict[int, SubmodelResult],
                   model: Model) -> tuple[BumpTable, dict]:
    """The table with the ``submodel_*`` columns (NaN for bumps without a submodel) and the
    summary's ``bumps`` entry with a ``submodels`` list and the critical bump's best value."""
    if not subs:
        return table, entry
    columns = {name: np.full(table.count, np.nan) for name, _, _ in COLUMNS}
    for r, sub in subs.items():
        for name, group, quantity in COLUMNS:
            columns[name][r] = sub.measures[group][quantity]
    rows = np.array(sorted(subs))
    found = fatigue_life(columns["submodel_avg_shear_mpa"][rows], table.shear_modulus_mpa[rows], model)
    if found is not None:
        columns["submodel_cycles_to_failure"] = np.full(table.count, np.nan)
        columns["submodel_cycles_to_failure"][rows] = found[1]
    table = table.with_columns(**columns)
    entry = dict(entry)
    entry["submodels"] = [{"id": int(table.columns["id"][r]), **sub.summary()} for r, sub in subs.items()]
    crit = table.critical
    if crit in subs:
        entry["critical_avg_von_mises_global_mpa"] = entry["critical_avg_von_mises_mpa"]
        entry["critical_avg_von_mises_mpa"] = float(columns["submodel_avg_von_mises_mpa"][crit])
        entry["critical_avg_source"] = "submodel"
        if found is not None:
            entry["fatigue"] = {**entry["fatigue"],
                                "critical_submodel_cycles_to_failure": float(columns["submodel_cycles_to_failure"][crit])}
    return table, entry


#: the coarser submodel of the error estimate has elements this many times longer
ESTIMATE_STEP = 2 ** 0.5
#: what remains after the change from the coarser submodel, in changes: the bump average's change
#: falls by 0.45-0.7 per step of √2 (docs/submodel.md), so at most 0.7 / 0.3 ≈ 2.3 times the last
ESTIMATE_TAIL = 2.3
#: the bump's change between the global refinement's last two meshes, in changes: the bump's
#: share of the global error is not split by corner, so it is taken as a corner not yet settled
GLOBAL_TAIL = 4.0


def critical_error(model: Model, sol: Solution, subs: dict[int, SubmodelResult], critical_row: int,
                   coarser: Solution | None) -> dict | None:
    """The error bar (MPa) of the critical bump's submodel average von Mises: its change from a
    submodel √2 coarser, extrapolated, plus the change of that coarser submodel when driven by
    ``coarser`` (the global refinement's step before the last), taken as a corner not yet settled
    (``GLOBAL_TAIL`` changes). The global part is measured on the bump itself: a package that
    hardly warps (two carriers back to back) has a large relative warpage error that says nothing
    of its bumps."""
    sub = subs.get(critical_row)
    if sub is None:
        return None

    def coarser_submodel(global_solution: Solution) -> tuple[float, int]:
        """The bump average (MPa) and dofs of the submodel √2 coarser, driven by ``global_solution``."""
        r = solve_submodel(model, global_solution, sub.x_mm, sub.y_mm, size_mm=ESTIMATE_STEP * sub.size_mm)
        return r.measures["bump_average"]["von_mises_mpa"], r.n_dofs

    value = sub.measures["bump_average"]["von_mises_mpa"]
    coarse, coarse_dofs = coarser_submodel(sol)
    change = abs(value - coarse)
    # the global mesh's share, measured on the coarser submodel: half the cost of the fine one
    driven = 0.0 if coarser is None else GLOBAL_TAIL * abs(coarse - coarser_submodel(coarser)[0])
    return {"critical_avg_von_mises_mpa": ESTIMATE_TAIL * change + driven,
            "critical_avg_method": f"submodel {ESTIMATE_STEP:.3g} times coarser ({coarse_dofs} dofs): change "
                                   f"{change:.3g} MPa x {ESTIMATE_TAIL:g}, plus its change driven by the global model's "
                                   f"previous mesh x {GLOBAL_TAIL:g} ({driven:.3g} MPa)"}


def with_creep_columns(table: BumpTable, row: int, run: CycleRun) -> BumpTable:
    """The table with the cycled bump's ``creep_*`` columns: its stabilised energy densities per
    cycle (MPa) and, with a life correlation, its characteristic life (cycles); NaN for the other
    bumps."""
    last = run.cycles[-1].energy_density_mpa
    values = {f"creep_{g}_energy_mpa": v for g, v in last.items()}
    if "characteristic_life_cycles" in run.life:
        values["creep_life_cycles"] = run.life["characteristic_life_cycles"]
    columns = {}
    for name, v in values.items():
        columns[name] = np.full(table.count, np.nan)
        columns[name][row] = v
    return table.with_columns(**columns)
