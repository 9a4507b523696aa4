"""A refinement step's multigrid built on the step before it: nested graded meshes, their exact
embedding, and a solve on the shared hierarchy that equals one on a hierarchy of its own."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import warpfem
from test_estimate import PACKAGE
from warpfem.fem import StiffnessSystem, solve_thermal
from warpfem.fem.assemble import element_classes, stiffness
from warpfem.geometry import build_layout
from warpfem.meshing import Grading, features, graded_mesh, refine_groups
from warpfem.post.probe import interpolation


@pytest.fixture(scope="module")
def nested():
    raw = {**PACKAGE, "solver": {"method": "iterative", "rtol": 1e-9}}
    layout = build_layout(warpfem.load_model(raw))
    f = features(layout)
    grading = Grading(0.6, 1.2, edge_ratio=2.0)
    coarse = graded_mesh(layout, f, grading)
    fine = graded_mesh(layout, f, refine_groups(layout, f, grading, range(len(f.groups))))
    return layout, coarse, fine, interpolation(coarse, fine.nodes)


def test_the_embedding_reproduces_quadratic_fields(nested):
    _, coarse, fine, embed = nested
    def field(x):
        return 1 + x[:, 0] - 2 * x[:, 1] ** 2 + 0.5 * x[:, 0] * x[:, 1] + x[:, 2] ** 2 * x[:, 0]
    assert embed.shape == (fine.n_nodes, coarse.n_nodes)
    assert np.abs(embed @ field(coarse.nodes) - field(fine.nodes)).max() < 1e-10


def test_the_coarse_mesh_stiffness_is_the_galerkin_product_of_the_fine(nested):
    # the fact the shared hierarchy rests on: graded refinement only adds grid lines, so the coarse
    # space is a subspace of the fine one and its own stiffness is the fine one's Galerkin product
    layout, coarse, fine, embed = nested
    Kc = stiffness(coarse, element_classes(layout, coarse)).tocsr()
    Kf = stiffness(fine, element_classes(layout, fine)).tocsr()
    P = sp.kron(embed, sp.identity(3)).tocsr()
    assert abs(P.T @ Kf @ P - Kc).max() < 1e-9 * abs(Kc).max()


def test_a_solve_on_the_coarser_steps_hierarchy_equals_one_on_its_own(nested):
    layout, coarse, fine, embed = nested
    with StiffnessSystem(layout, coarse) as below:
        u_coarse = solve_thermal(below).u_mm
        with StiffnessSystem(layout, fine, coarser=(below, embed)) as shared:
            on_shared = solve_thermal(shared, embed @ u_coarse)
    with StiffnessSystem(layout, fine) as own:
        on_own = solve_thermal(own)
    # the coarser step's levels themselves, under one new level (its mesh has under half the dofs)
    assert 2 * coarse.n_dofs < fine.n_dofs
    assert shared.info["levels"] == below.info["levels"] + 1
    assert all(a is b for a, b in zip(shared._mg.levels[1:], below._mg.levels))
    assert shared.info["iterations"] < 2 * own.info["iterations"]
    scale = np.abs(on_own.u_mm).max()
    assert np.abs(on_shared.u_mm - on_own.u_mm).max() < 1e-6 * scale
