"""Global stiffness and thermal load, assembled at the cost of a scatter.

Elements are grouped into classes of equal material and brick size; each class's element matrix
is computed once (:mod:`.element`). The global matrix is built in 3 x 3 node blocks whose
positions follow from the mesh's lattice numbering, and each block is summed by one scatter-add
per component: the cost of assembly is that of reading every element's node pairs once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..geometry import Layout
from ..meshing import Mesh
from ..meshing.hex20 import VTK_HALF_STEPS
from .element import brick_stiffness, brick_thermal_load

#: brick sizes equal to this many mm are the same class
_SIZE_QUANTUM_MM = 1e-9


@dataclass(frozen=True)
class ElementClasses:
    """Each element's class, and per class its brick size and material constants."""

    of_element: np.ndarray   # (E,) int
    h_mm: np.ndarray         # (C, 3)
    lam_mpa: np.ndarray      # (C,)
    mu_mpa: np.ndarray       # (C,)
    alpha_dt: np.ndarray     # (C,) free thermal strain α ΔT

    @property
    def thermal_stress_mpa(self) -> np.ndarray:
        return (3 * self.lam_mpa + 2 * self.mu_mpa) * self.alpha_dt


def element_classes(layout: Layout, mesh: Mesh) -> ElementClasses:
    """Group the mesh's bricks by material and size."""
    names = sorted(layout.materials)
    mat_of_part = np.array([names.index(p.material) for p in layout.parts])
    mat = mat_of_part[mesh.part]
    h = mesh.element_sizes()
    key = np.column_stack([mat, np.rint(h / _SIZE_QUANTUM_MM).astype(np.int64)])
    _, first, of_element = np.unique(key, axis=0, return_index=True, return_inverse=True)
    dt = layout.model.load.delta_t_k
    props = [layout.materials[names[m]] for m in mat[first]]
    lame = np.array([m.lame_mpa for m in props]).reshape(-1, 2)
    return ElementClasses(
        of_element=of_element.ravel(),
        h_mm=h[first],
        lam_mpa=lame[:, 0],
        mu_mpa=lame[:, 1],
        alpha_dt=np.array([m.cte_ppm * 1e-6 * dt for m in props]),
    )


def element_dofs(elements: np.ndarray) -> np.ndarray:
    """Global dofs (E, 60) of each element, dof 3 n + p for node n and component p."""
    return (3 * elements[:, :, None] + np.arange(3)).reshape(len(elements), 60)


def thermal_load(mesh: Mesh, classes: ElementClasses) -> np.ndarray:
    """Global thermal load vector (3N,) in N."""
    fe = brick_thermal_load(classes.h_mm, classes.thermal_stress_mpa)[classes.of_element]
    return np.bincount(element_dofs(mesh.elements).ravel(), fe.ravel(), minlength=mesh.n_dofs)


def _slot_ranks(node_ijk: np.ndarray) -> np.ndarray:
    """For each local pair (a, b), the rank of b's half-step offset from a among the 125 offsets
    sorted as node numbers sort them: (20, 20)."""
    span = node_ijk.max(axis=0) + 1
    offsets = np.stack(np.unravel_index(np.arange(125), (5, 5, 5)), axis=1) - 2
    rank = np.empty(125, dtype=np.int64)
    rank[np.argsort(offsets @ np.array([span[1] * span[2], span[2], 1]), kind="stable")] = np.arange(125)
    d = VTK_HALF_STEPS[None, :, :] - VTK_HALF_STEPS[:, None, :] + 2
    return rank[d @ np.array([25, 5, 1])]


