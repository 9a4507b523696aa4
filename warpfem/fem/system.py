"""The package's stiffness, assembled and prepared once, solved for as many loads as asked.

A refinement step solves the thermal load and the warpage's dual load on one mesh: the
factorisation (direct) or the multigrid hierarchy (iterative) is built once and used for both.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from ..geometry import Layout
from ..meshing import Mesh
from .assemble import ElementClasses, constrain, element_classes, element_matrices, stiffness_bsr, upper_csr
from .constraints import CarrierFace, carrier_face, fixed_dofs, remove_rigid_motion
from .linear import DirectSolver, direct_name
from .multigrid import (Multigrid, Nested, NotConverged, fine_grid, plane_fixed, preconditioned_cg, solve_cg,
                        solve_cg_together)

#: above this many dofs "auto" takes the iterative solver: it is faster from about 30 k dofs (2x at
#: 100 k, 4x at 330 k on a 40 mm FCBGA), and a direct factorisation's memory grows faster than the
#: mesh (4 GB at 330 k dofs) where the multigrid's grows in proportion (3 GB at 1 M)
AUTO_DIRECT_MAX_DOFS = 50_000


def choose_solver(dofs: int, method: str) -> str:
    """'direct' or 'iterative' for a system of ``dofs`` dofs, as ``[solver] method`` asks or by size."""
    if method == "auto":
        return "direct" if dofs <= AUTO_DIRECT_MAX_DOFS else "iterative"
    return method


def choose_method(layout: Layout, mesh: Mesh) -> str:
    """'direct' or 'iterative', as the model's ``[solver] method`` asks or by size."""
    return choose_solver(mesh.n_dofs, layout.model.solver.method)


def _multiples(loads: list[np.ndarray]) -> tuple[list[int], list[tuple[int, float]]]:
    """The loads to solve (their indices), and each load as (which of those, scale): a load that
    is a multiple of an earlier one is that one scaled."""
    distinct: list[int] = []
    copy_of: list[tuple[int, float]] = []
    for i, load in enumerate(loads):
        for place, earlier in ((p, loads[d]) for p, d in enumerate(distinct) if loads[d].any()):
            scale = load @ earlier / (earlier @ earlier)
            if np.allclose(load, scale * earlier, rtol=0.0, atol=1e-12 * np.abs(load).max()):
                copy_of.append((place, scale))
                break
        else:
            copy_of.append((len(distinct), 1.0))
            distinct.append(i)
    return distinct, copy_of


