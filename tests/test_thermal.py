"""Steady heat conduction and the powered package against closed forms: series thermal
resistance of a slab stack, heat balance, θJC, and a uniform temperature field giving exactly the
uniform thermo-elastic result."""

from __future__ import annotations

import pytest

import warpfem
from conftest import clone, plate_model
from warpfem.errors import ModelError

# (name, thickness mm, E GPa, nu, cte ppm/K), with conductivities W/(m K)
LAYERS = [("board_side", 0.6, 26.0, 0.2, 15.0), ("bond", 0.1, 8.0, 0.33, 30.0), ("die", 0.4, 130.0, 0.28, 2.6)]
K = {"board_side": 0.6, "bond": 0.5, "die": 148.0}


def _stack(half=5.0, symmetry="quarter"):
    model = plate_model(LAYERS, half=half, symmetry=symmetry, size_mm=1.25)
    model["mesh"]["graded"] = False    # the 1-D closed forms hold on any mesh: the coarsest will do
    for name, k in K.items():
        model["materials"][f"m_{name}"]["k_w_mk"] = k
    return model


def _series_rise(power_w, half, die_share):
    """Temperature rise (K) from the fixed bottom to the hottest point: the layers below the die
    in series, plus the die itself with its heat made ``die_share`` of the way (1: on its top face,
    0.5: in its volume, where the hottest point sees half its thickness)."""
    area_m2 = (2 * half * 1e-3) ** 2
    below = sum(t * 1e-3 / (K[n] * area_m2) for n, t, *_ in LAYERS[:-1])
    die = LAYERS[-1][1] * 1e-3 / (K["die"] * area_m2)
    return power_w * (below + die_share * die)


@pytest.mark.parametrize("face, share", [("top", 1.0), ("volume", 0.5)])
def test_slab_stack_junction_matches_series_resistance(face, share):
    model = _stack()
    model["thermal"] = {"ambient_c": 25.0, "power": [{"part": "die", "watts": 3.0, "face": face}],
                        "fixed": [{"part": "board_side", "face": "bottom", "temperature_c": 40.0}]}
    r = warpfem.solve(model, target_error=0)
    th = r.summary["thermal"]
    assert th["junction_c"] == pytest.approx(40.0 + _series_rise(3.0, 5.0, share), rel=0.005)
    assert abs(th["heat_balance"]) < 1e-6
    # θJB holds the same face: the same rise per watt
    assert th["theta_jb_k_w"] == pytest.approx((th["junction_c"] - 40.0) / 3.0, rel=1e-6)


def test_convection_and_theta_jc():
    half, h = 5.0, 5000.0
    model = _stack(half)
    model["thermal"] = {"ambient_c": 30.0, "power": [{"part": "die", "watts": 2.0, "face": "bottom"}],
                        "convection": [{"part": "die", "face": "top", "h_w_m2k": h}]}
    r = warpfem.solve(model, target_error=0)
    th = r.summary["thermal"]
    area = (2 * half * 1e-3) ** 2
    # all heat leaves through the die's top: film, then the die from its bottom (the heat's face)
    rise = 2.0 * (1 / (h * area) + LAYERS[-1][1] * 1e-3 / (K["die"] * area))
    assert th["junction_c"] == pytest.approx(30.0 + rise, rel=0.005)
    assert th["theta_ja_k_w"] == pytest.approx(rise / 2.0, rel=0.005)
    assert th["theta_jc_k_w"] == pytest.approx(LAYERS[-1][1] * 1e-3 / (K["die"] * area), rel=0.005)
    assert abs(th["heat_balance"]) < 1e-6
    assert r.summary["thermal"]["power_on"]["warpage_um"] != 0.0


def test_uniform_temperature_field_gives_the_uniform_solve_exactly():
    """No power, every exposed face held at [load] temperature_c: the power-on state is today's."""
    model = _stack(symmetry="full")
    t = model["load"]["temperature_c"]
    model["thermal"] = {"power": [{"part": "die", "watts": 0.0}],
                        "fixed": [{"part": "board_side", "face": "bottom", "temperature_c": t},
                                  {"part": "die", "face": "top", "temperature_c": t}]}
    r = warpfem.solve(model, target_error=0)
    on = r.summary["thermal"]["power_on"]
    # the same equations to round-off: only the temperature field (25 °C ± 1e-13) differs in form
    assert on["warpage_um"] == pytest.approx(r.warpage_um, rel=1e-8)
    assert on["parts"]["die"]["max_von_mises_mpa"] == pytest.approx(r.summary["parts"]["die"]["max_von_mises_mpa"], rel=1e-8)


def test_result_vtu_carries_the_temperature(tmp_path):
    import meshio
    model = _stack()
    model["thermal"] = {"power": [{"part": "die", "watts": 1.0}],
                        "fixed": [{"part": "board_side", "face": "bottom", "temperature_c": 25.0}]}
    warpfem.solve(model, tmp_path, target_error=0)
    data = meshio.read(tmp_path / "result.vtu")
    assert data.point_data["temperature_c"].min() == pytest.approx(25.0)
    assert data.point_data["temperature_c"].max() > 25.0


@pytest.mark.parametrize("thermal, words", [
    ({"power": [{"part": "nope", "watts": 1.0}], "fixed": [{"part": "die", "face": "top", "temperature_c": 1.0}]},
     ["thermal.power", "no part 'nope'"]),
    ({"power": [{"part": "die", "watts": 1.0}]}, ["thermal", "nowhere to go"]),
    ({"power": [{"part": "die", "watts": 1.0}], "fixed": [{"part": "bond", "face": "top", "temperature_c": 1.0}]},
     ["thermal.fixed", "part 'bond'", "no exposed top face"]),
])
def test_bad_thermal_input_is_one_clear_sentence(thermal, words):
    model = _stack()
    model["thermal"] = thermal
    with pytest.raises(ModelError) as err:
        warpfem.solve(model, target_error=0)
    for w in words:
        assert w in str(err.value), str(err.value)


def test_thermal_needs_every_conductivity():
    model = _stack()
    model["materials"]["m_bond"].pop("k_w_mk")
    model["thermal"] = {"power": [{"part": "die", "watts": 1.0}],
                        "fixed": [{"part": "board_side", "face": "bottom", "temperature_c": 25.0}]}
    with pytest.raises(ModelError, match="k_w_mk"):
        warpfem.solve(clone(model), target_error=0)
