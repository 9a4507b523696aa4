"""Kills, interrupts, repeats: a terminated solve leaves nothing, one study at a time per output
directory, a study under random worker kills ends with every case stored once and equal to an
undisturbed run, and the same model gives the same numbers whatever the thread count."""

from __future__ import annotations

import copy
import os
import re
import random
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest
import tomli_w
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

import warpfem
from conftest import REPO, assert_refused, plate_model
from warpfem import pipeline
from warpfem.cli import app
from warpfem.fem import limited_threads
from warpfem.studies.store import CaseStore, exclusive

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}

# a 10 mm substrate with a 4 mm die: a corner to refine toward, a few seconds a solve
PLATE = plate_model([("substrate", 0.5, 26.0, 0.2, 15.0), ("die", 0.3, 130.0, 0.28, 2.6)], half=5.0, size_mm=1.0)
PLATE["parts"][1]["box"] = [-2.0, 2.0, -2.0, 2.0, 0.5, 0.8]


def _as_from_a_terminal() -> None:
    """Ctrl-C at its default disposition: a shell without job control starts background jobs with
    SIGINT ignored (POSIX), the child inherits that, and warpfem rightly keeps it ignored; CI may run
    the suite as such a job."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "warpfem", *args], env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal)


def _wait_for(proc: subprocess.Popen, words: str, timeout_s: float = 120.0) -> str:
    """Read the process's stderr until a line holding ``words``."""
    deadline = time.monotonic() + timeout_s
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if words in line or (not line and proc.poll() is not None):
            return seen
    return seen


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_solve_interrupted_mid_way_leaves_nothing_and_says_so(tmp_path, sig):
    model = copy.deepcopy(PLATE)
    model["mesh"].update(size_mm=0.1, target_error=0.001)   # some seconds: caught solving
    path = tmp_path / "model.toml"
    path.write_text(tomli_w.dumps(model))
    out = tmp_path / "out"
    proc = _cli("solve", str(path), "-o", str(out))
    seen = _wait_for(proc, "size estimate")
    assert "size estimate" in seen, seen
    time.sleep(0.5)
    proc.send_signal(sig)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130, seen + rest
    assert "error: interrupted; nothing was written" in rest
    assert "Traceback" not in rest
    assert not out.exists()


def test_a_second_study_on_the_same_output_is_refused(tmp_path):
    study = {"study": {"name": "plate"}, "base": {**copy.deepcopy(PLATE), "mesh": {"size_mm": 2.5, "target_error": 0.0}},
             "sweep": {"load.temperature_c": [0.0, 50.0]}}
    path = tmp_path / "s.toml"
    path.write_text(tomli_w.dumps(study))
    out = tmp_path / "out"
    with exclusive(out):   # another study holds it
        res = CliRunner().invoke(app, ["study", str(path), "-o", str(out), "-q"])
        assert_refused(res, [str(out), "in use by another warpfem study", f"process {os.getpid()}"])
        assert not (out / "cases").exists()
    res = CliRunner().invoke(app, ["study", str(path), "-o", str(out), "-q", "--workers", "1"])
    assert res.exit_code == 0, res.output


def _kill_workers_at_random(stop: threading.Event, kills: list, seed: int = 17) -> None:
    """SIGKILL a random worker process of this one every 1-3 s (as the out-of-memory killer would)."""
    rng = random.Random(seed)
    me = psutil.Process()
    while not stop.wait(rng.uniform(1.0, 3.0)):
        workers = [p for p in me.children() if _is_spawned_worker(p)]
        if workers:
            victim = rng.choice(workers)
            try:
                victim.kill()
            except psutil.NoSuchProcess:   # it ended between the listing and the kill
                continue
            kills.append(victim.pid)


def _is_spawned_worker(p: psutil.Process) -> bool:
    """A live multiprocessing worker; a killed one not yet reaped is a zombie whose command line is gone."""
    try:
        return "spawn_main" in " ".join(p.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):   # ZombieProcess is a NoSuchProcess
        return False