class StiffnessSystem:
    """K u = f for the meshed package: supports of a free body (or symmetry planes), any load.

    ``setup_s`` is the time to assemble and prepare (factorise or build the hierarchy); each
    :meth:`solve` adds to ``solve_s``. Call :meth:`close` (or use it as a context manager) to free
    a factorisation's memory at once.
    """

    def __init__(self, layout: Layout, mesh: Mesh, classes: ElementClasses | None = None,
                 coarser: "tuple[StiffnessSystem, sp.csr_matrix] | None" = None):
        """``coarser``: the system of a coarser mesh of the same model nested in ``mesh``, and the
        interpolation (nodes of ``mesh`` x its nodes) of its functions; an iterative solve then
        builds only its finest multigrid level and takes that system's hierarchy below it."""
        t0 = time.perf_counter()
        self.layout, self.mesh = layout, mesh
        self.classes = classes or element_classes(layout, mesh)
        self.face: CarrierFace = carrier_face(layout, mesh)
        self.method = choose_method(layout, mesh)
        matrices = element_matrices(self.classes)
        if self.method == "direct":
            self._factorise(matrices)
        else:
            self.fixed = plane_fixed(mesh, layout.quarter)
            below = None
            if coarser is not None and coarser[0]._mg is not None:
                below = Nested(coarser[0]._mg, coarser[1])
            self._mg = Multigrid(fine_grid(mesh, self.classes.of_element, matrices), layout.quarter, below)
            self.info = {"method": "iterative", "library": "conjugate gradients + column-smoothed multigrid",
                         "levels": self._mg.n_levels, "iterations": 0, "rtol": layout.model.solver.rtol}
        self.setup_s = time.perf_counter() - t0
        self.solve_s = 0.0
        self.last_work: list[float] = []   # each load's share of the last solve_many's work

    def _factorise(self, matrices) -> None:
        self.method, self._mg = "direct", None
        self.fixed = fixed_dofs(self.layout, self.mesh, self.face)
        K = stiffness_bsr(self.mesh.elements, self.mesh.node_ijk, self.classes.of_element, matrices)
        self._direct = DirectSolver(upper_csr(constrain(K, self.fixed, in_place=True)))
        self.info = {"method": "direct", "library": direct_name()}

    def _fall_back_to_direct(self, why: str) -> None:
        """Replace a multigrid whose conjugate gradients stalled (a rare, badly conditioned stack)
        by a factorisation, if one fits the memory; else say so in one sentence."""
        from ..errors import ModelError
        from ..memory import available_memory_mb, solve_peak_mb

        need, room = solve_peak_mb(self.mesh.n_dofs, "direct", len(self.mesh.axes[2])), available_memory_mb()
        if need > room:
            raise ModelError(f"[solver], key 'method': the iterative solver did not converge on this model ({why}), "
                             f"and a direct solve of its {self.mesh.n_dofs:,} dofs would need about {need / 1024:.3g} GB "
                             f"of the {room / 1024:.3g} GB available; coarsen the mesh ([mesh] size_mm).")
        self._mg = None
        self._factorise(element_matrices(self.classes))
        self.info["fallback"] = f"direct: the iterative solver did not converge ({why})"

    def solve(self, f_n: np.ndarray, guess_mm: np.ndarray | None = None, rtol: float | None = None) -> np.ndarray:
        """The displacement (N, 3) in mm under nodal forces ``f_n`` (3N,) in N, as a free body:
        rigid-body motion removed and the carrier's bottom centre at rest. The iterative solver
        starts from ``guess_mm`` (N, 3) when given and stops at ``rtol`` (default the model's)."""
        t0 = time.perf_counter()
        f = np.where(self.fixed, 0.0, f_n)
        if self.method == "direct":
            u = self._direct.solve(f)
        else:
            x0 = None if guess_mm is None else np.where(self.fixed, 0.0, guess_mm.ravel())
            try:
                u, iterations = solve_cg(self._mg, f, rtol or self.info["rtol"], x0=x0)
                self.info["iterations"] += iterations
            except NotConverged as e:
                self._fall_back_to_direct(str(e))
                u = self._direct.solve(np.where(self.fixed, 0.0, f_n))
        self.solve_s += time.perf_counter() - t0
        return self._free_body(u)

    def residual(self, f_n: np.ndarray, u_mm: np.ndarray) -> np.ndarray | None:
        """What ``u_mm`` (N, 3) leaves unbalanced of the nodal forces ``f_n`` (3N,) in N, f - K u, at
        the dofs the solve is free in; None for a factorisation, which solves to round-off."""
        if self.method == "direct":
            return None
        return np.where(self.fixed, 0.0, f_n - self._mg.matvec(u_mm.ravel()))

    def solve_many(self, loads: list[np.ndarray], guesses: list | None = None,
                   rtol: float | list[float | None] | None = None) -> list[np.ndarray]:
        """The displacement (N, 3) under each load, as :meth:`solve`, each to its own ``rtol`` (one
        for all, or one per load; None: the model's). The iterative solver takes the loads side by
        side (:func:`.multigrid.solve_cg_together`). A load that is a multiple of an earlier one (the
        coplanarity of a package whose peak and valley are its corner and centre reads the
        warpage) reuses that one's solution."""
        t0 = time.perf_counter()
        rtols = [r or self.info.get("rtol") for r in (rtol if isinstance(rtol, (list, tuple)) else [rtol] * len(loads))]
        guesses = guesses or [None] * len(loads)
        distinct, copy_of = _multiples(loads)

        def held(f_n):   # the supports of the solver at hand: a fallback's factorisation has its own
            return np.where(self.fixed, 0.0, f_n)

        def factorised():
            return np.column_stack([self._direct.solve(held(loads[i])) for i in distinct])

        if self.method == "direct":
            U = factorised()
        else:
            F = np.column_stack([held(loads[i]) for i in distinct])
            X0 = None
            if any(guesses[i] is not None for i in distinct):
                X0 = np.column_stack([np.zeros(len(F)) if guesses[i] is None else held(guesses[i].ravel())
                                      for i in distinct])
            try:
                U, iterations = solve_cg_together(self._mg, F, [rtols[i] for i in distinct], X0=X0)
                self.info["iterations"] += int(iterations.sum())
            except NotConverged as e:
                self._fall_back_to_direct(str(e))
                U = factorised()
        solved = [self._free_body(U[:, c].copy()) for c in range(len(distinct))]
        self.solve_s += time.perf_counter() - t0
        # each load's share of the work: its iterations (one each for a factorisation's
        # substitutions), none for a copy
        work = iterations if self.method != "direct" else np.ones(len(distinct))
        self.last_work = [float(work[d]) if i == distinct[d] else 0.0 for i, (d, _) in enumerate(copy_of)]
        return [scale * solved[d] for d, scale in copy_of]

    def solve_near(self, classes: ElementClasses, f_n: np.ndarray, guess_mm: np.ndarray | None = None,
                   rtol: float | None = None) -> tuple[np.ndarray, int]:
        """As :meth:`solve` for the stiffness of other moduli ``classes`` (same mesh), by conjugate
        gradients preconditioned with this system's factorisation or multigrid: a few iterations
        while the moduli stay near this system's. Returns the displacement and the iterations."""
        t0 = time.perf_counter()
        K = constrain(stiffness_bsr(self.mesh.elements, self.mesh.node_ijk, classes.of_element,
                                    element_matrices(classes)), self.fixed, in_place=True)
        f = np.where(self.fixed, 0.0, f_n)
        x0 = None if guess_mm is None else np.where(self.fixed, 0.0, guess_mm.ravel())
        if self.method == "direct":
            def precondition(r):
                return self._direct.solve(np.where(self.fixed, 0.0, r))
        else:
            precondition = self._mg.precondition
        u, iterations = preconditioned_cg(K, precondition, f, rtol or self.layout.model.solver.rtol, x0)
        self.solve_s += time.perf_counter() - t0
        return self._free_body(u), iterations

    def _free_body(self, u: np.ndarray) -> np.ndarray:
        """u (3N,) as (N, 3), rigid-body motion removed and the carrier's bottom centre at rest."""
        u = u.reshape(-1, 3)
        if self.layout.quarter:
            u[:, 2] -= u[self.face.centre, 2]
        else:
            u = remove_rigid_motion(self.mesh.nodes, u, self.face.centre)
        return u

    def close(self) -> None:
        if self.method == "direct":
            self._direct.close()

    def __enter__(self) -> "StiffnessSystem":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
