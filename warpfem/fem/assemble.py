"""Global stiffness and thermal load, assembled at the cost of a scatter.

Elements are grouped into classes of equal material and brick size; a class's element matrix is
a combination of fifteen fixed matrices (:mod:`.element`), formed one row of nodes at a time, so a
graded mesh whose every brick differs costs no more memory than its matrix. The global matrix is
built in 3 x 3 node blocks whose positions follow from the mesh's lattice numbering: each local
node pair of every element lands in a slot known in advance, so assembly is twenty scatter-adds
of whole arrays, whatever the number of classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from ..geometry import Layout
from ..meshing import Mesh
from ..meshing.hex20 import VTK_HALF_STEPS
from ..model.elasticity import thermal_stress_mpa
from .element import (brick_coefficients, brick_mean_gradient, brick_thermal_load, isotropic_coefficients,
                      isotropic_directions, stiffness_basis)
from .kernels import scatter_add
from .parallel import run_all, thread_count

#: brick sizes equal to this many mm are the same class
_SIZE_QUANTUM_MM = 1e-9


@dataclass(frozen=True)
class ElementClasses:
    """Each element's class, and per class its brick size and material constants."""

    of_element: np.ndarray     # (E,) int
    h_mm: np.ndarray           # (C, 3)
    constants_mpa: np.ndarray  # (C, 9) the orthotropic constants of :mod:`warpfem.model.elasticity`
    alpha_dt: np.ndarray       # (C, 3) free thermal strain α ΔT along x, y, z
    element_alpha_dt: np.ndarray | None = None   # (E, 3) when the strain varies brick by brick (a temperature field)

    @property
    def thermal_stress_mpa(self) -> np.ndarray:
        """Normal stresses (C, 3) in MPa a fully restrained brick of each class would carry."""
        return thermal_stress_mpa(self.constants_mpa, self.alpha_dt)

    @property
    def transverse_shear_mpa(self) -> np.ndarray:
        """Each class's shear modulus (C,) in MPa across the thickness, the mean of G13 and G23."""
        return 0.5 * (self.constants_mpa[:, 7] + self.constants_mpa[:, 8])

    def strain_of_elements(self) -> np.ndarray:
        """Each brick's free thermal strain (E, 3) along x, y, z."""
        return self.alpha_dt[self.of_element] if self.element_alpha_dt is None else self.element_alpha_dt


def element_classes(layout: Layout, mesh: Mesh, part_strain: np.ndarray | None = None,
                    part_scale: np.ndarray | None = None, part_constants_mpa: np.ndarray | None = None) -> ElementClasses:
    """Group the mesh's bricks by material and size (and by part, when parts differ in thermal
    strain or stiffness). ``part_strain`` (parts, 3), or (parts,) the same along every axis: each
    part's free thermal strain (default: its material's α ΔT of the load); ``part_scale`` (per
    part): a factor on its moduli (default 1); ``part_constants_mpa`` (parts, 9): each part's
    orthotropic constants in MPa (default its material's)."""
    names = sorted(layout.materials)
    mat_of_part = np.array([names.index(p.material) for p in layout.parts])
    n_parts = len(layout.parts)
    if part_strain is None:
        dt = layout.model.load.delta_t_k
        part_strain = np.array([layout.materials[p.material].cte_axes_ppm * 1e-6 * dt for p in layout.parts])
    part_strain = np.asarray(part_strain, dtype=float).reshape(n_parts, -1) * np.ones(3)
    scale = np.ones(n_parts) if part_scale is None else np.asarray(part_scale, dtype=float)
    if part_constants_mpa is None:
        part_constants_mpa = np.array([layout.materials[p.material].constants_mpa for p in layout.parts])
    part_constants_mpa = np.asarray(part_constants_mpa, dtype=float).reshape(n_parts, 9)
    # parts alike in material, strain and moduli share classes
    _, kind_of_part = np.unique(np.column_stack([mat_of_part, part_strain, scale, part_constants_mpa]), axis=0,
                                return_inverse=True)
    kind = kind_of_part.ravel()[mesh.part]
    h = mesh.element_sizes()
    key = np.column_stack([kind, np.rint(h / _SIZE_QUANTUM_MM).astype(np.int64)])
    _, first, of_element = np.unique(key, axis=0, return_index=True, return_inverse=True)
    part = mesh.part[first]
    return ElementClasses(
        of_element=of_element.ravel(),
        h_mm=h[first],
        constants_mpa=part_constants_mpa[part] * scale[part, None],
        alpha_dt=part_strain[part],
    )


