"""Process steps (element birth) against closed forms: superposed lamination states, and one
step with every part equal to the single solve."""

from __future__ import annotations

import pytest

import warpfem
from conftest import clone, plate_model
from references import biaxial, corner_deflection, lamination_curvature
from warpfem.errors import ModelError

LAYERS = [("base", 0.5, 117.0, 0.34, 17.0), ("chip", 0.4, 130.0, 0.28, 2.6), ("cap", 0.3, 24.0, 0.30, 9.0)]


def _stack(half=25.0):
    return plate_model(LAYERS, half=half, dT=(175.0, 25.0))


def _warpage(layers, dT, half):
    k = lamination_curvature([(t, biaxial(E, nu), a * 1e-6) for _, t, E, nu, a in layers], dT)
    return 1e3 * corner_deflection(-k, half, half)   # w = -κ r²/2 in CLT's sign convention


def test_cap_bonded_later_superposes_two_lamination_states():
    """Base and chip bond at 175 °C and bend as a bilayer down to 125 °C; the cap bonds there,
    stress-free in that bent shape; the three layers then cool to 25 °C. Elastic and linear: the
    final curvature is the bilayer's over −50 K plus the trilayer's over −100 K."""
    half = 25.0
    model = _stack(half)
    model["steps"] = [{"name": "flip chip", "parts": ["base", "chip"]},
                      {"name": "cap", "temperature_c": 125.0, "parts": ["cap"]}]
    r = warpfem.solve(model)
    ref = _warpage(LAYERS[:2], -50.0, half) + _warpage(LAYERS, -100.0, half)
    assert r.warpage_um == pytest.approx(ref, rel=0.01)
    all_at_once = warpfem.solve(_stack(half))
    assert abs(r.warpage_um - all_at_once.warpage_um) > 0.05 * abs(ref)   # the history matters here
    assert [s["temperature_c"] for s in r.summary["process"]["steps"]] == [175.0, 125.0]
    assert r.summary["process"]["steps"][0]["parts"] == ["base", "chip"]


def test_the_cap_bonded_later_carries_only_its_own_cooling():
    """The cap's stress comes from 125 → 25 °C only: a cap bonded at 25 °C carries none."""
    model = _stack(10.0)
    model["steps"] = [{"name": "flip chip"}, {"name": "cap", "temperature_c": 25.0, "parts": ["cap"]}]
    r = warpfem.solve(model, target_error=0)
    assert r.summary["parts"]["cap"]["max_von_mises_mpa"] < 1e-3
    assert r.summary["parts"]["chip"]["max_von_mises_mpa"] > 10.0


def test_one_step_with_every_part_is_the_single_solve():
    model = _stack(10.0)
    plain = warpfem.solve(model, target_error=0)
    model["steps"] = [{"name": "everything"}]
    one = warpfem.solve(model, target_error=0)
    # the same path: equal to the parallel direct solver's round-off
    assert one.warpage_um == pytest.approx(plain.warpage_um, rel=1e-12)
    # two steps at one temperature: the second bonds to an undeformed package
    model["steps"] = [{"name": "first", "parts": ["base", "chip"]}, {"name": "second", "temperature_c": 175.0}]
    two = warpfem.solve(model, target_error=0)
    assert two.warpage_um == pytest.approx(plain.warpage_um, rel=1e-9)


def test_sweep_after_steps_keeps_the_history():
    half = 15.0
    model = _stack(half)
    model["steps"] = [{"name": "flip chip", "parts": ["base", "chip"]},
                      {"name": "cap", "temperature_c": 125.0, "parts": ["cap"]}]
    sweep = warpfem.sweep_temperature(model, (25.0, 125.0, 260.0), target_error=0)
    w = {p.temperature_c: p.warpage_um for p in sweep.points}
    # at the cap's bonding temperature the package is the bilayer's bent state
    assert w[125.0] == pytest.approx(_warpage(LAYERS[:2], -50.0, half), rel=0.02)
    assert w[25.0] == pytest.approx(_warpage(LAYERS[:2], -50.0, half) + _warpage(LAYERS, -100.0, half), rel=0.02)


