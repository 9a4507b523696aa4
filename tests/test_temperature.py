"""Temperature-dependent materials against closed forms: the thermal strain as the integral of
the instantaneous CTE (tables and the glass transition, checked by quadrature), and a bilayer
against Timoshenko with the integrated mismatch strain and the moduli of the final temperature."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

import warpfem
from conftest import clone, plate_model
from references import biaxial, corner_deflection, timoshenko_curvature
from warpfem.errors import ModelError
from warpfem.model import LIBRARY, load_model
from warpfem.model.temperature import GlassTransition, PropertyTable, TemperatureData

TABLE_T = (-40.0, 25.0, 100.0, 180.0, 260.0)
TABLE_CTE = (14.0, 16.5, 17.5, 18.4, 19.0)
TABLE_E = (120.0, 117.0, 113.0, 109.0, 104.0)


def _alpha_table(t):
    """The table's instantaneous CTE, written out piece by piece (not with np.interp)."""
    if t <= TABLE_T[0]:
        return TABLE_CTE[0]
    for (t0, a0), (t1, a1) in zip(zip(TABLE_T, TABLE_CTE), zip(TABLE_T[1:], TABLE_CTE[1:])):
        if t <= t1:
            return a0 + (a1 - a0) * (t - t0) / (t1 - t0)
    return TABLE_CTE[-1]


