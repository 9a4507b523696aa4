"""The fast class-cached assembly against scikit-fem's own assembly, to round-off."""

from __future__ import annotations

import meshio
import pytest
import numpy as np
from skfem import Basis, BilinearForm, ElementHexS2, ElementVector, LinearForm
from skfem.helpers import grad, sym_grad
from skfem.io.meshio import from_meshio

import warpfem
from warpfem.fem import assemble
from warpfem.fem.assemble import (constrain, element_classes, element_matrices, stiffness, stiffness_bsr, thermal_load,
                                   upper_csr)
from warpfem.fem.element import brick_stiffness
from warpfem.fem.linear import full_from_upper
from warpfem.fem.operator import ElementOperator
from warpfem.fem.parallel import limited_threads
from warpfem.geometry import build_layout
from warpfem.meshing import build_mesh
from warpfem.model.elasticity import isotropic_constants

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


def _voigt(eps):
    """Engineering strains (xx, yy, zz, γxy, γxz, γyz) of a strain tensor field."""
    return [eps[0, 0], eps[1, 1], eps[2, 2], 2 * eps[0, 1], 2 * eps[0, 2], 2 * eps[1, 2]]


@BilinearForm
def _elasticity(u, v, w):
    # the 6 x 6 orthotropic stiffness in Voigt notation, from the nine constants
    c = [w[f"c{k}"] for k in range(9)]
    zero = 0 * c[0]
    D = [[c[0], c[3], c[4], zero, zero, zero], [c[3], c[1], c[5], zero, zero, zero],
         [c[4], c[5], c[2], zero, zero, zero], [zero, zero, zero, c[6], zero, zero],
         [zero, zero, zero, zero, c[7], zero], [zero, zero, zero, zero, zero, c[8]]]
    eu, ev = _voigt(sym_grad(u)), _voigt(sym_grad(v))
    return sum(D[i][j] * eu[j] * ev[i] for i in range(6) for j in range(6))


@LinearForm
def _thermal(v, w):
    gv = grad(v)
    return w["s0"] * gv[0, 0] + w["s1"] * gv[1, 1] + w["s2"] * gv[2, 2]


#: a regular uniform mesh: few kinds of node neighbourhood
REGULAR = {
    "load": {"stress_free_c": 125.0, "temperature_c": -40.0},
    "mesh": {"graded": False, "size_mm": 0.25, "size_z_mm": 0.1},
    "parts": [{"name": "substrate", "material": "bt_laminate", "box": [-2, 2, -2, 2, 0, 0.4], "role": "carrier"},
              {"name": "die", "material": "silicon", "box": [-1, 1, -1, 1, 0.4, 0.7]}],
}


#: an orthotropic substrate: x, y and z all differ (a woven laminate with copper planes)
SUBSTRATE_ORTHOTROPIC = {"E_gpa": [30.0, 22.0, 9.0], "nu": [0.18, 0.35, 0.3], "G_gpa": [9.0, 3.5, 3.0],
                         "cte_ppm": [13.0, 17.0, 45.0]}


@pytest.mark.parametrize("raw, shared_rows, orthotropic",
                         [(IRREGULAR, False, False), (REGULAR, True, False), (IRREGULAR, False, True)],
                         ids=["graded", "uniform", "orthotropic"])
