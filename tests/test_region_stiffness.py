"""The submodel's stiffness formed by batched products equals scikit-fem's assembly of the
orthotropic elasticity weak form, written here as the plain bilinear form it is."""

from __future__ import annotations

import numpy as np
from skfem import Basis, BilinearForm, ElementTetP2, ElementVector, MeshTet, asm
from skfem.helpers import sym_grad

from warpfem.model.elasticity import PAIRS, orthotropic_constants
from warpfem.submodel.elements import stiffness_matrix
from warpfem.submodel.solve import INTORDER


@BilinearForm
def elasticity(u, v, w):
    """ε(u) : C : ε(v) for the nine orthotropic constants c0..c8 (C11 C22 C33, C12 C13 C23, G12 G13 G23)."""
    eu, ev = sym_grad(u), sym_grad(v)
    c = [w[f"c{k}"] for k in range(9)]
    out = sum(c[p] * eu[p, p] * ev[p, p] for p in range(3))
    for k, (p, q) in enumerate(PAIRS):
        out += c[3 + k] * (eu[p, p] * ev[q, q] + eu[q, q] * ev[p, p]) + 4.0 * c[6 + k] * eu[p, q] * ev[p, q]
    return out


def test_batched_stiffness_equals_the_weak_form():
    rng = np.random.default_rng(7)
    mesh = MeshTet.init_tensor(np.linspace(0, 1.0, 4), np.linspace(0, 0.6, 3), np.linspace(0, 0.3, 3))
    mesh = mesh.with_defaults()
    # distorted, so that no two elements share a Jacobian, and three materials, one orthotropic
    mesh = MeshTet(mesh.p + 0.03 * rng.standard_normal(mesh.p.shape), mesh.t)
    basis = Basis(mesh, ElementVector(ElementTetP2()), intorder=INTORDER)
    materials = np.array([orthotropic_constants((130.0, 130.0, 130.0), (0.28, 0.28, 0.28), (50.8, 50.8, 50.8)),
                          orthotropic_constants((24.0, 22.0, 11.0), (0.11, 0.3, 0.3), (8.0, 4.0, 3.5)),
                          orthotropic_constants((0.04, 0.04, 0.04), (0.45, 0.45, 0.45), (0.0138, 0.0138, 0.0138))])
    constants = materials[rng.integers(0, 3, mesh.t.shape[1])]
    nq = basis.dx.shape[1]
    reference = asm(elasticity, basis, **{f"c{k}": np.repeat(constants[:, k, None], nq, axis=1) for k in range(9)})
    K = stiffness_matrix(basis, constants)
    assert K.shape == reference.shape
    assert abs(K - reference).max() < 1e-12 * abs(reference).max()
    assert abs(K - K.T).max() < 1e-12 * abs(K).max()
