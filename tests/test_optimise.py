"""Optimisation: the search against closed forms (the elastic cool-down is linear in ΔT, so the
flat package is at the stress-free temperature and a stress limit set by a reference package at
250 °C binds at exactly 250 °C), a second run reading every design back, discrete choices split
into branches with the variables that apply to each, the written best design equal to a solve of
it, the grid study around it, and bad files refused in one sentence with nothing written."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SMALL_FAMILY_TOML, assert_refused
from warpfem.cli import app
from warpfem.design import optimise_run
from warpfem.design.search import FEASIBLE_RTOL, plan_branches
from warpfem.studies.cases import base_raw_model
from warpfem.design.optimise_file import load_optimise_file
from warpfem.pipeline import solve
from warpfem.studies import run_study

ROOT = Path(__file__).resolve().parents[1]

def _problem(name: str, bounds: str, max_solves: int, goal: str = "magnitude", more: str = "") -> str:
    """An optimisation of the small package's load temperature."""
    return (f'[optimise]\nname = "{name}"\nbase = "m.toml"\nobjective = "warpage_um"\ngoal = "{goal}"\n'
            f'max_solves = {max_solves}\n\n[[variable]]\nkey = "load.temperature_c"\nbounds = {bounds}\n{more}')


FLAT = _problem("flat", "[0.0, 140.0]", 12)

#: the most negative warpage with the die's stress at most a package's at 250 °C
HOT = _problem("hot", "[0.0, 300.0]", 20, "minimum", """
[[constraint]]
output = "die_max_von_mises_mpa"
at_most = "at_250"

[[reference]]
name = "at_250"
"load.temperature_c" = 250.0
""")


#: the stress-free temperature for the flattest package at 25 °C with |warpage| at 260 °C at most
#: a package's bonded at 150 °C: the cool-down is linear in ΔT, so 150 °C exactly
REFLOW = """
[optimise]
name = "reflow"
base = "m.toml"
objective = "warpage_um"
max_solves = 40

[[variable]]
key = "load.stress_free_c"
bounds = [30.0, 300.0]

[[constraint]]
output = "warpage_um"
within = "bonded_at_150"
temperature_c = 260.0

[[reference]]
name = "bonded_at_150"
"load.stress_free_c" = 150.0
"""


def _files(tmp_path: Path, text: str) -> Path:
    (tmp_path / "m.toml").write_text(SMALL_FAMILY_TOML)
    path = tmp_path / "opt.toml"
    path.write_text(text)
    return path


def test_the_flattest_package_is_at_the_stress_free_temperature(tmp_path):
    """|warpage| over 0..140 °C: the cool-down from 150 °C is linear in ΔT, so the smallest
    magnitude is at the bound nearest 150 °C, 140 °C, where it is 10/125 of the 25 °C one."""
    report = optimise_run.optimise(_files(tmp_path, FLAT), tmp_path / "out")
    o = report.optimum
    start = o.history[0]
    assert start.values == {"load.temperature_c": 25.0}          # the base design is evaluated first
    assert o.best.values["load.temperature_c"] == pytest.approx(140.0, abs=1e-9)
    assert o.best.outputs["warpage_um"] == pytest.approx(start.outputs["warpage_um"] * 10 / 125, rel=1e-6)
    assert len(o.history) <= 12 + 1


def test_a_limit_from_a_reference_binds_where_the_closed_form_says(tmp_path):
    """Die stress is proportional to |T − 150 °C| on a fixed mesh, so 'at most the package's at
    250 °C' allows T ≤ 250 °C, where the most negative warpage is."""
    report = optimise_run.optimise(_files(tmp_path, HOT), tmp_path / "out")
    o = report.optimum
    ref = o.history[0]
    assert ref.kind == "reference" and o.limits == [ref.outputs["die_max_von_mises_mpa"]]
    t = o.best.values["load.temperature_c"]
    assert 250.0 - 1.0 <= t <= 250.0 * (1 + FEASIBLE_RTOL)
    assert o.best.feasible and abs(o.best.margins["constraint 1"]) < 5e-3
    # the constraint was active: designs beyond 250 °C were tried and judged infeasible
    assert any(e.values.get("load.temperature_c", 0) > 251 and not e.feasible for e in o.history)
    record = json.loads((tmp_path / "out" / "optimise.json").read_text())
    assert record["constraints"] == [{"output": "die_max_von_mises_mpa", "at_most": o.limits[0], "reference": "at_250"}]