@pytest.mark.parametrize("t0, t1", [(150.0, 25.0), (25.0, 260.0), (-60.0, 300.0), (120.0, 110.0), (50.0, 50.0)])
def test_table_strain_is_the_integral_of_the_instantaneous_cte(t0, t1):
    data = TemperatureData(table=PropertyTable(TABLE_T, cte_ppm=TABLE_CTE))
    expected, _ = quad(_alpha_table, t0, t1, points=TABLE_T, limit=200)
    assert 1e6 * data.thermal_strain(0.0, t0, t1) == pytest.approx(expected, rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("width", [0.0, 10.0, 3.0])
@pytest.mark.parametrize("t0, t1", [(175.0, 25.0), (25.0, 260.0), (140.0, 160.0)])
def test_glass_transition_strain_is_the_integral_of_its_cte(width, t0, t1):
    a1, a2, tg = 9.0, 35.0, 150.0
    glass = GlassTransition(tg, a2, 1.2, width)
    data = TemperatureData(glass=glass)

    def alpha(t):   # the documented forms: a step, or a tanh of half-width w
        s = (1.0 if t > tg else 0.0) if width == 0 else 0.5 * (1 + math.tanh((t - tg) / width))
        return a1 + (a2 - a1) * s

    expected, _ = quad(alpha, t0, t1, points=[tg], limit=200)
    assert 1e6 * data.thermal_strain(a1, t0, t1) == pytest.approx(expected, rel=1e-9)
    # E moves log-linearly through the transition: the geometric mean at Tg when smooth
    if width:
        assert data.E_gpa(24.0, tg) == pytest.approx(math.sqrt(24.0 * 1.2), rel=1e-12)
    assert data.E_gpa(24.0, tg - 200) == pytest.approx(24.0, rel=1e-6)
    assert data.E_gpa(24.0, tg + 200) == pytest.approx(1.2, rel=1e-6)


def test_material_at_a_temperature_uses_the_secant_cte():
    m = LIBRARY["underfill"]
    hot = m.at(150.0, 25.0)
    assert hot.temperature is None and hot.E_gpa == pytest.approx(m.temperature.E_gpa(m.E_gpa, 25.0))
    strain = m.temperature.thermal_strain(m.cte_ppm, 150.0, 25.0)
    assert hot.cte_ppm * 1e-6 * (25.0 - 150.0) == pytest.approx(strain, rel=1e-12)
    # the underfill's Tg (130 °C) lies inside the range: its secant CTE is above alpha1
    assert hot.cte_ppm > m.cte_ppm + 5.0
    # at the stress-free temperature itself the CTE is the instantaneous one there
    assert m.at(60.0, 60.0).cte_ppm == pytest.approx(m.temperature.cte_ppm(m.cte_ppm, 60.0))


def _dependent_bilayer(half=30.0, t_b=0.4, t_t=0.6, stress_free=175.0, temperature=25.0):
    model = plate_model([("bottom", t_b, 117.0, 0.34, 17.0), ("top", t_t, 24.0, 0.30, 9.0)], half=half,
                        dT=(stress_free, temperature))
    model["load"]["material_properties"] = "temperature_dependent"
    model["materials"]["m_bottom"] = {"nu": 0.34, "table": {"temperature_c": list(TABLE_T), "E_gpa": list(TABLE_E),
                                                             "cte_ppm": list(TABLE_CTE)}}
    model["materials"]["m_top"].update(tg_c=150.0, cte_above_tg_ppm=35.0, E_above_tg_gpa=1.2, tg_width_k=0.0)
    return model


@pytest.mark.parametrize("temperature", [25.0, 120.0])
def test_bilayer_with_temperature_dependent_cte_matches_timoshenko(temperature):
    """Timoshenko with the mismatch strain ∫(α_b − α_t) dT and the moduli of the final temperature
    (elastic at each temperature: no history)."""
    half, t_b, t_t, t_sf = 30.0, 0.4, 0.6, 175.0
    r = warpfem.solve(_dependent_bilayer(half, t_b, t_t, t_sf, temperature))
    mismatch = 1e-6 * (quad(_alpha_table, t_sf, temperature, points=TABLE_T)[0]
                       - quad(lambda t: 9.0 if t < 150.0 else 35.0, t_sf, temperature, points=[150.0])[0])
    E_b = float(np.interp(temperature, TABLE_T, TABLE_E))
    E_t = 24.0 if temperature < 150.0 else 1.2
    # timoshenko_curvature takes (α_b − α_t) ΔT: pass the integrated mismatch with ΔT = 1
    k = timoshenko_curvature(t_b, biaxial(E_b, 0.34), mismatch, t_t, biaxial(E_t, 0.30), 0.0, 1.0)
    ref = 1e3 * corner_deflection(k, half, half)
    assert r.warpage_um == pytest.approx(ref, rel=0.01)
    assert r.summary["material_properties"] == "temperature_dependent"
    assert r.summary["materials"]["m_top"]["E_gpa"] == pytest.approx(E_t)


def test_room_temperature_default_ignores_the_library_temperature_data():
    model = plate_model([("bottom", 0.5, 117.0, 0.34, 17.0), ("top", 0.5, 8.0, 0.33, 30.0)], half=10.0)
    model["materials"] = {}
    model["parts"][0]["material"], model["parts"][1]["material"] = "copper", "underfill"
    m = load_model(model)
    assert m.load.material_properties == "room_temperature"
    r = warpfem.solve(model, target_error=0)
    assert r.summary["materials"]["underfill"] == {"E_gpa": 8.0, "nu": 0.33, "cte_ppm": 30.0}
    dependent = clone(model)
    dependent["load"]["material_properties"] = "temperature_dependent"
    d = warpfem.solve(dependent, target_error=0)
    assert d.summary["materials"]["underfill"]["cte_ppm"] > 35.0
    assert d.warpage_um != pytest.approx(r.warpage_um, rel=0.05)


def test_constant_given_by_the_model_wins_over_a_builtin_column():
    model = plate_model([("bottom", 0.5, 117.0, 0.34, 17.0), ("top", 0.5, 8.0, 0.33, 30.0)], half=10.0)
    model["load"]["material_properties"] = "temperature_dependent"
    model["parts"][0]["material"] = "copper"
    model["materials"] = {"copper": {"E_gpa": 100.0}, "m_top": model["materials"]["m_top"]}
    from warpfem.geometry import build_layout
    layout = build_layout(load_model(model))
    assert layout.materials["copper"].E_gpa == 100.0
    assert layout.materials["copper"].cte_ppm != pytest.approx(17.0, abs=0.05)   # the CTE column still applies


@pytest.mark.parametrize("change, words", [
    ({"load": {"material_properties": "room_temperature"}}, ["m_bottom", "table", "temperature_dependent"]),
    ({"m_top": {"tg_c": 150.0, "cte_above_tg_ppm": None}}, ["m_top", "cte_above_tg_ppm"]),
    ({"m_bottom": {"table": {"temperature_c": [25.0, 20.0], "cte_ppm": [1.0, 2.0]}}}, ["temperature_c", "increase"]),
    ({"m_bottom": {"table": {"temperature_c": [25.0, 50.0], "cte_ppm": [1.0]}}}, ["cte_ppm", "1 values"]),
    ({"m_bottom": {"table": {"temperature_c": [25.0, 50.0], "E_gpa": [1.0, -2.0]}}}, ["E_gpa", "positive"]),
    ({"m_bottom": {"tg_c": 100.0}}, ["m_bottom", "either a table or a glass transition"]),
])
def test_bad_temperature_data_is_one_clear_sentence(change, words):
    model = _dependent_bilayer()
    for key, value in change.items():
        target = model["load"] if key == "load" else model["materials"][key]
        for k, v in value.items():
            if v is None:
                target.pop(k, None)
            else:
                target[k] = v
    with pytest.raises(ModelError) as err:
        warpfem.solve(model, target_error=0)
    text = str(err.value)
    assert "\n" not in text.strip()
    for w in words:
        assert w in text
