"""The size guard: dofs counted before meshing equal the mesher's, the lower bound never exceeds
them, and a model that cannot fit is refused before its layout is built (or the refinement stops
short of a mesh that would not fit), unless forced."""

from __future__ import annotations

import time
import tomllib

import pytest
import tomli_w
from typer.testing import CliRunner

import warpfem.accuracy.refine  # noqa: F401  (the module, for monkeypatching)
from conftest import EXAMPLES, REPO, SHARED_EXAMPLES, assert_refused, clone, plate_model
from warpfem import guard, pipeline
from warpfem.cli import app
from warpfem.fem.system import choose_solver
from warpfem.memory import solve_peak_mb
from warpfem.meshing import build_mesh, features, first_axes, graded_mesh, initial_grading, mesh_dofs, refine_groups
from warpfem.meshing.grading import graded_axes
from warpfem.model import load_model
from warpfem.model.schema import ArraySpec

refine_module = __import__("sys").modules["warpfem.accuracy.refine"]

PLATE = plate_model([("substrate", 0.5, 26.0, 0.2, 15.0), ("die", 0.3, 130.0, 0.28, 2.6)], half=5.0, size_mm=1.0)
PLATE["parts"][1]["box"] = [-2.0, 2.0, -2.0, 2.0, 0.5, 0.8]


def _models():
    holed = clone(PLATE)
    holed["model"]["symmetry"] = "full"
    holed["parts"][1]["box"] = [-3.0, 2.0, -2.0, 2.5, 0.5, 0.8]
    holed["parts"][1]["holes"] = [[-1.0, 0.5, -1.0, 0.0]]
    uniform = clone(PLATE)
    uniform["mesh"]["graded"] = False
    return {"small_fcbga (quarter, bump array)": EXAMPLES / "small_fcbga.toml",
            "fcbga_40mm (ring, lid)": REPO / "studies" / "fcbga_40mm.toml",
            "plate with a holed die (full)": holed, "uniform plate": uniform}


@pytest.mark.parametrize("name", list(_models()))
def test_counted_dofs_equal_the_meshers_and_bound_them_from_below(name):
    model = load_model(_models()[name])
    layout, _ = pipeline.global_layout(model)
    mesh = build_mesh(layout)
    bricks, dofs = mesh_dofs(layout, mesh.axes)
    assert (bricks, dofs) == (mesh.n_elements, mesh.n_dofs)
    assert guard.fewest_dofs(model) <= mesh.n_dofs
    if model.mesh.graded:   # the first refinement too
        feats = features(layout)
        finer = refine_groups(layout, feats, initial_grading(layout), range(len(feats.groups)))
        fine = graded_mesh(layout, feats, finer)
        assert mesh_dofs(layout, graded_axes(layout, feats, finer))[1] == fine.n_dofs


@pytest.mark.parametrize("nx, ny, rows, centre", [(7, 9, None, None), (10, 10, 2, None), (10, 8, None, (4, 2)),
                                                  (12, 12, 3, (2, 2)), (9, 9, 1, (9, 3)), (6, 6, 4, (2, 2))])
def test_array_sites_are_counted_without_listing_them(nx, ny, rows, centre):
    a = ArraySpec(nx=nx, ny=ny, rows=rows, empty_centre=centre)
    assert a.count() == len(a.sites())


def _runaway(tmp_path, edit):
    data = tomllib.loads((EXAMPLES / "small_fcbga.toml").read_text())
    edit(data)
    path = tmp_path / "model.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def _no_layout(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the layout was built")
    monkeypatch.setattr(pipeline, "global_layout", boom)


