"""Stress measures of the critical bump: volume averages that converge, and the raw maximum that
does not.

A bump's pad corners are re-entrant bi-material corners: the elastic stress there is singular,
so the largest stress the mesh shows grows as the mesh is refined and means nothing alone. The
stress tensor averaged over a volume — the whole bump, or a thin layer along each pad interface
(the "interface layer" of the solder-joint literature) — is an integral of the field and converges.
Averages here are of the tensor, ∫σ dV / V; the von Mises, shear and peel values are those of the
averaged tensor.
"""

from __future__ import annotations

import numpy as np

from ..post.stress import shear_mpa, von_mises_mpa
from .mesh import CRITICAL_PIECES
from .solve import RegionSolution

#: what each group of measures is, as written into results
MEANING = {
    "bump_average": "volume average of the stress tensor over the whole bump (converges under refinement)",
    "lower_layer_average": "volume average over the bump's layer next to its lower pad (converges)",
    "upper_layer_average": "volume average over the bump's layer next to its upper pad (converges)",
    "raw_maximum": "largest value at any quadrature point of the bump (mesh-dependent: grows at the "
                   "singular pad corners as the mesh is refined)",
}


def volume_average_mpa(sol: RegionSolution, elements: np.ndarray) -> tuple[np.ndarray, float]:
    """∫σ dV / V (3, 3) in MPa over the given elements, and their volume V in mm³."""
    w = sol.dx_mm3[elements]
    volume = float(w.sum())
    return np.einsum("eqij,eq->ij", sol.stress_mpa[elements], w) / volume, volume


def _summary(sigma: np.ndarray) -> dict[str, float]:
    return {"von_mises_mpa": float(von_mises_mpa(sigma)), "shear_mpa": float(shear_mpa(sigma)),
            "peel_mpa": float(sigma[2, 2])}


def critical_bump_measures(sol: RegionSolution) -> dict[str, dict[str, float]]:
    """The critical bump's measures (MPa, mm³), grouped as in :data:`MEANING`."""
    region = sol.region
    out: dict[str, dict[str, float]] = {}
    groups = {"bump_average": CRITICAL_PIECES, "lower_layer_average": CRITICAL_PIECES[:1],
              "upper_layer_average": CRITICAL_PIECES[2:]}
    for key, pieces in groups.items():
        sigma, volume = volume_average_mpa(sol, region.elements_of(*pieces))
        out[key] = {**_summary(sigma), "volume_mm3": volume}
    s = sol.stress_mpa[region.elements_of(*CRITICAL_PIECES)]
    out["raw_maximum"] = {"von_mises_mpa": float(von_mises_mpa(s).max()), "shear_mpa": float(shear_mpa(s).max()),
                          "peel_mpa": float(s[..., 2, 2].max())}
    return out