def test_fast_assembly_equals_scikit_fem(raw, shared_rows, orthotropic):
    """Both ways of summing: rows shared by many nodes (a uniform mesh's few neighbourhoods) and
    element by element (a graded mesh, nearly every node its own); isotropic parts, and an
    orthotropic substrate whose three axes differ."""
    if orthotropic:
        raw = {**raw, "materials": {"bt_laminate": {"orthotropic": SUBSTRATE_ORTHOTROPIC}}}
    layout = build_layout(warpfem.load_model(raw))
    mesh = build_mesh(layout)
    classes = element_classes(layout, mesh)
    assert np.ptp(classes.alpha_dt, axis=1).any() == orthotropic   # some brick expands unequally along x, y, z
    holder = np.full((mesh.n_nodes, 20), -1)
    for a in range(20):
        holder[mesh.elements[:, a], a] = classes.of_element
    assert (len(np.unique(holder, axis=0)) < mesh.n_nodes // 4) == shared_rows   # the two ways of stiffness_bsr
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
    K_sk = _elasticity.assemble(basis, **{f"c{k}": per_el(classes.constants_mpa[:, k]) for k in range(9)})
    f_sk = _thermal.assemble(basis, **{f"s{p}": per_el(classes.thermal_stress_mpa[:, p]) for p in range(3)})

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


@pytest.mark.parametrize("h_mm", [(0.3, 0.5, 0.05), (1.0, 1.0, 1.0), (0.02, 0.8, 0.4)])
def test_a_brick_has_no_zero_energy_mode_but_rigid_motion(h_mm):
    """The exact (full) integration of the 20-node brick: six zero eigenvalues, whatever its
    shape. (A 2 x 2 x 2 rule, C3D20R's, leaves twelve: six hourglass modes a mesh must hold down.)"""
    K = brick_stiffness(np.array([h_mm]), isotropic_constants(5000.0, 3000.0)[None])[0]
    ev = np.linalg.eigvalsh(K)
    assert np.sum(ev < 1e-10 * ev[-1]) == 6
    assert ev[6] > 1e8 * max(abs(ev[:6]))    # eight orders of magnitude above round-off


def test_no_spurious_zero_energy_modes():
    """An unsupported graded two-material block has exactly six zero eigenvalues (rigid motion),
    and the seventh is far from zero."""
    raw = {"load": {"stress_free_c": 150.0, "temperature_c": 25.0}, "mesh": {"size_mm": 0.5, "edge_ratio": 1.0},
           "parts": [{"name": "base", "material": "bt_laminate", "box": [-1, 1, -1, 1, 0, 0.4], "role": "carrier"},
                     {"name": "chip", "material": "silicon", "box": [-0.6, 0.6, -0.6, 0.6, 0.4, 0.7]}]}
    layout = build_layout(warpfem.load_model(raw))
    mesh = build_mesh(layout)
    assert mesh.n_dofs < 4000 and len(set(np.round(np.diff(mesh.axes[0]), 9))) > 2   # graded, small enough
    ev = np.linalg.eigvalsh(stiffness(mesh, element_classes(layout, mesh)).toarray())
    scale = ev[-1]
    assert np.sum(np.abs(ev) < 1e-9 * scale) == 6
    assert ev[6] > 1e-6 * scale


def test_the_isotropic_shortcut_makes_the_same_bricks():
    """Twelve combinations of the fifteen basis matrices, weighted by λ and μ, give an isotropic
    brick exactly as its nine constants do."""
    from warpfem.fem.element import isotropic_coefficients, isotropic_directions, stiffness_basis
    h = np.array([[0.3, 0.5, 0.05], [1.0, 1.0, 1.0], [0.02, 0.8, 0.4]])
    lam, mu = np.array([5000.0, 117.0, 9e4]), np.array([3000.0, 41.0, 2e4])
    K15 = brick_stiffness(h, isotropic_constants(lam, mu))
    B12 = np.tensordot(isotropic_directions(), stiffness_basis(), axes=1)
    K12 = np.einsum("ck,kij->cij", isotropic_coefficients(h, lam, mu), B12)
    assert np.abs(K12 - K15).max() < 1e-12 * np.abs(K15).max()


@pytest.mark.parametrize("key_limit", [2 ** 62, 50])
def test_shape_values_are_scikit_fems_basis_at_every_point(monkeypatch, key_limit):
    """Evaluated once per distinct point and spread back, the shape functions equal scikit-fem's
    own at each point, repeated or not (also when the points' keys must be renumbered)."""
    import warpfem.fem.element as element
    from warpfem.fem.element import shape_values
    from warpfem.meshing.hex20 import codes, slot_of_code
    monkeypatch.setattr(element, "KEY_LIMIT", key_limit)
    rng = np.random.default_rng(7)
    places = np.r_[0.0, 0.25, 0.5, 1.0, rng.random(6)]
    xi = np.r_[places[rng.integers(0, len(places), (400, 3))], rng.random((100, 3))]
    e = ElementHexS2()
    slot = slot_of_code(codes(np.rint(2 * e.doflocs).astype(int)))
    expected = np.empty((len(xi), 20))
    for i in range(20):
        expected[:, slot[i]] = e.lbasis(xi.T.copy(), i)[0]
    got = shape_values(xi)
    assert np.array_equal(got, expected)
    assert np.allclose(got.sum(axis=1), 1.0, rtol=0, atol=1e-13)


@pytest.mark.parametrize("raw", [IRREGULAR, REGULAR], ids=["graded", "uniform"])
def test_single_precision_assembly_is_the_double_one_rounded(raw, monkeypatch):
    """Both ways of summing store in single precision what the double-precision sum rounds to: the
    sums themselves stay in double; one thread gives the digits two give."""
    monkeypatch.setattr(assemble, "_PAIRS_PER_PASS", 40_000)   # passes of 100 rows: many to share out
    layout = build_layout(warpfem.load_model(raw))
    mesh = build_mesh(layout)
    classes = element_classes(layout, mesh)
    args = (mesh.elements, mesh.node_ijk, classes.of_element, element_matrices(classes))
    K64, K32 = stiffness_bsr(*args), stiffness_bsr(*args, dtype=np.float32)
    assert K32.dtype == np.float32
    assert np.array_equal(K32.indptr, K64.indptr) and np.array_equal(K32.indices, K64.indices)
    assert np.array_equal(K32.data, K64.data.astype(np.float32))
    with limited_threads(1):   # the passes shared out over the threads: each row summed alike
        assert np.array_equal(stiffness_bsr(*args).data, K64.data)
        assert np.array_equal(stiffness_bsr(*args, dtype=np.float32).data, K32.data)


@pytest.mark.parametrize("raw", [IRREGULAR, REGULAR], ids=["graded", "uniform"])
def test_element_by_element_product_equals_the_assembled_matrix(raw):
    """The conjugate gradients' exact operator, applied element by element, against the assembled
    stiffness (itself scikit-fem's, above) with the same held dofs; one vector, three side by
    side, two; the same digits on one thread as on two."""
    layout = build_layout(warpfem.load_model(raw))
    mesh = build_mesh(layout)
    classes = element_classes(layout, mesh)
    matrices = element_matrices(classes)
    fixed = np.zeros(mesh.n_dofs, dtype=bool)
    fixed[np.random.default_rng(7).choice(mesh.n_dofs, 40, replace=False)] = True
    K = constrain(stiffness_bsr(mesh.elements, mesh.node_ijk, classes.of_element, matrices), fixed)
    op = ElementOperator(mesh.elements, classes.of_element, matrices, fixed)
    rng = np.random.default_rng(8)
    for x in (rng.standard_normal(mesh.n_dofs), rng.standard_normal((mesh.n_dofs, 3)),
              rng.standard_normal((mesh.n_dofs, 2))):
        y = op @ x
        assert y.shape == x.shape
        assert np.abs(y - K @ x).max() < 1e-13 * np.abs(y).max()
        with limited_threads(1):
            assert np.array_equal(op @ x, y)
    assert len(matrices) < mesh.n_elements   # the operator holds the classes' matrices, not the elements'
