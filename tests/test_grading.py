"""The graded mesh: corners found where two materials meet at an edge, sizes as asked, and
refinement that only adds lines (nested meshes)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import warpfem
from bump_models import flip_chip
from conftest import REPO
from warpfem.geometry import build_layout
from warpfem.meshing import Grading, build_mesh, features, refine_groups
from warpfem.meshing.grading import graded_axes

STIFFENER_PLATE = REPO / "studies" / "accuracy" / "stiffener_plate.toml"


def _layout(model):
    return build_layout(warpfem.load_model(model))


def test_corners_are_where_two_materials_meet_at_an_edge():
    f = features(_layout(STIFFENER_PLATE))
    got = {(c.position_mm, round(c.z_mm, 6)): round(c.scale_mm, 6) for c in f.corners}
    # plate rim on the substrate (0.5 mm plate), die edge on its underfill and the fillet's end
    # (0.06 mm underfill), ring wall on the substrate and the ring's outer edge (0.6 mm ring); the
    # die's top corner and the substrate's bottom corners are free corners of one material
    assert got == {(5.0, 0.0): 0.5, (6.0, 0.86): 0.06, (6.3, 0.8): 0.06, (11.0, 0.8): 0.6, (15.0, 0.8): 0.6}
    assert all(c.axes == (0, 1) for c in f.corners)     # a square package: each edge along x and y
    names = sorted(f.group_name(g) for g in range(len(f.groups)))
    assert names == ["x/y = 11 mm at z = 0.8 mm + x/y = 15 mm at z = 0.8 mm",
                     "x/y = 5 mm at z = 0 mm",
                     "x/y = 6 mm at z = 0.86 mm + x/y = 6.3 mm at z = 0.8 mm"]


def test_bump_copies_are_one_dormant_group_the_first_mesh_is_not_graded_toward():
    layout = _layout(flip_chip(n=6, size_mm=None))
    f = features(layout)
    plain = [c for c in f.corners if c.array_part is None]
    assert sorted((c.position_mm, round(c.z_mm, 3)) for c in plain) == [(1.5, 0.5), (1.5, 0.6)]
    dormant = [i for i, c in enumerate(f.corners) if c.array_part is not None]
    # both sides of each bump copy beside the centre line (0.25 mm bumps at 0.5 mm pitch)
    assert sorted({f.corners[i].position_mm for i in dormant}) == pytest.approx([0.125, 0.375, 0.625, 0.875, 1.125, 1.375])
    assert {round(f.corners[i].z_mm, 3) for i in dormant} == {0.5, 0.6}
    assert [g for g in f.groups if set(g) & set(dormant)] == [tuple(dormant)]
    # the first mesh is that of the plain corners alone; refining the bumps' group adds lines
    # beside the copies
    grading = Grading(0.25, 0.75)
    alone = replace(f, corners=tuple(plain), groups=((0, 1),))
    for a, b in zip(graded_axes(layout, f, grading), graded_axes(layout, alone, grading)):
        assert np.array_equal(a, b)
    g = next(i for i, members in enumerate(f.groups) if set(members) == set(dormant))
    before, after = graded_axes(layout, f, grading), graded_axes(layout, f, refine_groups(layout, f, grading, [g]))
    assert all(np.isin(np.round(a, 9), np.round(b, 9)).all() for a, b in zip(before, after))
    assert len(after[0]) > len(before[0]) and len(after[1]) > len(before[1])


def test_elements_at_corners_are_as_small_as_asked_and_the_refined_mesh_contains_the_coarse():
    layout = _layout(STIFFENER_PLATE)
    f = features(layout)
    coarse = Grading(0.75, 2.25, edge_ratio=2.0)
    fine = refine_groups(layout, f, coarse, range(len(f.groups)))
    axes0, axes1 = graded_axes(layout, f, coarse), graded_axes(layout, f, fine)
    for a0, a1 in zip(axes0, axes1):
        assert np.isin(np.round(a0, 9), np.round(a1, 9)).all()      # nested: only lines added
        assert len(a1) > len(a0)
    for grading, axes in ((coarse, axes0), (fine, axes1)):
        for c in f.corners:
            plane, through = grading.corner_sizes_mm(c)
            for axis, x, size in ((0, c.position_mm, plane), (1, c.position_mm, plane), (2, c.z_mm, through)):
                i = int(np.argmin(np.abs(axes[axis] - x)))
                touching = np.diff(axes[axis])[max(i - 1, 0):i + 1]
                assert touching.max() <= size * (1 + 1e-9)
        for a in axes:
            h = np.diff(a)
            assert (np.maximum(h[1:] / h[:-1], h[:-1] / h[1:]) <= 3.0).all()   # sizes change gradually


def test_every_breakpoint_stays_a_grid_line():
    layout = _layout(STIFFENER_PLATE)
    m = build_mesh(layout)
    for bp, a in zip((layout.xs, layout.ys, layout.zs), m.axes):
        assert np.isin(np.round(bp, 9), np.round(a, 9)).all()


def test_uniform_mesh_on_request():
    raw = {"load": {"stress_free_c": 150.0, "temperature_c": 25.0}, "mesh": {"graded": False, "size_mm": 0.5},
           "parts": [{"name": "s", "material": "bt_laminate", "box": [-3, 3, -3, 3, 0, 0.4], "role": "carrier"},
                     {"name": "d", "material": "silicon", "box": [-1, 1, -1, 1, 0.4, 0.7]}]}
    m = build_mesh(_layout(raw))
    assert np.allclose(np.diff(m.axes[0]), 0.5)
    assert warpfem.solve(raw).summary["error"] == {"estimated": False, "why": "uniform mesh ([mesh] graded = false)"}
