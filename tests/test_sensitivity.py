"""Sensitivities: the adjoint derivatives of warpage, coplanarity and die stress with respect to
every material's E, ν and CTE equal central finite differences of whole solves on the same mesh
(perturbed moduli or expansion, re-solved, read through the summary's own post-processing), to
1e-3 on three family models; and the dimension differences say what they skip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from warpfem.design import material_sensitivities
from warpfem.errors import ModelError
from warpfem.design.sensitivity import DIE_MATERIAL, dimension_keys, dimension_sensitivities, outputs_of, ranked
from warpfem.fem import StiffnessSystem, solve_thermal
from warpfem.fem.assemble import element_classes
from warpfem.geometry import build_layout
from warpfem.meshing import features, graded_mesh, initial_grading
from warpfem.model import load_model
from warpfem.post import element_fields, part_maxima
from warpfem.post.warpage import coplanarity_um, warpage_um

FAMILIES = Path(__file__).resolve().parents[1] / "studies" / "families"

#: relative step of the finite differences: their truncation (h²) and round-off (1e-12 / h) stay
#: far below the 1e-3 compared
H = 1e-4


def _setting(name: str, edge_ratio: float | None):
    model = load_model(FAMILIES / f"{name}.toml")
    if edge_ratio is not None:   # coarser at the edges: a few thousand dofs
        model = model.model_copy(update={"mesh": model.mesh.model_copy(update={"size_mm": 4.0, "edge_ratio": edge_ratio})})
    model = model.model_copy(update={"solver": model.solver.model_copy(update={"method": "direct"})})
    layout = build_layout(model)
    mesh = graded_mesh(layout, features(layout), initial_grading(layout))
    return layout, mesh


def _read(sol) -> dict[str, float]:
    """The outputs as the summary reads them."""
    parts = part_maxima(sol, element_fields(sol))
    summary = {"warpage_um": warpage_um(sol), "coplanarity_um": coplanarity_um(sol), "parts": parts}
    return outputs_of(summary)


def _perturbed(layout, mesh, material: str, constant: str, factor: float) -> dict[str, float]:
    """The outputs re-solved with one material constant times ``factor``."""
    mats = layout.materials
    constants = np.array([mats[p.material].constants_mpa for p in layout.parts])
    strain = np.array([mats[p.material].cte_axes_ppm * 1e-6 * layout.model.load.delta_t_k for p in layout.parts])
    mine = np.array([p.material == material for p in layout.parts])
    m = mats[material]
    if constant == "E_gpa":
        constants[mine] *= factor
    elif constant == "cte_ppm":
        strain[mine] *= factor
    elif m.orthotropic is None:
        from dataclasses import replace
        constants[mine] = replace(m, nu=m.nu * factor).constants_mpa
    else:
        from dataclasses import replace
        o = m.orthotropic
        constants[mine] = replace(m, orthotropic=replace(o, nu=tuple(v * factor for v in o.nu))).constants_mpa
    classes = element_classes(layout, mesh, part_strain=strain, part_constants_mpa=constants)
    with StiffnessSystem(layout, mesh, classes=classes) as system:
        return _read(solve_thermal(system))


@pytest.mark.parametrize("family, edge_ratio", [("molded_underfill", None), ("carrier_size_heat_sink", 16.0),
                                                ("molded_flip_chip_heat_sink", 16.0)])
def test_the_adjoint_equals_central_differences(family, edge_ratio):
    layout, mesh = _setting(family, edge_ratio)
    with StiffnessSystem(layout, mesh) as system:
        sol = solve_thermal(system)
    rows = material_sensitivities(sol)
    nominal = _read(sol)
    assert {r.output for r in rows} == set(nominal)            # the dies' stresses included
    assert any(p.material == DIE_MATERIAL for p in layout.parts)
    for r in rows:
        assert r.output_value == pytest.approx(nominal[r.output], rel=1e-12)
    def log_derivative(r):          # dJ/d(ln p): J's change per relative change of the input
        return r.derivative * r.value

    largest = {o: max(abs(log_derivative(r)) for r in rows if r.output == o) for o in nominal}
    checked = 0
    for material in sorted(layout.materials):
        for constant in ("E_gpa", "nu", "cte_ppm"):
            up = _perturbed(layout, mesh, material, constant, 1 + H)
            down = _perturbed(layout, mesh, material, constant, 1 - H)
            for o, j0 in nominal.items():
                fd = (up[o] - down[o]) / (2 * H)
                r = next(r for r in rows if r.output == o and r.parameter == f"{material} {constant}")
                assert abs(log_derivative(r) - fd) <= 1e-3 * max(abs(fd), 1e-2 * largest[o]), (o, material, constant)
                if abs(j0) >= 1.0:
                    assert r.normalised == pytest.approx(log_derivative(r) / j0, rel=1e-12)
                else:
                    assert r.normalised is None
                checked += 1
    assert checked == 3 * 4 * len(layout.materials)
    for o, j0 in nominal.items():
        # a thermal load: stress and warpage scale with the strain mismatch, so scaling every CTE
        # together scales every output with it
        total = sum(log_derivative(r) for r in rows if r.output == o and r.parameter.endswith("cte_ppm"))
        assert total == pytest.approx(j0, rel=1e-6, abs=1e-9)
        # scaling every modulus together leaves the displacement and scales the stress with it
        total = sum(log_derivative(r) for r in rows if r.output == o and r.parameter.endswith("E_gpa"))
        assert total == pytest.approx(j0 if o.startswith("die") else 0.0, rel=1e-6, abs=1e-6 * abs(j0))


def test_ranked_puts_the_largest_first():
    layout, mesh = _setting("molded_flip_chip_heat_sink", 16.0)
    with StiffnessSystem(layout, mesh) as system:
        rows = ranked(material_sensitivities(solve_thermal(system)))
    warpage = [abs(r.normalised) for r in rows if r.output == "warpage_um"]
    assert len(warpage) == 3 * 5
    assert warpage == sorted(warpage, reverse=True) and rows[0].output == "warpage_um"


def test_a_dimension_whose_step_changes_the_mesh_is_differenced_on_the_side_that_keeps_it():
    raw = {"model": {"name": "m", "family": "molded_flip_chip_heat_sink"}, "mesh": {"size_mm": 4.0},
           "load": {"stress_free_c": 150.0, "temperature_c": 25.0}, "family": {}}
    lengths = dimension_keys(raw)
    assert "die_size_mm" in lengths and "lead_pitch_mm" not in lengths     # a lead frame's key: not this variant
    calls = []

    def solve(model: dict) -> dict:
        calls.append(dict(model["family"]))
        key, value = next(iter(model["family"].items()), (None, None))
        dx = 0.0 if key is None else value - lengths[key]
        # die size: a line more above the nominal; heat sink size: a line more on both sides
        dofs = 1000 + (key == "die_size_mm" and dx > 0) + (key == "heat_sink_size_mm" and dx != 0)
        w = -50.0 + 2.0 * dx + 3.0 * dx ** 2 * (key == "die_size_mm")
        return {"warpage_um": w, "coplanarity_um": abs(w), "parts": {}, "mesh": {"dofs": dofs}}

    rows, skipped = dimension_sensitivities(raw, solve, step=0.01,
                                            keys=["die_size_mm", "carrier_thickness_mm", "heat_sink_size_mm"])
    assert list(skipped) == ["heat_sink_size_mm"] and "both sides" in skipped["heat_sink_size_mm"]
    die = next(r for r in rows if r.output == "warpage_um" and r.parameter == "family die_size_mm")
    h = 0.01 * lengths["die_size_mm"]
    assert die.method.startswith("backward") and die.derivative == pytest.approx(2.0, rel=1e-9)  # exact on a quadratic
    assert die.error == pytest.approx(3.0 * h, rel=1e-6)        # what the first-order difference would be off
    flat = next(r for r in rows if r.output == "warpage_um" and r.parameter == "family carrier_thickness_mm")
    assert flat.method.startswith("central") and flat.derivative == pytest.approx(2.0, rel=1e-9)
    assert flat.error == pytest.approx(0.0, abs=1e-9)           # linear: the one-sided differences agree
    assert flat.normalised == pytest.approx(2.0 * lengths["carrier_thickness_mm"] / -50.0, rel=1e-9)
    assert len(calls) == 1 + 3 + 2 + 2                           # nominal; die ±, -2h; thickness ±; heat sink ±
    with pytest.raises(ModelError, match="lead_pitch_mm"):
        dimension_sensitivities(raw, solve, keys=["lead_pitch_mm"])


def test_the_critical_bumps_material_differences_add_up_to_its_stress():
    """The critical bump's average von Mises (from its submodel) is differenced in every material's
    constants. Scaling every CTE together scales the displacement and every stress, and scaling
    every modulus together scales every stress at the same displacement, so the CTE and the E
    log-derivatives each sum to the stress itself: an exact check on the differences and on the
    overrides reaching both the global model and the submodel."""
    import tomllib

    from conftest import SMALL_FAMILY_TOML
    from warpfem.design.sensitivity import BUMP, bump_material_sensitivities
    from warpfem.pipeline import solve

    raw = tomllib.loads(SMALL_FAMILY_TOML)
    rows, skipped = bump_material_sensitivities(raw, lambda m: solve(m, target_error=0.0).summary)
    assert not skipped and len(rows) == 5 * 3 and {r.output for r in rows} == {BUMP}
    j = rows[0].output_value
    for constant in ("cte_ppm", "E_gpa"):
        total = sum(r.derivative * r.value for r in rows if r.parameter.endswith(constant))
        assert total == pytest.approx(j, rel=1e-4), constant
    solder = next(r for r in rows if r.parameter == "sac305 E_gpa")
    assert solder.derivative > 0 and not solder.uncertain      # a stiffer solder carries more stress
    # with temperature data read at the load, one override does not scale a material: it is skipped
    temperature_dependent = {**raw, "load": {**raw["load"], "material_properties": "temperature_dependent"}}
    overridden = []

    def bump_only(model: dict) -> dict:   # a stand-in solve: only which materials were moved matters
        overridden.extend(model.get("materials") or {})
        return {"warpage_um": 1.0, "coplanarity_um": 1.0, "parts": {}, "bumps": {"critical_avg_von_mises_mpa": 90.0}}

    rows, skipped = bump_material_sensitivities(temperature_dependent, bump_only)
    assert "copper (critical bump)" in skipped and "temperature" in skipped["copper (critical bump)"]
    assert "copper" not in overridden and {r.parameter.split()[0] for r in rows} == set(overridden) - {"copper"}
