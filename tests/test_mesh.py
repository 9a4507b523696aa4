"""The mesh: conformal, one part per element, thin layers without an explosion of elements."""

from __future__ import annotations

import os
import signal

import gmsh
import numpy as np
import pytest
from typer.testing import CliRunner

import warpfem
from test_assembly import IRREGULAR
from warpfem.cli import app
from warpfem.geometry import build_layout
from warpfem.meshing import build_mesh
from warpfem.meshing.session import gmsh_model


def _volumes(mesh):
    h = mesh.element_sizes()
    return np.bincount(mesh.part, h.prod(axis=1), minlength=len(mesh.part_names))


def test_mesh_is_conformal_and_parts_keep_their_volume():
    model = warpfem.load_model(IRREGULAR)
    mesh = build_mesh(build_layout(model))
    # shared nodes, no duplicates: every coordinate appears once
    assert len(np.unique(np.round(mesh.nodes, 9), axis=0)) == mesh.n_nodes
    # every node used, every element a positive brick
    assert np.array_equal(np.unique(mesh.elements), np.arange(mesh.n_nodes))
    assert (mesh.element_sizes() > 0).all()
    # later wins: each part's volume is its boxes less holes and less what later parts took
    sub, ring, uf, bumps, die = _volumes(mesh)
    bump = 0.15 * 0.15 * 0.07
    assert bumps == pytest.approx(9 * bump)
    assert uf == pytest.approx(2.4 * 2.2 * 0.07 - 9 * bump)
    assert die == pytest.approx(2.2 * 2.0 * 0.31)
    assert ring == pytest.approx((6.0 * 4.9 - 3.5 * 2.6) * 0.25)
    assert sub == pytest.approx(6.0 * 4.9 * 0.45)
    # every face shared by two elements has the same 8 nodes on both sides (conformal)
    faces = np.sort(mesh.elements[:, [[0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15],
                                      [0, 1, 5, 4, 8, 17, 12, 16], [3, 2, 6, 7, 10, 18, 14, 19],
                                      [0, 3, 7, 4, 11, 19, 15, 16], [1, 2, 6, 5, 9, 18, 13, 17]]].reshape(-1, 8), axis=1)
    _, counts = np.unique(faces, axis=0, return_counts=True)
    assert counts.max() == 2
    corner_sets = np.sort(mesh.elements[:, [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 5, 4], [3, 2, 6, 7],
                                            [0, 3, 7, 4], [1, 2, 6, 5]]].reshape(-1, 4), axis=1)
    _, c4 = np.unique(corner_sets, axis=0, return_counts=True)
    assert np.array_equal(np.sort(c4), np.sort(counts))  # no face matched on corners but not on mid-nodes


def test_thin_layers_do_not_explode():
    model = {
        "model": {"name": "thin", "symmetry": "quarter"},
        "load": {"stress_free_c": 150.0, "temperature_c": 25.0},
        "parts": [
            {"name": "substrate", "material": "bt_laminate", "box": [-20, 20, -20, 20, 0, 1.0], "role": "carrier"},
            {"name": "underfill", "material": "underfill", "box": [-10, 10, -10, 10, 1.0, 1.08]},
            {"name": "die", "material": "silicon", "box": [-10, 10, -10, 10, 1.08, 1.8]},
            {"name": "tim", "material": "tim", "box": [-7.5, 7.5, -7.5, 7.5, 1.8, 1.85]},
            {"name": "lid", "material": "copper", "box": [-20, 20, -20, 20, 1.85, 2.85]},
        ],
    }
    model["mesh"] = {"graded": False}  # the uniform mesher (the graded one closes in on the edges)
    layout = build_layout(warpfem.load_model(model))
    mesh = build_mesh(layout)
    # one element through each thin slab: the 0.05 mm TIM and 0.08 mm gap cost a layer each
    dz = mesh.element_sizes()[:, 2]
    assert dz.min() == pytest.approx(0.05)
    assert mesh.n_elements < 20 * 20 * 6


def test_mesh_command_writes_physical_groups(tmp_path, small_fcbga):
    out = tmp_path / "m.msh"
    res = CliRunner().invoke(app, ["mesh", str(small_fcbga), "-o", str(out)])
    assert res.exit_code == 0, res.output
    with gmsh_model("check"):
        gmsh.open(str(out))
        groups = {gmsh.model.getPhysicalName(d, t): t for d, t in gmsh.model.getPhysicalGroups(3)}
        assert set(groups) == {"substrate", "underfill", "bumps", "die"}
        mesh = warpfem.mesh(small_fcbga)
        for name, tag in groups.items():
            (entity,) = gmsh.model.getEntitiesForPhysicalGroup(3, tag)
            types, tags, _ = gmsh.model.mesh.getElements(3, entity)
            assert list(types) == [17]  # 20-node hexahedra
            assert len(tags[0]) == (mesh.part == mesh.part_names.index(name)).sum()
        q = gmsh.model.mesh.getElementQualities(np.concatenate(
            [gmsh.model.mesh.getElements(3, e)[1][0] for _, e in gmsh.model.getEntities(3)]), "minSJ")
        assert q.min() > 0.999  # undistorted bricks


def _sigpipe_ignored() -> bool:
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return bool(int(status["SigIgn"], 16) >> (signal.SIGPIPE - 1) & 1)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the signal mask from Linux's /proc")
def test_meshing_leaves_sigpipe_ignored(small_fcbga):
    """Gmsh's initialise resets SIGPIPE to 'terminate'; a process that meshed must still get
    BrokenPipeError from a closed pipe (a study whose worker died) rather than die silently."""
    assert _sigpipe_ignored()
    warpfem.mesh(small_fcbga)
    assert _sigpipe_ignored()
    reader, writer = os.pipe()
    os.close(reader)
    try:
        with pytest.raises(BrokenPipeError):
            os.write(writer, b"x")
    finally:
        os.close(writer)


def test_meshing_in_a_callers_gmsh_session_leaves_its_options(tmp_path, small_fcbga):
    """A script that has Gmsh open keeps its options: warpfem's meshes (the lattice, a written
    .msh) set theirs only while they work."""
    mine = {"Mesh.SecondOrderIncomplete": 0, "Mesh.SecondOrderLinear": 0, "Mesh.MshFileVersion": 2.2,
            "Mesh.Binary": 1}
    gmsh.initialize()
    try:
        for k, v in mine.items():
            gmsh.option.setNumber(k, v)
        warpfem.mesh(small_fcbga, tmp_path / "a.msh")
        assert (tmp_path / "a.msh").read_text().startswith("$MeshFormat\n4.1 0 ")   # warpfem's own format
        assert {k: gmsh.option.getNumber(k) for k in mine} == mine
    finally:
        gmsh.finalize()
