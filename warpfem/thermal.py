"""The powered package: its temperature from steady conduction, its thermal resistances and its
warpage when powered.

- **Junction temperature**: the hottest node of the powered parts under the model's own
  ``[thermal]`` boundary; θJA = (Tj − ambient) / P for it.
- **θJC** (JESD51-1 style): the top faces of the package's topmost parts (lid, heat sink, bare
  die) held isothermal, every other face adiabatic; θJC = (Tj − T_case) / P.
- **θJB**: the carrier's bottom face held isothermal, every other face adiabatic — the package
  alone, without JESD51-8's test board, so a lower bound of the board-mounted figure.
- **Power-on warpage**: the package as assembled (all at once, or through its ``[[steps]]``), then
  at the powered temperature field: each brick strained from its bonding temperature to its own
  volume-mean temperature; moduli at the package's volume-mean temperature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ModelError
from .fem.heat import (PER_M2_TO_PER_MM2, PER_M_TO_PER_MM, FaceLoad, HeatMesh, element_means, face_areas_mm2, faces,
                       heat_mesh, solve_heat, volumes_mm3)
from .fem.history import Sequence, state
from .fem.thermoelastic import Solution
from .geometry import Layout
from .meshing import Mesh
from .model import Model, material_laws


@dataclass(frozen=True)
class Powered:
    """The powered package: nodal temperature (°C), figures for the summary, the power-on state."""

    temperature_c: np.ndarray
    summary: dict
    solution: Solution


def _conductivity(layout: Layout, mesh: Mesh) -> np.ndarray:
    """(E, 2) in-plane and through-thickness conductivity, W/(mm·K)."""
    materials = (layout.part_material(i) for i in range(len(layout.parts)))
    per_part = np.array([[m.k_w_mk, m.k_z_w_mk or m.k_w_mk] for m in materials], dtype=float)
    return PER_M_TO_PER_MM * per_part[mesh.part]


def _part_index(layout: Layout, name: str) -> int:
    return next(i for i, p in enumerate(layout.parts) if p.name == name)


def _sources(layout: Layout, mesh: Mesh, hm: HeatMesh, volume: np.ndarray,
             symmetry: float) -> tuple[np.ndarray, list[FaceLoad], float]:
    """Heat per volume (E,) W/mm³, face fluxes and the total power (W) of the whole package;
    ``volume``: each brick's, mm³."""
    q = np.zeros(mesh.n_elements)
    loads, total = [], 0.0
    for src in layout.model.thermal.power:
        mine = mesh.part == _part_index(layout, src.part)
        total += src.watts
        if src.face == "volume":
            q[mine] += src.watts / (symmetry * volume[mine].sum())
        else:
            facets = faces(hm, mine, src.face, exposed=False)
            loads.append(FaceLoad(facets, flux_w_mm2=src.watts / (symmetry * face_areas_mm2(hm, facets))))
    return q, loads, total


def _boundary(layout: Layout, mesh: Mesh, hm: HeatMesh) -> list[FaceLoad]:
    t = layout.model.thermal
    out = []
    for c in t.convection:
        facets = faces(hm, mesh.part == _part_index(layout, c.part), c.face, exposed=True)
        ambient = t.ambient_c if c.ambient_c is None else c.ambient_c
        out.append(FaceLoad(facets, h_w_mm2k=c.h_w_m2k * PER_M2_TO_PER_MM2, ambient_c=ambient))
    for f in t.fixed:
        out.append(FaceLoad(faces(hm, mesh.part == _part_index(layout, f.part), f.face, exposed=True),
                            fixed_c=f.temperature_c))
    for load, (table, entry) in zip(out, [*(("convection", c) for c in t.convection), *(("fixed", f) for f in t.fixed)]):
        if len(load.facets) == 0:
            raise ModelError(f"[[thermal.{table}]], key 'face': part '{entry.part}' has no exposed {entry.face} face "
                             "(another part covers it).")
    return out


def _case(layout: Layout, mesh: Mesh, hm: HeatMesh) -> np.ndarray:
    """The exposed top faces at the package's top: the case of θJC."""
    top = hm.z_range[:, 1].max()
    facets = faces(hm, np.ones(mesh.n_elements, dtype=bool), "top", exposed=True)
    z = hm.skfem.p[2, hm.skfem.facets[0, facets]]
    return facets[np.isclose(z, top)]


def powered(layout: Layout, assembled: Solution, seq: Sequence | None, layout_at) -> Powered:
    """Conduct the model's ``[thermal]`` heat through the mesh of ``assembled`` (the package's
    unpowered state, with its bonding history when ``seq`` holds process steps) and solve the
    powered package. ``layout_at(T)``: the layout with the moduli of temperature T (°C)."""
    model: Model = layout.model
    t = model.thermal
    mesh = assembled.mesh
    hm = heat_mesh(mesh)
    k = _conductivity(layout, mesh)
    volume = volumes_mm3(hm)
    symmetry = 4.0 if layout.quarter else 1.0
    q, sources, power = _sources(layout, mesh, hm, volume, symmetry)
    powered_nodes = np.unique(mesh.elements[np.isin(mesh.part, [_part_index(layout, s.part) for s in t.power])])

    def junction(loads) -> tuple[float, np.ndarray, float]:
        T, out = solve_heat(hm, k, q, sources + loads, mesh.n_nodes)
        return float(np.nanmax(T[powered_nodes])), T, out

    tj, T, out = junction(_boundary(layout, mesh, hm))
    figures = {"power_w": power, "junction_c": tj, "ambient_c": t.ambient_c,
               "theta_ja_k_w": (tj - t.ambient_c) / power if power else None,
               "heat_balance": (symmetry * out - power) / power if power else None}
    if power:
        tc, _, _ = junction([FaceLoad(_case(layout, mesh, hm), fixed_c=0.0)])
        carrier = mesh.part == layout.carrier_index
        tb, _, _ = junction([FaceLoad(faces(hm, carrier, "bottom", exposed=True), fixed_c=0.0)])
        figures.update(theta_jc_k_w=tc / power, theta_jb_k_w=tb / power)
    temps = element_means(hm, T)
    if seq is None:   # every part bonded at stress_free_c, undeformed
        seq = Sequence(np.zeros(len(layout.parts), dtype=int), (model.load.stress_free_c,))
        shapes = [np.zeros_like(assembled.u_mm)]
    else:   # the bonding shapes the unpowered state was solved from
        shapes = list(assembled.birth.shapes)
    mean_c = float(np.sum(temps * volume) / np.sum(volume))
    sol = state(layout_at(mean_c), mesh, seq, material_laws(model), shapes, seq.n_steps - 1, temps)
    figures.update(temperature_range_c=[float(np.nanmin(T)), float(np.nanmax(T))])
    return Powered(T, figures, sol)
