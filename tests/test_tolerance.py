"""Tolerance analysis: the first-order spread from the sensitivities against solved samples of
drawn packages, the yield's closed form, each drawn package equal to a solve of it through the
pipeline, and bad tolerance files refused in one sentence."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SMALL_FAMILY_TOML, assert_refused
from warpfem.cli import app
from warpfem.design.run import tolerance_analysis
from warpfem.design.sensitivity import Sensitivity
from warpfem.design.tolerance import Tolerance, first_order, within
from warpfem.pipeline import solve

MODEL = SMALL_FAMILY_TOML

MATERIALS = """
[[tolerance]]
parameter = "copper cte_ppm"
plus_minus = 0.5

[[tolerance]]
parameter = "bt_laminate cte_ppm"
plus_minus = 1.0

[[tolerance]]
parameter = "bt_laminate E_gpa"
plus_minus = 3.0
distribution = "uniform"
"""


def _files(tmp_path: Path, tolerances: str, samples: int, limit: str = "") -> Path:
    (tmp_path / "m.toml").write_text(MODEL)
    path = tmp_path / "t.toml"
    path.write_text(f'model = "m.toml"\nsamples = {samples}\nseed = 3\n{limit}\n{tolerances}')
    return path


def test_the_yield_of_a_normal_spread():
    assert within(0.0, 1.0, 1.959964) == pytest.approx(0.95, abs=1e-6)
    assert within(3.0, 1.0, 2.0) == pytest.approx(0.5 * math.erfc(1 / math.sqrt(2)) - 0.5 * math.erfc(5 / math.sqrt(2)),
                                                   abs=1e-12)   # P(-2 <= N(3, 1) <= 2)
    assert within(1.0, 0.0, 2.0) == 1.0 and within(3.0, 0.0, 2.0) == 0.0


def test_first_order_adds_the_inputs_variances():
    rows = [Sensitivity("warpage_um", "a E_gpa", "material", 10.0, 50.0, 2.0, 0.4, "adjoint"),
            Sensitivity("warpage_um", "b cte_ppm", "material", 4.0, 50.0, -3.0, -0.24, "adjoint")]
    tol = [Tolerance(parameter="a E_gpa", plus_minus=3.0),                             # σ = 1
           Tolerance(parameter="b cte_ppm", plus_minus=math.sqrt(3), distribution="uniform")]   # σ = 1
    s = first_order(rows, tol, {"warpage_um": 50.0}, {"warpage_um": 52.0})["warpage_um"]
    assert s.sigma == pytest.approx(math.sqrt(4 + 9), rel=1e-12)
    assert s.shares == pytest.approx({"a E_gpa": 4 / 13, "b cte_ppm": 9 / 13}, rel=1e-12)
    assert s.yield_first_order == pytest.approx(within(50.0, math.sqrt(13), 52.0), rel=1e-12)


def test_the_first_order_spread_agrees_with_400_solved_samples(tmp_path: Path):
    report = tolerance_analysis(_files(tmp_path, MATERIALS, 400, "[limit]\nwarpage_um = 28.0"))
    for name in ("warpage_um", "die_max_von_mises_mpa"):
        s = report.spreads[name]
        assert s.sigma > 0.005 * abs(s.nominal)                  # a spread worth checking
        # 400 samples estimate σ to 3.5 % (one standard error): the 10 % is ~3 of them
        assert s.sampled_sigma == pytest.approx(s.sigma, rel=0.10), name
        assert abs(s.sampled_mean - s.nominal) < 3 * s.sigma / math.sqrt(400) + 0.01 * s.sigma
    w = report.spreads["warpage_um"]
    assert 0.2 < w.yield_first_order < 0.98 and w.yield_sampled == pytest.approx(w.yield_first_order, abs=0.05)
    assert len(report.samples) == 400 and len({round(x["warpage_um"], 9) for x in report.samples}) == 400


def test_a_drawn_package_with_a_length_is_the_pipeline_solve_of_it(tmp_path: Path):
    tol = '[[tolerance]]\nparameter = "family carrier_thickness_mm"\nplus_minus = 0.03\n'
    report = tolerance_analysis(_files(tmp_path, tol, 3))
    raw = {"model": {"name": "mfc", "family": "molded_flip_chip_heat_sink"},
           "load": {"stress_free_c": 150.0, "temperature_c": 25.0}, "mesh": {"size_mm": 4.0, "edge_ratio": 16.0}}
    for drawn, sample in zip(report.drawn, report.samples):
        t = drawn["family carrier_thickness_mm"]
        assert t != pytest.approx(0.4, abs=1e-6)
        expected = solve({**raw, "family": {"carrier_thickness_mm": t}}, target_error=0.0).summary
        assert sample["warpage_um"] == pytest.approx(expected["warpage_um"], rel=1e-9)
    assert report.spreads["warpage_um"].shares == {"family carrier_thickness_mm": 1.0}


def test_the_command_writes_its_files_and_refuses_an_unknown_input(tmp_path: Path):
    out = tmp_path / "out"
    path = _files(tmp_path, MATERIALS, 5, "[limit]\nwarpage_um = 34.0")
    res = CliRunner().invoke(app, ["tolerance", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["tolerance.json", "tolerance.png", "tolerance_samples.csv"]
    record = json.loads((out / "tolerance.json").read_text())
    assert record["outputs"]["warpage_um"]["limit"] == 34.0 and len(record["tolerances"]) == 3
    assert len((out / "tolerance_samples.csv").read_text().splitlines()) == 1 + 5
    bad = _files(tmp_path, MATERIALS.replace("bt_laminate E_gpa", "laminate E_gpa"), 5)
    res = CliRunner().invoke(app, ["tolerance", str(bad), "-o", str(tmp_path / "out2")])
    assert_refused(res, ["[[tolerance]] 3", "'parameter'", "laminate E_gpa", "bt_laminate"])
    typo = _files(tmp_path, MATERIALS.replace("plus_minus = 1.0", "plus_minus = -1.0"), 5)
    res = CliRunner().invoke(app, ["tolerance", str(typo), "-o", str(tmp_path / "out3")])
    assert_refused(res, ["plus_minus"])
    assert not (tmp_path / "out2").exists() and not (tmp_path / "out3").exists()
