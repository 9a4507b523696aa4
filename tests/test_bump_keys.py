"""Bump shapes, peripheral and depopulated arrays, and the [bumps] and [cycle] tables: geometry
against closed forms and numerical integration, and every bad value refused in one sentence."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tomli_w
from scipy.integrate import quad
from typer.testing import CliRunner

import warpfem
from conftest import assert_refused
from bump_models import flip_chip
from warpfem.cli import app
from warpfem.model import bump_shape
from warpfem.model.schema import ArraySpec


@pytest.mark.parametrize("pad, widest, h", [(0.1, 0.12, 0.08), (0.1, 0.1 + 1e-5, 0.08), (0.25, 0.3, 0.1),
                                            (0.3, 0.5, 0.2)])
def test_barrel_volume_is_the_integral_of_its_sections(pad, widest, h):
    area = lambda z: bump_shape.area_at_mm2("barrel", pad, widest, h, z)  # noqa: E731
    numeric = quad(area, -h / 2, h / 2, epsabs=0, epsrel=1e-12, limit=200)[0]
    assert bump_shape.volume_mm3("barrel", pad, widest, h) == pytest.approx(numeric, rel=1e-8)
    assert bump_shape.radius_at("barrel", pad, widest, h, h / 2) == pytest.approx(pad / 2, rel=1e-7)
    assert bump_shape.radius_at("barrel", pad, widest, h, 0.0) == pytest.approx(widest / 2, rel=1e-12)


def test_barrel_limits_cylinder_and_sphere():
    pad, h = 0.1, 0.08
    assert bump_shape.volume_mm3("barrel", pad, pad, h) == pytest.approx(math.pi * 0.25 * pad**2 * h, rel=1e-14)
    assert bump_shape.volume_mm3("cylinder", pad, pad, h) == pytest.approx(math.pi * 0.25 * pad**2 * h, rel=1e-14)
    # pads where a sphere of radius R cuts the planes z = ±h/2: the segment πh(R² − h²/12)
    R = 0.07
    sphere_pad = 2 * math.sqrt(R**2 - (h / 2) ** 2)
    assert bump_shape.volume_mm3("barrel", sphere_pad, 2 * R, h) == pytest.approx(math.pi * h * (R**2 - h**2 / 12),
                                                                                  rel=1e-12)
    assert bump_shape.radius_at("barrel", sphere_pad, 2 * R, h, 0.02) == pytest.approx(math.sqrt(R**2 - 0.02**2))


def test_peripheral_and_depopulated_sites():
    assert len(ArraySpec(nx=10, ny=10, rows=2).sites()) == 100 - 36
    assert len(ArraySpec(nx=10, ny=10, rows=5).sites()) == 100      # every site is within 5 rows of an edge
    sites = ArraySpec(nx=10, ny=8, empty_centre=(4, 2)).sites()
    assert len(sites) == 72 and {(3, 3), (6, 4)}.isdisjoint(sites) and {(2, 3), (7, 4), (3, 5)} <= set(sites)


def test_depopulated_array_meshes_only_its_sites():
    model = flip_chip(size_mm=0.25)
    model["parts"][2]["array"].update(empty_centre=[4, 4])
    m = warpfem.mesh(model)
    bumps = m.part == 2
    assert len(np.unique(m.copy[bumps])) == 21          # the quarter's 25 sites less its 2 x 2 of the hole
    model["parts"][2]["array"].update(empty_centre=None, rows=1)
    assert warpfem.solve(model).summary["bumps"]["count"] == 9


def test_round_bumps_mesh_as_prisms_of_their_volume():
    pad, widest, h = 0.2, 0.24, 0.1
    model = flip_chip(n=4, size_mm=0.25, symmetry="full", shape="barrel", pad_diameter_mm=pad,
                      max_diameter_mm=widest)
    m = warpfem.mesh(model)
    vol = m.element_sizes().prod(axis=1)
    assert vol[m.part == 2].sum() == pytest.approx(16 * bump_shape.volume_mm3("barrel", pad, widest, h), rel=1e-9)


def test_new_keys_round_trip_through_expand(tmp_path):
    model = flip_chip(n=4, size_mm=0.25, shape="cylinder", pad_diameter_mm=0.2,
                      bumps={"global": "homogenised", "filler": "underfill", "submodel": 2})
    model["cycle"] = {"min_c": -40.0, "max_c": 125.0, "dwell_min": 15.0, "cycles_per_day": 24.0}
    model["parts"][2]["array"]["rows"] = 1
    path = tmp_path / "m.toml"
    path.write_text(tomli_w.dumps(model))
    warpfem.expand(path, tmp_path / "parts.toml")
    again = warpfem.load_model(tmp_path / "parts.toml")
    assert again.bumps.global_model == "homogenised" and again.bumps.submodel == 2
    assert again.cycle.dwell_min == 15.0 and again.parts[2].array.rows == 1 and again.parts[2].shape == "cylinder"


def _bump(**keys):
    return lambda m: m["parts"][2].update(**keys)


def _array(**keys):
    return lambda m: m["parts"][2]["array"].update(**keys)


BAD = {
    "empty block wider than array": (_array(empty_centre=[12, 2]), ["'bumps'", "'array'", "12"]),
    "empty block wrong parity": (_array(empty_centre=[3, 2]), ["'bumps'", "'array'", "parity"]),
    "empty block removes all": (_array(empty_centre=[10, 10]), ["'bumps'", "'array'", "no site"]),
    "rows zero": (_array(rows=0), ["'bumps'", "'array.rows'"]),
    "shape on a non-bump part": (lambda m: m["parts"][3].update(shape="cylinder"), ["'die'", "'shape'"]),
    "unknown shape": (_bump(shape="cone"), ["'bumps'", "'shape'"]),
    "barrel without widest": (_bump(shape="barrel", pad_diameter_mm=0.2), ["'bumps'", "'max_diameter_mm'"]),
    "barrel narrower at middle": (_bump(shape="barrel", pad_diameter_mm=0.2, max_diameter_mm=0.15),
                                  ["'bumps'", "'max_diameter_mm'", "below"]),
    "round bump wider than its box": (_bump(shape="cylinder", pad_diameter_mm=0.3),
                                      ["'bumps'", "'pad_diameter_mm'", "box"]),
    "diameter on a box bump": (_bump(pad_diameter_mm=0.2), ["'bumps'", "'pad_diameter_mm'"]),
    "cylinder with widest": (_bump(shape="cylinder", max_diameter_mm=0.2), ["'bumps'", "'max_diameter_mm'"]),
    "homogenised without filler": (lambda m: m.update(bumps={"global": "homogenised"}), ["[bumps]", "'filler'"]),
    "unknown filler": (lambda m: m.update(bumps={"global": "homogenised", "filler": "glue"}),
                       ["[bumps]", "'filler'", "'glue'"]),
    "bumps as filler": (lambda m: m.update(bumps={"filler": "bumps"}), ["[bumps]", "'filler'"]),
    "unknown global": (lambda m: m.update(bumps={"global": "smeared"}), ["[bumps]", "'global'"]),
    "submodel zero": (lambda m: m.update(bumps={"submodel": 0}), ["[bumps]", "'submodel'"]),
    "submodel flag": (lambda m: m.update(bumps={"submodel": True}), ["[bumps]", "'submodel'", "count"]),
    "submodel size negative": (lambda m: m.update(bumps={"submodel_size_mm": -1.0}), ["[bumps]", "'submodel_size_mm'"]),
    "unknown bumps key": (lambda m: m.update(bumps={"filer": "underfill"}), ["[bumps]", "'filer'"]),
    "cycle upside down": (lambda m: m.update(cycle={"min_c": 125.0, "max_c": -40.0, "dwell_min": 15.0}),
                          ["[cycle]", "max_c"]),
    "cycle without rate": (lambda m: m.update(cycle={"min_c": -40.0, "max_c": 125.0}),
                           ["[cycle]", "dwell_min", "cycles_per_day"]),
    "cycle negative dwell": (lambda m: m.update(cycle={"min_c": -40.0, "max_c": 125.0, "dwell_min": -5.0}),
                             ["[cycle]", "'dwell_min'"]),
}


@pytest.fixture
def no_meshing(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("meshing started for a bad model")

    monkeypatch.setattr("warpfem.meshing.build._gmsh_bricks", refuse)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_bump_key_is_refused(case, tmp_path, no_meshing):
    edit, words = BAD[case]
    model = flip_chip()
    edit(model)
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(model))
    outdir = tmp_path / "out"
    res = CliRunner().invoke(app, ["solve", str(path), "-o", str(outdir)])
    assert_refused(res, words)
    assert not outdir.exists()


def test_filler_must_hold_the_cells(tmp_path, no_meshing):
    model = flip_chip(bumps={"global": "homogenised", "filler": "underfill"})
    model["parts"][1]["box"] = [-2.4, 2.4, -2.4, 2.4, 0.5, 0.6]   # narrower than the outer pitch cells
    with pytest.raises(warpfem.ModelError, match=r"\[bumps\], key 'filler'.*beyond"):
        warpfem.solve(model)