def test_a_rerun_reads_every_design_back_and_takes_the_same_path(tmp_path, monkeypatch):
    path = _files(tmp_path, HOT)
    first = optimise_run.optimise(path, tmp_path / "out").optimum

    def no_solve(*args, **kwargs):
        raise AssertionError("a stored design was solved again")

    monkeypatch.setattr("warpfem.design.search.solve_case", no_solve)
    again = optimise_run.optimise(path, tmp_path / "out").optimum
    assert [e.values for e in again.history] == [e.values for e in first.history]
    assert {e.status for e in again.history} == {"stored"}
    assert again.best.outputs == first.best.outputs


def test_discrete_choices_split_the_search_and_each_branch_keeps_its_own_variables():
    spec = load_optimise_file(ROOT / "studies" / "design" / "seed002_stiffener_lid.toml")
    branches = plan_branches(spec, base_raw_model(spec.base_model))
    assert [b.choices for b in branches] == [{"family.first_heat_sink": True}, {"family.first_heat_sink": False}]
    assert [v.key for v in branches[0].variables] == ["family.stiffener_width_mm", "family.first_heat_sink_thickness_mm"]
    assert [v.key for v in branches[1].variables] == ["family.stiffener_width_mm", "family.stiffener_height_mm"]
    assert branches[0].start == [5.0, 0.5]                         # the base's values
    assert branches[1].start == [5.0, 1.2]                         # height unset in the base: the middle


