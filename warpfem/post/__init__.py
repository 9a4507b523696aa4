"""Stage 4 — post-processing: stresses, warpage, coplanarity, bump statistics, the summary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fem import Solution
from .bumps import bump_statistics
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


def metrics(sol: Solution, fields: Fields) -> dict:
    """The contract's result keys (warpage, coplanarity, shape, parts, bumps)."""
    w = warpage_um(sol)
    out = {
        "warpage_um": w,
        "coplanarity_um": coplanarity_um(sol),
        "shape": shape(w),
        "parts": part_maxima(sol, fields),
    }
    bumps = bump_statistics(sol, fields.stress_mpa)
    if bumps is not None:
        out["bumps"] = bumps
    return out


__all__ = ["Fields", "STRESS_RECOVERY", "element_fields", "metrics", "part_maxima"]
