"""Statistics over the parts with ``role = "bumps"``: peak stresses and the critical bump."""

from __future__ import annotations

import numpy as np

from ..fem import Solution
from .stress import shear_mpa, von_mises_mpa


def bump_statistics(sol: Solution, sigma: np.ndarray) -> dict | None:
    """Contract ``bumps`` entry (MPa, mm), or None when no part is a bump part.

    Peaks are over the element-averaged stress of every bump part; the critical bump is the one
    holding the element of highest von Mises, named by its box copy's x-y centre.
    """
    parts = sol.layout.parts
    bump_parts = [i for i, p in enumerate(parts) if p.role == "bumps"]
    if not bump_parts:
        return None
    sel = np.flatnonzero(np.isin(sol.mesh.part, bump_parts))
    s = sigma[sel]
    vm = von_mises_mpa(s)
    top = sel[int(vm.argmax())]
    part = parts[int(sol.mesh.part[top])]
    x0, x1, y0, y1, _, _ = part.boxes()[int(sol.mesh.copy[top])]
    return {
        "part": part.name,
        "max_von_mises_mpa": float(vm.max()),
        "max_shear_mpa": float(shear_mpa(s).max()),
        "max_peel_mpa": float(s[:, 2, 2].max()),
        "critical_bump_xy_mm": [0.5 * (x0 + x1), 0.5 * (y0 + y1)],
    }
