"""Every bad family table is refused before meshing: one sentence naming [family] (or the table)
and the key, exit code 2, nothing written."""

from __future__ import annotations

import pytest
import tomli_w
from typer.testing import CliRunner

from conftest import assert_refused
from family_layouts import family_model
from warpfem.cli import app

F0, F1, F2, F3, F4 = ("molded_flip_chip_heat_sink", "molded_underfill", "stiffener_dual_heat_sink",
                      "dual_carrier_stack", "carrier_size_heat_sink")

CASES = {
    # the parameter table itself
    "typo": (F0, {"die_sise_mm": 5.0}, ["[family]", "'die_sise_mm'", f"not a parameter of family '{F0}'"]),
    "bad choice": (F0, {"carrier": "ceramic"}, ["[family]", "'carrier'", "substrate"]),
    "key of another variant": (F0, {"third_die_size_mm": 2.0},
                               ["'third_die_size_mm'", 'chip_set = "three_die_stack"', 'chip_set = "flip_chip"']),
    "lead key on a substrate": (F4, {"lead_pitch_mm": 0.4}, ["'lead_pitch_mm'", 'carrier = "lead_frame"']),
    "bump key on a wire-bonded die": (F4, {"bump_pitch_mm": 0.3},
                                      ["'bump_pitch_mm'", 'chip_connection = "flip_chip"']),
    "unknown material": (F0, {"mould_material": "unobtainium"}, ["[family]", "'mould_material'", "unobtainium"]),
    # geometry the families refuse
    "die wider than carrier": (F0, {"die_size_mm": 14.0}, ["'die_size_mm'", "14 mm", "carrier (12 mm)"]),
    "gap too thin to mesh": (F0, {"heat_sink_gap_mm": 0.005}, ["'heat_sink_gap_mm'", "0.005 mm", "0.01 mm"]),
    "negative gap": (F0, {"heat_sink_gap_mm": -0.1}, ["'heat_sink_gap_mm'", "-0.1 mm"]),
    "heat sink overhangs": (F0, {"heat_sink_size_mm": 13.0}, ["'heat_sink_size_mm'", "overhangs"]),
    "passives hit the heat sink": (F0, {"passives": True, "passive_height_mm": 0.5},
                                   ["'passive_height_mm'", "heat sink's bottom"]),
    "passives on a lead frame": (F0, {"carrier": "lead_frame", "die_size_mm": 5.0, "passives": True},
                                 ["'passives'", 'carrier = "substrate"']),
    "passives on the die": (F0, {"passives": True, "passive_offset_mm": 3.1}, ["'passive_offset_mm'", "die"]),
    "passives off the carrier": (F0, {"passives": True, "passive_offset_mm": 5.9}, ["'passive_offset_mm'", "edge"]),
    "second die as wide as the first": (F0, {"chip_set": "attached_die_with_flip_chip", "second_die_size_mm": 6.0},
                                        ["'second_die_size_mm'", "wire-bond pads"]),
    "second die overhangs": (F1, {"chip_set": "three_die_stack", "second_die_size_mm": 7.0},
                             ["'second_die_size_mm'", "overhang"]),
    "third die as wide as the second": (F1, {"chip_set": "three_die_stack", "third_die_size_mm": 4.0},
                                        ["'third_die_size_mm'", "second"]),
    "stiffener height under a lid": (F2, {"stiffener_height_mm": 1.0},
                                     ["'stiffener_height_mm'", "first_heat_sink = false", "first_heat_sink = true"]),
    "lid key without a lid": (F2, {"first_heat_sink": False, "first_heat_sink_thickness_mm": 1.0},
                              ["'first_heat_sink_thickness_mm'", "first_heat_sink = true"]),
    "fins without a second heat sink": (F2, {"second_heat_sink": False, "fins": 3},
                                        ["'fins'", "second_heat_sink = true", "second_heat_sink = false"]),
    "round bumps in corner patches": (F0, {"bump_shape": "cylinder"}, ["'bump_shape'", 'bump_layout = "full"']),
    "barrel width on a box bump": (F0, {"bump_layout": "full", "bump_max_diameter_mm": 0.15},
                                   ["'bump_max_diameter_mm'", 'bump_shape = "barrel"']),
    "barrels touch": (F0, {"bump_layout": "full", "bump_shape": "barrel", "bump_max_diameter_mm": 0.2},
                      ["'bump_max_diameter_mm'", "as wide as their pitch"]),
    "barrel narrower than its pads": (F0, {"bump_layout": "full", "bump_shape": "barrel", "bump_max_diameter_mm": 0.09},
                                      ["'bump_max_diameter_mm'", "below its pad"]),
    "bumps touch": (F0, {"bump_pad_mm": 0.2}, ["'bump_pad_mm'", "touch"]),
    "bump pitch wider than the die": (F4, {"chip_connection": "flip_chip", "die_size_mm": 0.5, "bump_pitch_mm": 0.6,
                                           "heat_sink_size_mm": 10.0}, ["'bump_pitch_mm'", "wider than"]),
    "too many bump columns": (F0, {"bump_layout": "full", "bump_pitch_mm": 0.05, "bump_pad_mm": 0.025},
                              ["'bump_pitch_mm'", "120 bump columns", "at most 64"]),
    "corner patches overlap": (F0, {"corner_bumps": 20}, ["'corner_bumps'", "40 bump columns", "holds 30"]),
    "die pad narrower than the die": (F0, {"carrier": "lead_frame", "die_size_mm": 5.0, "die_pad_size_mm": 4.0},
                                      ["'die_pad_size_mm'", "narrower than the die"]),
    "die pad runs into the leads": (F0, {"carrier": "lead_frame", "die_size_mm": 5.0, "die_pad_size_mm": 11.5},
                                    ["'die_pad_size_mm'", "reaches the tips"]),
    "leads touch": (F0, {"carrier": "lead_frame", "die_size_mm": 5.0, "lead_width_mm": 0.5},
                    ["'lead_width_mm'", "touch"]),
    # seed 001
    "both cap keys": (F1, {"mould_cap_ratio": 1.0, "mould_cap_mm": 0.1}, ["'mould_cap_mm'", "either"]),
    "cap too thin to mesh": (F1, {"mould_cap_ratio": 0.1}, ["'mould_cap_ratio'", "0.008 mm"]),
    "passives stick out of the mould": (F1, {"passives": True, "passive_height_mm": 0.5}, ["'passive_height_mm'", "mould over them"]),
    "negative pressure": (F1, {"moulding_pressure_mmhg": -1.0}, ["'moulding_pressure_mmhg'"]),
    # seed 002
    "stiffener on the die": (F2, {"stiffener_width_mm": 12.0}, ["'stiffener_width_mm'", "does not clear the die"]),
    "no room for the stiffener": (F2, {"stiffener_adhesive_mm": 0.85}, ["'stiffener_adhesive_mm'", "tall"]),
    "lid misses the stiffener": (F2, {"first_heat_sink_size_mm": 25.0},
                                 ["'first_heat_sink_size_mm'", "does not reach the stiffener"]),
    "lid overhangs": (F2, {"first_heat_sink_size_mm": 41.0}, ["'first_heat_sink_size_mm'", "overhangs"]),
    "separate-stiffener key on an integral body": (F2, {"integral_heat_sink": True, "stiffener_material": "aluminum"},
                                                   ["'stiffener_material'", "integral_heat_sink = false"]),
    "underfill sliver": (F2, {"underfill_margin_mm": 0.005}, ["'underfill_margin_mm'", "0.01 mm"]),
    "fin key without fins": (F2, {"fin_height_mm": 2.0}, ["'fin_height_mm'", "fins > 0"]),
    "fins do not fit": (F2, {"fins": 30, "fin_thickness_mm": 0.6}, ["'fins'", "do not fit"]),
    "second heat sink as wide as the substrate": (F2, {"second_heat_sink_size_mm": 40.0},
                                                  ["'second_heat_sink_size_mm'", "substrate"]),
    "no ball around the second heat sink": (F2, {"second_heat_sink_size_mm": 39.5, "solder_balls": True},
                                            ["'ball_pitch_mm'", "no ball fits"]),
    # seed 003
    "vias on the dies": (F3, {"vias_per_side": 5}, ["'vias_per_side'", "dies"]),
    "vias off the carrier": (F3, {"vias_per_side": 13}, ["'vias_per_side'", "edge"]),
    "vias touch": (F3, {"via_size_mm": 1.0}, ["'via_size_mm'", "touch"]),
    "adhesive poisson 0.5": (F3, {"adhesive_poisson": 0.5}, ["'adhesive_poisson'"]),
    "adhesive modulus zero": (F3, {"adhesive_modulus_gpa": 0.0}, ["'adhesive_modulus_gpa'"]),
    # seed 004
    "pedestal wider than the die": (F4, {"attachment": "pedestal", "pedestal_size_mm": 6.0},
                                    ["'pedestal_size_mm'", "wider than the 5 mm die"]),
    "buffer pad wider than the die": (F4, {"attachment": "buffer_pad", "buffer_pad_size_mm": 5.5},
                                      ["'buffer_pad_size_mm'", "wider than"]),
    "heat sink too small to enclose the die": (F4, {"heat_sink_size_mm": 5.1}, ["'heat_sink_size_mm'", "leaves less"]),
    "smaller heat sink on a lead frame": (F4, {"carrier": "lead_frame", "heat_sink_size_mm": 9.0},
                                          ["'heat_sink_size_mm'", "lead frame", "leads"]),
    "heat sink wider than the carrier": (F4, {"heat_sink_size_mm": 11.0}, ["'heat_sink_size_mm'", "overhangs"]),
}


