"""The example meshes in meshes/ are what warpfem builds today, and other tools read them."""

from __future__ import annotations

import sys

import meshio
import numpy as np
import pytest

import warpfem
from conftest import EXAMPLES, REPO

sys.path.insert(0, str(REPO / "meshes"))
from make_meshes import NAMES  # noqa: E402


@pytest.mark.parametrize("name", NAMES)
def test_committed_mesh_matches_the_mesher(name):
    stored = meshio.read(REPO / "meshes" / f"{name}.msh")
    built = warpfem.mesh(EXAMPLES / f"{name}.toml")
    assert len(stored.points) == built.n_nodes
    hexes = np.concatenate([c.data for c in stored.cells if c.type == "hexahedron20"])
    assert len(hexes) == built.n_elements
    assert np.allclose(np.sort(stored.points, axis=0), np.sort(built.nodes, axis=0))
    parts = {p.name for p in warpfem.expand(EXAMPLES / f"{name}.toml").parts}
    assert set(stored.field_data) >= parts
