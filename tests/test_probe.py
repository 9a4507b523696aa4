"""The global field's displacement at arbitrary points (warpfem.post.probe)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import warpfem
from warpfem.post.probe import displacement_at, interpolation

from conftest import plate_model

# a two-layer plate with a smaller top die: a field that bends, and material-free cells above the
# overhang, so the probe meets empty neighbours
LAYERS = [("base", 0.5, 117.0, 0.34, 17.0), ("film", 0.4, 130.0, 0.28, 2.6)]


def _model(symmetry: str) -> dict:
    m = plate_model(LAYERS, half=4.0, symmetry=symmetry, size_mm=0.5)
    m["parts"][1]["box"] = [-2.5, 2.5, -2.0, 2.0, 0.5, 0.9]
    m["solver"] = {"method": "direct"}
    return m


@pytest.fixture(scope="module")
def quarter():
    return warpfem.solve(_model("quarter")).solution


@pytest.fixture(scope="module")
def full():
    return warpfem.solve(_model("full")).solution


def _quadratic(p: np.ndarray) -> np.ndarray:
    """A complete quadratic field (the hex20 basis holds every one), mm."""
    x, y, z = p.T
    return np.column_stack([0.1 + 0.02 * x - 0.03 * y * z + 0.004 * x * x,
                            -0.05 * y + 0.01 * x * y + 0.02 * z * z,
                            0.3 * z - 0.002 * x * x - 0.003 * y * y + 0.01 * x * z])


def _inside(rng: np.random.Generator, n: int, sign: bool) -> np.ndarray:
    """Random points in the plate's material: the base everywhere, the film over its footprint."""
    lo = -4.0 if sign else 0.0
    base = np.column_stack([rng.uniform(lo, 4.0, n), rng.uniform(lo, 4.0, n), rng.uniform(0.0, 0.5, n)])
    film = np.column_stack([rng.uniform(lo * 2.5 / 4, 2.5, n), rng.uniform(lo * 0.5, 2.0, n), rng.uniform(0.5, 0.9, n)])
    return np.vstack([base, film])


def test_reproduces_nodal_values(quarter):
    u = displacement_at(quarter, quarter.mesh.nodes)
    assert np.abs(u - quarter.u_mm).max() < 1e-12 * np.abs(quarter.u_mm).max() + 1e-15


def test_interpolates_a_quadratic_field_exactly(quarter):
    sol = replace(quarter, u_mm=_quadratic(quarter.mesh.nodes))
    p = _inside(np.random.default_rng(1), 500, sign=False)
    assert np.abs(displacement_at(sol, p) - _quadratic(p)).max() < 1e-13


def test_the_interpolation_matrix_reads_as_the_probe_does(quarter):
    p = _inside(np.random.default_rng(3), 400, sign=False)
    E = interpolation(quarter.mesh, p)
    assert E.shape == (len(p), quarter.mesh.n_nodes) and E.nnz <= 20 * len(p)
    assert np.abs(E @ quarter.u_mm - displacement_at(quarter, p)).max() < 1e-12 * np.abs(quarter.u_mm).max()
    assert np.abs(E @ _quadratic(quarter.mesh.nodes) - _quadratic(p)).max() < 1e-13


def test_points_on_the_boundary_next_to_empty_cells(quarter):
    sol = replace(quarter, u_mm=_quadratic(quarter.mesh.nodes))
    # the film's top face and edge, and the base's top face beside the film, where the cell
    # across the face holds no material
    p = np.array([[1.0, 1.0, 0.9], [2.5, 1.0, 0.7], [3.5, 3.0, 0.5], [4.0, 4.0, 0.0], [2.5, 2.0, 0.9]])
    assert np.abs(displacement_at(sol, p) - _quadratic(p)).max() < 1e-13


def test_quarter_mirrored_matches_the_full_solve(quarter, full):
    p = _inside(np.random.default_rng(2), 300, sign=True)
    uq, uf = displacement_at(quarter, p), displacement_at(full, p)
    assert np.abs(uq - uf).max() < 1e-6 * np.abs(uf).max()
    # and the mirror really is used: points in all four quadrants
    assert {(bool(a), bool(b)) for a, b in zip(p[:, 0] < 0, p[:, 1] < 0)} == {(False, False), (True, False),
                                                                             (False, True), (True, True)}


def test_points_outside_the_material_are_refused(quarter):
    with pytest.raises(ValueError, match="outside the global model's material"):
        displacement_at(quarter, [[3.5, 3.5, 0.8]])   # above the base, beside the film
    with pytest.raises(ValueError, match="outside"):
        displacement_at(quarter, [[5.0, 0.0, 0.2]])


def test_points_just_outside_read_the_nearest_material(quarter):
    sol = replace(quarter, u_mm=_quadratic(quarter.mesh.nodes))
    outside = np.array([[2.52, 1.0, 0.7], [1.0, 2.03, 0.8], [2.51, 2.02, 0.95]])
    nearest = np.array([[2.5, 1.0, 0.7], [1.0, 2.0, 0.8], [2.5, 2.0, 0.9]])
    assert np.abs(displacement_at(sol, outside, reach_mm=0.1) - _quadratic(nearest)).max() < 1e-13
    with pytest.raises(ValueError, match="0.03 mm from it"):
        displacement_at(sol, outside[1:2], reach_mm=0.02)
