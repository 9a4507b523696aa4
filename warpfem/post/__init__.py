"""Stage 4 — post-processing: stresses, warpage, coplanarity, bump statistics, the summary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fem import Solution
from ..model import Model
from ..model.bump_layer import HomogenisedLayer
from .bump_table import BumpTable, bump_table
from .bumps import bump_statistics, with_fatigue
from .stress import element_stress_mpa, max_principal_mpa, von_mises_mpa
from .warpage import coplanarity_um, shape, warpage_um

STRESS_RECOVERY = "element average (stress of each brick's volume-averaged strain)"


@dataclass(frozen=True)
class Fields:
    """Per-element results: stress tensors (E, 3, 3), von Mises and max principal (E,), in MPa."""

    stress_mpa: np.ndarray
    von_mises_mpa: np.ndarray
    max_principal_mpa: np.ndarray


def element_fields(sol: Solution) -> Fields:
    sigma = element_stress_mpa(sol)
    return Fields(sigma, von_mises_mpa(sigma), max_principal_mpa(sigma))


def part_maxima(sol: Solution, fields: Fields) -> dict[str, dict]:
    """Per part: maximum von Mises and maximum principal stress (MPa), material, id and role."""
    out = {}
    n = len(sol.layout.parts)
    vm = np.full(n, -np.inf)
    mp = np.full(n, -np.inf)
    np.maximum.at(vm, sol.mesh.part, fields.von_mises_mpa)
    np.maximum.at(mp, sol.mesh.part, fields.max_principal_mpa)
    for i, part in enumerate(sol.layout.parts):
        out[part.name] = {
            "max_von_mises_mpa": float(vm[i]),
            "max_principal_mpa": float(mp[i]),
            "material": part.material,
            "part_id": i,
        }
        if part.role is not None:
            out[part.name]["role"] = part.role
    return out


def bump_results(sol: Solution, fields: Fields, model: Model,
                 layers: dict[str, HomogenisedLayer] | None = None) -> tuple[BumpTable | None, dict | None]:
    """The per-bump table (with fatigue columns when the model gives a cycle) and the summary's
    ``bumps`` entry; both None without a bump part."""
    table = bump_table(sol, fields.stress_mpa, layers)
    if table is None:
        return None, None
    table, fatigue = with_fatigue(table, model)
    entry = bump_statistics(table)
    if fatigue is not None:
        entry["fatigue"] = fatigue
    if layers:
        entry["global_model"] = "homogenised"
        entry["homogenised"] = {name: {"bump_material": h.bump.name, "filler_material": h.filler.name,
                                       "bump_volume_fraction": h.fraction, "E_gpa": h.effective.E_gpa,
                                       "nu": h.effective.nu, "cte_ppm": h.effective.cte_ppm}
                                for name, h in layers.items()}
    else:
        entry["global_model"] = "explicit"
    return table, entry


def metrics(sol: Solution, fields: Fields, bumps: dict | None = None) -> dict:
    """The contract's result keys (warpage, coplanarity, shape, parts, bumps)."""
    w = warpage_um(sol)
    out = {
        "warpage_um": w,
        "coplanarity_um": coplanarity_um(sol),
        "shape": shape(w),
        "parts": part_maxima(sol, fields),
    }
    if bumps is not None:
        out["bumps"] = bumps
    return out


__all__ = ["BumpTable", "Fields", "STRESS_RECOVERY", "bump_results", "element_fields", "metrics", "part_maxima"]