def _run(tmp_path, model: dict):
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(model))
    out = tmp_path / "parts.toml"
    return CliRunner().invoke(app, ["expand", str(path), "-o", str(out)]), out


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_family_is_refused(case, tmp_path):
    family, params, words = CASES[case]
    res, out = _run(tmp_path, family_model(family, symmetry=None, **params))
    assert_refused(res, words)
    assert not out.exists()


def test_family_made_material_may_not_be_redefined(tmp_path):
    model = family_model(F3)
    model["materials"] = {"stack_adhesive": {"E_gpa": 3.0, "nu": 0.3, "cte_ppm": 50.0}}
    res, out = _run(tmp_path, model)
    assert res.exit_code == 2
    assert "'stack_adhesive'" in res.stderr and "may not define" in res.stderr and not out.exists()


def test_family_model_with_parts_is_refused(tmp_path):
    model = family_model(F0)
    model["parts"] = [{"name": "x", "material": "copper", "box": [0, 1, 0, 1, 0, 1], "role": "carrier"}]
    res, out = _run(tmp_path, model)
    assert res.exit_code == 2 and "'family'" in res.stderr and "must not also list" in res.stderr


def test_solve_refuses_a_bad_family_too(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(family_model(F2, fins=30, fin_thickness_mm=0.6)))
    res = CliRunner().invoke(app, ["solve", str(path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2 and "'fins'" in res.stderr
    assert not (tmp_path / "out").exists()


def test_family_table_without_a_family_is_refused(tmp_path, small_fcbga):
    import tomllib

    model = tomllib.loads(small_fcbga.read_text())
    model["family"] = {"die_size_mm": 5.0}
    res, out = _run(tmp_path, model)
    assert res.exit_code == 2 and "'family'" in res.stderr and "names no family" in res.stderr