def test_the_command_writes_the_best_design_and_the_grid_that_checks_it(tmp_path):
    path = _files(tmp_path, FLAT)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["optimise", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "best of" in res.stdout and "140" in res.stdout
    for name in optimise_run.FILES:
        assert (out / name).is_file(), name
    record = json.loads((out / "optimise.json").read_text())
    best = tomllib.loads((out / "best.toml").read_text())
    assert best["load"]["temperature_c"] == 140.0 and best["model"]["family"] == "molded_flip_chip_heat_sink"
    # best.toml is the design: solving it as the best was refined gives the recorded outputs
    again = solve(best).summary
    assert again["warpage_um"] == pytest.approx(record["best"]["refined"]["outputs"]["warpage_um"], rel=1e-9)
    assert record["best"]["refined"]["error"]["estimated"] is True
    # the grid around the optimum, solved as the search solved: none of its designs is flatter
    table = run_study(out / "check_study.toml", tmp_path / "check", workers=1, progress=False)
    values = [abs(r["warpage_um"]) for r in table.rows if r["status"] != "failed"]
    assert len(values) == 5 + 1                                   # the grid and the base
    assert min(values) == pytest.approx(abs(record["best"]["search"]["outputs"]["warpage_um"]), rel=1e-9)
    rows = (out / "history.csv").read_text().splitlines()
    assert rows[0].startswith("evaluation,kind,branch,status,load.temperature_c")
    assert len(rows) == 1 + record["evaluations"]["search_and_references"] + 1   # and the refined best


def test_no_design_meeting_the_constraints_exits_1_with_the_nearest_written(tmp_path):
    text = HOT.replace('at_most = "at_250"', "at_most = -1.0").replace("max_solves = 20", "max_solves = 8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["optimise", str(_files(tmp_path, text)), "-o", str(out)])
    assert res.exit_code == 1 and "no design met the constraints" in res.stderr
    record = json.loads((out / "optimise.json").read_text())
    assert record["best"]["feasible"] is False
    assert abs(record["best"]["values"]["load.temperature_c"] - 150.0) < 40      # the least stressed tried


@pytest.mark.parametrize("edit, words", [
    (('key = "load.temperature_c"', 'key = "family.nope_mm"'), ["variable 'family.nope_mm'", "not a parameter"]),
    (("bounds = [0.0, 300.0]", "bounds = [300.0, 0.0]"), ["[[variable]] 1", "increasing"]),
    (('at_most = "at_250"', 'at_most = "at_260"'), ["constraint 1", "at_260", "at_250"]),
    (('output = "die_max_von_mises_mpa"', 'output = "die_stress"'), ["constraint", "output"]),
    (('"load.temperature_c" = 250.0', '"family.die_size_mm" = 30.0'), ["at_250", "die_size_mm"]),
    (("max_solves = 20", "max_solves = 1"), ["[optimise]", "max_solves", "3"]),
])
def test_a_bad_file_is_refused_in_one_sentence_with_nothing_written(tmp_path, edit, words):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["optimise", str(_files(tmp_path, HOT.replace(*edit))), "-o", str(out)])
    assert_refused(res, words)
    assert not any((out / f).exists() for f in optimise_run.FILES)


def test_on_a_dask_cluster_the_search_finds_the_same_design(tmp_path):
    import distributed

    path = _files(tmp_path, FLAT)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        there = optimise_run.optimise(path, tmp_path / "there", scheduler=client).optimum
    assert there.best.values == {"load.temperature_c": 140.0}
    assert {e.status for e in there.history} == {"solved"}
    assert there.best.outputs["warpage_um"] == pytest.approx(there.history[0].outputs["warpage_um"] * 10 / 125, rel=1e-6)


def test_a_limit_at_reflow_temperature_binds_where_the_closed_form_says(tmp_path):
    """Each design is solved again at 260 °C for the constraint; |w(260)| ∝ 260 − T_sf may not
    exceed the 150 °C-bonded package's, so the flattest at 25 °C is bonded at 150 °C."""
    o = optimise_run.optimise(_files(tmp_path, REFLOW), tmp_path / "out").optimum
    ref = o.history[0]
    assert o.limits == [pytest.approx(abs(ref.outputs["warpage_um at 260 C"]), rel=1e-12)]
    assert ref.outputs["warpage_um at 260 C"] == pytest.approx(ref.outputs["warpage_um"] * 110 / -125, rel=1e-6)
    assert o.best.values["load.stress_free_c"] == pytest.approx(150.0, abs=0.5)
    assert o.best.feasible and o.refined.feasible
    assert sum(1 for _ in o.history if _.kind != "best") * 2 <= 40          # two solves per design
    record = json.loads((tmp_path / "out" / "optimise.json").read_text())
    assert record["constraints"][0] == {"output": "warpage_um", "within": o.limits[0], "temperature_c": 260.0,
                                        "reference": "bonded_at_150"}
    header = (tmp_path / "out" / "history.csv").read_text().splitlines()[0]
    assert "warpage_um at 260 C" in header


def test_the_heat_figures_are_outputs_a_constraint_can_read():
    from warpfem.design.search import design_outputs

    summary = {"warpage_um": 1.0, "coplanarity_um": 2.0, "parts": {},
               "thermal": {"junction_c": 71.5, "theta_jc_k_w": 0.12, "theta_jb_k_w": 3.4, "theta_ja_k_w": None,
                           "power_on": {"warpage_um": -5.5}}}
    assert design_outputs(summary) == {"warpage_um": 1.0, "coplanarity_um": 2.0, "junction_c": 71.5,
                                       "theta_jc_k_w": 0.12, "theta_jb_k_w": 3.4, "power_on_warpage_um": -5.5}


def test_a_theta_jc_limit_binds_where_the_series_resistance_says(tmp_path):
    """θJC of a slab stack cooled through the die's top is the die's own t / (k A): the hottest
    junction with θJC at most the k = 148 W/(m·K) package's is that package, k = 148."""
    import tomli_w
    from test_thermal import _stack

    model = _stack()
    model["thermal"] = {"ambient_c": 30.0, "power": [{"part": "die", "watts": 2.0, "face": "bottom"}],
                        "convection": [{"part": "die", "face": "top", "h_w_m2k": 5000.0}]}
    (tmp_path / "m.toml").write_text(tomli_w.dumps(model))
    path = tmp_path / "opt.toml"
    path.write_text('[optimise]\nbase = "m.toml"\nobjective = "junction_c"\ngoal = "maximum"\nmax_solves = 30\n'
                    '[[variable]]\nkey = "materials.m_die.k_w_mk"\nbounds = [50.0, 300.0]\n'
                    '[[constraint]]\noutput = "theta_jc_k_w"\nat_most = "k148"\n'
                    '[[reference]]\nname = "k148"\n"materials.m_die.k_w_mk" = 148.0\n')
    o = optimise_run.optimise(path, tmp_path / "out").optimum
    area_m2 = (10e-3) ** 2
    assert o.limits[0] == pytest.approx(0.4e-3 / (148.0 * area_m2), rel=0.005)
    assert o.best.values["materials.m_die.k_w_mk"] == pytest.approx(148.0, abs=0.5)
    assert o.best.feasible
    assert "# The best design" in (tmp_path / "out" / "best.toml").read_text()   # a parts model, with its header