def test_a_study_of_200_cases_under_random_worker_kills_ends_as_an_undisturbed_run(tmp_path, monkeypatch):
    base = copy.deepcopy(PLATE)
    base["mesh"].update(size_mm=2.5, target_error=0.0)   # 555 dofs: about 0.15 s a case
    study = {"study": {"name": "load"}, "base": base,
             "grid": {"load.temperature_c": [float(t) for t in range(-40, 160, 10)],
                      "materials.m_die.cte_ppm": [2.0 + 0.3 * i for i in range(10)]}}
    stored: list[str] = []
    save = CaseStore.save_summary
    monkeypatch.setattr(CaseStore, "save_summary", lambda self, key, s: (stored.append(key), save(self, key, s))[1])

    stop, kills = threading.Event(), []
    killer = threading.Thread(target=_kill_workers_at_random, args=(stop, kills), daemon=True)
    killer.start()
    try:
        first = warpfem.study(study, tmp_path / "disturbed", workers=2, progress=False)
    finally:
        stop.set()
        killer.join()
    assert len(first) == 201 and kills   # the base and 200 grid cases
    resumed = warpfem.study(study, tmp_path / "disturbed", workers=2, progress=False)   # at most one resume
    assert not resumed.failed
    assert sorted(stored) == sorted({r["model_hash"] for r in resumed.rows})   # every case stored exactly once

    clean = warpfem.study(study, tmp_path / "clean", workers=2, progress=False)
    for a, b in zip(resumed.rows, clean.rows):
        assert a["case"] == b["case"]
        assert a["warpage_um"] == pytest.approx(b["warpage_um"], rel=1e-9)
        assert a["die.max_von_mises_mpa"] == pytest.approx(b["die.max_von_mises_mpa"], rel=1e-9)


def _numbers(summary: dict) -> dict:
    """Every number of a summary but times and memory, flattened."""
    out = {}

    def walk(v, key):
        if isinstance(v, dict):
            for k, x in v.items():
                if k not in ("timings_s", "memory_mb", "size_estimate", "time_s"):
                    walk(x, f"{key}.{k}")
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, f"{key}[{i}]")
        elif isinstance(v, float):
            out[key] = v
    walk(summary, "")
    return out


def test_the_same_model_gives_the_same_numbers_at_any_thread_count():
    """Repeated and at 1, 2 and all threads: every number of summary.json to 1e-9 (the iterative
    solver and its error estimate, with a refinement)."""
    model = copy.deepcopy(PLATE)
    model["solver"] = {"method": "iterative"}
    model["mesh"].update(size_mm=0.5, target_error=0.005)
    runs = []
    for threads in (None, 1, 2, None):
        with threadpool_limits(limits=threads), limited_threads(threads):
            runs.append(_numbers(pipeline.solve(model).summary))
    assert len(runs[0]) > 20
    assert any("error.warpage_um" in k for k in runs[0])
    for other in runs[1:]:
        assert other.keys() == runs[0].keys()
        for k, v in runs[0].items():
            assert other[k] == pytest.approx(v, rel=1e-9, abs=1e-12), k


def test_names_in_model_and_study_files_cannot_write_outside_the_output(tmp_path, monkeypatch):
    """Part and variant names are written into file names (plots) and pages (report): a name
    that is a path goes nowhere but OUTDIR, and the study's base path resolves beside it."""
    monkeypatch.chdir(tmp_path)
    base = copy.deepcopy(PLATE)
    base["mesh"].update(size_mm=2.5, target_error=0.0)
    evil = "/tmp/warpfem_escape"
    base["parts"][1]["name"] = evil
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "base.toml").write_text(tomli_w.dumps(base))
    study = {"study": {"name": "../../escape", "base": "base.toml", "die": [evil]},
             "variants": [{"name": "../../../escape_variant", f"parts.{evil}.material": "copper"}],
             "sweep": {f"parts.{evil}.box": [[-2.0, 2.0, -2.0, 2.0, 0.5, 0.8], [-1.0, 1.0, -1.0, 1.0, 0.5, 0.8]]}}
    path = tmp_path / "models" / "study.toml"     # base.toml is found beside it, not in the cwd
    path.write_text(tomli_w.dumps(study))
    before = set(os.listdir("/tmp"))
    res = CliRunner().invoke(app, ["study", str(path), "-o", "out", "-q", "--workers", "1"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["report", "out"])
    assert res.exit_code == 0, res.output
    outside = {p for p in tmp_path.rglob("*") if p.is_file() and "out" not in p.relative_to(tmp_path).parts[:1]}
    assert outside == {tmp_path / "models" / "base.toml", path}
    assert not {n for n in set(os.listdir("/tmp")) - before if "escape" in n}


def test_a_model_the_multigrid_stalls_on_is_solved_directly():
    """Found by fuzzing (1 of 2 500 generated packages): a soft underfill carrier under a 4 x 4 array
    of silicon islands and ringed layers, where the conjugate gradients stall at their iteration
    cap. It was a traceback; the solve now sees the stall coming, falls back to the direct solver and
    says so."""
    model = REPO / "tests" / "data" / "cg_stall.toml"
    fallback = pipeline.solve(model, method="iterative")
    assert fallback.summary["solver"]["fallback"].startswith("direct: the iterative solver did not converge")
    # seen coming from the residual's rate of fall, not after all 500 iterations
    seen = re.search(r"would not reach rtol = 1e-05 in 500 iterations: after (\d+) ", fallback.summary["solver"]["fallback"])
    assert seen and int(seen[1]) <= 150
    direct = pipeline.solve(model, method="direct")
    assert fallback.warpage_um == pytest.approx(direct.warpage_um, rel=1e-9)
