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


#: the 125 half-step offsets a node can have to a node of an element it shares, (125, 3)
OFFSETS = np.stack(np.unravel_index(np.arange(125), (5, 5, 5)), axis=1) - 2


def _offset_code(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Code in [0, 125) of local node b's half-step offset from local node a."""
    d = VTK_HALF_STEPS[b] - VTK_HALF_STEPS[a] + 2
    return d @ np.array([25, 5, 1])


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of an integer array and each row's index among them.

    Rows are hashed to one integer and the grouping is then checked row by row, falling back to
    an exact sort of whole rows in the (never yet seen) case of a collision.
    """
    weights = np.random.default_rng(20261123).integers(1, 2**62, size=rows.shape[1])
    _, first, inverse = np.unique(rows @ weights, return_index=True, return_inverse=True)
    if not np.array_equal(rows[first][inverse], rows):
        return np.unique(rows, axis=0, return_inverse=True)
    return rows[first], inverse.ravel()


def neighbourhoods(elements: np.ndarray, n_nodes: int, of_element: np.ndarray,
                   Ke: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every node's block row, computed once per kind of neighbourhood.

    A node's row of the stiffness depends only on which kind of element holds it at each of the
    20 local positions; a structured package mesh has few such neighbourhoods however many
    nodes it has. Returns each node's neighbourhood (N,), and per neighbourhood the blocks at
    each of the 125 offsets (U, 125, 9) and which offsets hold a neighbour (U, 125).
    """
    holder = np.full((n_nodes, 20), -1, dtype=np.int64)
    for a in range(20):
        holder[elements[:, a], a] = of_element
    kinds, of_node = _unique_rows(holder)
    K = np.ascontiguousarray(Ke.reshape(-1, 20, 3, 20, 3).transpose(0, 1, 3, 2, 4)).reshape(-1, 20, 20, 9)
    blocks = np.zeros((len(kinds), 125, 9))
    present = np.zeros((len(kinds), 125), dtype=bool)
    code = _offset_code(np.arange(20)[:, None], np.arange(20)[None, :])
    for a in range(20):
        has = np.flatnonzero(kinds[:, a] >= 0)
        for b in range(20):
            blocks[has, code[a, b]] += K[kinds[has, a], a, b]
            present[has, code[a, b]] = True
    return np.asarray(of_node).ravel(), blocks, present


def stiffness_bsr(elements: np.ndarray, node_ijk: np.ndarray, of_element: np.ndarray, Ke: np.ndarray,
                  row_order: np.ndarray | None = None) -> sp.bsr_matrix:
    """The whole stiffness (3N x 3N, N/mm) in 3 x 3 node blocks, from element matrices
    ``Ke[of_element[e]]`` (C, 60, 60); block rows in ``row_order`` (default: node order).

    Rows are copied from :func:`neighbourhoods`; a neighbour's number is read off the lattice.
    Within a row the blocks are sorted by lattice offset, which is node order when nodes are
    numbered in lattice order (x, then y, then z fastest), as the mesher numbers them.
    """
    n = len(node_ijk)
    rows = np.arange(n) if row_order is None else row_order
    of_node, blocks, present = neighbourhoods(elements, n, of_element, Ke)
    span = node_ijk.max(axis=0) + 1
    step = np.array([span[1] * span[2], span[2], 1])
    key = node_ijk @ step
    lattice = np.full(span.prod(), -1, dtype=np.int64)
    lattice[key] = np.arange(n)
    order = np.argsort(OFFSETS @ step, kind="stable")             # offsets in node order
    listed = np.argsort(~present[:, order], axis=1, kind="stable")  # present ones first
    listed = order[listed]
    length = present.sum(axis=1)
    row_kind = of_node[rows]
    indptr = np.r_[0, np.cumsum(length[row_kind])]
    row_of_block = np.repeat(np.arange(n), length[row_kind])
    nth = np.arange(indptr[-1]) - indptr[row_of_block]
    kind_of_block = row_kind[row_of_block]
    offset = listed[kind_of_block, nth]
    del nth
    indices = lattice[key[rows[row_of_block]] + (OFFSETS @ step)[offset]]
    del row_of_block
    data = blocks[kind_of_block, offset].reshape(-1, 3, 3)
    return sp.bsr_matrix((data, indices, indptr), shape=(3 * n, 3 * n))


def block_rows(A: sp.bsr_matrix) -> np.ndarray:
    """The block row of every stored block of a block-sparse matrix."""
    return np.repeat(np.arange(len(A.indptr) - 1), np.diff(A.indptr))


def constrain(A: sp.bsr_matrix, fixed: np.ndarray, row_order: np.ndarray | None = None,
              in_place: bool = False) -> sp.bsr_matrix:
    """A (or a copy) whose ``fixed`` dofs (bool, (3N,)) keep only their diagonal: the matrix stays
    symmetric positive definite and those dofs solve to zero for a zero right-hand side.
    ``row_order`` names the node of each block row when rows are not in node order."""
    fixed_n = fixed.reshape(-1, 3)
    data = A.data if in_place else A.data.copy()
    held = np.flatnonzero(fixed_n.any(axis=1))
    if len(held):
        node_of_row = np.arange(len(A.indptr) - 1) if row_order is None else row_order
        held_rows = np.flatnonzero(np.isin(node_of_row, held))
        touched = np.union1d(concat_ranges(A.indptr[held_rows], np.diff(A.indptr)[held_rows]),
                             np.flatnonzero(np.isin(A.indices, held)))
        r = node_of_row[np.searchsorted(A.indptr, touched, side="right") - 1]
        c = A.indices[touched]
        diag = data[touched][:, [0, 1, 2], [0, 1, 2]]
        data[touched] *= (~fixed_n[r])[:, :, None] * (~fixed_n[c])[:, None, :]
        on_diag = r == c
        for p in range(3):
            keep = on_diag & fixed_n[r, p]
            data[touched[keep], p, p] = diag[keep, p]
    if in_place:
        return A
    return sp.bsr_matrix((data, A.indices.copy(), A.indptr.copy()), shape=A.shape)


def concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + l)`` for every (s, l)."""
    offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    return offsets + np.arange(lengths.sum())


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
