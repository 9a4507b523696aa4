"""The tetrahedral check of studies/accuracy (a second discretisation: unstructured P2
tetrahedra, its own mesh and assembly) against plate theory, so the figure it gives on the
stiffener + plate example stands on a checked solver."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import REPO
from references import biaxial, corner_deflection, timoshenko_curvature
from warpfem.model import load_model
from warpfem.pipeline import global_layout


@pytest.fixture(scope="module")
def tc():
    """studies/accuracy/tetra_check.py, loaded by path once for this module."""
    spec = importlib.util.spec_from_file_location("tetra_check", REPO / "studies" / "accuracy" / "tetra_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tetrahedra_give_the_timoshenko_bilayer(tc, bilayer):
    layout, _ = global_layout(load_model(bilayer))
    # the interface ends only at the plate's rim (a free edge of two materials)
    assert sorted(tc.singular_lines(layout)) == [(0, 15.0, 2, 0.5), (1, 15.0, 2, 0.5)]
    mesh, part = tc.tet_mesh(layout, corner_mm=0.5, bulk_mm=1.0, rate=0.5)
    r = tc.solve(layout, mesh, part)
    k = timoshenko_curvature(0.5, biaxial(117.0, 0.34), 17e-6, 0.5, biaxial(130.0, 0.28), 2.6e-6, -150.0)
    assert r["warpage_um"] == pytest.approx(1e3 * corner_deflection(k, 15.0, 15.0), rel=0.01)


def test_the_singular_lines_are_where_interfaces_end(tc):
    layout = tc._references().load_layout("stiffener_plate")
    lines = tc.singular_lines(layout)
    # the copper plate's rim on the substrate (x = 5 at z = 0) is singular; its free bottom rim is not
    assert (0, 5.0, 2, 0.0) in lines
    assert (0, 5.0, 2, -0.5) not in lines
