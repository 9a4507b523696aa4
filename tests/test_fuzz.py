"""Fuzzed input: generated model and study files, valid and broken, each must end in a summary
with finite numbers or in one clear sentence with a non-zero exit, never a traceback and never a
partial output directory.

CI runs a fixed seed and a small budget of examples; ``WARPFEM_FUZZ_EXAMPLES=10000`` runs the
long campaign (the figures are in docs/robustness.md).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import tomli_w
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from warpfem.cli import app
from warpfem.errors import ModelError
from warpfem.studies import load_study
from warpfem.studies.cases import build_cases

#: examples per test: few in CI, thousands when asked
BUDGET = int(os.environ.get("WARPFEM_FUZZ_EXAMPLES", "0")) or None


def fuzz(ci_examples: int):
    """Fixed seed (derandomised), no example database, the CI budget unless a longer run is asked."""
    return settings(max_examples=BUDGET or ci_examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


MATERIALS = ["silicon", "copper", "aluminum", "alloy42", "bt_laminate", "fr4", "emc", "underfill", "sac305",
             "die_attach", "tim", "adhesive", "abf", "solder_mask"]


@st.composite
def models(draw) -> dict:
    """A layered package: a carrier and up to four layers, some with holes or as arrays, some
    overlapping, a few own materials, small enough to solve in a fraction of a second."""
    half = draw(st.floats(2.0, 20.0))
    t = draw(st.floats(0.1, 1.0))
    parts = [{"name": "carrier", "material": draw(st.sampled_from(MATERIALS)), "role": "carrier",
              "box": [-half, half, -half, half, 0.0, t]}]
    materials = {}
    if draw(st.booleans()):
        materials["own"] = {"E_gpa": draw(st.floats(0.5, 300.0)), "nu": draw(st.floats(0.0, 0.45)),
                            "cte_ppm": draw(st.floats(0.0, 60.0))}
    z = t
    for i in range(draw(st.integers(1, 4))):
        w = draw(st.floats(0.2, 1.0)) * half
        x0 = draw(st.floats(-half, half - 0.1))
        x1 = min(half, x0 + w)
        y0 = draw(st.floats(-half, half - 0.1))
        y1 = min(half, y0 + w)
        if draw(st.booleans()):   # centred: a quarter model may take it
            x0, x1, y0, y1 = -w / 2, w / 2, -w / 2, w / 2
        thick = draw(st.floats(0.1, 1.0))
        z0 = z if draw(st.integers(0, 4)) else max(0.0, z - thick / 2)   # now and then overlapping
        part = {"name": f"layer{i}", "material": draw(st.sampled_from(MATERIALS + list(materials))),
                "box": [x0, x1, y0, y1, z0, z0 + thick]}
        kind = draw(st.sampled_from(["plain", "plain", "hole", "array"]))
        if kind == "hole":
            cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, draw(st.floats(0.05, 0.45)) * (x1 - x0)
            part["holes"] = [[cx - r, cx + r, cy - r, cy + r]]
        elif kind == "array":
            n = draw(st.integers(1, 4))
            pitch = draw(st.floats(0.8, 3.0)) * (x1 - x0) / max(n, 1)
            part["box"] = [x0, x0 + pitch / 2, y0, y0 + pitch / 2, z0, z0 + thick]
            part["array"] = {"nx": n, "ny": draw(st.integers(1, 4)), "pitch_x_mm": pitch, "pitch_y_mm": pitch}
        parts.append(part)
        z = z0 + thick
    return {"model": {"name": "fuzz", "symmetry": draw(st.sampled_from(["full", "quarter"]))},
            "load": {"stress_free_c": draw(st.floats(100.0, 260.0)), "temperature_c": draw(st.floats(-55.0, 150.0))},
            "mesh": {"size_mm": half / draw(st.floats(2.0, 6.0)), "target_error": 0.0,
                     "graded": draw(st.booleans())},
            **({"materials": materials} if materials else {}),
            "parts": parts}


JUNK = st.one_of(st.text(max_size=12), st.integers(-10 ** 20, 10 ** 20), st.booleans(),
                 st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, -1, 0.0, -0.0, 1e300, -1e300]),
                 st.lists(st.integers(-5, 5), max_size=7), st.dictionaries(st.text(min_size=1, max_size=5),
                                                                            st.integers(), max_size=2))


def _paths(d, here=()):
    """Every (container path, key) of a nested dict/list."""
    items = d.items() if isinstance(d, dict) else enumerate(d)
    for k, v in items:
        yield here, k
        if isinstance(v, (dict, list)):
            yield from _paths(v, here + (k,))


def _at(d, path):
    for k in path:
        d = d[k]
    return d


@st.composite
def broken_models(draw) -> dict:
    """A generated model with one to three keys given junk, removed, or added where none belongs."""
    model = draw(models())
    for _ in range(draw(st.integers(1, 3))):
        places = list(_paths(model))
        where, key = draw(st.sampled_from(places))
        table = _at(model, where)
        action = draw(st.sampled_from(["junk", "junk", "remove", "add"]))
        if action == "junk":
            table[key] = draw(JUNK)
        elif action == "remove" and isinstance(table, dict):
            del table[key]
        elif isinstance(table, dict):
            table[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
    return model


def _solve_file(data: bytes) -> None:
    """``warpfem solve`` of a file with these bytes: a finite summary, or one sentence, exit ≠ 0, no OUTDIR."""
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "model.toml", Path(tmp) / "out"
        path.write_bytes(data)
        res = CliRunner().invoke(app, ["solve", str(path), "-o", str(out), "-q"])
        assert res.exception is None or isinstance(res.exception, SystemExit), \
            f"{type(res.exception).__name__}: {res.exception}\n{data[:2000]!r}"
        if res.exit_code == 0:
            summary = json.loads((out / "summary.json").read_text())
            _assert_finite(summary)
            assert summary["mesh"]["dofs"] > 0
        else:
            message = res.stderr.strip()
            assert message.startswith("error: ") and "\n" not in message, (message, data[:2000])
            assert not out.exists(), sorted(p.name for p in out.iterdir())


def _assert_finite(v, key="") -> None:
    if isinstance(v, dict):
        for k, x in v.items():
            _assert_finite(x, f"{key}.{k}")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _assert_finite(x, f"{key}[{i}]")
    elif isinstance(v, float):
        assert math.isfinite(v), key


@fuzz(25)
@given(models())
def test_generated_packages_solve_to_finite_numbers_or_are_refused_in_a_sentence(model):
    _solve_file(tomli_w.dumps(model).encode())


@fuzz(60)
@given(broken_models())
def test_broken_models_are_refused_in_one_sentence(model):
    _solve_file(tomli_w.dumps(model).encode())


@fuzz(40)
@given(st.one_of(st.binary(max_size=400),
                 st.tuples(models(), st.binary(min_size=1, max_size=8), st.integers(0, 10 ** 6)).map(
                     lambda t: (lambda b: b[:t[2] % (len(b) + 1)] + t[1] + b[t[2] % (len(b) + 1):])(
                         tomli_w.dumps(t[0]).encode()))))
def test_bytes_that_are_not_a_model_are_refused_in_one_sentence(data):
    _solve_file(data)


STUDY_KEYS = ["load.temperature_c", "load.stress_free_c", "parts.layer0.material", "parts.carrier.box",
              "materials.own.E_gpa", "mesh.size_mm", "model.symmetry", "parts.layer9.box", "nonsense", ""]


@fuzz(80)
@given(models(), st.dictionaries(st.sampled_from(["sweep", "grid", "variants", "study", "junk"]),
                                 st.one_of(JUNK, st.dictionaries(st.sampled_from(STUDY_KEYS),
                                                                 st.lists(JUNK, max_size=3) | JUNK, max_size=3),
                                           st.lists(st.dictionaries(st.sampled_from(STUDY_KEYS + ["name"]), JUNK,
                                                                    max_size=3), max_size=3)), max_size=3))
def test_generated_study_files_build_their_cases_or_are_refused(model, tables):
    study = {"study": {"name": "fuzz"}, "base": model}
    study.update(tables)
    try:
        spec = load_study(tomli_w.dumps(study))
        cases = build_cases(spec)
    except ModelError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert cases


def test_a_part_edge_within_the_merge_tolerance_of_the_centre_line_is_the_centre_line(tmp_path):
    """Kept from the long campaign: the carrier's centre line merged into a part edge 1.2e-7 mm
    from it. The solve must find its support there and give the warpage of the model whose edge is
    exactly on the line."""
    kept = Path(__file__).parent / "data" / "fuzz" / "centre_near_a_part_edge.toml"
    _solve_file(kept.read_bytes())
    text = kept.read_text()
    exact = tmp_path / "exact.toml"
    exact.write_text(text.replace("-1.192092896e-07", "0.0"))
    near = CliRunner().invoke(app, ["solve", str(kept), "-o", str(tmp_path / "near"), "-q"])
    on = CliRunner().invoke(app, ["solve", str(exact), "-o", str(tmp_path / "on"), "-q"])
    assert near.exit_code == on.exit_code == 0
    w = [json.loads((tmp_path / d / "summary.json").read_text())["warpage_um"] for d in ("near", "on")]
    assert w[0] == pytest.approx(w[1], rel=1e-5)
