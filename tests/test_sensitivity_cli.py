"""``warpfem sensitivity``: the table, the record and the chart written together; bad input refused
in one sentence with nothing written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import SMALL_FAMILY_TOML, assert_refused
from warpfem.cli import app

MODEL = SMALL_FAMILY_TOML


def test_the_command_writes_the_table_the_record_and_the_chart(tmp_path: Path):
    path = tmp_path / "m.toml"
    path.write_text(MODEL)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sensitivity", str(path), "-o", str(out), "--fast", "--key", "die_size_mm",
                                   "--key", "carrier_thickness_mm"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["sensitivity.csv", "sensitivity.json", "tornado.png"]
    rows = list(csv.DictReader((out / "sensitivity.csv").open(encoding="utf-8")))
    record = json.loads((out / "sensitivity.json").read_text())
    materials = {r["parameter"].split()[0] for r in rows if r["kind"] == "material"}
    assert len(materials) == 5 and len(rows) == len(record["rows"])
    # four outputs x three constants per material by adjoint, and the critical bump's by differences;
    # two lengths x five outputs by differences
    assert sum(r["kind"] == "material" and r["method"] == "adjoint" for r in rows) == 4 * 3 * 5
    bump = [r for r in rows if r["kind"] == "material" and r["output"] == "bump_critical_avg_von_mises_mpa"]
    assert len(bump) == 3 * 5 and all(r["method"].startswith("central difference") for r in bump)
    assert {r["parameter"] for r in rows if r["kind"] == "dimension"} == {"family die_size_mm",
                                                                           "family carrier_thickness_mm"}
    w = next(r for r in rows if r["output"] == "warpage_um")
    assert w["derivative_unit"].startswith("µm per ")
    assert float(w["output_value"]) == float(f"{record['outputs']['warpage_um']:.6g}")
    assert record["error"]["estimated"] is False and record["dimensions"].startswith("central differences")
    assert (out / "tornado.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "warpage" in res.stdout and "wrote" in res.stdout


def test_a_length_the_variant_does_not_have_is_refused(tmp_path: Path):
    path = tmp_path / "m.toml"
    path.write_text(MODEL)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sensitivity", str(path), "-o", str(out), "--fast", "--key", "lead_pitch_mm"])
    assert_refused(res, ["[family]", "lead_pitch_mm", "die_size_mm"])
    assert not out.exists()


def test_a_process_history_is_refused_before_any_solve(tmp_path: Path):
    path = tmp_path / "m.toml"
    path.write_text(MODEL.replace('family = "molded_flip_chip_heat_sink"',
                                  'family = "molded_flip_chip_heat_sink"\nprocess = "family"'))
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sensitivity", str(path), "-o", str(out), "--fast"])
    assert_refused(res, ["[steps]", "process history"])
    assert not out.exists()
