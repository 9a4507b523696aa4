"""Family models for the tests, and measures of their resolved geometry taken independently."""

from __future__ import annotations

import numpy as np

import warpfem
from warpfem.geometry import Layout, build_layout


def family_model(name: str, symmetry: str | None = "full", size_mm: float | None = None, **params) -> dict:
    """A family model as a dict; ``symmetry=None`` leaves the family's default."""
    info = {"name": f"test_{name}", "family": name}
    if symmetry is not None:
        info["symmetry"] = symmetry
    model = {"model": info, "load": {"stress_free_c": 175.0, "temperature_c": 25.0}, "family": params}
    if size_mm is not None:
        model["mesh"] = {"size_mm": size_mm}
    return model


def layout(name: str, **params) -> Layout:
    """The resolved cell layout of a family, solved whole (symmetry "full")."""
    return build_layout(warpfem.expand(family_model(name, **params)))


def volumes(lay: Layout) -> dict[str, float]:
    """Volume (mm³) each part owns after later parts took theirs, from the cell grid."""
    dv = np.einsum("i,j,k->ijk", np.diff(lay.xs), np.diff(lay.ys), np.diff(lay.zs))
    v = np.bincount(lay.cells[lay.cells >= 0], dv[lay.cells >= 0], minlength=len(lay.parts))
    return {p.name: float(x) for p, x in zip(lay.parts, v)}


def _index(lay: Layout, name: str) -> int:
    return next(i for i, p in enumerate(lay.parts) if p.name == name)


def touch(lay: Layout, a: str, b: str) -> bool:
    """Whether parts ``a`` and ``b`` share a face somewhere."""
    ia, ib = _index(lay, a), _index(lay, b)
    c = lay.cells
    for axis in range(3):
        lo = np.take(c, range(c.shape[axis] - 1), axis=axis)
        hi = np.take(c, range(1, c.shape[axis]), axis=axis)
        if np.any((lo == ia) & (hi == ib)) or np.any((lo == ib) & (hi == ia)):
            return True
    return False


def extent(lay: Layout, name: str) -> tuple[float, float, float, float, float, float]:
    """Bounding box (mm) of the cells a part owns."""
    i, j, k = np.nonzero(lay.cells == _index(lay, name))
    return (lay.xs[i.min()], lay.xs[i.max() + 1], lay.ys[j.min()], lay.ys[j.max() + 1],
            lay.zs[k.min()], lay.zs[k.max() + 1])


def top_layer_owners(lay: Layout) -> set[str]:
    """Parts that own a cell in the topmost layer of the package."""
    return {lay.parts[i].name for i in np.unique(lay.cells[:, :, -1]) if i >= 0}


def count_copies(lay: Layout, name: str) -> int:
    """Connected pieces of a part in the layout (bumps, balls, vias, fins ...)."""
    from scipy import ndimage

    _, n = ndimage.label(lay.cells == _index(lay, name))
    return n
