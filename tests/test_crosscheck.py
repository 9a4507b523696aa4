"""warpfem against CalculiX on the same mesh: an independent solver, the same element."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from typer.testing import CliRunner

import warpfem
from warpfem.cli import app
from warpfem.crosscheck import GAUSS_WEIGHTS_C3D20, calculix, ccx_available

needs_ccx = pytest.mark.skipif(not ccx_available(), reason="CalculiX (ccx) is not installed")


@needs_ccx
@pytest.mark.parametrize("symmetry", ["quarter", "full"])
def test_calculix_agrees_on_a_small_fcbga(small_fcbga, symmetry):
    raw = tomllib.loads(small_fcbga.read_text())
    raw["model"]["symmetry"] = symmetry
    # one direct solve on the mesh CalculiX gets: the element, not the iterative tolerance, is tested
    ours = warpfem.solve(raw, size_mm=0.5, target_error=0, method="direct")
    ccx = calculix(raw, size_mm=0.5, stress_parts=("die",))
    assert ccx.dofs == ours.summary["mesh"]["dofs"]
    assert ours.warpage_um == pytest.approx(ccx.warpage_um, rel=0.005)
    assert ours.coplanarity_um == pytest.approx(ccx.coplanarity_um, rel=0.005)
    die = ours.summary["parts"]["die"]["max_von_mises_mpa"]
    assert die == pytest.approx(ccx.part_max_von_mises_mpa["die"], rel=0.02)
    # beyond the bar: the whole displacement field and every die element's averaged stress
    assert np.abs(ours.solution.u_mm - ccx.u_mm).max() < 1e-6 * np.abs(ccx.u_mm).max()
    sel = ours.mesh.part == ours.mesh.part_names.index("die")
    assert np.abs(ours.fields.stress_mpa[sel] - ccx.element_stress_mpa["die"]).max() < 1e-4 * die


def test_gauss_weights_integrate_a_brick():
    assert GAUSS_WEIGHTS_C3D20.sum() == pytest.approx(1.0)
    assert GAUSS_WEIGHTS_C3D20[13] == pytest.approx((8 / 18) ** 3)  # the centre point


def test_export_writes_a_deck(tmp_path, small_fcbga):
    out = tmp_path / "m.inp"
    res = CliRunner().invoke(app, ["export", str(small_fcbga), "-o", str(out), "--stress", "die"])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    mesh = warpfem.mesh(small_fcbga)
    assert text.count("*ELEMENT, TYPE=C3D20,") == len(mesh.part_names)
    assert "*EXPANSION, ZERO=150" in text and "NALL,25" in text
    res = CliRunner().invoke(app, ["export", str(small_fcbga), "-o", str(tmp_path / "x.inp"), "--stress", "lid"])
    assert res.exit_code == 2 and "'lid'" in res.stderr and not (tmp_path / "x.inp").exists()


@needs_ccx
def test_calculix_agrees_at_a_temperature_dependent_state(small_fcbga):
    """The deck carries the moduli of the load's temperature and the secant CTE of the integrated
    instantaneous one: CalculiX solves the same state (here across the underfill's Tg)."""
    raw = tomllib.loads(small_fcbga.read_text())
    raw["load"]["material_properties"] = "temperature_dependent"
    ours = warpfem.solve(raw, size_mm=0.5, target_error=0, method="direct")
    ccx = calculix(raw, size_mm=0.5)
    assert np.abs(ours.solution.u_mm - ccx.u_mm).max() < 1e-6 * np.abs(ccx.u_mm).max()
    plain = warpfem.solve(tomllib.loads(small_fcbga.read_text()), size_mm=0.5, target_error=0, method="direct")
    assert abs(ours.warpage_um - plain.warpage_um) > 0.02 * abs(plain.warpage_um)   # the data changed the state


def test_export_refuses_process_steps(tmp_path, small_fcbga):
    raw = tomllib.loads(small_fcbga.read_text())
    raw["steps"] = [{"name": "flip chip", "temperature_c": 217.0}, {"name": "underfill", "temperature_c": 150.0,
                                                                       "parts": ["underfill"]}]
    model = tmp_path / "steps.toml"
    import tomli_w
    model.write_text(tomli_w.dumps(raw))
    res = CliRunner().invoke(app, ["export", str(model), "-o", str(tmp_path / "x.inp")])
    assert res.exit_code == 2 and "process steps" in res.stderr and not (tmp_path / "x.inp").exists()
