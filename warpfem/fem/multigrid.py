"""Conjugate gradients preconditioned by a multigrid made for thin layered packages.

A package is a stack of thin slabs, stiff and soft, bonded face to face. Two things make
off-the-shelf algebraic multigrid slow on it: the couplings through the thickness are orders of
magnitude stronger than those in the plane, and the layers differ by orders of magnitude in
stiffness. This multigrid answers both with the mesh's own structure:

- **Smoother: whole columns.** Every vertical line of nodes (all layers at one x-y position) is
  relaxed together by an exact (banded Cholesky) solve, so through-thickness coupling and soft
  interlayers never slow it down. Columns are visited in nine colours, forward then backward, so
  that no two columns of one colour share an element (a symmetric block Gauss-Seidel).
- **Coarse spaces: the same bricks, twice as wide.** Each coarser level merges pairs of element
  intervals in x and in y, a graded mesh's short intervals first, and keeps the layers (the
  coarse levels must resolve what the column smoother leaves beside a graded corner: errors
  smooth across the short intervals and oscillating along the long ones). Their 20-node
  functions are exact combinations of the finer ones (the serendipity space is closed under the
  axis-aligned maps between a brick and its halves), so the coarse spaces keep plate bending
  that a trilinear coarse space locks.
  Coarse matrices are Galerkin products, formed element by element and shared between elements
  of the same kind, as the fine assembly is.

The levels work in single precision. Conjugate gradients works in double on the exact operator,
which is not assembled: the finest level's stiffness applied element by element from its element
classes' matrices (:class:`.operator.ElementOperator`).

A refinement step's mesh contains the mesh of the step before it, so that step's hierarchy is a
valid set of coarse levels for it (:class:`Nested`): the step assembles only its finest level.
A level's smoother needs only its own grid, so a fresh hierarchy builds each level's on a thread
beside the one that coarsens on down.

Rigid-body motion is left free on every level but the coarsest (the thermal load is
self-equilibrated, so conjugate gradients works in the complement of the rigid modes); symmetry
planes are imposed on every level alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.linalg.lapack import dpbtrf
from threadpoolctl import threadpool_limits

from ..meshing import Mesh
from ..meshing.hex20 import VTK_HALF_STEPS
from .assemble import DenseMatrices, ElementMatrices, _unique_rows, concat_ranges, constrain, stiffness_bsr
from .element import shape_values
from .kernels import (band_solve_add, cg_direction, cg_dots, cg_step, column_entries, rows_product,
                      split_by_colour)
from .operator import ElementOperator
from .parallel import beside, in_fixed_parts, run_all, split_points, summed_in_fixed_parts, usable_cores

#: precision of the preconditioner's arithmetic
WORK_DTYPE = np.float32


@dataclass(frozen=True)
class Grid:
    """One level: a structured brick mesh and the stiffness of each kind of element on it."""

    elements: np.ndarray    # (E, 20) node ids, VTK order
    ijk: np.ndarray         # (E, 3) element position in the grid of intervals
    IJK: np.ndarray         # (N, 3) node position in half steps; nodes sorted by (I, J, K)
    axes: tuple[np.ndarray, np.ndarray, np.ndarray]  # interval boundaries, mm
    of_element: np.ndarray  # (E,) kind of each element
    matrices: ElementMatrices  # stiffness of each kind, N/mm

    @property
    def n_nodes(self) -> int:
        return len(self.IJK)


def plane_fixed(mesh: Mesh, quarter: bool) -> np.ndarray:
    """Dofs held by a quarter model's symmetry planes on the mesh: (3N,) bool."""
    return _plane_fixed(mesh.node_ijk, quarter)


def fine_grid(mesh: Mesh, of_element: np.ndarray, matrices: ElementMatrices) -> Grid:
    """The finest level: the mesh itself, with its element classes' matrices."""
    return Grid(mesh.elements, mesh.element_ijk, mesh.node_ijk, mesh.axes, of_element, matrices)


#: an axis whose longest interval is at least this many times its shortest is coarsened where it
#: is short first; a less graded one merges every pair. The first meshes of the 40 mm FCBGAs with
#: a lid, a ring or a plate, graded 11 : 1, took 21-27 conjugate-gradient iterations with every
#: pair merged and 15-17 with the short intervals first (studies/benchmarks/graded_coarsening.md); the
#: moulded package's, 5 : 1, took 16 and 13, but its extra level cost more than it saved (0.2 s
#: per solve, 1 s of set-up)
GRADED_RATIO = 8.0

#: a coarsening that would merge fewer than this share of an axis's intervals merges every pair
FEWEST_MERGED = 0.15


