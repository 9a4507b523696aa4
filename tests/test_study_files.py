"""The studies of studies/: every file loads and every case is a valid package; a reduced study
and the one command that runs them all work end to end."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

import warpfem
from conftest import REPO
from warpfem.studies import load_study
from warpfem.studies.cases import build_cases

sys.path.insert(0, str(REPO / "studies"))
from run_studies import study_files  # noqa: E402

FILES = study_files()


def test_the_issue_s_studies_are_all_there():
    assert {"stiffener", "integral_heat_sink", "buffer_pad", "second_heat_sink_cte", "gap_000", "mould_ratio_001",
            "adhesive_003", "area_004", "creep_stiffener"} <= set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_case_of_every_study_is_a_valid_package(name):
    cases = build_cases(load_study(FILES[name]))
    assert len(cases) > 2
    bad = {c.name: c.error for c in cases if c.error}
    assert not bad, f"{name}: {bad}"
    # every case is a distinct package, except the grid or sweep points that are the base itself
    keys = [c.key for c in cases]
    assert len(set(keys)) >= len(keys) - 2


def test_a_reduced_stiffener_study_equals_the_packages_solved_by_hand(tmp_path):
    spec = load_study(FILES["stiffener"])
    # coarse uniform meshes (the study machinery is the subject, not the mesh): one small direct
    # solve per package, so the study's workers and this process agree to round-off
    spec = spec.model_copy(update={"set": {"mesh.size_mm": 4.0, "mesh.graded": False}, "grid": [], "sweep": {}})
    table = warpfem.study(spec, tmp_path / "out", workers=1, progress=False)
    assert [r["case"] for r in table] == ["base", "no stiffener"] and not table.failed
    base = {**spec.base, "mesh": {"size_mm": 4.0, "graded": False}}
    with_ring = warpfem.solve(base)
    bare = warpfem.expand(base).model_dump(mode="json", exclude_none=True, exclude={"family"})
    del bare["model"]["family"]
    bare["parts"] = [p for p in bare["parts"] if p["name"] not in ("stiffener", "stiffener_adhesive")]
    without = warpfem.solve(bare)
    assert table.row("base")["warpage_um"] == pytest.approx(with_ring.warpage_um, rel=1e-6)
    assert table.row("no stiffener")["warpage_um"] == pytest.approx(without.warpage_um, rel=1e-6)
    rows = list(csv.DictReader(table.csv_path.open()))
    assert float(rows[1]["warpage_um"]) == pytest.approx(without.warpage_um, rel=1e-6)


def test_the_one_command_runs_a_study_and_prints_its_table(tmp_path):
    out = subprocess.run([sys.executable, str(REPO / "studies" / "run_studies.py"), "gap_000", "--size-mm", "3", "--fast",
                          "-o", str(tmp_path), "--workers", "1"], capture_output=True, text=True, check=True)
    assert "## gap_000_size_3mm (6 cases" in out.stdout
    assert "| family.heat_sink_gap_mm=0.03 | 0.03 |" in out.stdout
    assert (tmp_path / "gap_000_size_3mm" / "results.csv").is_file()
    assert list((tmp_path / "gap_000_size_3mm" / "plots").glob("*.png"))
    bad = subprocess.run([sys.executable, str(REPO / "studies" / "run_studies.py"), "stifener"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no study called stifener" in bad.stderr
