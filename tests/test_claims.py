"""`warpfem check`: each seed claim rule on both sides of its boundary, and the command itself."""

from __future__ import annotations

import pytest
import tomli_w
from typer.testing import CliRunner

from conftest import REPO
from family_layouts import family_model
from warpfem.cli import app
from warpfem.model.claims import check_model

F0, F1, F2, F3, F4 = ("molded_flip_chip_heat_sink", "molded_underfill", "stiffener_dual_heat_sink",
                      "dual_carrier_stack", "carrier_size_heat_sink")


def verdict(family: str, claims: str, materials: dict | None = None, **params) -> str:
    """The verdict of the check whose claim numbers are ``claims``."""
    model = family_model(family, **params)
    if materials:
        model["materials"] = materials
    rows = [c for c in check_model(model).checks if c.claims == claims]
    assert len(rows) == 1, [c.claims for c in check_model(model).checks]
    return rows[0].verdict


# --- 000: chip(set)-to-heat-sink distance 0.03-0.2 mm; encapsulant k > 1.2 W/(m K) -------------

@pytest.mark.parametrize("gap, expected", [(0.029, "missed"), (0.03, "satisfied"), (0.1, "satisfied"),
                                           (0.2, "satisfied"), (0.201, "missed")])
def test_000_heat_sink_gap_range(gap, expected):
    assert verdict(F0, "2", heat_sink_gap_mm=gap) == expected


def test_000_chip_set_uses_claim_10():
    assert verdict(F0, "10", chip_set="three_die_stack", heat_sink_gap_mm=0.25) == "missed"
    assert verdict(F0, "10", chip_set="attached_die_with_flip_chip", heat_sink_gap_mm=0.2) == "satisfied"


@pytest.mark.parametrize("k, expected", [(1.2, "missed"), (1.21, "satisfied")])
def test_000_mould_conductivity_boundary(k, expected):
    assert verdict(F0, "3", materials={"emc_high_k": {"k_w_mk": k}}) == expected


def test_000_mould_conductivity_of_a_library_or_incomplete_material():
    assert verdict(F0, "3") == "satisfied"                           # emc_high_k: 2.0 W/(m K)
    assert verdict(F0, "3", mould_material="emc") == "missed"        # silica-filled: 0.9 W/(m K)
    no_k = {"my_emc": {"E_gpa": 24.0, "nu": 0.3, "cte_ppm": 9.0}}
    assert verdict(F0, "3", materials=no_k, mould_material="my_emc") == "not judged"


# --- 001: cap 0.5-2 x gap; filler < 0.5 x gap; pressure < 20 mmHg; T <= T_melt - 10 C -------------

@pytest.mark.parametrize("ratio, expected", [(0.49, "missed"), (0.5, "satisfied"), (2.0, "satisfied"),
                                             (2.01, "missed")])
def test_001_cap_ratio_boundary(ratio, expected):
    assert verdict(F1, "1, 15", mould_cap_ratio=ratio) == expected


@pytest.mark.parametrize("cap_mm, expected", [(0.039, "missed"), (0.04, "satisfied"), (0.16, "satisfied"),
                                              (0.161, "missed")])
def test_001_cap_given_as_a_thickness(cap_mm, expected):
    assert verdict(F1, "1, 15", mould_cap_mm=cap_mm, bump_height_mm=0.08) == expected


@pytest.mark.parametrize("filler_um, expected", [(39.9, "satisfied"), (40.0, "missed"), (None, "not judged")])
def test_001_filler_boundary(filler_um, expected):
    params = {} if filler_um is None else {"filler_max_diameter_um": filler_um}
    assert verdict(F1, "2, 20", bump_height_mm=0.08, **params) == expected


@pytest.mark.parametrize("pressure, expected", [(19.9, "satisfied"), (20.0, "missed"), (None, "not judged")])
def test_001_pressure_boundary(pressure, expected):
    params = {} if pressure is None else {"moulding_pressure_mmhg": pressure}
    assert verdict(F1, "18", **params) == expected


@pytest.mark.parametrize("temperature, melt, expected", [(207.0, 217.0, "satisfied"), (207.1, 217.0, "missed"),
                                                         (175.0, None, "not judged")])
def test_001_moulding_temperature_boundary(temperature, melt, expected):
    params = {"moulding_temperature_c": temperature}
    if melt is not None:
        params["bump_melting_point_c"] = melt
    assert verdict(F1, "19", **params) == expected


def test_001_chip_set_claim_numbers():
    assert verdict(F1, "6, 15", chip_set="attached_die_with_flip_chip", mould_cap_ratio=2.5) == "missed"


# --- 002: second heat sink smaller than the die; CTE equal to the substrate's ------------------

@pytest.mark.parametrize("size, expected", [(19.99, "satisfied"), (20.0, "missed"), (21.0, "missed")])
def test_002_second_heat_sink_area_boundary(size, expected):
    assert verdict(F2, "9", second_heat_sink_size_mm=size) == expected


@pytest.mark.parametrize("cte, expected", [(15.5, "satisfied"), (14.5, "satisfied"), (15.51, "missed"),
                                           (14.49, "missed")])
def test_002_cte_match_boundary(cte, expected):
    metal = {"metal": {"E_gpa": 193.0, "nu": 0.27, "cte_ppm": cte}}
    assert verdict(F2, "10", materials=metal, second_heat_sink_material="metal") == expected


def test_002_copper_second_heat_sink_is_not_cte_matched_to_bt():
    assert verdict(F2, "10") == "missed"                             # 17.0 vs 15.0 ppm/K


# --- 004: heat-sink area equal to the carrier's -------------------------------------------------

@pytest.mark.parametrize("size, expected", [(10.0, "satisfied"), (9.99, "satisfied"), (9.98, "missed")])
def test_004_heat_sink_area_boundary(size, expected):
    assert verdict(F4, "2", heat_sink_size_mm=size) == expected


def test_004_buffer_pad_uses_claim_13():
    assert verdict(F4, "13", attachment="buffer_pad") == "satisfied"


def test_003_states_no_number():
    assert verdict(F3, "5, 10") == "not judged"


# --- the command -----------------------------------------------------------------------------

def test_check_command_prints_the_claims_with_numbers():
    res = CliRunner().invoke(app, ["check", str(REPO / "studies/families/molded_underfill.toml")])
    assert res.exit_code == 0, res.output
    for words in ("seed 001", "0.08 mm / 0.08 mm = 1", "25 µm", "10 mmHg", "207", "satisfied"):
        assert words in res.stdout, words


def test_check_command_reports_a_miss(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(tomli_w.dumps(family_model(F0, heat_sink_gap_mm=0.25)))
    res = CliRunner().invoke(app, ["check", str(path)])
    assert res.exit_code == 0 and "missed" in res.stdout and "0.25 mm" in res.stdout


def test_check_refuses_a_parts_model(small_fcbga):
    res = CliRunner().invoke(app, ["check", str(small_fcbga)])
    assert res.exit_code == 2 and "'family'" in res.stderr and res.stdout == ""
