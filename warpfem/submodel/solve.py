"""The submodel's thermo-elastic solve (scikit-fem, P2 tetrahedra), driven on its cut faces.

Same physics as the global model: small-strain orthotropic (or isotropic) elasticity per region, the uniform ΔT of
the model's load. The cut faces — faces of the region box with the global model's material on
their far side — take the global displacement at every P2 node they hold; faces that are the
global model's own free surface (die top, substrate bottom, die edge) stay free, as do the
surfaces of bumps and of any part that ends inside the region.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp
from skfem import Basis, ElementTetP2, ElementVector, LinearForm, asm
from skfem.helpers import grad

from ..fem.linear import solve_direct
from ..geometry import Layout
from ..model.elasticity import hooke_mpa, thermal_stress_mpa
from .elements import stiffness_matrix
from .mesh import RegionMesh
from .site import Box, part_at

#: quadrature degree: exact for the stiffness and thermal load of straight-sided P2 elements
#: (gradients are linear), the 4-point rule of the usual 10-node tetrahedron; scikit-fem's default
#: 11-point rule triples the assembly time and leaves the bump averages unchanged to 1e-5
INTORDER = 2

#: how far past a cut face the global model is probed for material, as a fraction of the region
_PROBE_FRACTION = 1e-6
_ON_FACE_FRACTION = 1e-9

DisplacementField = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class RegionSolution:
    """The submodel's displacement (P2 coefficients, mm) and its stress at the quadrature points
    (E, Q, 3, 3) in MPa, with the quadrature weights (E, Q) in mm³."""

    region: RegionMesh
    basis: Basis
    u_mm: np.ndarray
    stress_mpa: np.ndarray
    dx_mm3: np.ndarray
    n_fixed_dofs: int
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def n_dofs(self) -> int:
        return int(self.basis.N)


@LinearForm
def _thermal(v, w):
    # the normal stresses a fully restrained element would carry, Σ_q C_pq α_q ΔT, on ∂_p v_p
    gv = grad(v)
    return sum(w[f"s{p}"] * gv[p, p] for p in range(3))


def element_constants(layout: Layout, region: RegionMesh) -> tuple[np.ndarray, np.ndarray]:
    """Per element: the nine orthotropic constants (E, 9) in MPa and the free thermal strain
    α ΔT (E, 3) along x, y, z."""
    dt = layout.model.load.delta_t_k
    mats = [layout.part_material(p) for p in region.label_part]
    pick = region.label
    return (np.array([m.constants_mpa for m in mats])[pick],
            np.array([m.cte_axes_ppm * 1e-6 * dt for m in mats])[pick])


def cut_facets(layout: Layout, region: RegionMesh, box: Box) -> np.ndarray:
    """Boundary facets lying on a face of the region box with global material beyond them."""
    m = region.mesh
    facets = m.boundary_facets()
    centre = m.p[:, m.facets[:, facets]].mean(axis=1).T          # (F, 3)
    span = max(box[1] - box[0], box[3] - box[2], box[5] - box[4])
    out = np.zeros(len(facets), dtype=bool)
    for axis in range(3):
        for side, bound in ((-1.0, box[2 * axis]), (1.0, box[2 * axis + 1])):
            on = np.abs(centre[:, axis] - bound) < _ON_FACE_FRACTION * span + 1e-12
            beyond = centre[on].copy()
            beyond[:, axis] += side * _PROBE_FRACTION * span
            hit = np.flatnonzero(on)[part_at(layout, beyond) >= 0]
            out[hit] = True
    return facets[out]


def _components(basis: Basis) -> np.ndarray:
    """The displacement component (0, 1, 2) of every dof of a vector P2 basis."""
    comp = np.empty(basis.N, dtype=np.int64)
    for c in range(3):
        comp[basis.nodal_dofs[c]] = c
        comp[basis.edge_dofs[c]] = c
    return comp


def solve_region(layout: Layout, region: RegionMesh, box: Box,
                 boundary_displacement_mm: DisplacementField) -> RegionSolution:
    """Solve the submodel with the cut faces' P2 nodes held at ``boundary_displacement_mm``
    (a function of points (M, 3) in mm returning displacements (M, 3) in mm)."""
    t0 = time.perf_counter()
    basis = Basis(region.mesh, ElementVector(ElementTetP2()), intorder=INTORDER)
    constants, adt = element_constants(layout, region)
    nq = basis.dx.shape[1]
    K = stiffness_matrix(basis, constants)
    s_th = thermal_stress_mpa(constants, adt)
    f = asm(_thermal, basis, **{f"s{p}": np.repeat(s_th[:, p, None], nq, axis=1) for p in range(3)})
    D = basis.get_dofs(cut_facets(layout, region, box)).all()
    if len(D) == 0:
        raise ValueError("the submodel region has no cut face inside the global model's material")
    u = np.zeros(basis.N)
    comp = _components(basis)
    u[D] = boundary_displacement_mm(basis.doflocs[:, D].T)[np.arange(len(D)), comp[D]]
    free = np.setdiff1d(np.arange(basis.N), D)
    K = K.tocsr()
    rhs = f[free] - K[free][:, D] @ u[D]
    t1 = time.perf_counter()
    u[free] = solve_direct(sp.triu(K[free][:, free], format="csr"), rhs)
    t2 = time.perf_counter()
    grad = basis.interpolate(u).grad                             # (3, 3, E, Q): ∂u_i/∂x_j
    eps = 0.5 * (grad + grad.transpose(1, 0, 2, 3))
    eps = np.moveaxis(eps, (0, 1), (2, 3))                      # (E, Q, 3, 3)
    sigma = hooke_mpa(eps, constants[:, None, :], adt[:, None, :])
    t3 = time.perf_counter()
    return RegionSolution(region, basis, u, sigma, basis.dx, len(D),
                          {"assemble": t1 - t0, "solve": t2 - t1, "stress": t3 - t2})
