"""Will the model fit: the size and peak memory of its solve, estimated before anything is meshed,
and one clear refusal of a model that will not fit this machine.

Two looks, both before Gmsh is called. From the model alone (before its cell layout, which a
runaway bump array or element size could not even build): a lower bound on the first mesh's dofs,
the carrier's footprint cut by the bulk element size and by the columns and rows of every array,
one brick through it, or one brick per copy of every box, or one per bulk size across the span of
all parts, if that is more, and four nodes per brick (each brick has 8 corners shared by at most 8 bricks
and 12 edges shared by at most 4). From the layout: the exact dofs of the first mesh and, when
the solve refines, of the mesh after its first refinement (:func:`~warpfem.meshing.mesh_dofs`),
and their peak memory from :func:`~warpfem.memory.solve_peak_mb`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import ModelError
from .fem.system import choose_solver
from .geometry import Layout
from .memory import available_memory_mb, solve_peak_mb
from .meshing import bulk_sizes_mm, features, first_axes, initial_grading, mesh_dofs, refine_groups
from .meshing.grading import graded_axes
from .model import Model


@dataclass(frozen=True)
class SizeEstimate:
    """The first mesh's dofs, the dofs after the first refinement (None for a single solve), the
    solver the larger picks, the estimated peak memory of the solve and of its first mesh's
    solve alone, and the memory there is (MB)."""

    dofs: int
    refined_dofs: int | None
    method: str
    peak_mb: float
    first_peak_mb: float
    available_mb: float

    def summary(self) -> dict:
        """The summary's ``size_estimate`` block."""
        return {"dofs": self.dofs, "refined_dofs": self.refined_dofs, "solver": self.method,
                "peak_memory_mb": round(self.peak_mb, 1), "first_solve_peak_memory_mb": round(self.first_peak_mb, 1),
                "available_memory_mb": round(self.available_mb, 1),
                "method": "dofs counted from the layout and the graded axes before meshing; memory from a "
                          "per-solver fit to measured peaks (studies/benchmarks/size_estimate.py)"}

    def text(self) -> str:
        """E.g. "248,148 dofs, 442,260 after the first refinement; peak ≈ 3.0 GB of 21.4 GB available"."""
        refined = "" if self.refined_dofs is None else f", {self.refined_dofs:,} after the first refinement"
        return (f"{self.dofs:,} dofs{refined}; {self.method} solver; peak ≈ {_gb(self.peak_mb)} "
                f"of {_gb(self.available_mb)} available")


def _need(mb: float) -> str:
    # beyond any machine, and beyond where the fit means anything
    return "more than a petabyte" if mb >= 1024 ** 3 else f"about {_gb(mb)}"


def _gb(mb: float) -> str:
    return f"{mb / 1024:.3g} GB" if mb < 1024 ** 2 else f"{mb / 1024 ** 2:.3g} TB"


def _count(n: int) -> str:
    """A count with thousands separators, or in powers of ten when it is absurd."""
    return f"{n:,}" if n < 10 ** 15 else f"{float(n):.3g}"


def _columns(lo: float, hi: float, start: float, pitch: float, n: int) -> int:
    """How many of ``start + i * pitch`` (i < n) lie strictly inside (lo, hi), counted, not listed."""
    if pitch <= 0:
        return int(lo < start < hi)
    first = max(0, math.floor((lo - start) / pitch) + 1)
    last = min(n - 1, math.ceil((hi - start) / pitch) - 1)
    return max(0, last - first + 1)


def fewest_dofs(model: Model, size_mm: float | None = None) -> int:
    """A lower bound on the first mesh's dofs, from the model alone (see the module's docstring)."""
    x0, x1, y0, y1 = model.carrier.box[:4]
    if model.model.symmetry == "quarter":
        x0, y0 = max(x0, 0.0), max(y0, 0.0)
    bulk, bulk_z = bulk_sizes_mm(model, size_mm)
    cuts = [math.ceil((x1 - x0) / bulk), math.ceil((y1 - y0) / bulk)]
    for part in model.parts:
        a = part.array
        if a is None:
            continue
        kx, ky = a.empty_centre or (0, 0)
        # columns of sites (a depopulated centre may empty whole columns: count only the others)
        inside_x = _columns(x0, x1, part.box[0], a.pitch_x_mm, a.nx) - kx
        inside_y = _columns(y0, y1, part.box[2], a.pitch_y_mm, a.ny) - ky
        cuts = [max(cuts[0], inside_x + 1), max(cuts[1], inside_y + 1)]
    # each copy of a box is at least one brick of its own (wherever it lies)
    copies = sum(1 if p.array is None else p.array.count() for p in model.parts)
    # a connected package has a brick in every interval of its lattice, which spans all parts
    # (an overhang, an array row beyond the carrier), at least one interval per bulk size
    lattice = max([math.ceil(_span(model, axis) / bulk) for axis in (0, 1)] + [math.ceil(_thickness(model) / bulk_z)])
    return 3 * 4 * max(cuts[0] * cuts[1], copies, lattice)


def _span(model: Model, axis: int) -> float:
    """The extent (mm) of all parts and array copies along x (0) or y (1), from the symmetry plane
    on for a quarter model."""
    reach = _reaches(model, axis)
    lo, hi = min(r[2] for r in reach), max(r[3] for r in reach)
    if model.model.symmetry == "quarter":
        lo = max(lo, 0.0)
    return max(hi - lo, 0.0)


