"""Studies: dotted-key cases, the table and plots, resume without recomputing, failing cases,
the Dask run equal to the local run."""

from __future__ import annotations

import concurrent.futures as cf
import copy
import csv
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

import warpfem
import warpfem.pipeline
from conftest import EXAMPLES, REPO, plate_model
from warpfem.cli import app
from warpfem.studies import UnknownKey, load_study, plan_workers
from warpfem.studies.cases import build_cases

# a 10 mm BT substrate with a 4 mm silicon die on it, quarter model, 1 mm mesh, one solve per case
# (target_error = 0, as a study that ranks designs runs): well under a second a solve
BASE = plate_model([("substrate", 0.5, 26.0, 0.2, 15.0), ("die", 0.3, 130.0, 0.28, 2.6)], half=5.0, size_mm=1.0)
BASE["mesh"]["target_error"] = 0.0
BASE["parts"][1]["box"] = [-2.0, 2.0, -2.0, 2.0, 0.5, 0.8]
BASE["materials"]["m_die"]["cte_ppm"] = 2.6


def spec(**tables) -> dict:
    return {"study": {"name": "plate"}, "base": copy.deepcopy(BASE), **tables}


def edited(edit) -> dict:
    """The base model edited by hand, the independent route to a case's model."""
    m = copy.deepcopy(BASE)
    edit(m)
    return m