def element_dofs(elements: np.ndarray) -> np.ndarray:
    """Global dofs (E, 60) of each element, dof 3 n + p for node n and component p."""
    return (3 * elements[:, :, None] + np.arange(3)).reshape(len(elements), 60)


def thermal_load(mesh: Mesh, classes: ElementClasses) -> np.ndarray:
    """Global thermal load vector (3N,) in N."""
    k = classes.of_element
    if classes.element_alpha_dt is None:
        fe = brick_thermal_load(classes.h_mm, classes.thermal_stress_mpa)[k]
    else:   # each brick its own strain
        fe = brick_thermal_load(classes.h_mm[k], thermal_stress_mpa(classes.constants_mpa[k], classes.element_alpha_dt))
    return np.bincount(element_dofs(mesh.elements).ravel(), fe.ravel(), minlength=mesh.n_dofs)


@dataclass(frozen=True)
class BrickMatrices:
    """Element matrices of brick classes, kept as their weights on a few fixed matrices and formed
    only when asked for: the fifteen of :func:`~.element.stiffness_basis`, or, when every material
    is isotropic, the twelve combinations of :func:`~.element.isotropic_directions`."""

    coefficients: np.ndarray   # (C, r)
    basis_blocks: np.ndarray   # (20 a, r, 20 b * 3 p * 3 q)

    def __len__(self) -> int:
        return len(self.coefficients)

    def blocks(self, a: int, kinds: np.ndarray, out: np.ndarray) -> None:
        """The 3 x 3 blocks of local node a against each local node b, into ``out`` (n, 180)."""
        np.matmul(self.coefficients[kinds], self.basis_blocks[a], out=out)

    def dense(self, kinds: np.ndarray) -> np.ndarray:
        """The whole matrices (n, 60, 60) of the classes ``kinds``."""
        B = self.basis_blocks.reshape(20, -1, 20, 3, 3).transpose(1, 0, 3, 2, 4).reshape(-1, 3600)
        return (self.coefficients[kinds] @ B).reshape(-1, 60, 60)


@dataclass(frozen=True)
class DenseMatrices:
    """Element matrices held whole, (C, 60, 60): those of a multigrid's coarse levels."""

    Ke: np.ndarray

    def __len__(self) -> int:
        return len(self.Ke)

    def blocks(self, a: int, kinds: np.ndarray, out: np.ndarray) -> None:
        out.reshape(-1, 20, 3, 3)[:] = self.Ke[kinds, 3 * a:3 * a + 3, :].reshape(-1, 3, 20, 3).transpose(0, 2, 1, 3)

    def dense(self, kinds: np.ndarray) -> np.ndarray:
        return self.Ke[kinds]


ElementMatrices = BrickMatrices | DenseMatrices


def _as_blocks(basis: np.ndarray) -> np.ndarray:
    """Basis matrices (r, 60, 60) as block rows: (20 a, r, 20 b * 3 p * 3 q)."""
    B = basis.reshape(len(basis), 20, 3, 20, 3)
    return np.ascontiguousarray(B.transpose(1, 0, 3, 2, 4).reshape(20, len(basis), 180))


def _isotropic(constants_mpa: np.ndarray) -> bool:
    """Whether every class's nine constants are those of an isotropic material (to round-off)."""
    c = constants_mpa
    off = np.column_stack([np.ptp(c[:, 0:3], axis=1), np.ptp(c[:, 3:6], axis=1), np.ptp(c[:, 6:9], axis=1),
                           np.abs(c[:, 0] - c[:, 3] - 2 * c[:, 6])])    # C_pp alike, C_pq alike, G alike, C = λ + 2μ
    return bool(np.all(off <= 1e-12 * np.abs(c).max(axis=1, keepdims=True)))


#: the 125 half-step offsets a node can have to a node of an element it shares, (125, 3)
OFFSETS = np.stack(np.unravel_index(np.arange(125), (5, 5, 5)), axis=1) - 2