def _thickness(model: Model) -> float:
    """The package's height (mm): from the lowest part's bottom to the highest part's top."""
    return max(p.box[5] for p in model.parts) - min(p.box[4] for p in model.parts)


def _reaches(model: Model, axis: int) -> list[tuple[str, str, float, float]]:
    """Each part's (name, key that sets it, low, high) extent (mm) along x (0) or y (1), its
    array's copies included."""
    out = []
    for p in model.parts:
        a = p.array
        shift = 0.0 if a is None else (a.nx - 1) * a.pitch_x_mm if axis == 0 else (a.ny - 1) * a.pitch_y_mm
        out.append((p.name, "array" if shift else "box", p.box[2 * axis] + min(shift, 0.0),
                    p.box[2 * axis + 1] + max(shift, 0.0)))
    return out


def _overreaching(model: Model) -> str | None:
    """A hint naming the part that reaches farthest, when it reaches ten times the carrier's width."""
    width = max(model.carrier.box[1] - model.carrier.box[0], model.carrier.box[3] - model.carrier.box[2])
    reaches = [(r, "across") for axis in (0, 1) for r in _reaches(model, axis)] + \
        [((p.name, "box", p.box[4], p.box[5]), "high") for p in model.parts]
    (name, key, lo, hi), how = max(reaches, key=lambda r: r[0][3] - r[0][2])
    if hi - lo <= 10 * width:
        return None
    return f"a smaller part '{name}' (its key '{key}' reaches {hi - lo:.3g} mm {how}; the carrier is {width:g} mm wide)"


def _z_lines(model: Model) -> int:
    """The fewest element boundaries through the thickness: every part's top and bottom."""
    return len({z for p in model.parts for z in p.box[4:6]})


def _refusal(what: str, dofs: int, peak_mb: float, room_mb: float, model: Model, size_mm: float | None) -> ModelError:
    bulk, _ = bulk_sizes_mm(model, size_mm)
    hints = [h for h in [_overreaching(model)] if h] + [f"a coarser mesh ([mesh] size_mm, now {bulk:g} mm)"]
    if model.mesh.graded:
        hints.append("milder grading ([mesh] edge_ratio larger, growth larger)")
    if model.model.symmetry != "quarter":
        hints.append('symmetry = "quarter" where the package is symmetric')
    if any(p.role == "bumps" and p.array is not None for p in model.parts) and \
            (model.bumps is None or model.bumps.global_model != "homogenised"):
        hints.append('homogenised bumps ([bumps] global = "homogenised")')
    return ModelError(
        f"[mesh]: {what} would have {_count(dofs)} dofs and need {_need(peak_mb)} of memory, and this machine "
        f"has {_gb(room_mb)} available; get under it with {', '.join(hints[:-1])} or {hints[-1]}, "
        "or pass --force to try anyway.")


def check_model(model: Model, size_mm: float | None = None, method: str = "auto") -> None:
    """Refuse a model whose first mesh cannot fit, from the lower bound alone (before its layout)."""
    dofs = fewest_dofs(model, size_mm)
    peak, room = solve_peak_mb(dofs, choose_solver(dofs, method), _z_lines(model)), available_memory_mb()
    if peak > room:
        raise _refusal("its first mesh (at least; counted from the parts' extent, the element size and the arrays)",
                       dofs, peak, room, model, size_mm)


def estimate(layout: Layout, size_mm: float | None = None, target_error: float | None = None) -> SizeEstimate:
    """The first mesh's exact dofs, those after the first refinement when the solve refines, and
    the peak memory of solving the larger of them."""
    model = layout.model
    axes, _ = first_axes(layout, size_mm)
    _, dofs = mesh_dofs(layout, axes)
    z_lines = len(axes[2])   # the first mesh's, as the memory fit counts them
    target = model.mesh.target_error if target_error is None else target_error
    refined = None
    if model.mesh.graded and target > 0:
        feats = features(layout)
        if feats.corners:
            grading = initial_grading(layout, size_mm)
            finer = refine_groups(layout, feats, grading, range(len(feats.groups)))
            finer_axes = graded_axes(layout, feats, finer)
            refined = mesh_dofs(layout, finer_axes)[1]
            if refined > model.mesh.max_dofs:   # the refinement stops before it (budget)
                refined = None
    method = choose_solver(refined or dofs, model.solver.method)
    return SizeEstimate(dofs, refined, method, *peaks_mb(dofs, refined, model.solver.method, z_lines),
                        available_memory_mb())


def peaks_mb(dofs: int, refined_dofs: int | None, method: str, z_lines: int) -> tuple[float, float]:
    """The estimated peak memory (MB) of a solve whose first mesh has ``dofs`` dofs and whose first
    refinement ``refined_dofs`` (None: a single solve), with ``[solver] method`` and ``z_lines``
    element boundaries through the first mesh's thickness: the whole solve's, and its first mesh's."""
    first = solve_peak_mb(dofs, choose_solver(dofs, method), z_lines)
    if refined_dofs is None:
        return first, first
    return max(first, solve_peak_mb(refined_dofs, choose_solver(refined_dofs, method), z_lines, refining=True)), first


def check(est: SizeEstimate, model: Model, size_mm: float | None = None) -> None:
    """Refuse a model whose first solve will not fit (a refinement that would not fit stops short
    of it instead: see :mod:`warpfem.accuracy.refine`)."""
    if est.first_peak_mb > est.available_mb:
        raise _refusal("its first mesh", est.dofs, est.first_peak_mb, est.available_mb, model, size_mm)
