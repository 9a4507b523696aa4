"""The family examples in studies/families solve, their expansions re-solve to the same summary,
and a family variant written out by hand as parts gives the same warpage as the family."""

from __future__ import annotations

import tomllib

import pytest
from typer.testing import CliRunner

import warpfem
from conftest import REPO
from warpfem.cli import app
from warpfem.model import load_model
from warpfem.model.families import REGISTRY

EXAMPLES = sorted((REPO / "studies" / "families").glob("*.toml"))
DATA = REPO / "tests" / "data"

#: an example's first graded mesh must stay quick to solve in CI (seconds on two cores); the
#: refinement to the target error is tested on its own (test_estimate, test_accuracy)
MAX_EXAMPLE_DOFS = 350_000


def _numbers(d, prefix=""):
    """Every numeric leaf of a nested summary, by its path."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_numbers(v, f"{prefix}{k}."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[prefix + k] = v
    return out


def test_an_example_per_family_and_per_variant():
    variants: dict[str, set] = {}
    for path in EXAMPLES:
        m = warpfem.expand(path)
        f = m.family
        variants.setdefault(m.model.family, set()).update(
            {f.get("chip_set"), f.get("attachment"), f.get("carrier"), f.get("integral_heat_sink")})
    assert set(variants) == set(REGISTRY)
    for family in ("molded_flip_chip_heat_sink", "molded_underfill"):
        assert variants[family] >= {"flip_chip", "attached_die_with_flip_chip", "three_die_stack"}
    assert variants["molded_flip_chip_heat_sink"] >= {"substrate", "lead_frame"}
    assert variants["stiffener_dual_heat_sink"] >= {True, False}
    assert variants["carrier_size_heat_sink"] >= {"direct", "buffer_pad", "pedestal", "substrate", "lead_frame"}


def _expanded(path, tmp_path):
    parts = tmp_path / "parts.toml"
    res = CliRunner().invoke(app, ["expand", str(path), "-o", str(parts)])
    assert res.exit_code == 0, res.output
    raw = tomllib.loads(parts.read_text())
    assert "family" not in raw and "family" not in raw["model"]
    return parts


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_expands_to_the_same_model_and_solves(path, tmp_path):
    parts = _expanded(path, tmp_path)
    family, written = warpfem.expand(path), load_model(parts)
    for key in ("parts", "materials", "load", "mesh", "solver", "name"):
        assert getattr(written, key) == getattr(family, key), key
    assert written.model.symmetry == family.model.symmetry == "quarter"
    s = warpfem.solve(written, target_error=0).summary
    assert s["mesh"]["dofs"] <= MAX_EXAMPLE_DOFS
    assert s["shape"] in ("smile", "cry", "flat") and abs(s["warpage_um"]) < 1e3


#: one example per kind of structure is also solved twice end to end
RESOLVED = ["molded_flip_chip_heat_sink", "dual_carrier_stack", "carrier_size_heat_sink"]


@pytest.mark.parametrize("stem", RESOLVED)
def test_expansion_resolves_to_the_same_summary(stem, tmp_path):
    path = REPO / "studies" / "families" / f"{stem}.toml"
    parts = _expanded(path, tmp_path)
    a = warpfem.solve(path, target_error=0).summary
    b = warpfem.solve(parts, target_error=0).summary
    assert a["shape"] == b["shape"] and a["model"] == b["model"]
    assert a.get("bumps", {}).get("critical_bump_xy_mm") == b.get("bumps", {}).get("critical_bump_xy_mm")
    keys = ("warpage_um", "coplanarity_um", "parts", "bumps", "mesh")
    na, nb = _numbers({k: a[k] for k in keys if k in a}), _numbers({k: b[k] for k in keys if k in b})
    assert na.keys() == nb.keys()
    for key in na:  # the same model solved twice: equal up to the threaded solver's round-off
        assert nb[key] == pytest.approx(na[key], rel=1e-9, abs=1e-9), key


HAND_BUILT = {
    "hand_built_molded_flip_chip_heat_sink.toml": (
        "molded_flip_chip_heat_sink", {"carrier_size_mm": 12.0, "die_size_mm": 6.0, "corner_bumps": 2}, 1.0),
    "hand_built_carrier_size_heat_sink_buffer_pad.toml": (
        "carrier_size_heat_sink", {"attachment": "buffer_pad"}, 0.5),
}


@pytest.mark.parametrize("file", sorted(HAND_BUILT))
def test_hand_built_parts_and_family_give_the_same_warpage(file):
    family, params, size = HAND_BUILT[file]
    model = {"model": {"name": "by_family", "family": family}, "load": {"stress_free_c": 175.0, "temperature_c": 25.0},
             "mesh": {"size_mm": size}, "family": params}
    by_family = warpfem.solve(model).summary
    by_hand = warpfem.solve(DATA / file).summary
    assert by_family["mesh"]["dofs"] == by_hand["mesh"]["dofs"]
    assert by_family["warpage_um"] == pytest.approx(by_hand["warpage_um"], rel=1e-9)
    assert by_family["coplanarity_um"] == pytest.approx(by_hand["coplanarity_um"], rel=1e-9)
    for part in ("substrate", "die", "heat_sink", "mould"):
        assert by_family["parts"][part]["max_von_mises_mpa"] == pytest.approx(
            by_hand["parts"][part]["max_von_mises_mpa"], rel=1e-9)
    if "bumps" in by_hand:
        for key in ("max_von_mises_mpa", "max_shear_mpa", "max_peel_mpa"):
            assert by_family["bumps"][key] == pytest.approx(by_hand["bumps"][key], rel=1e-9)
