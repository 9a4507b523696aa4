"""Per-bump results: where each bump is, its peak and its volume-averaged stresses.

A bump is one copy of a ``role = "bumps"`` part, or, for a copy carved by holes into a patch of
bumps (the families' ``"corners"`` layout), each x-y connected piece of it. Two measures per
stress quantity, both from the element-averaged stress (MPa):

- ``max_*``: the largest value over the bump's elements. It sits at the bump's corners, where the
  elastic field is singular, so it grows as the mesh is refined: a raw peak, not a converged one.
- ``avg_*``: the stress tensor averaged over the bump's volume, then the measure. An average over
  a fixed volume converges under refinement, so this is the one to compare designs with.

von Mises; shear √(σxz² + σyz²); peel σzz, tensile positive. The distance to the neutral point,
``dnp_mm``, is measured from the centre of the bounding box of all bump sites (the die centre for
a centred array). With quarter symmetry only the bumps of the solved quarter are listed; a bump
cut by a symmetry plane is averaged as the whole bump, whose mirror-odd components (σxy, and σxz
across x = 0 or σyz across y = 0) vanish.

In a homogenised bump layer each element strain of a bump's cell is localised to the bump by the
mixture's own Mori-Tanaka model (:func:`warpfem.model.bump_layer.localise_strain`) and the bump's
Hooke law gives its stress.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..fem import Solution
from ..model.bump_layer import HomogenisedLayer, localise_strain
from ..model.elasticity import hooke_mpa
from .stress import element_strain, shear_mpa, von_mises_mpa

COLUMNS = ("id", "x_mm", "y_mm", "dnp_mm", "max_von_mises_mpa", "max_shear_mpa", "max_peel_mpa",
           "avg_von_mises_mpa", "avg_shear_mpa", "avg_peel_mpa")

_PLANE_TOL_MM = 1e-6


@dataclass(frozen=True)
class BumpTable:
    """One row per bump (ids 0.. ordered by y, then x); ``columns`` holds ``COLUMNS`` and any added
    ones (such as the fatigue estimate), each an array of one value per bump."""

    part: tuple[str, ...]
    columns: dict[str, np.ndarray]
    avg_stress_mpa: np.ndarray        # (B, 3, 3) volume-averaged stress tensors
    shear_modulus_mpa: np.ndarray     # (B,) of each bump's own material

    @property
    def count(self) -> int:
        return len(self.part)

    @property
    def critical(self) -> int:
        """Row of the critical bump: the largest volume-averaged von Mises."""
        return int(np.argmax(self.columns["avg_von_mises_mpa"]))

    @property
    def most_sheared(self) -> int:
        """Row of the bump with the largest volume-averaged shear: the one thermal cycling works
        hardest (the elastic fatigue estimate's weakest), which may not be the von Mises critical
        one when the array's stresses are nearly even."""
        return int(np.argmax(np.abs(self.columns["avg_shear_mpa"])))

    def with_columns(self, **extra: np.ndarray) -> "BumpTable":
        return BumpTable(self.part, {**self.columns, **extra}, self.avg_stress_mpa, self.shear_modulus_mpa)


def _bump_of_element(sol: Solution, bump_parts: list[int]) -> tuple[np.ndarray, list[int]]:
    """Per element the bump it belongs to (-1 for none), and each bump's part index."""
    mesh, layout = sol.mesh, sol.layout
    group = np.full(mesh.n_elements, -1, dtype=np.int64)
    owner: list[int] = []
    for p in bump_parts:
        sel = np.flatnonzero(mesh.part == p)
        copies, inverse = np.unique(mesh.copy[sel], return_inverse=True)
        if not layout.parts[p].holes:
            group[sel] = len(owner) + inverse
            owner += [p] * len(copies)
            continue
        # a carved patch: each x-y connected piece of a copy is one bump
        for c in range(len(copies)):
            mine = sel[inverse == c]
            ij = sol.mesh.element_ijk[mine, :2]
            lo = ij.min(axis=0)
            grid = np.zeros(tuple(ij.max(axis=0) - lo + 1), dtype=bool)
            grid[tuple((ij - lo).T)] = True
            labels, n = ndimage.label(grid)
            group[mine] = len(owner) + labels[tuple((ij - lo).T)] - 1
            owner += [p] * n
    return group, owner


def _neutral_point_mm(sol: Solution, bump_parts: list[int]) -> np.ndarray:
    boxes = np.array([b for p in bump_parts for b in sol.layout.parts[p].site_boxes()])
    return 0.5 * np.array([boxes[:, 0].min() + boxes[:, 1].max(), boxes[:, 2].min() + boxes[:, 3].max()])


def _localised_stress(sol: Solution, sel: np.ndarray, stress: np.ndarray,
                      layers: dict[str, HomogenisedLayer]) -> tuple[np.ndarray, np.ndarray]:
    """Element stress of the bumps themselves, and each element's bump shear modulus (MPa)."""
    c = sol.classes
    mu = c.transverse_shear_mpa[c.of_element[sel]].copy()
    stress = stress.copy()
    names = [p.name for p in sol.layout.parts]
    dt = sol.layout.model.load.delta_t_k
    for name, layer in layers.items():
        mine = sol.mesh.part[sel] == names.index(name)
        strain = localise_strain(layer, element_strain(sol, sel[mine]), dt)
        stress[mine] = hooke_mpa(strain, layer.bump.constants_mpa, layer.bump.cte_axes_ppm * 1e-6 * dt)
        mu[mine] = layer.bump.lame_mpa[1]
    return stress, mu


def bump_table(sol: Solution, stress_mpa: np.ndarray,
               layers: dict[str, HomogenisedLayer] | None = None) -> BumpTable | None:
    """The per-bump table of a solved model, or None when no part has ``role = "bumps"``."""
    parts = sol.layout.parts
    bump_parts = [i for i, p in enumerate(parts) if p.role == "bumps"]
    if not bump_parts:
        return None
    group, owner = _bump_of_element(sol, bump_parts)
    sel = np.flatnonzero(group >= 0)
    g = group[sel]
    n = len(owner)
    s, mu = _localised_stress(sol, sel, stress_mpa[sel], layers or {})
    mesh = sol.mesh
    vol = mesh.element_sizes()[sel].prod(axis=1)
    total = np.bincount(g, weights=vol, minlength=n)
    avg = np.stack([np.bincount(g, weights=vol * s[:, a, b], minlength=n)
                    for a in range(3) for b in range(3)], axis=1).reshape(n, 3, 3) / total[:, None, None]
    g_mod = np.bincount(g, weights=vol * mu, minlength=n) / total

    # x-y extent of each bump from its elements' corner nodes
    lo = np.full((n, 2), np.inf)
    hi = np.full((n, 2), -np.inf)
    np.minimum.at(lo, g, mesh.nodes[mesh.elements[sel, 0], :2])
    np.maximum.at(hi, g, mesh.nodes[mesh.elements[sel, 6], :2])
    centre = 0.5 * (lo + hi)
    if sol.layout.quarter:
        # a bump continues in the mirrored quarter when it starts on a symmetry plane and the
        # site box it was cut from straddles that plane (a homogenised cell may just touch it)
        copy = np.zeros(n, dtype=np.int64)
        copy[g] = mesh.copy[sel]
        site = np.array([parts[owner[i]].site_boxes()[copy[i]] for i in range(n)])
        straddles = np.stack([site[:, 0] < -_PLANE_TOL_MM, site[:, 2] < -_PLANE_TOL_MM], axis=1)
        on_plane = (np.abs(lo) < _PLANE_TOL_MM) & straddles
        centre[on_plane] = 0.0
        odd = [(0, 1), (1, 0)]
        for axis, comps in ((0, [(0, 2), (2, 0)]), (1, [(1, 2), (2, 1)])):
            for a, b in odd + comps:
                avg[on_plane[:, axis], a, b] = 0.0

    def peak(values: np.ndarray) -> np.ndarray:
        out = np.full(n, -np.inf)
        np.maximum.at(out, g, values)
        return out

    order = np.lexsort((np.round(centre[:, 0], 6), np.round(centre[:, 1], 6)))
    dnp = np.hypot(*(centre - _neutral_point_mm(sol, bump_parts)).T)
    columns = {
        "id": np.arange(n),
        "x_mm": centre[:, 0],
        "y_mm": centre[:, 1],
        "dnp_mm": dnp,
        "max_von_mises_mpa": peak(von_mises_mpa(s)),
        "max_shear_mpa": peak(shear_mpa(s)),
        "max_peel_mpa": peak(s[:, 2, 2]),
        "avg_von_mises_mpa": von_mises_mpa(avg),
        "avg_shear_mpa": shear_mpa(avg),
        "avg_peel_mpa": avg[:, 2, 2],
    }
    columns = {k: (v if k == "id" else v[order]) for k, v in columns.items()}
    return BumpTable(tuple(parts[owner[i]].name for i in order), columns, avg[order], g_mod[order])