@pytest.mark.parametrize("steps, words", [
    ([{"name": "a", "parts": ["nope"]}], ["step 'a'", "parts", "no part 'nope'"]),
    ([{"name": "a", "parts": ["chip"]}, {"name": "b", "temperature_c": 100.0, "parts": ["chip"]}],
     ["step 'b'", "already bonded in step 'a'"]),
    ([{"name": "a"}, {"name": "b", "parts": ["cap"]}], ["step 'b'", "temperature_c"]),
    ([{"name": "a", "parts": ["chip"]}, {"name": "b", "temperature_c": 100.0, "parts": ["base"]}],
     ["carrier 'base'", "first step"]),
    ([{"name": "a", "parts": ["base", "cap"]}, {"name": "b", "temperature_c": 100.0, "parts": ["chip"]}],
     ["step 'a'", "part 'cap'", "does not touch"]),
    ([{"name": "a"}, {"name": "a", "temperature_c": 100.0, "parts": ["cap"]}], ["steps", "same name"]),
])
def test_bad_steps_are_one_clear_sentence(steps, words):
    model = clone(_stack(10.0))
    model["steps"] = steps
    with pytest.raises(ModelError) as err:
        warpfem.solve(model, target_error=0)
    text = str(err.value)
    for w in words:
        assert w in text, text


FAMILIES = "studies/families"


@pytest.mark.parametrize("name, first", [("stiffener_dual_heat_sink", 217.0), ("molded_underfill", 217.0),
                                         ("molded_flip_chip_heat_sink", 217.0), ("carrier_size_heat_sink", 150.0),
                                         ("carrier_size_heat_sink_pedestal", 217.0)])
def test_family_default_sequence(name, first, tmp_path):
    import tomllib
    from pathlib import Path
    from warpfem.model import load_model
    raw = tomllib.loads((Path(__file__).parents[1] / FAMILIES / f"{name}.toml").read_text())
    raw["model"]["process"] = "family"
    m = load_model(raw)
    assert m.step_temperatures_c()[0] == first and len(m.steps) >= 2
    bonded = [p for s in m.steps for p in s.parts]
    assert len(bonded) == len(set(bonded))
    # the parts-only expansion carries the steps and solves to the same state
    expanded = warpfem.expand(raw, tmp_path / "parts.toml")
    assert expanded.steps == m.steps
    assert "process" not in (tmp_path / "parts.toml").read_text()


def test_process_family_needs_a_family():
    model = _stack(10.0)
    model["model"]["process"] = "family"
    with pytest.raises(ModelError, match="process"):
        warpfem.solve(model, target_error=0)


def test_a_single_step_at_another_temperature_bonds_everything_there():
    model = _stack(10.0)
    model["steps"] = [{"name": "all", "temperature_c": 125.0}]
    stepped = warpfem.solve(model, target_error=0)
    plain = _stack(10.0)
    plain["load"]["stress_free_c"] = 125.0
    assert stepped.warpage_um == pytest.approx(warpfem.solve(plain, target_error=0).warpage_um, rel=1e-6)


def test_two_step_bilayer_bends_only_from_the_second_bonding_temperature():
    """A base bonded alone at 175 °C expands freely and stays flat; a top layer bonded at 125 °C
    in that flat shape bends the pair over 125 → 25 °C only: Timoshenko with ΔT = −100 K."""
    from references import timoshenko_curvature
    half = 25.0
    (_, t_b, E_b, nu_b, a_b), (_, t_t, E_t, nu_t, a_t) = LAYERS[0], LAYERS[1]
    model = plate_model(LAYERS[:2], half=half, dT=(175.0, 25.0))
    model["steps"] = [{"name": "base", "parts": ["base"]}, {"name": "top", "temperature_c": 125.0, "parts": ["chip"]}]
    r = warpfem.solve(model)
    k = timoshenko_curvature(t_b, biaxial(E_b, nu_b), a_b * 1e-6, t_t, biaxial(E_t, nu_t), a_t * 1e-6, -100.0)
    assert r.warpage_um == pytest.approx(1e3 * corner_deflection(k, half, half), rel=0.01)
