"""Per-bump results: the critical bump, shear against distance to the neutral point (physics.md
§5), symmetry, the homogenised layer against the explicit array, the fatigue column, bumps.csv."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from scipy.stats import spearmanr

import warpfem
from bump_models import flip_chip
from references import engelmaier_cycles, hashin_shtrikman_lower, levin_cte
from warpfem.model import LIBRARY
from warpfem.model.bump_layer import HomogenisedLayer, effective_material, localise_strain
from warpfem.post.bump_table import COLUMNS
from warpfem.model.elasticity import hooke_mpa

HOMOGENISED = {"global": "homogenised", "filler": "underfill"}


@pytest.fixture(scope="module")
def explicit():
    return warpfem.solve(flip_chip())


@pytest.fixture(scope="module")
def homogenised():
    return warpfem.solve(flip_chip(bumps=HOMOGENISED))


def test_corner_bump_is_critical_and_shear_grows_with_dnp(explicit):
    t = explicit.bumps.columns
    crit = explicit.bumps.critical
    assert (t["x_mm"][crit], t["y_mm"][crit]) == pytest.approx((2.25, 2.25))
    assert explicit.summary["bumps"]["critical_bump_id"] == t["id"][crit]
    assert t["dnp_mm"][crit] == pytest.approx(t["dnp_mm"].max())
    # physics.md §5: γ ≈ L_D Δα ΔT / h, so shear rises with the distance to the neutral point
    assert spearmanr(t["dnp_mm"], t["avg_shear_mpa"]).statistic > 0.9
    diagonal = np.isclose(t["x_mm"], t["y_mm"])
    shear = t["avg_shear_mpa"][diagonal][np.argsort(t["dnp_mm"][diagonal])]
    assert np.all(np.diff(shear) > 0)


@pytest.mark.parametrize("n, bumps", [(5, None), (5, HOMOGENISED), (4, HOMOGENISED)],
                         ids=["odd-explicit", "odd-homogenised", "even-homogenised"])
def test_quarter_table_is_the_full_models_quarter(n, bumps):
    # odd n: a row and a column of bumps stand on the symmetry planes, and are cut by them; even
    # n: the homogenised cells next to the planes only touch them
    # solved directly: the comparison is to 1e-6, an iterative solve's own tolerance
    models = [flip_chip(n=n, size_mm=0.25, bumps=bumps), flip_chip(n=n, size_mm=0.25, symmetry="full", bumps=bumps)]
    q, f = (warpfem.solve({**m, "solver": {"method": "direct"}}).bumps for m in models)
    assert q.count == ((n + 1) // 2) ** 2 and f.count == n * n
    keep = (f.columns["x_mm"] > -1e-9) & (f.columns["y_mm"] > -1e-9)
    for name in COLUMNS[1:]:
        assert q.columns[name] == pytest.approx(f.columns[name][keep], rel=1e-6, abs=1e-6), name
    assert q.avg_stress_mpa == pytest.approx(f.avg_stress_mpa[keep], rel=1e-6, abs=1e-6)


def test_homogenised_warpage_within_2_percent_of_explicit(explicit, homogenised):
    assert homogenised.warpage_um == pytest.approx(explicit.warpage_um, rel=0.02)
    h = homogenised.bumps
    assert h.count == explicit.bumps.count
    assert (h.columns["x_mm"][h.critical], h.columns["y_mm"][h.critical]) == pytest.approx((2.25, 2.25))
    assert "bumps" in homogenised.summary["bumps"]["homogenised"]
    assert "underfill" not in homogenised.summary["parts"]    # a full array's cells fill the whole gap


def test_effective_material_is_the_hashin_shtrikman_bound_with_levins_cte():
    b, m = LIBRARY["sac305"], LIBRARY["underfill"]
    for f in (0.1, 0.25, 0.6):
        eff = effective_material("mix", b, m, f)
        E, nu, K, K_b, K_m = hashin_shtrikman_lower(b.E_gpa, b.nu, m.E_gpa, m.nu, f)
        assert (eff.E_gpa, eff.nu) == pytest.approx((E, nu), rel=1e-12)
        assert eff.cte_ppm == pytest.approx(levin_cte(K, K_b, K_m, b.cte_ppm, m.cte_ppm), rel=1e-12)
    # hand figures for f = 0.25: K_b = 60.71, G_b = 18.75, K_m = 7.843, G_m = 3.008 GPa
    eff = effective_material("mix", b, m, 0.25)
    assert (eff.E_gpa, eff.nu, eff.cte_ppm) == pytest.approx((11.6216, 0.32205, 27.3365), rel=1e-4)


def test_localisation_averages_back_to_the_cell_stress():
    """Mori-Tanaka: bump and filler stresses, weighted by volume, are the mixture's stress."""
    b, m = LIBRARY["sac305"], LIBRARY["underfill"]
    f, dt = 0.3, -125.0
    eff = effective_material("mix", b, m, f)
    layer = HomogenisedLayer("bumps", b, m, f, eff)
    rng = np.random.default_rng(1)
    strain = rng.normal(scale=1e-3, size=(5, 3, 3))
    strain = 0.5 * (strain + strain.transpose(0, 2, 1))
    e_b = localise_strain(layer, strain, dt)
    e_m = (strain - f * e_b) / (1 - f)
    sig = lambda mat, e: hooke_mpa(e, mat.constants_mpa, mat.cte_axes_ppm * 1e-6 * dt)  # noqa: E731
    assert f * sig(b, e_b) + (1 - f) * sig(m, e_m) == pytest.approx(sig(eff, strain), rel=1e-9, abs=1e-9)


