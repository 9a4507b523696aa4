"""Global stiffness and thermal load, assembled at the cost of a scatter.

Elements are grouped into classes of equal material and brick size; each class's element matrix
is computed once (:mod:`.element`). The global matrix is built on node pairs: only the upper
triangle of the 3 x 3 node blocks is kept (the matrix is symmetric), duplicates are summed with
one sort, and the result is the upper-triangular CSR matrix a symmetric solver takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..geometry import Layout
from ..meshing import Mesh
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


def stiffness_upper(mesh: Mesh, classes: ElementClasses, fixed: np.ndarray) -> sp.csr_matrix:
    """Upper triangle of the global stiffness (3N x 3N, N/mm) as CSR.

    Rows and columns of the ``fixed`` dofs (bool, (3N,)) are replaced by their diagonal alone,
    so the matrix stays symmetric positive definite and the fixed dofs solve to zero.
    """
    Kc = brick_stiffness(classes.h_mm, classes.lam_mpa, classes.mu_mpa).reshape(-1, 20, 3, 20, 3)
    conn = mesh.elements
    n = mesh.n_nodes
    a, b = np.triu_indices(20, k=0)
    a, b = np.r_[a, b[a != b]], np.r_[b, a[a != b]]  # every ordered local pair, diagonal once
    na, nb = conn[:, a], conn[:, b]
    keep = na <= nb
    e, loc = np.nonzero(keep)
    rows, cols = na[keep], nb[keep]
    del na, nb, keep
    key = rows * n + cols
    order = np.argsort(key, kind="stable")
    key = key[order]
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    pair_row, pair_col = rows[order][start], cols[order][start]
    cls = classes.of_element[e[order]]
    la, lb = a[loc[order]], b[loc[order]]
    del e, loc, rows, cols, key
    blocks = np.empty((len(start), 3, 3))
    for p in range(3):
        for q in range(3):
            blocks[:, p, q] = np.add.reduceat(Kc[cls, la, p, lb, q], start)
    diag = pair_row == pair_col
    blocks[diag] = np.triu(blocks[diag])  # the lower half of diagonal blocks is not stored
    fixed_n = fixed.reshape(-1, 3)
    if fixed_n.any():
        keep_diag = blocks[diag][:, [0, 1, 2], [0, 1, 2]].copy()
        blocks *= (~fixed_n[pair_row])[:, :, None] * (~fixed_n[pair_col])[:, None, :]
        d = np.flatnonzero(diag)
        for p in range(3):
            blocks[d, p, p] = np.where(fixed_n[pair_row[d], p], keep_diag[:, p], blocks[d, p, p])
    indptr = np.searchsorted(pair_row, np.arange(n + 1))
    K = sp.bsr_matrix((blocks, pair_col, indptr), shape=(3 * n, 3 * n)).tocsr()
    K.eliminate_zeros()
    return K