@pytest.mark.parametrize("case, edit, words", [
    ("element size 1 µm", lambda d: d["mesh"].update(size_mm=0.001), ["[mesh]", "size_mm", "dofs", "GB", "--force"]),
    ("10^5 x 10^5 bumps", lambda d: d["parts"][2]["array"].update(nx=100_000, ny=100_000),
     ["[mesh]", "dofs", "homogenised", "--force"]),
    ("10^12 columns", lambda d: d["parts"][2]["array"].update(nx=10 ** 12), ["[mesh]", "dofs", "more than a petabyte"]),
    # found by fuzzing: a box or an array row reaching 1e300 mm hung the grading of the lattice
    ("a die 1e300 mm wide", lambda d: d["parts"][3]["box"].__setitem__(1, 1e300),
     ["[mesh]", "part 'die'", "key 'box'", "1e+300 mm across", "more than a petabyte"]),
    ("a die 1e15 mm tall", lambda d: d["parts"][3]["box"].__setitem__(5, 1e15),
     ["[mesh]", "part 'die'", "key 'box'", "mm high", "more than a petabyte"]),
    ("an array row at 1e300 mm", lambda d: d["parts"][2]["array"].update(pitch_y_mm=1e300),
     ["[mesh]", "part 'bumps'", "key 'array'", "5e+300 mm across"]),
])
def test_a_runaway_model_is_refused_before_its_layout(tmp_path, monkeypatch, case, edit, words):
    path = _runaway(tmp_path, edit)
    _no_layout(monkeypatch)
    out = tmp_path / "out"
    t = time.perf_counter()
    res = CliRunner().invoke(app, ["solve", str(path), "-o", str(out)])
    assert time.perf_counter() - t < 30.0   # generous; the benchmark measures it (about 0.1 s in process)
    assert_refused(res, words)
    assert not out.exists()


def test_a_first_mesh_beyond_the_memory_is_refused_before_meshing_and_force_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "available_memory_mb", lambda: 150.0)
    monkeypatch.setattr(pipeline, "build_mesh", lambda *a, **k: pytest.fail("meshed"))
    res = CliRunner().invoke(app, ["mesh", str(EXAMPLES / "bilayer_plate.toml"), "-o", str(tmp_path / "m.msh")])
    assert_refused(res, ["[mesh]", "first mesh", "dofs", "--force"])
    assert not (tmp_path / "m.msh").exists()
    monkeypatch.undo()
    monkeypatch.setattr(guard, "available_memory_mb", lambda: 150.0)
    res = CliRunner().invoke(app, ["solve", str(EXAMPLES / "bilayer_plate.toml"), "-o", str(tmp_path / "o"),
                                   "--fast", "--force"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "summary.json").is_file()


def test_the_refinement_stops_short_of_a_mesh_that_would_not_fit(monkeypatch):
    model = load_model(SHARED_EXAMPLES / "stiffener_plate.toml" if SHARED_EXAMPLES.is_dir() else
                       REPO / "studies" / "fcbga_40mm.toml")
    layout, _ = pipeline.global_layout(model)
    est = guard.estimate(layout)
    # room for the first solve and not for the refinement
    room = 0.5 * (est.first_peak_mb + est.peak_mb)
    monkeypatch.setattr(refine_module, "available_memory_mb", lambda: room)
    monkeypatch.setattr(guard, "available_memory_mb", lambda: room)
    r = pipeline.solve(model, target_error=0.01)
    assert r.summary["error"]["estimated"] is False
    assert r.summary["error"]["why"].startswith("memory: the next mesh")
    assert r.summary["mesh"]["dofs"] == est.dofs


def test_every_solve_reports_its_estimate_beside_the_measured_peak(small_fcbga):
    r = pipeline.solve(small_fcbga, target_error=0.0)
    size = r.summary["size_estimate"]
    assert size["dofs"] == r.summary["mesh"]["dofs"] and size["refined_dofs"] is None
    assert 0 < size["measured_peak_memory_mb"] <= r.summary["memory_mb"] + 0.05   # rounded to 0.1 MB
    assert size["peak_memory_mb"] < size["available_memory_mb"]
    assert size["last_step_peak_memory_mb"] == size["first_solve_peak_memory_mb"]   # one solve: the guard's figure


def test_the_refinement_reports_the_estimate_it_made_before_its_last_mesh():
    model = plate_model([("substrate", 0.5, 26.0, 0.2, 15.0), ("die", 0.3, 130.0, 0.28, 2.6)], half=5.0, size_mm=1.0)
    model["parts"][1]["box"] = [-2.0, 2.0, -2.0, 2.0, 0.5, 0.8]
    r = pipeline.solve(model, target_error=0.002)
    steps, size = r.summary["error"]["steps"], r.summary["size_estimate"]
    assert len(steps) >= 3 and steps[0]["peak_estimate_mb"] is None
    # the memory fit at each step's counted dofs and the first mesh's z-lines, as the fit was made
    axes, _ = first_axes(pipeline.global_layout(r.model)[0])
    for s in steps[1:]:
        method = choose_solver(s["dofs"], "auto")
        assert s["peak_estimate_mb"] == pytest.approx(solve_peak_mb(s["dofs"], method, len(axes[2]), True), abs=0.05)
    assert size["last_step_peak_memory_mb"] == steps[-1]["peak_estimate_mb"]