def rows_of(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def count_solves(monkeypatch):
    """Count the pipeline's solves made in this process (the study runs in-process with one worker)."""
    calls = []
    real = warpfem.pipeline.solve

    def counting(model, *a, **k):
        calls.append(model)
        return real(model, *a, **k)

    monkeypatch.setattr(warpfem.pipeline, "solve", counting)
    return calls


# --- dotted keys ---------------------------------------------------------------------------

def test_keys_address_parts_by_name_and_edit_only_what_they_name():
    s = load_study(spec(variants=[{"name": "copper die", "parts.die.material": "copper"},
                                  {"name": "thick die", "parts": {"die": {"box": {"5": 1.0}}}},
                                  {"name": "soft die", "materials.m_die.E_gpa": 50.0, "remove_parts": []}]))
    cases = {c.name: c for c in build_cases(s)}
    parts = lambda c: {p["name"]: p for p in cases[c].model["parts"]}  # noqa: E731
    assert parts("copper die")["die"]["material"] == "copper"
    assert parts("copper die")["substrate"] == parts("base")["substrate"]
    assert parts("thick die")["die"]["box"] == [-2.0, 2.0, -2.0, 2.0, 0.5, 1.0]  # TOML dotted keys work too
    assert cases["soft die"].model["materials"]["m_die"]["E_gpa"] == 50.0
    assert len({c.key for c in cases.values()}) == 4


def test_built_in_material_is_overridden_key_by_key():
    s = load_study(spec(variants=[{"name": "soft copper", "parts.die.material": "copper",
                                   "materials.copper.E_gpa": 60.0}]))
    case = build_cases(s)[1]
    assert case.model["materials"]["copper"]["E_gpa"] == 60.0
    assert case.values["materials.copper.E_gpa"] == 60.0
    base = build_cases(s)[0]
    assert base.values["materials.copper.E_gpa"] == 117.0  # the library's value where no table sets one


def test_equal_packages_share_a_hash_and_a_solve():
    s = load_study(spec(variants=[
        {"name": "copper die", "parts.die.material": "copper"},
        {"name": "copper die, library E", "parts.die.material": "copper", "materials.copper.E_gpa": 117},
        {"name": "renamed", "model.name": "another name"},
        {"name": "finer mesh", "mesh.size_mm": 0.5},
        {"name": "stiffer copper", "parts.die.material": "copper", "materials.copper.E_gpa": 120.0},
        {"name": "new material", "parts.die.material": "cu_w", "materials.cu_w": {"E_gpa": 117.0, "nu": 0.34, "cte_ppm": 17.0, "k_w_mk": 390.0}},
    ]))
    key = {c.name: c.key for c in build_cases(s)}
    assert key["copper die"] == key["copper die, library E"] == key["new material"]
    assert key["renamed"] == key["base"]
    assert len({key["base"], key["copper die"], key["finer mesh"], key["stiffer copper"]}) == 4


@pytest.mark.parametrize("tables, words", [
    ({"variants": [{"name": "v", "parts.dye.material": "copper"}]}, ["variant 'v'", "'parts.dye.material'", "no part named 'dye'"]),
    ({"sweep": {"load.temperature": [0.0]}}, ["[sweep]", "'load.temperature'", "no key 'temperature'"]),
    ({"sweep": {"materials.unobtainium.E_gpa": [1.0]}}, ["'materials.unobtainium.E_gpa'", "neither a built-in"]),
    ({"variants": [{"name": "v", "parts.die.material": "cu_w", "materials.cuw.E_gpa": 1.0}]}, ["'materials.cuw.E_gpa'"]),
    ({"grid": {"parts.die.box.6": [1.0]}}, ["[grid]", "'parts.die.box.6'", "not a position"]),
    ({"grid": {"family.gap_mm": [0.1]}}, ["'family.gap_mm'", "not a family model"]),
    ({"set": {"mesh.size": 1.0}}, ["[set]", "'mesh.size'"]),
    ({"variants": [{"name": "v", "remove_parts": ["lid"]}]}, ["variant 'v'", "'remove_parts'", "no part named 'lid'"]),
    ({"sweep": {"load.temperature_c": 0.0}}, ["'load.temperature_c'", "non-empty list"]),
    ({"variants": [{"name": "base"}]}, ["'base'", "unique"]),
    ({"swep": {}}, ["'swep'", "not part of the study format"]),
])
def test_unknown_keys_are_refused_in_one_sentence(tmp_path, tables, words):
    with pytest.raises(warpfem.ModelError) as err:
        warpfem.study(spec(**tables), tmp_path / "out", progress=False)
    msg = str(err.value)
    assert all(w in msg for w in words), msg
    assert msg.endswith(".") and "\n" not in msg
    assert not (tmp_path / "out").exists()


def test_cli_refuses_an_unknown_key_with_exit_2_and_writes_nothing(tmp_path):
    study = tmp_path / "s.toml"
    study.write_text(tomli_w.dumps(spec(sweep={"parts.lid.box.5": [1.0]})))
    res = CliRunner().invoke(app, ["study", str(study), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "'parts.lid.box.5'" in res.stderr and "no part named 'lid'" in res.stderr
    assert not (tmp_path / "out").exists()


def test_case_names_and_counts():
    s = load_study(spec(variants=[{"name": "copper die", "parts.die.material": "copper"}],
                        sweep={"load.temperature_c": [-40.0, 125.0]},
                        grid=[{"mesh.size_mm": [1.0, 2.5], "load.stress_free_c": [150.0, 175.0, 200.0]},
                              {"load.temperature_c": [-40.0]}]))
    names = [c.name for c in build_cases(s)]
    assert names[:4] == ["base", "copper die", "load.temperature_c=-40.0", "load.temperature_c=125.0"]
    assert len(names) == 4 + 6 + 1 == len(set(names))
    assert "mesh.size_mm=2.5, load.stress_free_c=175.0" in names
    assert names[-1] == "load.temperature_c=-40.0 #2"  # the same edit in a second grid keeps its row


def test_the_documented_example_study_builds():
    cases = build_cases(load_study(EXAMPLES / "small_fcbga_study.toml"))
    assert not [c.error for c in cases if c.error]
    assert len(cases) == 16 and len({c.key for c in cases}) == 13  # as docs/study-format.md says


# --- family models -------------------------------------------------------------------------

@pytest.fixture
def family():
    """A seed-004 package: a die straight under a heat sink the size of the carrier, on a small
    uniform mesh (solved directly: a study's cases equal solves by hand to round-off)."""
    return {"model": {"name": "fam", "family": "carrier_size_heat_sink"},
            "load": {"stress_free_c": 175.0, "temperature_c": 25.0}, "mesh": {"size_mm": 1.0, "graded": False},
            "family": {"carrier_size_mm": 10.0, "die_size_mm": 4.0, "attachment": "direct"}}


def test_family_keys_edit_the_family_and_other_keys_its_parts(family, tmp_path, count_solves):
    s = {"study": {"name": "fam"}, "base": family,
         "grid": {"family.die_size_mm": [3, 3.0, 6.0], "parts.die.material": ["silicon", "copper"]}}
    cases = {c.name: c for c in build_cases(load_study(s))}
    die = lambda c: next(p for p in cases[c].model["parts"] if p["name"] == "die")  # noqa: E731
    assert die("family.die_size_mm=6.0, parts.die.material=copper")["box"][:2] == [-3.0, 3.0]
    assert die("family.die_size_mm=6.0, parts.die.material=copper")["material"] == "copper"
    # the hash is of the expanded model, so equal packages share it however the family was written
    assert (cases["family.die_size_mm=3, parts.die.material=silicon"].key
            == cases["family.die_size_mm=3.0, parts.die.material=silicon"].key)
    table = warpfem.study(s, tmp_path / "out", workers=1, progress=False)
    assert len(count_solves) == 1 + 4  # base + 2 distinct die sizes x 2 materials
    by_hand = warpfem.solve(warpfem.expand({**family, "family": {**family["family"], "die_size_mm": 6.0}}))
    assert table.row("family.die_size_mm=6.0, parts.die.material=silicon")["warpage_um"] == pytest.approx(
        by_hand.warpage_um, rel=1e-9)
    with pytest.raises(UnknownKey, match="'family.die'"):
        build_cases(load_study({**s, "grid": {"family.die": [1.0]}}))


def test_a_family_key_the_base_leaves_at_its_default_can_be_varied(family):
    s = {"study": {"name": "fam"}, "base": family, "sweep": {"family.heat_sink_thickness_mm": [0.5, 1.0]}}
    cases = {c.name: c for c in build_cases(load_study(s))}
    assert "heat_sink_thickness_mm" not in family["family"]
    # the base's row reads the family's default, and each swept case its own value
    from warpfem.model.families import REGISTRY
    default = REGISTRY["carrier_size_heat_sink"].params.model_fields["heat_sink_thickness_mm"].default
    assert cases["base"].values["family.heat_sink_thickness_mm"] == default
    assert cases["family.heat_sink_thickness_mm=1.0"].family["family"]["heat_sink_thickness_mm"] == 1.0
    assert cases["family.heat_sink_thickness_mm=1.0"].key != cases["base"].key


# --- running ---------------------------------------------------------------------------------

def test_each_case_equals_the_model_edited_by_hand(tmp_path):
    s = spec(variants=[{"name": "copper die", "parts.die.material": "copper"}],
             sweep={"load.temperature_c": [-40.0, 125.0]})
    table = warpfem.study(s, tmp_path / "out", workers=1, progress=False)
    assert [r["status"] for r in table] == ["solved"] * 4
    hand = {
        "base": edited(lambda m: None),
        "copper die": edited(lambda m: m["parts"][1].update(material="copper")),
        "load.temperature_c=-40.0": edited(lambda m: m["load"].update(temperature_c=-40.0)),
        "load.temperature_c=125.0": edited(lambda m: m["load"].update(temperature_c=125.0)),
    }
    for name, model in hand.items():
        s_ref = warpfem.solve(model).summary
        row = table.row(name)
        assert row["warpage_um"] == pytest.approx(s_ref["warpage_um"], rel=1e-9, abs=1e-9)
        assert row["die.max_von_mises_mpa"] == pytest.approx(s_ref["parts"]["die"]["max_von_mises_mpa"], rel=1e-9)
    # thermal strain is linear in the temperature change: warpage scales with it
    w = {t: table.row(f"load.temperature_c={t}")["warpage_um"] for t in (-40.0, 125.0)}
    assert w[125.0] / w[-40.0] == pytest.approx((125.0 - 175.0) / (-40.0 - 175.0), rel=1e-9)


def test_results_csv_and_plots(tmp_path):
    import matplotlib.image

    s = spec(variants=[{"name": "copper die", "parts.die.material": "copper"}],
             sweep={"materials.m_die.cte_ppm": [2.6, 4.0]},
             grid={"load.temperature_c": [-40.0, 25.0], "mesh.size_mm": [1.0, 2.5]})
    table = warpfem.study(s, tmp_path, workers=1, progress=False)
    rows = rows_of(tmp_path / "results.csv")
    assert [r["case"] for r in rows] == [r["case"] for r in table]
    head = list(rows[0])
    assert head[:5] == ["case", "kind", "status", "error", "model_hash"]
    assert head[5:9] == ["parts.die.material", "materials.m_die.cte_ppm", "load.temperature_c", "mesh.size_mm"]
    for col in ("warpage_um", "coplanarity_um", "shape", "die.max_von_mises_mpa", "parts.substrate.max_principal_mpa",
                "mesh.dofs", "timings_s.total"):
        assert col in head
    base = rows[0]
    assert base["parts.die.material"] == "m_die" and float(base["materials.m_die.cte_ppm"]) == 2.6
    assert float(base["warpage_um"]) == table.row("base")["warpage_um"]  # written at full precision
    assert {r["mesh.dofs"] for r in rows if "mesh.size_mm=2.5" in r["case"]} != {base["mesh.dofs"]}
    names = sorted(p.name for p in table.plots)
    assert names == ["grid_load.temperature_c.png", "grid_mesh.size_mm.png", "sweep_materials.m_die.cte_ppm.png",
                     "variants.png"]
    for p in table.plots:
        assert matplotlib.image.imread(p).shape[0] > 400


def test_a_figure_leaves_out_what_no_case_reports():
    from warpfem.studies.plots import PANELS, panels_with_data

    plain = [{"warpage_um": 10.0, "coplanarity_um": 10.0, "die.max_von_mises_mpa": 50.0}, None]
    assert [c for c, _ in panels_with_data(plain)] == ["warpage_um", "coplanarity_um", "die.max_von_mises_mpa"]
    bumped = plain + [{"bumps.critical_avg_von_mises_mpa": 99.0}]
    assert panels_with_data(bumped) == PANELS[:4]
    cycled = bumped + [{"bumps.creep.life.energy_density_mpa": 0.3, "bumps.creep.life.characteristic_life_cycles": 1750.0}]
    assert panels_with_data(cycled) == PANELS


def test_failing_cases_are_reported_and_the_rest_complete(tmp_path, monkeypatch):
    real = warpfem.pipeline.solve

    def solver_fails_when_cold(model, *a, **k):
        if model["load"]["temperature_c"] < 0:
            raise FloatingPointError("factorisation broke down")
        return real(model, *a, **k)

    monkeypatch.setattr(warpfem.pipeline, "solve", solver_fails_when_cold)
    study = tmp_path / "s.toml"
    study.write_text(tomli_w.dumps(spec(
        variants=[{"name": "bad poisson", "materials.m_die.nu": 0.6},
                  {"name": "die fills the carrier", "parts.die.box": [-5.0, 5.0, -5.0, 5.0, 0.0, 0.8]}],
        sweep={"load.temperature_c": [-40.0, 125.0]})))
    res = CliRunner().invoke(app, ["study", str(study), "-o", str(tmp_path / "out"), "--workers", "1"])
    assert res.exit_code == 1
    assert "3 of 5 cases failed" in res.stderr
    rows = {r["case"]: r for r in rows_of(tmp_path / "out" / "results.csv")}
    assert rows["bad poisson"]["status"] == "failed" and "'nu'" in rows["bad poisson"]["error"]
    assert "no volume of its own" in rows["die fills the carrier"]["error"]
    assert rows["load.temperature_c=-40.0"]["error"] == "FloatingPointError: factorisation broke down"
    assert rows["base"]["status"] == rows["load.temperature_c=125.0"]["status"] == "solved"
    # linear in the temperature change from the stress-free 175 °C: (125 - 175) / (25 - 175)
    assert float(rows["load.temperature_c=125.0"]["warpage_um"]) == pytest.approx(float(rows["base"]["warpage_um"]) / 3, rel=1e-9)


def test_interrupted_study_resumes_without_recomputing(tmp_path, monkeypatch, count_solves):
    s = spec(sweep={"load.temperature_c": [-40.0, 0.0, 50.0, 100.0, 125.0]})
    counting = warpfem.pipeline.solve

    def interrupted_after_three(model, *a, **k):
        if len(count_solves) == 3:
            raise KeyboardInterrupt
        return counting(model, *a, **k)

    monkeypatch.setattr(warpfem.pipeline, "solve", interrupted_after_three)
    with pytest.raises(KeyboardInterrupt):
        warpfem.study(s, tmp_path, workers=1, progress=False)
    assert len(list(tmp_path.glob("cases/*/summary.json"))) == 3
    monkeypatch.setattr(warpfem.pipeline, "solve", counting)
    table = warpfem.study(s, tmp_path, workers=1, progress=False)
    assert len(count_solves) == 6  # 3, then the 3 left
    assert sorted(r["status"] for r in table) == ["cached"] * 3 + ["solved"] * 3
    warpfem.study(s, tmp_path, workers=1, progress=False)
    assert len(count_solves) == 6  # nothing left to solve


def test_killed_study_resumes_where_it_stopped(tmp_path, count_solves):
    """A study process killed outright (SIGKILL) half way leaves whole cases only."""
    sweep = {"load.temperature_c": [float(t) for t in range(-40, 130, 15)]}  # 12 cases
    study = tmp_path / "s.toml"
    study.write_text(tomli_w.dumps(spec(sweep=sweep)))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "warpfem", "study", str(study), "-o", str(out), "-q", "--workers", "2"],
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("cases/*/summary.json"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the study and its worker processes
        proc.wait()
    done = list(out.glob("cases/*/summary.json"))
    assert 2 <= len(done) < 13, proc.stderr.read().decode()
    for f in done:
        assert json.loads(f.read_text())["mesh"]["dofs"] > 0
    table = warpfem.study(study, out, workers=1, progress=False)
    assert len(count_solves) == 13 - len(done)
    assert sum(r["status"] == "cached" for r in table) == len(done)
    assert not table.failed


def test_fields_are_kept_when_asked(tmp_path, count_solves):
    s = spec(sweep={"load.temperature_c": [0.0]})
    warpfem.study(s, tmp_path, workers=1, progress=False)
    assert not list(tmp_path.glob("cases/*/result.vtu"))
    table = warpfem.study(s, tmp_path, workers=1, progress=False, fields=True)  # solved again, for the fields
    assert len(count_solves) == 4
    for r in table:
        folder = tmp_path / "cases" / r["model_hash"]
        assert {p.name for p in folder.iterdir()} == {"model.toml", "summary.json", "result.vtu"}
        # the stored model is the case's whole parts-only model: it solves to the same summary
        assert warpfem.solve(folder / "model.toml").warpage_um == pytest.approx(r["warpage_um"], rel=1e-12)


def test_default_is_one_single_threaded_worker_per_core():
    assert plan_workers(12, cores=2) == (2, 1)
    assert plan_workers(1, cores=2) == (1, 2)
    assert plan_workers(12, workers=1, cores=2) == (1, 2)
    assert plan_workers(12, workers=4, cores=8) == (4, 2)


def crash_when_cold(model, threads, fields_dir):
    """A solve whose worker process dies outright (as on an out-of-memory kill) for cold cases."""
    if model["load"]["temperature_c"] < 0:
        os._exit(3)
    return {"temperature_c": model["load"]["temperature_c"]}


def test_a_dying_worker_fails_its_case_and_the_study_goes_on(tmp_path):
    from contextlib import ExitStack

    from warpfem.studies.run import WORKER_DIED, CaseRunner, local_executor
    from warpfem.studies.store import CaseStore

    todo = {f"case{t}": {"load": {"temperature_c": float(t)}} for t in (-40, 10, 20, 30, 40)}
    results: dict = {}
    with ExitStack() as stack:
        runner = CaseRunner(local_executor(2), 2, 1, CaseStore(tmp_path), False, stack, task=crash_when_cold)
        runner.run(todo, lambda key, summary, error: results.setdefault(key, (summary, error)))
    assert set(results) == set(todo)
    assert results["case-40"] == (None, WORKER_DIED)
    # the cases that were in the pool when it broke are run again alone: only the culprit fails
    for t in (10, 20, 30, 40):
        assert results[f"case{t}"] == ({"temperature_c": float(t)}, None)
        assert json.loads((tmp_path / f"case{t}" / "summary.json").read_text()) == {"temperature_c": float(t)}


# --- parallel and distributed --------------------------------------------------------------

PARALLEL = spec(variants=[{"name": "copper die", "parts.die.material": "copper"},
                          {"name": "bad poisson", "materials.m_die.nu": 0.6}],
                grid={"load.temperature_c": [-40.0, 125.0], "materials.m_die.cte_ppm": [2.6, 4.0]})

#: columns that depend on where and when a case ran (the memory free and used, the times)
RUN_COLUMNS = ("status", "memory_mb", "size_estimate.available_memory_mb", "size_estimate.measured_peak_memory_mb")


def _comparable(table) -> list[dict]:
    """Each row without the run's own columns; floats to within 1e-12, since a multi-threaded
    direct solve sums in a schedule-dependent order (the last bits may differ between runs)."""
    return [{k: pytest.approx(v, rel=1e-12, abs=1e-12) if isinstance(v, float) else v for k, v in r.items()
             if k not in RUN_COLUMNS and not k.startswith("timings_s.")} for r in table]


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    return warpfem.study(PARALLEL, tmp_path_factory.mktemp("local"), workers=2, progress=False)


def test_local_worker_processes_run_the_study(local_run):
    assert [r["status"] for r in local_run] == ["solved", "solved", "failed"] + ["solved"] * 4
    assert "'nu'" in local_run.row("bad poisson")["error"]


def test_dask_run_equals_local_run(tmp_path, local_run):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        table = warpfem.study(PARALLEL, tmp_path, scheduler=cluster.scheduler_address, progress=False)
    assert [{k: v for k, v in r.items() if k not in RUN_COLUMNS and not k.startswith("timings_s.")}
            for r in table] == _comparable(local_run)
    assert [r["status"] for r in table] == [r["status"] for r in local_run]
    assert rows_of(tmp_path / "results.csv")[0].keys() == rows_of(local_run.csv_path)[0].keys()


def test_a_study_varies_power_and_bonding_order(tmp_path):
    """Heat and history are keys like any other: the junction rise is linear in the power, and a
    step's bonding temperature moves the warpage."""
    base = copy.deepcopy(BASE)
    base["materials"]["m_substrate"]["k_w_mk"] = 0.5
    base["materials"]["m_die"]["k_w_mk"] = 148.0
    base["thermal"] = {"power": [{"part": "die", "watts": 1.0, "face": "bottom"}],
                       "fixed": [{"part": "substrate", "face": "bottom", "temperature_c": 25.0}]}
    base["steps"] = [{"name": "die attach", "parts": ["substrate"]},
                     {"name": "die", "temperature_c": 175.0, "parts": ["die"]}]
    s = {"study": {"name": "heat"}, "base": base,
         "sweep": {"thermal.power.0.watts": [2.0, 4.0], "steps.1.temperature_c": [100.0]}}
    table = warpfem.study(s, tmp_path, workers=1, progress=False)
    assert [r["status"] for r in table] == ["solved"] * 4
    rise = {w: table.row(f"thermal.power.0.watts={w}")["thermal.junction_c"] - 25.0 for w in (2.0, 4.0)}
    assert rise[4.0] == pytest.approx(2 * rise[2.0], rel=1e-9)
    assert table.row("steps.1.temperature_c=100.0")["warpage_um"] != pytest.approx(table.row("base")["warpage_um"],
                                                                                     rel=0.05)


class _BreaksOnce(cf.Executor):
    """An executor whose pool is found broken at the first submission of its first instance (a
    worker killed between two submissions), in process afterwards."""

    made = 0

    def __init__(self):
        type(self).made += 1
        self.first = type(self).made == 1

    def submit(self, fn, /, *args, **kwargs):
        if self.first:
            raise BrokenProcessPool("a child process terminated abruptly")
        future: cf.Future = cf.Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_a_pool_broken_before_a_case_is_submitted_sends_it_to_a_fresh_pool(tmp_path):
    from contextlib import ExitStack

    from warpfem.studies.run import CaseRunner
    from warpfem.studies.store import CaseStore

    todo = {f"case{t}": {"load": {"temperature_c": float(t)}} for t in (10, 20, 30)}
    results: dict = {}
    with ExitStack() as stack:
        runner = CaseRunner(_BreaksOnce, 2, 1, CaseStore(tmp_path), False, stack, task=crash_when_cold)
        runner.run(todo, lambda key, summary, error: results.setdefault(key, (summary, error)))
    assert _BreaksOnce.made == 2
    assert results == {k: ({"temperature_c": m["load"]["temperature_c"]}, None) for k, m in todo.items()}


def test_a_family_case_keeps_its_familys_symmetry_and_edits_a_default_key():
    """A family model that leaves [model] symmetry unset is solved as its family's quarter model
    (as `warpfem solve` solves it), not the contract's full default; and a family key its
    [family] table does not give (no table at all here) is still a key a study may vary."""
    from warpfem.studies.cases import build_cases

    base = {"model": {"name": "m", "family": "molded_flip_chip_heat_sink"},
            "load": {"stress_free_c": 150.0, "temperature_c": 25.0}}
    cases = build_cases(load_study({"base": base, "sweep": {"family.carrier_thickness_mm": [0.5]}}))
    assert [c.error for c in cases] == [None, None]
    assert {c.model["model"]["symmetry"] for c in cases} == {"quarter"}
    assert warpfem.expand(base).model.symmetry == "quarter"
    assert cases[1].family["family"]["carrier_thickness_mm"] == 0.5
    explicit = build_cases(load_study({"base": {**base, "model": {**base["model"], "symmetry": "full"}}}))
    assert explicit[0].model["model"]["symmetry"] == "full"
