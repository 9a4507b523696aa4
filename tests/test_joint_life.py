"""Darveaux's energy correlation of solder joint life: its units, its closed form, and its keys."""

from __future__ import annotations

import math

import pytest

import warpfem
from bump_models import flip_chip
from warpfem.errors import ModelError
from warpfem.model import load_model, material_laws
from warpfem.model.joint_life import LIVES, JointLife
from warpfem.post.fatigue import creep_life


def test_darveaux_in_si_units_equals_darveaux_in_psi_and_inches():
    # Darveaux's own units, computed here without the conversion under test: ΔW in psi, a in inches
    k1, k2, k3, k4 = 7860.0, -1.00, 4.96e-8, 1.13
    w_mpa, pad_mm = 0.35, 0.5
    w_psi = w_mpa * 1e6 / 6894.757        # 1 psi = 6894.757 Pa
    n0 = k1 * w_psi ** k2
    rate_inch = k3 * w_psi ** k4
    life = n0 + (pad_mm / 25.4) / rate_inch
    snpb = LIVES["darveaux_snpb"]
    assert snpb.initiation_cycles(w_mpa) == pytest.approx(n0, rel=1e-6)
    assert snpb.growth_mm_per_cycle(w_mpa) == pytest.approx(25.4 * rate_inch, rel=1e-6)
    assert snpb.characteristic_life(w_mpa, pad_mm) == pytest.approx(life, rel=1e-6)
    assert snpb.layer_mm == pytest.approx(0.0254)


def test_a_total_life_correlation_ignores_the_pad():
    syed = LIVES["syed_sac"]
    # Syed 2004: N = (0.0019 ΔW)^-1, ΔW in MPa
    assert syed.characteristic_life(0.5, 0.3) == pytest.approx(1.0 / (0.0019 * 0.5))
    assert syed.characteristic_life(0.5, 0.3) == syed.characteristic_life(0.5, 3.0)
    assert math.isinf(syed.characteristic_life(0.0, 0.3))


def test_the_life_is_read_at_the_pad_layer_taking_more_energy():
    snpb = LIVES["darveaux_snpb"]
    out = creep_life({"upper_layer": 0.2, "lower_layer": 0.5, "bump": 0.3}, snpb, 0.4, 0.0254)
    assert out["layer"] == "lower_layer" and out["energy_density_mpa"] == 0.5
    assert out["characteristic_life_cycles"] == pytest.approx(snpb.characteristic_life(0.5, 0.4))
    assert "note" not in out
    thin = creep_life({"upper_layer": 0.2, "lower_layer": 0.1, "bump": 0.3}, snpb, 0.4, 0.015)
    assert thin["layer"] == "upper_layer" and "too low" in thin["note"]


@pytest.mark.parametrize("change, words", [
    ({"k1": -3.0}, "k1 must be a positive number"),
    ({"k2": 0.5}, "k2 must be negative"),
    ({"k3_mm": -1e-4}, "k3_mm must be zero"),
    ({"layer_mm": 0.0}, "layer_mm must be a positive number"),
])
def test_a_correlation_that_makes_no_sense_is_refused(change, words):
    with pytest.raises(ValueError, match=words):
        JointLife(**{**dict(k1=500.0, k2=-1.0, k3_mm=1e-4, k4=1.1, layer_mm=0.025), **change})


def _model() -> dict:
    model = flip_chip(n=4, size_mm=0.25, bumps={"submodel": "critical", "submodel_size_mm": 0.05})
    model["cycle"] = {"solder": "anand"}
    return model


def test_solders_carry_their_life_and_a_model_may_give_its_own():
    laws = material_laws(load_model(_model()))
    assert laws["sac305"].life == LIVES["syed_sac"]
    model = _model()
    model["materials"] = {"sac305": {"life": "darveaux_snpb"}}
    assert material_laws(load_model(model))["sac305"].life == LIVES["darveaux_snpb"]
    model["materials"]["sac305"]["life"] = {"k1": 800.0, "k2": -1.2, "layer_mm": 0.02}
    life = material_laws(load_model(model))["sac305"].life
    assert (life.k1, life.k2, life.k3_mm, life.layer_mm, life.source) == (800.0, -1.2, 0.0, 0.02, "model file")


@pytest.mark.parametrize("life, words", [
    ("coffin", "key 'life': 'coffin' is not a built-in set"),
    ({"k1": 800.0}, "material 'sac305', key 'life.k2'"),
    ({"k1": 800.0, "k2": 1.0, "layer_mm": 0.02}, "material 'sac305', key 'life.k2'"),
])
def test_a_bad_life_key_is_one_sentence(life, words):
    model = _model()
    model["materials"] = {"sac305": {"life": life}}
    with pytest.raises(ModelError) as err:
        warpfem.solve(model)
    assert words in str(err.value)