def _merged(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The next coarser boundaries along an axis with boundaries ``a``: each interval's parent
    (an index into them) and its place in it (0 or 1).

    On a graded axis (``GRADED_RATIO``) neighbouring intervals merge, left to right, only while
    their sum is at most the axis's longest interval, so the axis coarsens where its elements are
    short and keeps its long ones until the short have caught up. Merging every pair instead
    keeps a graded mesh's aspect ratios on every level: beside a corner graded to 0.09 mm in x
    under 0.83 mm in y, errors smooth in x and oscillating in y are damped by no level (the
    column smoother couples the columns along x weakly, and the coarse levels are as coarse in
    y). On the copper-plate FCBGA's first mesh that left the preconditioned operator's smallest
    eigenvalue at 0.019 and took 26 iterations to rtol 1e-5; coarsening the short intervals first
    raised it to 0.058 and took 16."""
    h = np.diff(a)
    n = len(h)

    def pairs(limit: float) -> tuple[np.ndarray, np.ndarray]:
        parent, place = np.empty(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        i = c = 0
        while i < n:
            parent[i] = c
            if i + 1 < n and h[i] + h[i + 1] <= limit * (1 + 1e-9):
                parent[i + 1], place[i + 1] = c, 1
                i += 1
            i += 1
            c += 1
        return parent, place

    parent, place = pairs(h.max() if h.max() >= GRADED_RATIO * h.min() else np.inf)
    if parent[-1] + 1 > (1 - FEWEST_MERGED) * n:
        parent, place = pairs(np.inf)
    starts = np.r_[0, np.flatnonzero(np.diff(parent)) + 1, n]
    return a[starts], parent, place


def _child_positions(g: Grid, coarse_axes, parent_ijk: np.ndarray) -> np.ndarray:
    """Each fine element's interval fractions [lo, hi] inside its parent, in x and y: (E, 2, 2)."""
    frac = np.empty((len(g.ijk), 2, 2))
    for d in range(2):
        a, c = g.axes[d], coarse_axes[d]
        i, ci = g.ijk[:, d], parent_ijk[:, d]
        span = c[ci + 1] - c[ci]
        frac[:, d, 0] = (a[i] - c[ci]) / span
        frac[:, d, 1] = (a[i + 1] - c[ci]) / span
    return frac


def _reference_points(frac: np.ndarray, half_steps: np.ndarray) -> np.ndarray:
    """Reference coordinates in the parent of nodes given by half steps in the child: (..., 3)."""
    t = half_steps / 2.0
    x = frac[..., 0, 0] + t[..., 0] * (frac[..., 0, 1] - frac[..., 0, 0])
    y = frac[..., 1, 0] + t[..., 1] * (frac[..., 1, 1] - frac[..., 1, 0])
    return np.stack(np.broadcast_arrays(x, y, t[..., 2]), axis=-1)


#: parent kinds whose Galerkin matrices are formed together: their temporaries (each child's 60 x 60
#: matrix several times over) bound the peak memory of a first mesh's set-up. On the copper-plate
#: FCBGA's 251 k-dof first mesh the process peaked at 1.13 GB during its set-up with 2048, at 0.85 GB
#: with 256, in the same time (64: no lower, 1.5 times as long)
_GALERKIN_CHUNK = 256


def _galerkin(frac: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Pe^T K Pe (n, 60, 60) of children at ``frac`` (n, 2, 2) in their parents with matrices K,
    where Pe interpolates the parent's 20 nodes at the child's (each component alike): one pair of
    20 x 20 products per component pair."""
    n = len(K)
    Pe = shape_values(_reference_points(frac[:, None], VTK_HALF_STEPS[None]).reshape(-1, 3)).reshape(n, 1, 20, 20)
    Kpq = K.reshape(n, 20, 3, 20, 3).transpose(0, 2, 4, 1, 3)                     # (n, p, q, a, b)
    Q = np.matmul(np.matmul(Pe.transpose(0, 1, 3, 2), Kpq.reshape(n, 9, 20, 20)), Pe)
    return Q.reshape(n, 3, 3, 20, 20).transpose(0, 3, 1, 4, 2).reshape(n, 60, 60)


def coarsen(g: Grid) -> tuple[Grid, sp.csr_matrix]:
    """The next coarser level and the prolongation (fine nodes x coarse nodes) onto this one."""
    (ax, px, qx), (ay, py, qy) = _merged(g.axes[0]), _merged(g.axes[1])
    axes = (ax, ay, g.axes[2])
    parent_ijk = g.ijk.copy()
    parent_ijk[:, 0], parent_ijk[:, 1] = px[g.ijk[:, 0]], py[g.ijk[:, 1]]
    shape = np.array([len(a) - 1 for a in axes])
    pkey = (parent_ijk[:, 0] * shape[1] + parent_ijk[:, 1]) * shape[2] + parent_ijk[:, 2]
    ukey, parent = np.unique(pkey, return_inverse=True)
    cijk = np.column_stack(np.unravel_index(ukey, shape))
    # coarse nodes, numbered column by column like the fine ones
    lat = 2 * shape + 1
    nIJK = 2 * cijk[:, None, :] + VTK_HALF_STEPS[None]
    nkey = (nIJK[..., 0] * lat[1] + nIJK[..., 1]) * lat[2] + nIJK[..., 2]
    unode, c_elements = np.unique(nkey, return_inverse=True)
    c_elements = c_elements.reshape(-1, 20)
    cIJK = np.column_stack(np.unravel_index(unode, tuple(lat)))

    frac = _child_positions(g, axes, parent_ijk)
    # Galerkin element by element: parent matrix = sum over children of Pe^T K_child Pe, each
    # distinct child (kind and place in its parent) and each distinct parent formed once
    ckey = np.column_stack([g.of_element, np.rint(frac.reshape(-1, 4) * 1e9).astype(np.int64)])
    _, first, kind = np.unique(ckey, axis=0, return_index=True, return_inverse=True)
    kind = kind.ravel()
    slots = np.full((len(ukey), 4), len(first), dtype=np.int64)   # len(first): no child there
    position = qx[g.ijk[:, 0]] * 2 + qy[g.ijk[:, 1]]
    slots[parent, position] = kind
    pkinds, of_parent = np.unique(np.sort(slots, axis=1), axis=0, return_inverse=True)
    Kc = np.zeros((len(pkinds), 60, 60))
    for chunk in np.array_split(np.arange(len(pkinds)), max(1, len(pkinds) // _GALERKIN_CHUNK)):
        children, where = np.unique(pkinds[chunk], return_inverse=True)
        real = children < len(first)
        Q = np.zeros((len(children), 60, 60))
        Q[real] = _galerkin(frac[first[children[real]]], g.matrices.dense(g.of_element[first[children[real]]]))
        Kc[chunk] = Q[where.reshape(-1, 4)].sum(axis=1)
    coarse = Grid(c_elements, cijk, cIJK, axes, of_parent.ravel(), DenseMatrices(Kc))

    # prolongation: each fine node interpolated in the parent of one element holding it
    _, at = np.unique(g.elements.ravel(), return_index=True)
    e, s = at // 20, at % 20
    w = shape_values(_reference_points(frac[e], VTK_HALF_STEPS[s]))
    cols = c_elements[parent[e]]
    w[np.abs(w) < 1e-12] = 0.0
    P = sp.csr_matrix((w.ravel(), (np.repeat(np.arange(g.n_nodes), 20), cols.ravel())),
                      shape=(g.n_nodes, len(cIJK)))
    P.eliminate_zeros()
    return coarse, P


@dataclass(frozen=True)
class Columns:
    """A level's vertical node lines: each a contiguous range of node numbers, with its colour
    (no two columns of one colour share an element) and the node order colour by colour."""

    starts: np.ndarray      # (C,) first node of each column
    length: np.ndarray      # (C,) nodes in each column
    colour: np.ndarray      # (C,) in 0..8
    order: np.ndarray       # (C,) columns sorted by colour, then length
    node_order: np.ndarray  # (N,) nodes column by column in that order

    @staticmethod
    def of(IJK: np.ndarray) -> "Columns":
        n = len(IJK)
        key = IJK[:, 0] * (IJK[:, 1].max() + 1) + IJK[:, 1]
        if (np.diff(key) < 0).any():
            raise ValueError("nodes must be numbered column by column (in lattice order)")
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        length = np.diff(np.r_[starts, n])
        colour = (IJK[starts, 0] % 3) * 3 + IJK[starts, 1] % 3
        # grouped by colour, then by length: each group inverts one batch of equal blocks
        order = np.lexsort((length, colour))
        return Columns(starts, length, colour, order, concat_ranges(starts[order], length[order]))


def _factored(bands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The banded Cholesky factors of a stack of column blocks in LAPACK's lower band storage
    (m, p + 1, n), in the smoother's precision: the distinct factors and each block's among them.

    Columns with the same materials, layers and neighbouring element sizes have equal blocks
    (most of a graded mesh's columns away from its corners): each distinct block is factored once.
    """
    distinct, of_block = _unique_rows(bands.reshape(len(bands), -1))
    distinct = distinct.reshape(-1, *bands.shape[1:])

    # LAPACK factors one block at a time; the smoother shares its pieces' batches out over the threads
    out = np.empty(distinct.shape, dtype=WORK_DTYPE)
    for i, block in enumerate(distinct):
        out[i], info = dpbtrf(block, lower=1)
        if info != 0:
            raise np.linalg.LinAlgError(f"a column block of the smoother is not positive definite (LAPACK info {info})")
    return out, of_block


class ColumnSmoother:
    """Symmetric block Gauss-Seidel over whole node columns, in nine colours.

    A column's block is banded (a node couples only to the nodes of the elements it is in, at most
    two half steps above or below it), so each is solved by its banded Cholesky factor: its nine
    diagonals, a fraction of a dense inverse's memory and traffic (on the 251 k-dof copper-plate
    FCBGA, 6 against 57 MB; studies/benchmarks/column_solves.md).

    Takes the level's matrix with its block rows in ``columns.node_order``, so that each colour's
    rows are a contiguous slice, and keeps it with each row split by its columns' colours (those
    before the row's, its own, those after): a sweep from zero and the residual it leaves read one
    part each. :meth:`matvec` gives the product in node order. Columns of one colour never share
    an element, so each colour is cut into row ranges relaxed side by side.
    """

    def __init__(self, A: sp.bsr_matrix, columns: Columns):
        """Takes over A: in the smoother's precision already, its blocks are reordered in place."""
        n = len(columns.node_order)
        parts = usable_cores()
        # the smoother works in single precision: half the memory traffic of its matrix and
        # column factors; the outer conjugate gradients applies the exact operator in double
        # (:class:`.operator.ElementOperator`)
        A32 = sp.bsr_matrix((A.data.astype(WORK_DTYPE, copy=False), A.indices, A.indptr), shape=A.shape, copy=False)
        self.dof_order = (3 * columns.node_order[:, None] + np.arange(3)).ravel()
        self.dof_place = np.empty_like(self.dof_order)   # each dof's row in that order
        self.dof_place[self.dof_order] = np.arange(len(self.dof_order))
        column = np.repeat(np.arange(len(columns.starts)), columns.length)
        # a column block is symmetric: its factor needs the lower triangle, by node
        k, c, lr, lc = column_entries(A.indptr, A.indices, columns.node_order, column, columns.starts)
        count = np.bincount(c, minlength=len(columns.starts))   # each column's entries, consecutive
        entries_from = np.zeros(len(columns.starts), dtype=np.int64)
        entries_from[columns.order] = np.r_[0, np.cumsum(count[columns.order])[:-1]]

        def factored(cols: np.ndarray) -> list:
            """The columns' banded factors, batched by column length: (factors, each column's
            factor, its dofs)."""
            out = []
            for L in np.unique(columns.length[cols]):
                batch = cols[columns.length[cols] == L]
                sel = concat_ranges(entries_from[batch], count[batch])
                place = np.repeat(np.arange(len(batch)), count[batch])   # each entry's column in the batch
                reach = int((lr[sel] - lc[sel]).max(initial=0))
                band = np.zeros((len(batch), 3 * reach + 3, 3 * L))
                for a in range(3):   # component pairs of each 3 x 3 block
                    for b in range(3):
                        i, j = 3 * lr[sel] + a, 3 * lc[sel] + b
                        low = i >= j
                        band[place[low], (i - j)[low], j[low]] = A.data[k[sel[low]], a, b]
                dofs = 3 * columns.starts[batch][:, None] + np.arange(3 * L)[None, :]
                out.append((*_factored(band), dofs))
            return out

        self.n = 3 * n
        first = 0
        pieces = []   # (colour, first row, last row, its columns)
        for colour in np.unique(columns.colour):
            in_colour = columns.order[columns.colour[columns.order] == colour]
            rows = np.r_[0, np.cumsum(columns.length[in_colour])]
            cuts = split_points(rows, parts)
            pieces += [(colour, first + rows[a], first + rows[b], in_colour[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
            first += rows[-1]
        # the pieces' columns are factored side by side
        factors = run_all([lambda cols=cols: factored(cols) for *_, cols in pieces])
        # each row's blocks split three ways by their columns' colours against its own, and every
        # row's part of a kind stored together: a forward sweep from zero reads only the blocks of
        # the colours relaxed before each row's (the rest of x is still zero), the residual it
        # leaves only those of the colours after, each a separate stretch of memory
        # (:meth:`pre_from_zero`, :meth:`residual_after_pre`)
        colour_of_node = np.repeat(columns.colour, columns.length)
        starts, ends = split_by_colour(A32.indptr, A32.indices, A32.data, colour_of_node[columns.node_order],
                                       colour_of_node, SPLIT_ROWS)
        self.indices, self.data = A32.indices, A32.data
        sweeps: dict[int, list] = {}
        for (colour, r0, r1, _), groups in zip(pieces, factors):
            # the piece's residual holds its own rows only: column dofs indexed within it
            local = [(f, of, d, self.dof_place[d] - 3 * r0) for f, of, d in groups]
            sweeps.setdefault(colour, []).append(_Piece(r0, r1, self.dof_order[3 * r0:3 * r1], local,
                                                        starts[:, r0:r1], ends[:, r0:r1]))
        self.sweeps = list(sweeps.values())

    def _product(self, part: slice, x: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Each piece's rows times x over the ``part`` of the three (below, own, above), into
        ``rows`` (the level's, in row order) or a new array; the pieces side by side."""
        rows = np.empty((self.n, *x.shape[1:]), dtype=x.dtype) if rows is None else rows
        run_all([lambda p=p: self._piece_product(p, part, x, out=rows[3 * p.r0:3 * p.r1])
                 for pieces in self.sweeps for p in pieces])
        return rows

    def _piece_product(self, p: "_Piece", part: slice, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """A piece's rows times x over the ``part`` of the three."""
        return rows_product(p.starts[part], p.ends[part], self.indices, self.data, x, out)

    def matvec(self, x: np.ndarray) -> np.ndarray:
        """The level's matrix times x, in the smoother's precision and node order."""
        return np.take(self._product(slice(None), x), self.dof_place, axis=0)

    def _sweep(self, b: np.ndarray, x: np.ndarray, order, part: slice = slice(None)) -> None:
        def relax(p: _Piece):
            def run():
                r = np.take(b, p.dofs, axis=0)
                r -= self._piece_product(p, part, x)
                for factors, which, d, d_local in p.groups:
                    band_solve_add(factors, which, d_local, d, r, x)
            return run

        for pieces in order:
            run_all([relax(p) for p in pieces])

    def pre_from_zero(self, b: np.ndarray) -> np.ndarray:
        """Forward sweep over the colours from x = 0: x. Each row's residual needs only the columns
        of the colours before its own, the rest of x being still zero."""
        x = np.zeros_like(b)
        self._sweep(b, x, self.sweeps, BELOW)
        return x

    def residual_after_pre(self, x: np.ndarray) -> np.ndarray:
        """b - A x for the x that :meth:`pre_from_zero` made from b, in node order. Each column was
        solved exactly against the colours before it, so what remains at its rows is only what
        the colours relaxed after it added: - Σ (blocks of later colours) x."""
        out = np.take(self._product(ABOVE, x), self.dof_place, axis=0)
        return np.negative(out, out=out)

    def post(self, b: np.ndarray, x: np.ndarray) -> None:
        """Backward sweep (x updated in place): with :meth:`pre_from_zero`, a symmetric smoother."""
        self._sweep(b, x, self.sweeps[::-1])


#: the parts of a smoother's rows: blocks of the colours before the row's own, then its own, then after
BELOW, ABOVE = slice(0, 1), slice(2, 3)
#: rows whose parts are stored together, part by part: a stretch of a part is then long enough
#: (hundreds of kB) that a product reading one part does not pull the others through the caches
SPLIT_ROWS = 1024


@dataclass(frozen=True)
class _Piece:
    """Rows r0..r1 of a smoother's matrix (one colour's columns, relaxed on one thread): their dofs,
    their columns' factors, and where each row's blocks of each part start and end (3, rows)."""

    r0: int
    r1: int
    dofs: np.ndarray
    groups: list
    starts: np.ndarray
    ends: np.ndarray


#: a level with at most this many dofs is solved directly
COARSEST_DOFS = 4_000


def _solved_directly(g: Grid) -> bool:
    """Whether a level is the coarsest: small enough, or a single interval in x and in y."""
    return 3 * g.n_nodes <= COARSEST_DOFS or (len(g.axes[0]) <= 2 and len(g.axes[1]) <= 2)


def _plane_fixed(IJK: np.ndarray, quarter: bool) -> np.ndarray:
    """Dofs held by the symmetry planes x = 0 (ux) and y = 0 (uy) of a quarter model: (3N,)."""
    fixed = np.zeros((len(IJK), 3), dtype=bool)
    if quarter:
        fixed[IJK[:, 0] == 0, 0] = True
        fixed[IJK[:, 1] == 0, 1] = True
    return fixed.ravel()


def _rigid_support(g: Grid, quarter: bool) -> np.ndarray:
    """Dofs that stop the remaining rigid-body motion: a statically determinate 3-2-1 support
    (or, with symmetry planes, one uz) at the grid's first node and its neighbours along x, y."""
    fixed = np.zeros((g.n_nodes, 3), dtype=bool)
    a = 0
    same_jk = np.flatnonzero((g.IJK[:, 1] == g.IJK[a, 1]) & (g.IJK[:, 2] == g.IJK[a, 2]))
    same_ik = np.flatnonzero((g.IJK[:, 0] == g.IJK[a, 0]) & (g.IJK[:, 2] == g.IJK[a, 2]))
    b = same_jk[g.IJK[same_jk, 0].argmax()]
    c = same_ik[g.IJK[same_ik, 1].argmax()]
    if quarter:
        fixed[a, 2] = True
    else:
        fixed[a, :] = True
        fixed[b, 1:] = True
        fixed[c, 2] = True
    return fixed.ravel()


def _dof_prolongation(P: sp.csr_matrix, fixed_fine: np.ndarray, fixed_coarse: np.ndarray) -> sp.csr_matrix:
    """Node prolongation made dof-wise (each component alike), kept off the fixed dofs."""
    Pd = sp.kron(P, sp.identity(3, format="csr"), format="csr")
    Pd = (sp.diags((~fixed_fine).astype(float)) @ Pd @ sp.diags((~fixed_coarse).astype(float))).tocsr()
    return Pd.astype(WORK_DTYPE)


@dataclass
class Level:
    smoother: ColumnSmoother   # holds the level's matrix
    P: sp.csr_matrix      # from the next coarser level onto this one
    R: sp.csr_matrix      # its transpose


#: a hierarchy is reused below a finer nested mesh only while its levels smooth at most this many
#: times the finer mesh's dofs per V-cycle (a long chain of refinement steps, each a level, would
#: make a V-cycle cost more than a fresh hierarchy saves)
NESTED_WORK_MAX = 1.0


@dataclass(frozen=True)
class Nested:
    """The hierarchy of a coarser mesh nested in the one to solve, and the interpolation
    (fine nodes x coarse nodes) of its functions at the fine mesh's nodes.

    On nested meshes of one model the coarser mesh's stiffness is exactly the finer one's Galerkin
    product (its space is a subspace and the integration exact), and so is every level below it:
    the hierarchy serves the finer mesh as it stands, and a refinement step assembles only its
    own finest level."""

    hierarchy: "Multigrid"
    P_nodes: sp.csr_matrix

    def below(self, dofs: int, fixed: np.ndarray) -> tuple[sp.csr_matrix, list[Level], "Multigrid"] | None:
        """The prolongation onto a mesh of ``dofs`` dofs (``fixed`` held) and the levels under it;
        None when a hierarchy of its own would be cheaper.

        Levels with more than half the finer mesh's dofs are passed over (their prolongations
        composed): a refinement that adds dofs near a few corners only would otherwise make a
        level barely coarser than the one above it, which costs a V-cycle nearly a whole sweep
        of that mesh and speeds conjugate gradients up by little."""
        mg = self.hierarchy
        P = _dof_prolongation(self.P_nodes, fixed, mg.fixed)
        levels = mg.levels
        while levels and 2 * levels[0].smoother.n > dofs:
            P = (P @ levels[0].P).tocsr()
            levels = levels[1:]
        if sum(lv.smoother.n for lv in levels) > NESTED_WORK_MAX * dofs:
            return None
        mg.retire(len(mg.levels) - len(levels))
        return P, list(levels), mg


class Multigrid:
    """The V-cycle preconditioner; ``A`` is the finest level's matrix (symmetry planes imposed,
    rigid-body motion free)."""

    def __init__(self, grid: Grid, quarter: bool, coarser: "Nested | None" = None):
        """Build the levels from ``grid`` down, or, given the hierarchy of a mesh nested in this one
        (``coarser``), this mesh's level above that hierarchy."""
        self.fixed = _plane_fixed(grid.IJK, quarter)
        below = None if coarser is None else coarser.below(3 * grid.n_nodes, self.fixed)
        # one BLAS thread: its work here is small dense blocks by the thousand, which a threaded
        # BLAS slows down (21x for the former dense column inverses when another process held a
        # core); the solver's own threads share the batches out instead
        with threadpool_limits(limits=1, user_api="blas"):
            if below is None:
                self._build(grid, quarter)
            else:
                self._build_on(grid, *below)
            if self.levels:   # else the one direct level's matrix is the exact operator
                self.exact = ElementOperator(grid.elements, grid.of_element, grid.matrices, self.fixed)
        self.n_levels = len(self.levels) + 1

    @staticmethod
    def _smoother(g: Grid, fixed: np.ndarray) -> ColumnSmoother:
        """A level's smoother, holding its matrix in the smoother's precision."""
        columns = Columns.of(g.IJK)
        K = stiffness_bsr(g.elements, g.IJK, g.of_element, g.matrices, row_order=columns.node_order, dtype=WORK_DTYPE)
        constrain(K, fixed, row_order=columns.node_order, in_place=True)
        return ColumnSmoother(K, columns)

    def _build(self, grid: Grid, quarter: bool) -> None:
        g, fixed = grid, self.fixed
        pending = []
        # a level's smoother needs only its grid: each is built on a thread beside the one that
        # coarsens on down (NumPy and the compiled kernels let go of the GIL for the big arrays)
        with beside() as submit:
            while True:
                if _solved_directly(g):
                    K = stiffness_bsr(g.elements, g.IJK, g.of_element, g.matrices)
                    hold = fixed | _rigid_support(g, quarter)
                    self._coarse_fixed = hold
                    self._coarse = spla.factorized(constrain(K, hold).tocsc())
                    if not pending:  # the whole problem is small: one direct level
                        self.exact = constrain(K, fixed)
                    break
                smoother = submit(self._smoother, g, fixed)
                coarse, Pn = coarsen(g)
                fixed_c = _plane_fixed(coarse.IJK, quarter)
                P = _dof_prolongation(Pn, fixed, fixed_c)
                pending.append((smoother, P, P.T.tocsr()))
                g, fixed = coarse, fixed_c
            self.levels: list[Level] = [Level(smoother.result(), P, R) for smoother, P, R in pending]

    def _build_on(self, grid: Grid, P: sp.csr_matrix, levels: list[Level], coarsest: "Multigrid") -> None:
        """This mesh's level above ``levels`` (then ``coarsest``'s direct solve), reached by P."""
        self.levels = [Level(self._smoother(grid, self.fixed), P, P.T.tocsr()), *levels]
        self._coarse_fixed, self._coarse = coarsest._coarse_fixed, coarsest._coarse

    def retire(self, passed_over: int) -> None:
        """Free what a finer mesh's hierarchy does not take over, once this one serves only as its
        coarse part: the finest level's exact operator and the ``passed_over`` finest levels.
        Freed before the finer level is assembled, their memory (already touched, so cheap to fill
        again) serves it."""
        self.exact = None
        del self.levels[:passed_over]

    def matvec(self, x: np.ndarray) -> np.ndarray:
        """The finest level's matrix times x, in double precision."""
        return self.exact @ x

    def precondition(self, r: np.ndarray) -> np.ndarray:
        """One V-cycle on r, in the preconditioner's precision; returned in double."""
        if not self.levels:
            return self._solve_coarse(r)
        return self.vcycle(r.astype(WORK_DTYPE)).astype(np.float64)

    def _solve_coarse(self, b: np.ndarray) -> np.ndarray:
        b = b.astype(np.float64)
        b[self._coarse_fixed] = 0.0
        return self._coarse(b)

    def vcycle(self, b: np.ndarray, level: int = 0) -> np.ndarray:
        """One V(1, 1) cycle from a zero guess: an approximation of A⁻¹ b."""
        if level == len(self.levels):
            return self._solve_coarse(b)
        lv = self.levels[level]
        x = lv.smoother.pre_from_zero(b)
        x += lv.P @ self.vcycle(lv.R @ lv.smoother.residual_after_pre(x), level + 1).astype(b.dtype)
        lv.smoother.post(b, x)
        return x


class NotConverged(RuntimeError):
    """The conjugate gradients stopped at their iteration cap short of the tolerance, or saw
    that they would."""


#: iterations over which the residual's rate of fall is measured, once twice as many have run
RATE_WINDOW = 50


def _give_up_if_hopeless(log_r: list[float], log_target: float, maxiter: int, rtol: float) -> None:
    """Stop conjugate gradients early when the residual's recent rate of fall (log10 per
    iteration) would not bring it to the target within ``maxiter`` iterations.

    A multigrid that suits the model converges in tens of iterations; one that does not (a rare,
    badly conditioned stack) creeps at a steady slow rate, and the hundreds of iterations up to the
    cap would only delay the fallback to a direct solve."""
    k = len(log_r)
    if k < 2 * RATE_WINDOW or k % 10:
        return
    rate = (log_r[-1] - log_r[-1 - RATE_WINDOW]) / RATE_WINDOW
    if rate >= 0 or k + (log_target - log_r[-1]) / rate > maxiter:
        raise NotConverged(f"conjugate gradients would not reach rtol = {rtol:g} in {maxiter} iterations: after {k} "
                           f"the residual falls {-rate:.2g} decades per iteration")


def solve_cg(mg: Multigrid, f: np.ndarray, rtol: float, maxiter: int = 500,
             x0: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Preconditioned conjugate gradients to a residual ``rtol`` times that of f; (u, iterations).

    ``f`` must be zero at the symmetry-plane dofs; u is defined up to rigid-body motion. ``x0``,
    a first guess (e.g. the solution of a coarser mesh), saves the iterations it is worth."""
    n = len(f)
    return preconditioned_cg(spla.LinearOperator((n, n), matvec=mg.matvec, dtype=float), mg.precondition, f, rtol,
                             x0, maxiter)


def _in_threes(apply, V: np.ndarray) -> np.ndarray:
    """apply(V) for vectors as columns, padded with zero vectors to a multiple of three (the
    compiled products take three at a time) unless there is one; the columns of V's result."""
    k = V.shape[1]
    if k == 1 or k % 3 == 0:
        return apply(V)
    padded = np.zeros((len(V), k + 3 - k % 3))
    padded[:, :k] = V
    return apply(padded)[:, :k]


def solve_cg_together(mg: Multigrid, F: np.ndarray, rtol, maxiter: int = 500,
                      X0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`solve_cg` for several loads at once, the columns of F (n, k), each to its own ``rtol``
    (a number or k of them) from its column of ``X0``; (U (n, k), iterations of each).

    Each load runs its own conjugate gradients, the same iterates as alone, but the products and
    V-cycles of an iteration take every load still short of its tolerance together: the matrices
    are read once for three vectors (:func:`.kernels.rows_product`), the threads are handed work
    once per sweep instead of once per load. A refinement step's thermal load and its two duals,
    solved so, took the copper-plate FCBGA's solves from 11.4 to 7.3 s, the same 13 + 11 + 7
    iterations at its 477 k-dof step (studies/benchmarks/solved_together.md)."""
    F = np.ascontiguousarray(F, dtype=float)
    n, k = F.shape
    rtol = np.broadcast_to(np.asarray(rtol, dtype=float), (k,))
    X = np.zeros((n, k)) if X0 is None else np.array(X0, dtype=float, order="C")
    X[:, ~F.any(axis=0)] = 0.0   # no load, no displacement, whatever the guess
    R = F - mg.matvec(X) if X.any() else F.copy()
    target = rtol * np.linalg.norm(F, axis=0)
    log_target = np.log10(np.where(target > 0, target, np.finfo(float).tiny))
    logs: list[list[float]] = [[] for _ in range(k)]
    iterations = np.zeros(k, dtype=int)
    P = np.zeros((n, k))
    rz = np.zeros(k)

    norm = np.sqrt(summed_in_fixed_parts(n, lambda a, b: cg_dots(R, R, np.arange(k), a, b)))
    with threadpool_limits(limits=1, user_api="blas"):   # as solve_cg's, whatever the machine
        for _ in range(maxiter):
            active = np.flatnonzero(norm > target)
            if not len(active):
                return X, iterations
            for c in active:
                logs[c].append(np.log10(norm[c] or np.finfo(float).tiny))
                _give_up_if_hopeless(logs[c], log_target[c], maxiter, rtol[c])
            iterations[active] += 1
            Z = _in_threes(mg.precondition, R if len(active) == k else R[:, active])
            rz_new = summed_in_fixed_parts(n, lambda a, b: cg_dots(R, Z, active, a, b))
            first = iterations[active] == 1
            beta = np.where(first, 0.0, rz_new / np.where(first, 1.0, rz[active]))
            in_fixed_parts(n, lambda a, b: cg_direction(P, Z, active, beta, a, b))
            rz[active] = rz_new
            Q = _in_threes(mg.matvec, P if len(active) == k else P[:, active])
            alpha = rz_new / summed_in_fixed_parts(n, lambda a, b: cg_dots(P, Q, active, a, b))
            norm = np.sqrt(summed_in_fixed_parts(n, lambda a, b: cg_step(X, R, P, Q, active, alpha, a, b)))
    raise NotConverged(f"conjugate gradients did not reach rtol = {rtol.min():g} in {maxiter} iterations")


def preconditioned_cg(A, precondition, f: np.ndarray, rtol: float, x0: np.ndarray | None = None,
                      maxiter: int = 500) -> tuple[np.ndarray, int]:
    """Conjugate gradients on A (a matrix or operator) with the preconditioner ``precondition``
    (r -> M⁻¹ r) to a residual ``rtol`` times that of f; (u, iterations)."""
    count = [0]
    log_target = np.log10(rtol * np.linalg.norm(f) or np.finfo(float).tiny)
    log_r: list[float] = []

    def counted(r):
        count[0] += 1
        log_r.append(np.log10(np.linalg.norm(r) or np.finfo(float).tiny))
        _give_up_if_hopeless(log_r, log_target, maxiter, rtol)
        return precondition(r)

    n = len(f)
    M = spla.LinearOperator((n, n), matvec=counted, dtype=float)
    # one BLAS thread for the inner products: a threaded dot product sums in an order that
    # depends on the thread count, and the iterates (and every digit of the result) with it;
    # the sparse products, where the work is, keep their own row-block threads
    with threadpool_limits(limits=1, user_api="blas"):
        u, info = spla.cg(A, f, x0=x0, rtol=rtol, atol=0.0, maxiter=maxiter, M=M)
    if info > 0:
        raise NotConverged(f"conjugate gradients did not reach rtol = {rtol:g} in {maxiter} iterations")
    return u, count[0]