def test_fatigue_column_matches_a_hand_computation(tmp_path):
    model = flip_chip(n=4, size_mm=0.25)
    model["cycle"] = {"min_c": -40.0, "max_c": 125.0, "cycles_per_day": 24.0}
    r = warpfem.solve(model, tmp_path)
    t = r.bumps.columns
    G = LIBRARY["sac305"].lame_mpa[1]
    dgamma = t["avg_shear_mpa"] / G * 165.0 / 125.0
    assert t["shear_strain_range"] == pytest.approx(dgamma, rel=1e-12)
    assert t["cycles_to_failure"] == pytest.approx(engelmaier_cycles(dgamma, 42.5, 24.0), rel=1e-12)
    fat = r.summary["bumps"]["fatigue"]
    assert "elastic estimate" in fat["method"]
    assert fat["min_cycles_to_failure"] == pytest.approx(t["cycles_to_failure"].min())
    assert fat["min_life_days"] == pytest.approx(fat["min_cycles_to_failure"] / 24.0)
    # the dwell form of IPC-9701: f = 360 / dwell
    model["cycle"] = {"min_c": -40.0, "max_c": 125.0, "dwell_min": 15.0}
    t2 = warpfem.solve(model).bumps.columns
    assert t2["cycles_to_failure"] == pytest.approx(engelmaier_cycles(dgamma, 42.5, 24.0), rel=1e-9)
    rows = list(csv.DictReader((tmp_path / "bumps.csv").open()))
    assert float(rows[0]["cycles_to_failure"]) == pytest.approx(t["cycles_to_failure"][0], rel=1e-5)


