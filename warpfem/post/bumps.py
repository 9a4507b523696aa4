"""The summary's ``bumps`` entry, drawn from the per-bump table, and its fatigue columns."""

from __future__ import annotations

import numpy as np

from ..model import Model
from .bump_table import BumpTable
from .fatigue import METHOD, cycles_to_failure, fatigue_exponent, rate_term, shear_strain_range

#: which measure is which (docs/bumps.md says why)
MEASURES = {
    "max": "raw peak over the bump's elements; singular at its pad edges, grows with mesh refinement",
    "avg": "of the volume-averaged stress tensor; converges under mesh refinement",
}


def fatigue_life(shear_mpa: np.ndarray, shear_modulus_mpa: np.ndarray,
                 model: Model) -> tuple[np.ndarray, np.ndarray] | None:
    """Elastic shear strain ranges and Engelmaier cycles to failure from volume-averaged shear
    stresses (MPa) at the model's ΔT, or None when the model gives no ``[cycle]`` (or no
    temperature change)."""
    cycle = model.cycle
    if cycle is None or model.load.delta_t_k == 0:
        return None
    strain = shear_strain_range(shear_mpa, shear_modulus_mpa, cycle.range_k, model.load.delta_t_k)
    return strain, cycles_to_failure(strain, fatigue_exponent(cycle.mean_c, rate_term(cycle)[0]))


def with_fatigue(table: BumpTable, model: Model) -> tuple[BumpTable, dict | None]:
    """The table with ``shear_strain_range`` and ``cycles_to_failure`` columns, and the summary's
    ``fatigue`` entry, when the model gives a ``[cycle]``; else both unchanged and None."""
    found = fatigue_life(table.columns["avg_shear_mpa"], table.shear_modulus_mpa, model)
    if found is None:
        return table, None
    strain, life = found
    cycle = model.cycle
    f, form = rate_term(cycle)
    table = table.with_columns(shear_strain_range=strain, cycles_to_failure=life)
    worst = int(np.argmin(life))
    entry = {
        "method": METHOD,
        "rate_term": form,
        "exponent_c": fatigue_exponent(cycle.mean_c, f),
        "mean_temperature_c": cycle.mean_c,
        "cycle_range_k": cycle.range_k,
        "min_cycles_to_failure": float(life[worst]),
        "min_cycles_bump_id": int(table.columns["id"][worst]),
    }
    if cycle.cycles_per_day is not None:
        entry["min_life_days"] = float(life[worst] / cycle.cycles_per_day)
    return table, entry


def bump_statistics(table: BumpTable) -> dict:
    """Contract ``bumps`` entry (MPa, mm) and its added keys.

    The contract's peaks are over every bump, and ``critical_bump_xy_mm`` is the centre of the bump
    holding the highest element von Mises (a raw peak); the added ``critical_bump_id`` is the bump
    of highest volume-averaged von Mises, the converged measure.
    """
    col = table.columns
    top = int(np.argmax(col["max_von_mises_mpa"]))
    crit = table.critical
    return {
        "part": table.part[top],
        "max_von_mises_mpa": float(col["max_von_mises_mpa"][top]),
        "max_shear_mpa": float(col["max_shear_mpa"].max()),
        "max_peel_mpa": float(col["max_peel_mpa"].max()),
        "critical_bump_xy_mm": [float(col["x_mm"][top]), float(col["y_mm"][top])],
        "critical_bump_id": int(col["id"][crit]),
        "critical_avg_von_mises_mpa": float(col["avg_von_mises_mpa"][crit]),
        "critical_avg_bump_xy_mm": [float(col["x_mm"][crit]), float(col["y_mm"][crit])],
        "count": table.count,
        "measures": MEASURES,
    }
