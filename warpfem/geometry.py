"""Stage 2a — geometry: the parts' boxes resolved into a grid of cells, each owned by one part.

Every box edge, hole edge and array copy edge becomes a breakpoint on its axis; the breakpoints
cut the package into axis-aligned cells, and each cell belongs to the last part that covers it
("later wins"). The mesher subdivides these cells, so interfaces are conformal by construction.
This is also where the checks that need the resolved volume run: a part with no volume of its
own, a part that floats free, a quarter-symmetric model that is not symmetric.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .errors import ModelError
from .model import Material, Model, Part, validate

MERGE_TOL_MM = 1e-6


@dataclass(frozen=True)
class Layout:
    """Parts resolved onto a cell grid (lengths in mm).

    ``cells[i, j, k]`` is the index of the part owning the cell between ``xs[i]..xs[i+1]``,
    ``ys[j]..ys[j+1]``, ``zs[k]..zs[k+1]`` (-1 where no part is), and ``copies`` the index of the
    box copy of an arrayed part there. With quarter symmetry the grid covers x >= 0, y >= 0 only.
    """

    model: Model
    materials: dict[str, Material]
    xs: np.ndarray
    ys: np.ndarray
    zs: np.ndarray
    cells: np.ndarray
    copies: np.ndarray

    @property
    def parts(self) -> tuple[Part, ...]:
        return self.model.parts

    @property
    def quarter(self) -> bool:
        return self.model.model.symmetry == "quarter"

    @property
    def carrier_index(self) -> int:
        return next(i for i, p in enumerate(self.parts) if p.role == "carrier")

    def part_material(self, index: int) -> Material:
        return self.materials[self.parts[index].material]


def _breakpoints(values: list[float]) -> np.ndarray:
    v = np.sort(np.asarray(values, dtype=float))
    keep = np.r_[True, np.diff(v) > MERGE_TOL_MM]
    return v[keep]


def _index(bp: np.ndarray, value: float) -> int:
    return int(np.searchsorted(bp, value - MERGE_TOL_MM))


def _paint(model: Model, xs: np.ndarray, ys: np.ndarray, zs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    shape = (len(xs) - 1, len(ys) - 1, len(zs) - 1)
    cells = np.full(shape, -1, dtype=np.int16)
    copies = np.full(shape, -1, dtype=np.int32)
    for p, part in enumerate(model.parts):
        for c, (x0, x1, y0, y1, z0, z1) in enumerate(part.boxes()):
            i0, i1, j0, j1 = _index(xs, x0), _index(xs, x1), _index(ys, y0), _index(ys, y1)
            k0, k1 = _index(zs, z0), _index(zs, z1)
            mine = np.ones((i1 - i0, j1 - j0), dtype=bool)
            for hx0, hx1, hy0, hy1 in part.holes_of(c):
                mine[_index(xs, hx0) - i0:_index(xs, hx1) - i0, _index(ys, hy0) - j0:_index(ys, hy1) - j0] = False
            cells[i0:i1, j0:j1, k0:k1][mine] = p
            copies[i0:i1, j0:j1, k0:k1][mine] = c
    return cells, copies


def _check_volumes(model: Model, cells: np.ndarray) -> None:
    counts = np.bincount(cells[cells >= 0].ravel(), minlength=len(model.parts))
    for part, n in zip(model.parts, counts):
        if n == 0:
            raise ModelError(
                f"part '{part.name}', key 'box': parts listed after it cover all of its box, "
                "so it has no volume of its own."
            )


def _stray_part(model: Model, cells: np.ndarray, present: np.ndarray) -> Part | None:
    """The part holding most of the ``present`` cells that no face joins to the carrier's (None
    when they all hang together)."""
    labels, n = ndimage.label(present)
    if n <= 1:
        return None
    main = np.bincount(labels[cells == model.parts.index(model.carrier)]).argmax()
    stray = cells[(labels != main) & (labels > 0)]
    return model.parts[int(np.bincount(stray).argmax())]


def _check_connected(model: Model, cells: np.ndarray) -> None:
    part = _stray_part(model, cells, cells >= 0)
    if part is not None:
        raise ModelError(
            f"part '{part.name}', key 'box': it does not touch the rest of the package through any face, "
            "so nothing holds it in place."
        )


def _check_steps_connected(model: Model, cells: np.ndarray) -> None:
    """Every sub-assembly of the process steps holds together: a part bonded in a step touches
    the parts bonded in it or before it."""
    if len(model.steps) < 2:
        return
    step_of = model.part_steps()
    step_of_part = np.array([step_of[p.name] for p in model.parts])
    for j, step in enumerate(model.steps[:-1]):
        part = _stray_part(model, cells, (cells >= 0) & (step_of_part[np.maximum(cells, 0)] <= j))
        if part is not None:
            raise ModelError(
                f"step '{model.steps[step_of[part.name]].name}', key 'parts': part '{part.name}' does not touch the "
                f"parts bonded with it or before it (up to step '{step.name}'), so nothing would hold it in place."
            )


def _check_symmetric(model: Model, xs: np.ndarray, ys: np.ndarray, cells: np.ndarray) -> None:
    def asym_part() -> Part | None:
        for axis, bp in ((0, xs), (1, ys)):
            if len(bp) != len(bp[::-1]) or not np.allclose(bp, -bp[::-1], atol=10 * MERGE_TOL_MM):
                # the first part whose outline is not mirrored along this axis
                for part in model.parts:
                    for b in part.boxes():
                        lo, hi = b[2 * axis], b[2 * axis + 1]
                        if not (np.any(np.abs(bp + hi) < 10 * MERGE_TOL_MM) and np.any(np.abs(bp + lo) < 10 * MERGE_TOL_MM)):
                            return part
                return model.parts[0]
            diff = cells != np.flip(cells, axis=axis)
            if diff.any():
                return model.parts[int(cells[diff].max())]
        return None

    part = asym_part()
    if part is not None:
        raise ModelError(
            f"[model], key 'symmetry': \"quarter\" needs a model mirror-symmetric about x = 0 and y = 0, "
            f"but part '{part.name}' is not."
        )


def build_layout(model: Model) -> Layout:
    """Resolve a validated parts model into its cell layout; raise ModelError for a bad one."""
    materials = validate(model)
    quarter = model.model.symmetry == "quarter"
    carrier = model.carrier
    cx, cy = 0.5 * (carrier.box[0] + carrier.box[1]), 0.5 * (carrier.box[2] + carrier.box[3])
    xv, yv, zv = [cx, 0.0] if quarter else [cx], [cy, 0.0] if quarter else [cy], []
    for part in model.parts:
        for c, b in enumerate(part.boxes()):
            xv += b[0:2]
            yv += b[2:4]
            zv += b[4:6]
            for h in part.holes_of(c):
                xv += h[0:2]
                yv += h[2:4]
    xs, ys, zs = _breakpoints(xv), _breakpoints(yv), _breakpoints(zv)
    cells, copies = _paint(model, xs, ys, zs)
    _check_volumes(model, cells)
    _check_connected(model, cells)
    _check_steps_connected(model, cells)
    if quarter:
        _check_symmetric(model, xs, ys, cells)
        i0, j0 = _index(xs, 0.0), _index(ys, 0.0)
        xs, ys = xs[i0:], ys[j0:]
        cells, copies = cells[i0:, j0:], copies[i0:, j0:]
    return Layout(model, materials, xs, ys, zs, np.ascontiguousarray(cells), np.ascontiguousarray(copies))