def test_bumps_csv_and_summary_keys(tmp_path, explicit):
    explicit.write(tmp_path)
    rows = list(csv.DictReader((tmp_path / "bumps.csv").open()))
    assert list(rows[0])[:len(COLUMNS)] == list(COLUMNS)
    assert len(rows) == explicit.bumps.count == 25
    s = json.loads((tmp_path / "summary.json").read_text())["bumps"]
    assert {"part", "max_von_mises_mpa", "max_shear_mpa", "max_peel_mpa", "critical_bump_xy_mm",
            "critical_bump_id", "critical_avg_von_mises_mpa", "count"} <= set(s)
    crit = rows[s["critical_bump_id"]]
    # by default the critical bump is submodelled: the summary's value is the submodel's, the
    # table's global column stays the global model's own and is labelled so in the summary
    assert s["critical_avg_source"] == "submodel"
    assert float(crit["submodel_avg_von_mises_mpa"]) == pytest.approx(s["critical_avg_von_mises_mpa"], rel=1e-5)
    assert float(crit["avg_von_mises_mpa"]) == pytest.approx(s["critical_avg_von_mises_global_mpa"], rel=1e-5)
    assert s["max_von_mises_mpa"] == pytest.approx(max(float(r["max_von_mises_mpa"]) for r in rows), rel=1e-5)
    # the raw peak is never below the volume average
    assert all(float(r["max_von_mises_mpa"]) >= float(r["avg_von_mises_mpa"]) - 1e-9 for r in rows)


def test_corner_patches_report_each_bump():
    """The families' "corners" layout carves each patch into k x k bumps with holes."""
    model = warpfem.load_model({"model": {"family": "molded_underfill"}, "load": {"stress_free_c": 175.0,
                                                                                   "temperature_c": 25.0},
                                "family": {"corner_bumps": 2}})
    r = warpfem.solve(model)
    t = r.bumps
    assert t.count == 4
    crit = t.critical
    assert t.columns["dnp_mm"][crit] == pytest.approx(t.columns["dnp_mm"].max())
    assert len(np.unique(np.round(t.columns["x_mm"], 6))) == 2


def test_bump_map_command(tmp_path, explicit):
    from typer.testing import CliRunner

    from warpfem.cli import app

    explicit.write(tmp_path)
    res = CliRunner().invoke(app, ["bumps", str(tmp_path), "--quantity", "avg_shear_mpa"])
    assert res.exit_code == 0, res.output
    png = (tmp_path / "bumps_map.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    res = CliRunner().invoke(app, ["bumps", str(tmp_path), "--quantity", "warpage"])
    assert res.exit_code == 2 and "avg_von_mises_mpa" in res.stderr
    res = CliRunner().invoke(app, ["bumps", str(tmp_path / "none")])
    assert res.exit_code == 2 and "bumps.csv" in res.stderr


def test_peripheral_homogenised_array_keeps_warpage_and_mesh_is_the_global_model():
    model = flip_chip(size_mm=0.25)
    model["parts"][2]["array"]["rows"] = 2
    e = warpfem.solve(model)
    model["bumps"] = HOMOGENISED
    h = warpfem.solve(model)
    assert h.bumps.count == e.bumps.count == 16
    assert h.warpage_um == pytest.approx(e.warpage_um, rel=0.02)
    # the filler stays in the depopulated centre; `warpfem mesh` meshes the model solve solves
    assert "underfill" in h.summary["parts"]
    m = warpfem.mesh(model)
    assert m.n_dofs == h.mesh.n_dofs


def test_volume_average_converges_where_the_raw_peak_does_not():
    """The pad edge is singular: refining the mesh drives the raw peak up, not the average."""
    rows = []
    for size in (0.25, 0.125):
        model = flip_chip(n=4, substrate_mm=4.0, size_mm=size)
        model["mesh"]["size_z_mm"] = size / 2
        t = warpfem.solve(model).bumps
        rows.append({k: t.columns[k][t.critical] for k in ("max_shear_mpa", "avg_shear_mpa", "avg_von_mises_mpa")})
    coarse, fine = rows
    assert fine["max_shear_mpa"] > 3 * coarse["max_shear_mpa"]
    assert fine["avg_shear_mpa"] == pytest.approx(coarse["avg_shear_mpa"], rel=0.1)
    assert fine["avg_von_mises_mpa"] == pytest.approx(coarse["avg_von_mises_mpa"], rel=0.1)