def _offset_code(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Code in [0, 125) of local node b's half-step offset from local node a; the reverse
    offset has code 124 - code."""
    d = VTK_HALF_STEPS[b] - VTK_HALF_STEPS[a] + 2
    return d @ np.array([25, 5, 1])


#: CODE[a, b]: the offset code of local node b seen from local node a
CODE = _offset_code(np.arange(20)[:, None], np.arange(20)[None, :])

#: element-node pairs summed per pass of the assembly (bounds its temporaries to ~100 MB)
_PAIRS_PER_PASS = 1_000_000


@dataclass(frozen=True)
class Pattern:
    """Where every block of a lattice mesh's stiffness lives (3 x 3 blocks; block rows in node
    order, or in the order ``node_of_row`` gives).

    A node's row holds the lattice offsets its elements reach; nodes whose elements sit at the
    same local positions share a row shape, and a package mesh has few such shapes, so each
    shape is worked out once.
    """

    indptr: np.ndarray         # (N + 1,)
    indices: np.ndarray        # (nnzb,)
    shape_of_node: np.ndarray  # (N,)
    rank: np.ndarray           # (S, 125) position of each offset within a row of each shape
    node_of_row: np.ndarray | None = None   # (N,) the node of each block row; None: node order

    def slot(self, a: int, row: np.ndarray) -> np.ndarray:
        """Block slots (n, 20) of the pairs (a, b) of elements whose local node a is the node of
        block row ``row``."""
        node = row if self.node_of_row is None else self.node_of_row[row]
        return self.indptr[row][:, None] + self.rank[self.shape_of_node[node][:, None], CODE[a][None, :]]

    def in_rows(self, rows: np.ndarray) -> "Pattern":
        """The same pattern with block row r holding node ``rows[r]``'s row (columns unchanged)."""
        length = np.diff(self.indptr)[rows]
        return Pattern(np.r_[0, np.cumsum(length)], self.indices[concat_ranges(self.indptr[rows], length)],
                       self.shape_of_node, self.rank, np.asarray(rows))


def pattern(elements: np.ndarray, node_ijk: np.ndarray) -> Pattern:
    """The block pattern of the stiffness of a lattice-numbered mesh (x, then y, then z fastest)."""
    n = len(node_ijk)
    held = np.zeros(n, dtype=np.int64)
    for a in range(20):
        held[elements[:, a]] |= 1 << a
    masks, shape_of_node = np.unique(held, return_inverse=True)
    shape_of_node = shape_of_node.ravel()
    present = np.zeros((len(masks), 125), dtype=bool)
    for a in range(20):
        present[np.ix_((masks >> a) & 1 == 1, CODE[a])] = True
    span = node_ijk.max(axis=0) + 1
    step = np.array([span[1] * span[2], span[2], 1])
    order = np.argsort(OFFSETS @ step, kind="stable")   # offsets in node order: rows sorted by column
    rank = np.full((len(masks), 125), -1, dtype=np.int64)
    rank[:, order] = np.cumsum(present[:, order], axis=1) - 1
    length = present.sum(axis=1)
    indptr = np.r_[0, np.cumsum(length[shape_of_node])]
    key = node_ijk @ step
    lattice = np.full(span.prod(), -1, dtype=np.int64)
    lattice[key] = np.arange(n)
    indices = np.empty(indptr[-1], dtype=np.int64)
    by_shape = np.argsort(shape_of_node, kind="stable")
    for shape, nodes in enumerate(np.split(by_shape, np.cumsum(np.bincount(shape_of_node))[:-1])):
        codes = order[present[shape, order]]                      # this shape's offsets, in node order
        at = indptr[nodes][:, None] + np.arange(len(codes))[None, :]
        indices[at] = lattice[key[nodes][:, None] + (OFFSETS @ step)[codes][None, :]]
    return Pattern(indptr, indices, shape_of_node, rank)


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


