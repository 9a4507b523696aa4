"""The homogenised bump layer: ``[bumps] global = "homogenised"`` turns each bump into its cell.

Each kept site of a bump part's array owns the pitch_x x pitch_y cell centred on it, over the
bump's height; that cell becomes one isotropic equivalent material (bump and filler mixed by
volume) and the filler keeps the rest of the gap. A die with thousands of bumps then adds grid
lines at the pitch only, not four per bump.

Effective properties (iso-strain, Voigt). The bump layer is a thin sheet bonded between a die and
a substrate far stiffer than it: they impose its in-plane strains, and its bumps and filler both
span its whole height, so they carry through-thickness normal and shear load side by side. Bumps
and filler then share one strain, and the mixture's stiffness and thermal stress are their
volume averages, with f = V_bump / (pitch_x · pitch_y · h):

    λ̄ = f λ_b + (1 − f) λ_f,   μ̄ = f μ_b + (1 − f) μ_f,
    β̄ = f (3λ_b + 2μ_b) α_b + (1 − f) (3λ_f + 2μ_f) α_f,   ᾱ = β̄ / (3λ̄ + 2μ̄).

It stays isotropic, so the element code is unchanged. The solved cell strain is handed back to
each bump the same way (iso-strain localisation), see :mod:`warpfem.post.bump_table`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError
from . import bump_shape
from .materials import Material
from .schema import MaterialTable, Model, Part
from .validate import validate

_TOL_MM = 1e-9


@dataclass(frozen=True)
class HomogenisedLayer:
    """One bump part replaced by its cells: the materials mixed and the bump volume fraction."""

    part: str
    bump: Material
    filler: Material
    fraction: float
    effective: Material


def bump_volume_mm3(part: Part) -> float:
    """Volume of one bump of a bump part (its real shape, not the mesh's prism), in mm³."""
    x0, x1, y0, y1, z0, z1 = part.box
    if part.bump_shape == "box":
        return (x1 - x0) * (y1 - y0) * (z1 - z0)
    pad, widest = part.bump_diameters_mm()
    return bump_shape.volume_mm3(part.bump_shape, pad, widest, z1 - z0)


def cell_size_mm(part: Part) -> tuple[float, float]:
    """x and y size of a bump's cell: the pitch, or the box's size along an axis of one site."""
    x0, x1, y0, y1, _, _ = part.box
    a = part.array
    if a is None:
        return x1 - x0, y1 - y0
    return (a.pitch_x_mm if a.nx > 1 else x1 - x0), (a.pitch_y_mm if a.ny > 1 else y1 - y0)


def voigt_material(name: str, bump: Material, filler: Material, fraction: float) -> Material:
    """The iso-strain mixture of ``fraction`` bump and the rest filler (E GPa, CTE ppm/K)."""
    (lb, mb), (lf, mf) = bump.lame_mpa, filler.lame_mpa
    lam = fraction * lb + (1 - fraction) * lf
    mu = fraction * mb + (1 - fraction) * mf
    beta = fraction * (3 * lb + 2 * mb) * bump.cte_ppm + (1 - fraction) * (3 * lf + 2 * mf) * filler.cte_ppm
    return Material(
        name=name,
        E_gpa=mu * (3 * lam + 2 * mu) / (lam + mu) * 1e-3,
        nu=lam / (2 * (lam + mu)),
        cte_ppm=beta / (3 * lam + 2 * mu),
        source=f"iso-strain mixture of {fraction:.4f} {bump.name} and {filler.name} (warpfem bump layer)",
    )


def _cell_part(part: Part, material: str) -> Part:
    x0, x1, y0, y1, z0, z1 = part.box
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    wx, wy = cell_size_mm(part)
    box = (cx - 0.5 * wx, cx + 0.5 * wx, cy - 0.5 * wy, cy + 0.5 * wy, z0, z1)
    return Part(name=part.name, material=material, box=box, array=part.array, role="bumps")


def _check_inside(cells: Part, filler: Part) -> None:
    fx0, fx1, fy0, fy1, fz0, fz1 = filler.box
    for x0, x1, y0, y1, z0, z1 in cells.boxes():
        if x0 < fx0 - _TOL_MM or x1 > fx1 + _TOL_MM or y0 < fy0 - _TOL_MM or y1 > fy1 + _TOL_MM \
                or z0 < fz0 - _TOL_MM or z1 > fz1 + _TOL_MM:
            raise ModelError(
                f"[bumps], key 'filler': the pitch cell [{x0:g}, {x1:g}, {y0:g}, {y1:g}] of a bump of part "
                f"'{cells.name}' reaches beyond the box of part '{filler.name}', so the homogenised layer "
                "would put bump material where there is no filler.")


def homogenise(model: Model) -> tuple[Model, dict[str, HomogenisedLayer]]:
    """The model with each bump part replaced by its homogenised cells (unchanged unless
    ``[bumps] global = "homogenised"``), and what was mixed per bump part."""
    if model.bumps is None or model.bumps.global_model != "homogenised":
        return model, {}
    materials = validate(model)
    filler = next(p for p in model.parts if p.name == model.bumps.filler)
    layers: dict[str, HomogenisedLayer] = {}
    parts = []
    extra: dict[str, MaterialTable] = {}
    for part in model.parts:
        if part.role != "bumps":
            parts.append(part)
            continue
        wx, wy = cell_size_mm(part)
        fraction = bump_volume_mm3(part) / (wx * wy * (part.box[5] - part.box[4]))
        name = f"{part.name}_homogenised"
        while name in materials or name in model.materials:
            name += "_"
        effective = voigt_material(name, materials[part.material], materials[filler.material], fraction)
        cells = _cell_part(part, name)
        _check_inside(cells, filler)
        parts.append(cells)
        extra[name] = MaterialTable(E_gpa=effective.E_gpa, nu=effective.nu, cte_ppm=effective.cte_ppm,
                                    source=effective.source)
        layers[part.name] = HomogenisedLayer(part.name, materials[part.material], materials[filler.material],
                                             fraction, effective)
    return model.model_copy(update={"parts": tuple(parts), "materials": {**model.materials, **extra}}), layers
