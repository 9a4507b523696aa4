"""warpfem against the closed forms of physics.md (free expansion, Timoshenko, lamination)."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

import warpfem
from conftest import SHARED_EXAMPLES, plate_model
from references import biaxial, corner_deflection, lamination_curvature, timoshenko_curvature


def test_free_expansion_is_stress_free_and_linear():
    E, nu, cte, dT = 70.0, 0.3, 12.0, -150.0
    model = plate_model([("block", 3.0, E, nu, cte)], half=2.0, symmetry="full", size_mm=0.5)
    model["parts"][0]["box"] = [-2.0, 3.0, -1.0, 2.5, 0.0, 3.0]  # off-centre, not a cube
    r = warpfem.solve(model)
    scale = E * 1e3 * abs(cte * 1e-6 * dT)
    assert r.fields.von_mises_mpa.max() < 1e-6 * scale
    x = r.mesh.nodes
    anchor = x[r.solution.face.centre]
    expected = cte * 1e-6 * dT * (x - anchor)
    assert np.abs(r.solution.u_mm - expected).max() < 1e-6 * np.abs(expected).max()


def _bilayer_reference(E_b, nu_b, a_b, t_b, E_t, nu_t, a_t, t_t, half, dT):
    k = timoshenko_curvature(t_b, biaxial(E_b, nu_b), a_b * 1e-6, t_t, biaxial(E_t, nu_t), a_t * 1e-6, dT)
    return 1e3 * corner_deflection(k, half, half)


def test_shared_bilayer_example_matches_timoshenko(bilayer):
    r = warpfem.solve(bilayer)
    ref = _bilayer_reference(117.0, 0.34, 17.0, 0.5, 130.0, 0.28, 2.6, 0.5, 15.0, -150.0)
    assert ref == pytest.approx(-729.0, abs=0.1)  # the figure the shared smoke check quotes
    assert r.warpage_um == pytest.approx(ref, rel=0.01)
    assert r.summary["shape"] == "cry"


@pytest.mark.parametrize(
    "half, t_b, t_t, tol",
    [
        (30.0, 0.4, 0.6, 0.01),   # side / thickness = 60
        (40.0, 0.3, 0.3, 0.01),   # side / thickness = 133
        (15.0, 0.5, 0.5, 0.05),   # side / thickness = 30
    ],
)
def test_bilayer_plates_match_timoshenko(half, t_b, t_t, tol):
    layers = [("bottom", t_b, 117.0, 0.34, 17.0), ("top", t_t, 130.0, 0.28, 2.6)]
    r = warpfem.solve(plate_model(layers, half=half))
    ref = _bilayer_reference(117.0, 0.34, 17.0, t_b, 130.0, 0.28, 2.6, t_t, half, -150.0)
    assert r.warpage_um == pytest.approx(ref, rel=tol)


def test_four_layer_stack_matches_lamination_theory():
    layers = [("substrate", 0.6, 26.0, 0.2, 15.0), ("underfill", 0.1, 8.0, 0.33, 30.0),
              ("die", 0.4, 130.0, 0.28, 2.6), ("mould", 0.3, 24.0, 0.3, 9.0)]
    half = 36.0  # side / thickness = 72 / 1.4 > 60
    r = warpfem.solve(plate_model(layers, half=half, size_mm=1.0))
    k = lamination_curvature([(t, biaxial(E, nu), a * 1e-6) for _, t, E, nu, a in layers], -150.0)
    ref = 1e3 * corner_deflection(-k, half, half)  # w = -κ r²/2 in CLT's sign convention
    assert r.warpage_um == pytest.approx(ref, rel=0.01)


def test_quarter_and_full_symmetry_agree(small_fcbga):
    raw = tomllib.loads(small_fcbga.read_text())
    quarter = warpfem.solve(raw, target_error=0)
    raw["model"]["symmetry"] = "full"
    full = warpfem.solve(raw, target_error=0)
    assert full.warpage_um == pytest.approx(quarter.warpage_um, rel=0.005)
    assert full.coplanarity_um == pytest.approx(quarter.coplanarity_um, rel=0.005)
    assert full.summary["parts"]["die"]["max_von_mises_mpa"] == pytest.approx(
        quarter.summary["parts"]["die"]["max_von_mises_mpa"], rel=0.005)


def test_small_fcbga_first_graded_mesh_is_converged(small_fcbga):
    """`--fast` (one solve on the first graded mesh) is within 2 % of a mesh twice as fine."""
    raw = tomllib.loads(small_fcbga.read_text())
    first = warpfem.solve(raw, target_error=0)
    raw["mesh"]["edge_ratio"] = 2.0
    finer = warpfem.solve(raw, size_mm=raw["mesh"]["size_mm"] / 2, target_error=0)
    assert finer.mesh.n_dofs > 2 * first.mesh.n_dofs
    assert first.warpage_um == pytest.approx(finer.warpage_um, rel=0.02)


def test_repo_examples_equal_the_shared_ones(small_fcbga, bilayer):
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    for ours in (small_fcbga, bilayer):
        assert ours.read_text() == (SHARED_EXAMPLES / ours.name).read_text()