def stiffness_bsr(elements: np.ndarray, node_ijk: np.ndarray, of_element: np.ndarray,
                  Ke: np.ndarray) -> sp.bsr_matrix:
    """The whole stiffness (3N x 3N, N/mm) in 3 x 3 node blocks, from element matrices
    ``Ke[of_element[e]]`` (C, 60, 60).

    No sort is needed: nodes are numbered in lattice order (x, then y, then z fastest), so the
    neighbours of a node sorted by number are sorted by lattice offset, and the slot of a pair in
    its block row is the count of the node's neighbours at smaller offsets. For one pair of local
    nodes (a, b) every element adds to a different block, so each of the 400 pairs is one
    vectorised add over all elements.
    """
    n = len(node_ijk)
    slot = _slot_ranks(node_ijk)
    present = np.zeros((n, 125), dtype=bool)
    for a in range(20):
        present[elements[:, a][:, None], slot[a][None, :]] = True
    before = np.cumsum(present, axis=1, dtype=np.int32) - 1
    indptr = np.r_[0, np.cumsum(present.sum(axis=1))]
    del present
    indices = np.empty(indptr[-1], dtype=np.int64)
    data = np.zeros((indptr[-1], 9))
    # [c, a, b, 3 p + q]: the 3 x 3 block of local nodes a, b, flat, so each add moves whole rows
    K = np.ascontiguousarray(Ke.reshape(-1, 20, 3, 20, 3).transpose(0, 1, 3, 2, 4)).reshape(-1, 20, 20, 9)
    for a in range(20):
        rows = elements[:, a]
        start = indptr[rows]
        for b in range(20):
            pos = start + before[rows, slot[a, b]]
            indices[pos] = elements[:, b]
            data[pos] += K[:, a, b][of_element]
    return sp.bsr_matrix((data.reshape(-1, 3, 3), indices, indptr), shape=(3 * n, 3 * n))


def block_rows(A: sp.bsr_matrix) -> np.ndarray:
    """The block row of every stored block of a block-sparse matrix."""
    return np.repeat(np.arange(len(A.indptr) - 1), np.diff(A.indptr))


def constrain(A: sp.bsr_matrix, fixed: np.ndarray) -> sp.bsr_matrix:
    """A copy of A whose ``fixed`` dofs (bool, (3N,)) keep only their diagonal: the matrix stays
    symmetric positive definite and those dofs solve to zero for a zero right-hand side."""
    fixed_n = fixed.reshape(-1, 3)
    data = A.data.copy()
    if fixed_n.any():
        rows = block_rows(A)
        touched = np.flatnonzero(fixed_n[rows].any(axis=1) | fixed_n[A.indices].any(axis=1))
        r, c = rows[touched], A.indices[touched]
        diag = data[touched][:, [0, 1, 2], [0, 1, 2]]
        data[touched] *= (~fixed_n[r])[:, :, None] * (~fixed_n[c])[:, None, :]
        on_diag = r == c
        for p in range(3):
            keep = on_diag & fixed_n[r, p]
            data[touched[keep], p, p] = diag[keep, p]
    return sp.bsr_matrix((data, A.indices.copy(), A.indptr.copy()), shape=A.shape)


def upper_csr(A: sp.bsr_matrix) -> sp.csr_matrix:
    """The upper triangle of a symmetric block matrix as CSR, the input of a symmetric solver."""
    rows = block_rows(A)
    keep = A.indices >= rows
    data = A.data[keep]
    on_diag = (A.indices == rows)[keep]
    data[on_diag] = np.triu(data[on_diag])
    indptr = np.r_[0, np.cumsum(np.bincount(rows[keep], minlength=len(A.indptr) - 1))]
    U = sp.bsr_matrix((data, A.indices[keep], indptr), shape=A.shape).tocsr()
    U.eliminate_zeros()
    return U


def element_matrices(classes: ElementClasses) -> np.ndarray:
    """Stiffness of each element class (C, 60, 60), N/mm."""
    return brick_stiffness(classes.h_mm, classes.lam_mpa, classes.mu_mpa)


def stiffness(mesh: Mesh, classes: ElementClasses) -> sp.bsr_matrix:
    """The mesh's whole stiffness matrix, unconstrained (3N x 3N, N/mm)."""
    return stiffness_bsr(mesh.elements, mesh.node_ijk, classes.of_element, element_matrices(classes))
