"""The critical bump cycled with its solder viscoplastic: the keys, the schedule, and a whole
solve that writes the loop and the energy per cycle."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

import warpfem
from bump_models import flip_chip
from warpfem.errors import ModelError
from warpfem.model import load_model, material_laws
from warpfem.model.schedule import thermal_cycles
from warpfem.model.solder import SOLDERS
from warpfem.pictures.creep_loop import write_creep_loop


def _cycled(**cycle) -> dict:
    model = flip_chip(n=4, size_mm=0.25, bumps={"submodel": "critical", "submodel_size_mm": 0.05})
    model["cycle"] = {"solder": "anand", **cycle}
    return model


def test_the_default_cycle_is_jesd22_a104_condition_g():
    cycle = load_model(_cycled()).cycle
    assert (cycle.min_c, cycle.max_c, cycle.ramp_min, cycle.dwell_min, cycle.cycles) == (-40.0, 125.0, 15.0, 15.0, 3)


def test_the_schedule_cools_from_stress_free_then_cycles():
    s = thermal_cycles(150.0, -40.0, 125.0, 15.0, 15.0, 2)
    assert s.temperatures_c == (150.0, -40.0, 125.0, 125.0, -40.0, -40.0, 125.0, 125.0, -40.0, -40.0)
    assert np.allclose(np.diff(s.times_s)[1:5], [900.0] * 4)        # 15-minute ramps and dwells
    assert s.times_s[1] == pytest.approx(60.0 * 190.0 / (165.0 / 15.0))   # the cycle's ramp rate
    assert s.events[5] == "cycle 1" and s.events[-1] == "cycle 2"


def test_a_solder_takes_a_built_in_anand_set_or_its_own_constants():
    model = _cycled()
    model["parts"][2]["material"] = "my_solder"
    model["materials"] = {"my_solder": {"E_gpa": 45.0, "nu": 0.35, "cte_ppm": 22.0, "anand": "snag35"}}
    assert material_laws(load_model(model))["my_solder"].anand == SOLDERS["snag35"]
    own = {k: getattr(SOLDERS["sac305"], k) for k in ("s0_mpa", "q_over_r_k", "a_per_s", "xi", "m", "h0_mpa",
                                                       "s_hat_mpa", "n", "a")}
    model["materials"]["my_solder"]["anand"] = {**own, "s0_mpa": 25.0}
    law = material_laws(load_model(model))["my_solder"].anand
    assert law.s0_mpa == 25.0 and law.source == "model file"


@pytest.mark.parametrize("change, words", [
    (lambda m: m["parts"][2].update(material="underfill"), "material 'underfill' (part 'bumps') has no Anand"),
    (lambda m: m["materials"].update(sac305={"anand": "sac999"}), "'sac999' is not a built-in set"),
    (lambda m: m["materials"].update(sac305={"anand": {"s0_mpa": 1.0}}), "material 'sac305', key 'anand.q_over_r_k'"),
    (lambda m: m["cycle"].update(solder="creepy"), "[cycle], key 'solder'"),
    (lambda m: m["cycle"].update(cycles=1), "[cycle], key 'cycles'"),
])
def test_bad_creep_input_is_one_sentence(change, words):
    model = _cycled()
    model.setdefault("materials", {})
    change(model)
    with pytest.raises(ModelError, match=None) as err:
        warpfem.solve(model)
    assert words in str(err.value)


@pytest.fixture(scope="module")
def cycled(tmp_path_factory):
    """The 4 x 4 array cycled twice with constant properties: its result and output folder."""
    out = tmp_path_factory.mktemp("cycled")
    return warpfem.solve(_cycled(cycles=2), out), out


def test_a_cycled_solve_writes_the_loop_and_the_energy_per_cycle(cycled):
    result, tmp_path = cycled
    creep = json.loads((tmp_path / "summary.json").read_text())["bumps"]["creep"]
    assert [c["cycle"] for c in creep["per_cycle"]] == [1, 2]
    energy = creep["energy_density_mpa"]
    assert energy == creep["per_cycle"][-1]["energy_density_mpa"]
    # the bump is the sum of its three pieces, so its average lies between the layers' and the core's
    assert all(v > 0 for v in energy.values())
    assert min(energy["lower_layer"], energy["upper_layer"]) > 0.2 * energy["bump"]
    # the second cycle repeats the first to a few per cent: creep has nearly stabilised
    assert max(creep["change_from_previous_cycle"].values()) < 0.05
    with open(tmp_path / "creep_loop.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(result.creep.loop["time_s"])
    cycles = [int(r["cycle"]) for r in rows]
    assert cycles[0] == 0 and cycles[-1] == 2 and cycles == sorted(cycles)
    temps = np.array([float(r["temperature_c"]) for r in rows])
    assert temps[0] < 150.0 and temps[np.array(cycles) == 0][-1] == pytest.approx(-40.0)   # cooled from stress-free
    cycling = temps[np.array(cycles) > 0]
    assert cycling.min() == pytest.approx(-40.0) and cycling.max() == pytest.approx(125.0)
    # a loop: the inelastic shear strain goes back and forth within each cycle
    gamma = np.array([float(r["inelastic_shear_strain"]) for r in rows])
    last = gamma[np.array(cycles) == 2]
    assert np.ptp(last) == pytest.approx(creep["inelastic_shear_range"]) and np.ptp(last) > 0
    # the life at the pad layer taking more energy, averaged over Syed's 1-mil layer (Sn-Ag-Cu)
    life = creep["life"]
    assert life["energy_density_mpa"] == max(energy["upper_layer"], energy["lower_layer"])
    assert life["layer_mm"] == creep["layer_mm"] == pytest.approx(0.0254)
    assert life["characteristic_life_cycles"] == pytest.approx(1.0 / (0.0019 * life["energy_density_mpa"]))
    with open(tmp_path / "bumps.csv", newline="", encoding="utf-8") as fh:
        bumps = {int(r["id"]): r for r in csv.DictReader(fh)}
    assert float(bumps[creep["id"]]["creep_life_cycles"]) == pytest.approx(life["characteristic_life_cycles"], rel=1e-5)
    assert float(bumps[creep["id"]]["creep_bump_energy_mpa"]) == pytest.approx(energy["bump"], rel=1e-5)
    assert all(r["creep_life_cycles"] == "" for i, r in bumps.items() if i != creep["id"])
    # the bump cycled is the one the elastic table shears most
    assert creep["id"] == max(bumps, key=lambda i: abs(float(bumps[i]["avg_shear_mpa"])))
    picture = write_creep_loop(tmp_path)
    assert picture == tmp_path / "creep_loop.png" and picture.stat().st_size > 10_000


def test_temperature_dependent_properties_that_do_not_vary_give_the_constant_answer(cycled):
    # every material as a table of one value over the cycle: the global model is then solved every
    # 15 K and interpolated, the solder's E, nu and CTE read from its table at each step, and the
    # answer must be the constant-property one, which scales a single solve
    model = _cycled(cycles=2)
    model["load"]["material_properties"] = "temperature_dependent"
    laws = material_laws(load_model(_cycled()))
    model["materials"] = {name: {"table": {"temperature_c": [-60.0, 200.0], "E_gpa": [m.E_gpa] * 2, "nu": [m.nu] * 2,
                                           "cte_ppm": [m.cte_ppm] * 2}}
                          for name, m in laws.items()}
    varying = warpfem.solve(model).summary["bumps"]["creep"]["energy_density_mpa"]
    constant = cycled[0].summary["bumps"]["creep"]["energy_density_mpa"]
    for group, w in constant.items():
        assert varying[group] == pytest.approx(w, rel=1e-4)
