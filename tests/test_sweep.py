"""`warpfem sweep-temperature`: warpage across a profile on one mesh, against closed forms."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

import warpfem
from conftest import assert_refused, plate_model
from references import biaxial, corner_deflection, timoshenko_curvature
from warpfem.cli import app
from warpfem.sweep import DEFAULT_PROFILE_C


def _bilayer(dependent: bool, half=20.0):
    model = plate_model([("bottom", 0.4, 117.0, 0.34, 17.0), ("top", 0.6, 24.0, 0.30, 9.0)], half=half,
                        dT=(175.0, 25.0))
    if dependent:
        model["load"]["material_properties"] = "temperature_dependent"
        model["materials"]["m_top"].update(tg_c=150.0, cte_above_tg_ppm=35.0, E_above_tg_gpa=1.2, tg_width_k=0.0)
    return model


def test_room_temperature_sweep_is_linear_in_the_temperature_change():
    """Constant properties: u(T) = u(25 °C) (T − T0)/(25 − T0) exactly, on one stiffness system."""
    temps = (25.0, 100.0, 175.0, 260.0, 100.0, 25.0)
    sweep = warpfem.sweep_temperature(_bilayer(False), temps, target_error=0)
    assert sweep.systems == 1
    w25 = sweep.points[0].warpage_um
    for p in sweep.points:
        assert p.warpage_um == pytest.approx(w25 * (p.temperature_c - 175.0) / (25.0 - 175.0), rel=1e-6, abs=1e-9)
    assert [p.branch for p in sweep.points] == ["heating"] * 4 + ["cooling"] * 2
    assert sweep.zero_crossings_c() == [175.0]


def test_temperature_dependent_sweep_matches_timoshenko_at_each_temperature():
    """Above the top layer's Tg (150 °C) its CTE and modulus change; each temperature against
    Timoshenko with ∫(α_b − α_t) dT and the moduli of that temperature."""
    half = 20.0
    temps = (25.0, 120.0, 200.0, 260.0)
    sweep = warpfem.sweep_temperature(_bilayer(True, half), temps, target_error=0)
    assert sweep.systems == 2          # the moduli change only across Tg
    for p in sweep.points:
        t = p.temperature_c
        top = lambda a, b: 9.0 * (min(b, 150.0) - min(a, 150.0)) + 35.0 * (max(b, 150.0) - max(a, 150.0))
        mismatch = 1e-6 * (17.0 * (t - 175.0) - top(175.0, t))
        E_t = 24.0 if t < 150.0 else 1.2
        k = timoshenko_curvature(0.4, biaxial(117.0, 0.34), mismatch, 0.6, biaxial(E_t, 0.30), 0.0, 1.0)
        assert p.warpage_um == pytest.approx(1e3 * corner_deflection(k, half, half), rel=0.01), t


def test_sweep_cli_writes_the_curve_table_and_report(tmp_path):
    import tomli_w
    model = tmp_path / "bilayer.toml"
    model.write_text(tomli_w.dumps(_bilayer(True, 8.0)))
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sweep-temperature", str(model), "-o", str(out), "--fast",
                                   "--temperatures", "25,150,260,150,25", "--limit-um", "-30,40"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader((out / "sweep.csv").open()))
    assert [r["temperature_c"] for r in rows] == ["25", "150", "260", "150", "25"]
    assert [r["branch"] for r in rows] == ["heating"] * 3 + ["cooling"] * 2
    for r in rows:
        assert r["within_limits"] == str(-30 <= float(r["warpage_um"]) <= 40).lower()
    summary = json.loads((out / "sweep.json").read_text())
    assert summary["material_properties"] == "temperature_dependent" and summary["limits_um"] == [-30, 40]
    # below Tg the mismatch ∫(α_b − α_t) dT from 175 °C is 8 T − 750 ppm: zero at 93.75 °C, and the
    # warpage is linear in T there (constant moduli), so interpolating 25 and 150 °C finds it exactly
    first, second = summary["zero_warpage_c"]
    assert first == pytest.approx(93.75, rel=1e-6)
    assert 150.0 < second < 260.0   # the stress-free 175 °C, between read points
    assert (out / "sweep.png").read_bytes()[:4] == b"\x89PNG"
    page = (out / "report.html").read_text()
    assert page.count("<figure>") == 1 + 3          # the curve, a moiré view per distinct temperature
    assert "corners up" in page


@pytest.mark.parametrize("args, words", [
    (["--temperatures", "25,hot"], ["--temperatures", "hot"]),
    (["--temperatures", "25,-300"], ["--temperatures", "-300"]),
    (["--limit-um", "40,-30"], ["--limit-um", "low < high"]),
    (["--limit-um", "0"], ["--limit-um"]),
])
def test_sweep_cli_refuses_bad_options_and_writes_nothing(tmp_path, small_fcbga, args, words):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sweep-temperature", str(small_fcbga), "-o", str(out), "--fast", *args])
    assert_refused(res, words)
    assert not out.exists()


def test_default_profile_goes_up_to_the_reflow_peak_and_back():
    t = np.array(DEFAULT_PROFILE_C)
    peak = int(t.argmax())
    assert t[0] == t[-1] == 25.0 and t[peak] == 260.0
    assert np.all(np.diff(t[:peak + 1]) > 0) and np.all(np.diff(t[peak:]) < 0)
