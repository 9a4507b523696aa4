"""The default solve against converged references built apart from warpfem's mesher.

studies/accuracy/references.json holds, per model, the warpage extrapolated from a sequence of
meshes refined in x, y and z together (studies/accuracy/references.py: its own grading code,
solved with both the 3x3x3 and the 2x2x2 brick, CalculiX C3D20 and C3D20R on one of them). The
default `warpfem solve` must be within 1 % of it and its error bar must cover the actual error.
"""

from __future__ import annotations

import json

import pytest

import warpfem
from conftest import REPO

ACCURACY = REPO / "studies" / "accuracy"
REFERENCES = json.loads((ACCURACY / "references.json").read_text())

#: the models cheap enough for every CI run (the rest: python studies/accuracy/compare.py); the small
#: FCBGA is the one no rule of the error bar was read from, and it refuted a tighter rule that
#: covered the other nine
MODELS = ["bump_array", "small_fcbga"]


@pytest.mark.parametrize("name", MODELS)
def test_default_solve_is_within_one_percent_and_its_bar_covers_the_error(name):
    ref = REFERENCES[name]
    s = warpfem.solve(ACCURACY / f"{name}.toml").summary
    actual = abs(s["warpage_um"] - ref["warpage_um"])
    assert actual <= 0.01 * abs(ref["warpage_um"])
    assert s["error"]["estimated"]
    # the bar must cover the actual error, give or take the reference's own uncertainty
    assert s["error"]["warpage_um"] + ref["warpage_uncertainty_um"] >= actual

