"""The fast class-cached assembly against scikit-fem's own assembly, to round-off."""

from __future__ import annotations

import meshio
import numpy as np
from skfem import Basis, BilinearForm, ElementHexS2, ElementVector, LinearForm
from skfem.helpers import ddot, div, sym_grad, trace
from skfem.io.meshio import from_meshio

import warpfem
from warpfem.fem.assemble import constrain, element_classes, stiffness, thermal_load, upper_csr
from warpfem.fem.linear import full_from_upper
from warpfem.geometry import build_layout
from warpfem.meshing import build_mesh

IRREGULAR = {
    "model": {"name": "irregular"},
    "load": {"stress_free_c": 125.0, "temperature_c": -40.0},
    "mesh": {"size_mm": 0.7},
    "parts": [
        {"name": "substrate", "material": "bt_laminate", "box": [-3.1, 2.9, -2.3, 2.6, 0.0, 0.45], "role": "carrier"},
        {"name": "ring", "material": "copper", "box": [-3.1, 2.9, -2.3, 2.6, 0.45, 0.7],
         "holes": [[-1.9, 1.6, -1.2, 1.4]]},
        {"name": "underfill", "material": "underfill", "box": [-1.3, 1.1, -1.0, 1.2, 0.45, 0.52]},
        {"name": "bumps", "material": "sac305", "role": "bumps", "box": [-1.0, -0.85, -0.8, -0.65, 0.45, 0.52],
         "array": {"nx": 3, "ny": 3, "pitch_x_mm": 0.7, "pitch_y_mm": 0.75}},
        {"name": "die", "material": "silicon", "box": [-1.2, 1.0, -0.9, 1.1, 0.52, 0.83]},
    ],
}


@BilinearForm
def _elasticity(u, v, w):
    eps_u, eps_v = sym_grad(u), sym_grad(v)
    return w["lam"] * trace(eps_u) * trace(eps_v) + 2 * w["mu"] * ddot(eps_u, eps_v)


@LinearForm
def _thermal(v, w):
    return w["s"] * div(v)


def test_fast_assembly_equals_scikit_fem():
    model = warpfem.load_model(IRREGULAR)
    layout = build_layout(model)
    mesh = build_mesh(layout)
    classes = element_classes(layout, mesh)
    assert len(np.unique(np.rint(classes.h_mm / 1e-6), axis=0)) > 10  # really irregular sizes
    K = stiffness(mesh, classes).tocsr()
    assert abs(full_from_upper(upper_csr(stiffness(mesh, classes))) - K).max() < 1e-12 * abs(K).max()
    f = thermal_load(mesh, classes)

    corners = np.unique(mesh.elements[:, :8])
    renum = np.full(mesh.n_nodes, -1)
    renum[corners] = np.arange(len(corners))
    sk_mesh = from_meshio(meshio.Mesh(mesh.nodes[corners], [("hexahedron", renum[mesh.elements[:, :8]])]))
    basis = Basis(sk_mesh, ElementVector(ElementHexS2()), intorder=4)
    # scikit-fem may reorder elements: find each of its elements among ours by centroid
    ours = {tuple(np.round(c, 6)): i for i, c in enumerate(mesh.nodes[mesh.elements].mean(axis=1))}
    sk_centres = sk_mesh.p[:, sk_mesh.t].mean(axis=1).T
    e = np.array([ours[tuple(np.round(c, 6))] for c in sk_centres])
    nqp = basis.dx.shape[1]
    per_el = lambda a: np.repeat(a[classes.of_element[e]][:, None], nqp, axis=1)  # noqa: E731
    K_sk = _elasticity.assemble(basis, lam=per_el(classes.lam_mpa), mu=per_el(classes.mu_mpa))
    f_sk = _thermal.assemble(basis, s=per_el(classes.thermal_stress_mpa))

    node_of = {tuple(np.round(x, 6)): i for i, x in enumerate(mesh.nodes)}
    ours_dof = np.empty(basis.N, dtype=np.int64)
    for dofs in (basis.nodal_dofs, basis.edge_dofs):
        for comp in range(3):
            for d in dofs[comp]:
                ours_dof[d] = 3 * node_of[tuple(np.round(basis.doflocs[:, d], 6))] + comp
    assert len(np.unique(ours_dof)) == mesh.n_dofs == basis.N
    P = np.argsort(ours_dof)  # scikit-fem's dof for each of ours
    K_sk = K_sk[P][:, P]
    scale = abs(K).max()
    assert abs(K - K_sk).max() < 1e-12 * scale
    assert np.abs(f - f_sk[P]).max() < 1e-12 * np.abs(f).max()
