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
from .run import SubmodelResult, solve_submodel

#: the table's submodel columns: (column, measures group, quantity)
COLUMNS = [
    ("submodel_avg_von_mises_mpa", "bump_average", "von_mises_mpa"),
    ("submodel_avg_shear_mpa", "bump_average", "shear_mpa"),
    ("submodel_avg_peel_mpa", "bump_average", "peel_mpa"),
    ("submodel_max_von_mises_mpa", "raw_maximum", "von_mises_mpa"),
]


def chosen_rows(model: Model, table: BumpTable) -> list[int]:
    """Rows of the bumps ``[bumps] submodel`` asks for, most critical first (none by default)."""
    which = model.bumps.submodel if model.bumps is not None else "none"
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
