"""summary.json and result.vtu: the contract's keys, readable files, atomic writes."""

from __future__ import annotations

import json
import tomllib

import meshio
import numpy as np
import pytest
from typer.testing import CliRunner

import warpfem
from warpfem.cli import app

CONTRACT_KEYS = {"model", "warpage_um", "coplanarity_um", "shape", "parts", "bumps", "mesh", "timings_s"}


def test_solve_writes_summary_and_vtu(tmp_path, small_fcbga):
    res = CliRunner().invoke(app, ["solve", str(small_fcbga), "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "warpage" in res.stdout
    s = json.loads((tmp_path / "summary.json").read_text())
    assert CONTRACT_KEYS <= set(s)
    assert set(s["parts"]) == {"substrate", "underfill", "bumps", "die"}
    for p in s["parts"].values():
        assert {"max_von_mises_mpa", "max_principal_mpa"} <= set(p)
    assert {"part", "max_von_mises_mpa", "max_shear_mpa", "max_peel_mpa", "critical_bump_xy_mm"} <= set(s["bumps"])
    assert {"nodes", "elements", "dofs"} <= set(s["mesh"])
    assert {"mesh", "assemble", "solve", "total"} <= set(s["timings_s"])
    assert s["memory_mb"] > 0

    vtu = meshio.read(tmp_path / "result.vtu")
    assert vtu.cells[0].type == "hexahedron20"
    assert vtu.point_data["displacement_mm"].shape == (len(vtu.points), 3)
    stress = vtu.cell_data["stress_mpa"][0]
    assert stress.shape[1] == 9
    vm = vtu.cell_data["von_mises_mpa"][0]
    part = vtu.cell_data["part_id"][0]
    # the summary's maxima are the VTU's, per part
    for name, p in s["parts"].items():
        assert vm[part == p["part_id"]].max() == pytest.approx(p["max_von_mises_mpa"])
    # the summary's warpage is the VTU's displacement at the carrier's corners and centre
    pts, uz = vtu.points, vtu.point_data["displacement_mm"][:, 2]
    at = lambda x, y: uz[np.argmin(np.abs(pts - [x, y, 0.0]).sum(axis=1))]  # noqa: E731
    assert 1e3 * (at(6.0, 6.0) - at(0.0, 0.0)) == pytest.approx(s["warpage_um"])


def test_bump_critical_is_a_corner_bump(small_fcbga):
    r = warpfem.solve(small_fcbga, target_error=0)
    x, y = r.summary["bumps"]["critical_bump_xy_mm"]
    assert abs(x) == pytest.approx(1.75) and abs(y) == pytest.approx(1.75)


def test_failed_write_leaves_nothing(tmp_path, small_fcbga, monkeypatch):
    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("warpfem.pipeline.write_json", broken)
    with pytest.raises(OSError):
        warpfem.solve(small_fcbga, tmp_path / "out", target_error=0)
    assert not (tmp_path / "out").exists()   # not even the folder made for the results


def test_rerun_replaces_results_whole(tmp_path, small_fcbga):
    warpfem.solve(small_fcbga, tmp_path, target_error=0)
    first = json.loads((tmp_path / "summary.json").read_text())
    warpfem.solve(small_fcbga, tmp_path, size_mm=0.5, target_error=0)
    second = json.loads((tmp_path / "summary.json").read_text())
    assert second["mesh"]["dofs"] != first["mesh"]["dofs"]
    names = sorted(p.name for p in tmp_path.iterdir())
    # the critical bump's submodel of the second solve only (the first's moved to another bump)
    assert len(names) == 4 and names[2].startswith("submodel_bump_")
    assert [names[0], names[1], names[3]] == ["bumps.csv", "result.vtu", "summary.json"]


def test_expand_output_resolves_to_the_same_summary(tmp_path, small_fcbga):
    res = CliRunner().invoke(app, ["expand", str(small_fcbga), "-o", str(tmp_path / "parts.toml")])
    assert res.exit_code == 0, res.output
    tomllib.loads((tmp_path / "parts.toml").read_text())
    a = warpfem.solve(small_fcbga, target_error=0).summary
    b = warpfem.solve(tmp_path / "parts.toml", target_error=0).summary
    # the same model; a parallel direct solver's round-off may differ between runs
    assert b["warpage_um"] == pytest.approx(a["warpage_um"], rel=1e-9)
    for name, p in a["parts"].items():
        assert b["parts"][name]["max_von_mises_mpa"] == pytest.approx(p["max_von_mises_mpa"], rel=1e-9)
