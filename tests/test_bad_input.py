"""Every bad model is refused before meshing: one sentence naming the part and the key, a
non-zero exit, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

import warpfem
from conftest import assert_refused, clone, plate_model
from warpfem.cli import app

BASE = plate_model([("substrate", 0.5, 26.0, 0.2, 15.0), ("die", 0.3, 130.0, 0.28, 2.6)], half=5.0)
BASE["parts"][1]["box"] = [-2.0, 2.0, -2.0, 2.0, 0.5, 0.8]


def _with(edit) -> dict:
    m = clone(BASE)
    edit(m)
    return m


CASES = {
    # the contract's list
    "wholly covered": (lambda m: m["parts"].append({"name": "lid", "material": "copper",
                                                    "box": [-5, 5, -5, 5, 0, 0.5]}),
                       ["'substrate'", "'box'", "no volume of its own"]),
    "zero size box": (lambda m: m["parts"][1].update(box=[2.0, 2.0, -2.0, 2.0, 0.5, 0.8]),
                      ["'die'", "'box'", "x size"]),
    "negative size box": (lambda m: m["parts"][1].update(box=[-2.0, 2.0, -2.0, 2.0, 0.8, 0.5]),
                          ["'die'", "'box'", "z size"]),
    "hole outside box": (lambda m: m["parts"][1].update(holes=[[1.0, 3.0, -1.0, 1.0]]),
                         ["'die'", "'holes'", "not inside"]),
    "unknown material": (lambda m: m["parts"][1].update(material="unobtainium"),
                         ["'die'", "'material'", "unobtainium"]),
    "poisson 0.5": (lambda m: m["materials"]["m_die"].update(nu=0.5),
                    ["'m_die'", "'die'", "'nu'", "(-1, 0.5)"]),
    "poisson -1": (lambda m: m["materials"]["m_die"].update(nu=-1.0), ["'m_die'", "'nu'"]),
    "missing carrier": (lambda m: m["parts"][0].pop("role"), ["carrier", "'role'"]),
    "two carriers": (lambda m: m["parts"][1].update(role="carrier"),
                     ["'substrate'", "'die'", "'role'"]),
    # beyond the contract's list
    "unknown key": (lambda m: m["parts"][1].update(boxx=[0, 1, 0, 1, 0, 1]), ["'die'", "'boxx'"]),
    "unknown role": (lambda m: m["parts"][1].update(role="lid"), ["'die'", "'role'"]),
    "duplicate name": (lambda m: m["parts"][1].update(name="substrate"), ["'substrate'", "'name'"]),
    "floating part": (lambda m: m["parts"].append({"name": "heat_sink", "material": "copper",
                                                   "box": [-2, 2, -2, 2, 1.0, 1.5]}),
                      ["'heat_sink'", "does not touch"]),
    "asymmetric quarter": (lambda m: m["parts"][1].update(box=[-2.0, 2.5, -2.0, 2.0, 0.5, 0.8]),
                           ["'symmetry'", "'die'"]),
    "array copies overlap": (lambda m: m["parts"][1].update(array={"nx": 2, "ny": 1, "pitch_x_mm": 1.0}),
                             ["'die'", "'array'", "overlap"]),
    "missing load": (lambda m: m.pop("load"), ["'load'", "required"]),
    "bad symmetry": (lambda m: m["model"].update(symmetry="half"), ["'symmetry'"]),
    "new material lacks cte": (lambda m: m["materials"]["m_die"].pop("cte_ppm"), ["'m_die'", "'cte_ppm'"]),
    "negative modulus": (lambda m: m["materials"]["m_die"].update(E_gpa=-1.0), ["'m_die'", "'E_gpa'"]),
    "no parts": (lambda m: m.update(parts=[]), ["[[parts]]"]),
    "unknown family": (lambda m: (m.update(parts=[]), m["model"].update(family="nope")), ["'family'", "nope"]),
}


@pytest.fixture
def no_meshing(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("meshing started for a bad model")

    monkeypatch.setattr("warpfem.meshing.build._gmsh_bricks", refuse)


def test_the_base_model_is_good(tmp_path):
    r = warpfem.solve(BASE, tmp_path / "out")
    assert r.summary["shape"] in ("cry", "smile")


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_model_is_refused(case, tmp_path: Path, no_meshing):
    edit, words = CASES[case]
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(_with(edit)))
    outdir = tmp_path / "out"
    res = CliRunner().invoke(app, ["solve", str(path), "-o", str(outdir)])
    assert_refused(res, words)
    assert res.stdout == ""
    assert not outdir.exists()


def test_unreadable_toml_and_missing_file(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[model\nname = 1")
    for path, word in ((bad, "not valid TOML"), (tmp_path / "none.toml", "does not exist")):
        res = CliRunner().invoke(app, ["solve", str(path), "-o", str(tmp_path / "out")])
        assert res.exit_code == 2 and word in res.stderr
    assert not (tmp_path / "out").exists()


def _unreadable(tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    """Files no model or study can be read from, and the words their refusal must hold."""
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("# caf\u00e9 at 25 \u00b0C\n[load]\nstress_free_c = 150.0\n".encode("latin-1"))
    empty = tmp_path / "empty.toml"
    empty.write_text("  \n# nothing but a comment\n\n".replace("# nothing but a comment", ""))
    folder = tmp_path / "a_folder.toml"
    folder.mkdir()
    return {"non-UTF-8 bytes": (latin1, ["not UTF-8", "0xe9", "line 1"]), "empty": (empty, ["is empty"]),
            "a directory": (folder, ["is a directory"]), "a device": (Path("/dev/null"), ["not a regular file"]),
            "missing": (tmp_path / "none.toml", ["does not exist"])}


@pytest.mark.parametrize("case", ["non-UTF-8 bytes", "empty", "a directory", "a device", "missing"])
@pytest.mark.parametrize("verb", ["solve", "mesh", "expand", "study"])
def test_a_file_that_cannot_be_read_is_refused_in_one_sentence(tmp_path: Path, case, verb):
    """Each verb that reads a model or a study file: one sentence naming the file and what is
    wrong with it, exit 2, no traceback, nothing written."""
    path, words = _unreadable(tmp_path)[case]
    out = tmp_path / {"mesh": "out.msh", "expand": "out.toml"}.get(verb, "out")
    res = CliRunner().invoke(app, [verb, str(path), "-o", str(out)])
    assert_refused(res, ["file", *words])
    assert not out.exists()


def test_a_study_whose_base_model_cannot_be_read_names_the_key(tmp_path: Path):
    latin1, words = _unreadable(tmp_path)["non-UTF-8 bytes"]
    study = tmp_path / "s.toml"
    study.write_text(f'[study]\nname = "s"\nbase = "{latin1.name}"\n\n[vary]\n"load.temperature_c" = [25.0, 100.0]\n')
    res = CliRunner().invoke(app, ["study", str(study), "-o", str(tmp_path / "out")])
    assert_refused(res, ["study.base", *words])


def test_python_api_raises_model_error():
    with pytest.raises(warpfem.ModelError, match="'die', key 'material'"):
        warpfem.solve(_with(lambda m: m["parts"][1].update(material="unobtainium")))


@pytest.mark.parametrize("edit, words", [
    (lambda m: m["load"].update({"\n": 1.0}), ["'\\n'", "load"]),                        # found by fuzzing the keys
    (lambda m: m["parts"][1].update(name="die\tcopy", material="unobtainium"), ["'die\\tcopy'", "'material'"]),
    (lambda m: m["parts"][1].update(material="un\u2028obtainium"), ["un\\u2028obtainium"]),
])
def test_a_sentence_quoting_control_characters_stays_one_line(tmp_path: Path, edit, words):
    """Keys, names and values are quoted with their control characters escaped."""
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps(_with(edit)))
    res = CliRunner().invoke(app, ["solve", str(path), "-o", str(tmp_path / "out")])
    assert_refused(res, words)
    with pytest.raises(warpfem.ModelError) as err:
        warpfem.solve(_with(edit))
    assert "\n" not in str(err.value) and "\t" not in str(err.value)