def _sum_blocks(data: np.ndarray, slots_of, matrices: ElementMatrices, holders: np.ndarray,
                row_start: np.ndarray | None = None) -> None:
    """Add into ``data`` (nnzb, 9) the element blocks of each holder row: row r has class
    ``holders[r, a]`` at local position a (-1: none), and ``slots_of(a, r)`` gives the slots (n, 20)
    of its pairs (a, b). Rows are taken a slice at a time, into one buffer per thread made once: on
    a fresh large array the first touch of each page costs more than the arithmetic.

    ``row_start`` (each row's first slot, and one past the last; rows in the matrix's order): each
    slice's rows are summed in double precision apart and then stored in ``data``'s precision.
    """
    per_pass = max(1, min(len(holders), _PAIRS_PER_PASS // 400))

    def passes(firsts: range) -> None:
        values = np.empty((per_pass, 180))
        for r0 in firsts:
            r1 = min(r0 + per_pass, len(holders))
            if row_start is None:
                into, offset = data, 0
            else:
                offset = row_start[r0]
                into = np.zeros((row_start[r1] - offset, 9))
            for a in range(20):
                r = r0 + np.flatnonzero(holders[r0:r1, a] >= 0)
                out = values[:len(r)]
                matrices.blocks(a, holders[r, a], out)
                scatter_add(into, slots_of(a, r).ravel() - offset, out.reshape(-1, 9))
            if row_start is not None:
                data[offset:row_start[r1]] = into

    # the passes fill disjoint rows, each summed in the same order whoever takes it: they are
    # dealt out to the solver's threads (every thread-th pass) with the same result
    firsts = range(0, len(holders), per_pass)
    parts = min(thread_count(), len(firsts))
    run_all([lambda i=i: passes(firsts[i::parts]) for i in range(parts)])


def stiffness_bsr(elements: np.ndarray, node_ijk: np.ndarray, of_element: np.ndarray, matrices: ElementMatrices,
                  row_order: np.ndarray | None = None, dtype=np.float64) -> sp.bsr_matrix:
    """The whole stiffness (3N x 3N, N/mm) in 3 x 3 node blocks, from the element matrices of
    ``matrices`` (element e has class ``of_element[e]``); block rows in ``row_order`` (default:
    node order). Summed in double precision, stored in ``dtype``.

    A node's row depends only on which class of element holds it at each of the 20 local
    positions. A mesh of few brick sizes has few such neighbourhoods however many nodes it has:
    each is summed once and copied to every node that has it. A graded mesh, whose nodes nearly
    all differ, is summed element by element straight into the matrix.
    """
    n = len(node_ijk)
    by_node = pattern(elements, node_ijk)
    # built in its final row order: a permuted copy would cost a second matrix of memory
    pat = by_node if row_order is None else by_node.in_rows(row_order)
    holder = np.full((n, 20), -1, dtype=np.int64)
    for a in range(20):
        holder[elements[:, a], a] = of_element
    kinds, of_node = _unique_rows(holder)
    if len(kinds) < n // 4:
        kind_node = np.empty(len(kinds), dtype=np.int64)
        kind_node[of_node] = np.arange(n)                    # a node of each kind
        length = np.diff(by_node.indptr)[kind_node]
        start = np.r_[0, np.cumsum(length)]
        rows = np.zeros((start[-1], 9))
        _sum_blocks(rows, lambda a, r: by_node.slot(a, kind_node[r]) - by_node.indptr[kind_node[r]][:, None]
                    + start[r][:, None], matrices, kinds)
        node = np.arange(n) if row_order is None else row_order
        data = rows.astype(dtype, copy=False)[concat_ranges(start[of_node[node]], np.diff(pat.indptr))]
    else:
        data = np.zeros((len(pat.indices), 9), dtype=dtype)
        # rows summed in the matrix's order, so that each pass fills one contiguous band
        _sum_blocks(data, lambda a, r: pat.slot(a, r), matrices, holder if row_order is None else holder[row_order],
                    None if data.dtype == np.float64 else pat.indptr)
    return sp.bsr_matrix((data.reshape(-1, 3, 3), pat.indices, pat.indptr), shape=(3 * n, 3 * n))


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
    is_held = fixed_n.any(axis=1)
    if is_held.any():
        node_of_row = np.arange(len(A.indptr) - 1) if row_order is None else row_order
        held_rows = np.flatnonzero(is_held[node_of_row])
        touched = is_held[A.indices]   # the held nodes' columns, then their rows
        touched[concat_ranges(A.indptr[held_rows], np.diff(A.indptr)[held_rows])] = True
        touched = np.flatnonzero(touched)
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


def element_matrices(classes: ElementClasses) -> BrickMatrices:
    """Stiffness of each element class, formed on demand (N/mm)."""
    c = classes.constants_mpa
    if _isotropic(c):   # λ and μ per size pair: twelve matrices to sum, not fifteen
        return BrickMatrices(isotropic_coefficients(classes.h_mm, c[:, 3], c[:, 6]), _basis_blocks(True))
    return BrickMatrices(brick_coefficients(classes.h_mm, c), _basis_blocks(False))


@lru_cache(maxsize=2)
def _basis_blocks(isotropic: bool) -> np.ndarray:
    """The block rows of the fifteen basis matrices, or of the twelve isotropic combinations."""
    basis = stiffness_basis()
    return _as_blocks(np.tensordot(isotropic_directions(), basis, axes=1) if isotropic else basis)


def stiffness(mesh: Mesh, classes: ElementClasses) -> sp.bsr_matrix:
    """The mesh's whole stiffness matrix, unconstrained (3N x 3N, N/mm)."""
    return stiffness_bsr(mesh.elements, mesh.node_ijk, classes.of_element, element_matrices(classes))


def element_work(mesh: Mesh, classes: ElementClasses, u_mm: np.ndarray, w_mm: np.ndarray) -> np.ndarray:
    """Each element's residual of the displacement ``u_mm`` (N, 3) tested with ``w_mm`` (N, 3), or
    with several at once (k, N, 3): ``w_e · (f_e - K_e u_e)`` in N·mm, f the thermal load; (E,) or
    (k, E). Summed over the mesh it is the work of the out-of-balance forces of u on w; element by
    element it says where u is out of balance. The residual is formed once for all the w."""
    fe = brick_thermal_load(classes.h_mm, classes.thermal_stress_mpa)
    matrices = element_matrices(classes)
    w = np.asarray(w_mm)[None] if np.ndim(w_mm) == 2 else np.asarray(w_mm)
    out = np.empty((len(w), mesh.n_elements))
    step = max(1, _PAIRS_PER_PASS // 400)
    for e0 in range(0, mesh.n_elements, step):
        e = slice(e0, e0 + step)
        kinds = classes.of_element[e]
        ue = u_mm[mesh.elements[e]].reshape(-1, 60)
        we = w[:, mesh.elements[e]].reshape(len(w), -1, 60)
        Ku = np.matmul(matrices.dense(kinds), ue[:, :, None])[:, :, 0]
        out[:, e] = np.einsum("kei,ei->ke", we, fe[kinds] - Ku)
    return out[0] if np.ndim(w_mm) == 2 else out


def mean_strain(classes: ElementClasses, ue_mm: np.ndarray, which=slice(None)) -> np.ndarray:
    """Volume-averaged strain tensors (E, 3, 3) of the elements ``which`` from their nodal
    displacements ``ue_mm`` (E, 20, 3)."""
    grad_op = brick_mean_gradient(classes.h_mm)                # (C, 3, 20)
    grad = np.einsum("eap,eqa->epq", ue_mm, grad_op[classes.of_element[which]])  # ∂u_p/∂x_q
    return 0.5 * (grad + grad.transpose(0, 2, 1))


def element_forces(mesh: Mesh, classes: ElementClasses, u_mm: np.ndarray, which: np.ndarray) -> np.ndarray:
    """The nodal forces (3N,) in N with which the elements ``which`` (indices) resist the
    displacement ``u_mm`` (N, 3): the sum of their K_e u_e."""
    matrices = element_matrices(classes)
    out = np.zeros(mesh.n_dofs)
    step = max(1, _PAIRS_PER_PASS // 400)
    for e0 in range(0, len(which), step):
        e = which[e0:e0 + step]
        ue = u_mm[mesh.elements[e]].reshape(-1, 60)
        Ku = np.matmul(matrices.dense(classes.of_element[e]), ue[:, :, None])[:, :, 0]
        out += np.bincount(element_dofs(mesh.elements[e]).ravel(), Ku.ravel(), minlength=mesh.n_dofs)
    return out
