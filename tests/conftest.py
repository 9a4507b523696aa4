from __future__ import annotations

import copy
from pathlib import Path

import pytest

from warpfem.memory import settle_memory

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "studies" / "examples"
SHARED_EXAMPLES = REPO.parent / "shared" / "spec" / "examples"


def pytest_configure(config):
    # every test solves as a warpfem command does (freed memory kept, no huge-page advice), and
    # alike whatever ran before it: a test that invokes the CLI settles its worker's memory too
    settle_memory()


def plate_model(layers, half=15.0, symmetry="quarter", size_mm=None, dT=(175.0, 25.0), min_layers=1):
    """A full-area layered plate: layers = [(name, thickness mm, E GPa, nu, cte ppm)] bottom up."""
    z = 0.0
    parts, materials = [], {}
    for i, (name, t, E, nu, cte) in enumerate(layers):
        materials[f"m_{name}"] = {"E_gpa": E, "nu": nu, "cte_ppm": cte}
        part = {"name": name, "material": f"m_{name}", "box": [-half, half, -half, half, z, z + t]}
        if i == 0:
            part["role"] = "carrier"
        parts.append(part)
        z += t
    mesh = {"min_layers": min_layers}
    if size_mm:
        mesh["size_mm"] = size_mm
    return {
        "model": {"name": "plate", "symmetry": symmetry},
        "load": {"stress_free_c": dT[0], "temperature_c": dT[1]},
        "mesh": mesh,
        "materials": materials,
        "parts": parts,
    }


@pytest.fixture
def small_fcbga() -> Path:
    return EXAMPLES / "small_fcbga.toml"


@pytest.fixture
def bilayer() -> Path:
    return EXAMPLES / "bilayer_plate.toml"


def clone(d: dict) -> dict:
    return copy.deepcopy(d)


def assert_refused(res, words: list[str]) -> None:
    """A CLI run refused its input: exit code 2 and one line on stderr, "error: ..." holding
    every one of ``words``."""
    assert res.exit_code == 2, res.output
    message = res.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"


#: the molded flip-chip heat-sink family meshed coarsely (6.5 k dofs): the design tests' package
SMALL_FAMILY_TOML = """
[model]
name = "mfc"
family = "molded_flip_chip_heat_sink"
[load]
stress_free_c = 150.0
temperature_c = 25.0
[mesh]
size_mm = 4.0
edge_ratio = 16.0
"""
