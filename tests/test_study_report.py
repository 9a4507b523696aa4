"""`warpfem report` on a study's output directory: one page with its cases and plots."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

import warpfem
from test_study import spec
from warpfem.cli import app


def test_a_study_gets_one_page_with_its_table_and_plots(tmp_path):
    table = warpfem.study(spec(sweep={"load.temperature_c": [-40.0, 125.0]}), tmp_path / "out", workers=1,
                          progress=False)
    res = CliRunner().invoke(app, ["report", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "out" / "report.html").read_text()
    with (tmp_path / "out" / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    for row in rows:  # every case, with its warpage as results.csv has it
        assert f"<td>{row['case']}</td>" in page
        assert f"<td>{float(row['warpage_um']):.4g}</td>" in page
    assert "<th>load.temperature_c</th>" in page
    assert page.count("data:image/png;base64,") == len(table.plots) > 0
