"""The homogenised bump layer: ``[bumps] global = "homogenised"`` turns each bump into its cell.

Each kept site of a bump part's array owns the pitch_x x pitch_y cell centred on it, over the
bump's height; that cell becomes one isotropic equivalent material (bump and filler mixed by
volume, f = V_bump / (pitch_x · pitch_y · h)) and the filler keeps the rest of the gap. A die with
thousands of bumps then adds grid lines at the pitch only, not four per bump.

Effective properties (Mori-Tanaka, the Hashin-Shtrikman lower bound). What the layer adds to
warpage is its in-plane response, and in-plane the filler is the connected phase with the bumps as
isolated stiff islands: a matrix-inclusion composite, whose moduli the Mori-Tanaka estimate gives
(for stiff inclusions in a soft matrix it equals the Hashin-Shtrikman lower bound), with K bulk and
G shear modulus, b the bump and m the filler:

    K̄ = K_m + f / (1/(K_b − K_m) + 3(1 − f)/(3K_m + 4G_m)),
    Ḡ = G_m + f / (1/(G_b − G_m) + 6(1 − f)(K_m + 2G_m) / (5G_m(3K_m + 4G_m))),

and the thermal expansion by Levin's relation, exact for any two-phase isotropic mixture of
known bulk modulus: ᾱ = α_m + (α_b − α_m)(1/K̄ − 1/K_m)/(1/K_b − 1/K_m). The iso-strain (Voigt)
mixture, the first candidate, was measured 2.5 % off the explicit model's warpage on a 10 x 10
flip chip, where this estimate is 0.5 % off (docs/bumps.md). It stays isotropic, so the element
code is unchanged.

Localisation (the bump's strain from its cell's). The same Mori-Tanaka model: a uniform strain e₀
in which bump and filler carry the same (hydrostatic) stress, e₀ = ΔT (K_b α_b − K_m α_m)/(K_b − K_m),
takes the thermal mismatch out exactly (Levin); the rest of the cell strain, ε̄ − e₀ I, reaches the
bump scaled by the Mori-Tanaka concentration factors A = T / (1 − f + f T) of its volumetric and
deviatoric parts, with Eshelby's sphere factors T_v = (3K_m + 4G_m)/(3K_b + 4G_m) and
T_d = (G_m + ζ)/(G_b + ζ), ζ = G_m (9K_m + 8G_m) / (6(K_m + 2G_m)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def _bulk_shear_mpa(m: Material) -> tuple[float, float]:
    lam, mu = m.lame_mpa
    return lam + 2 * mu / 3, mu


def effective_material(name: str, bump: Material, filler: Material, fraction: float) -> Material:
    """The Mori-Tanaka mixture of ``fraction`` bump in filler (E GPa, CTE ppm/K)."""
    f = fraction
    (kb, gb), (km, gm) = _bulk_shear_mpa(bump), _bulk_shear_mpa(filler)
    k = km + f / (1 / (kb - km) + 3 * (1 - f) / (3 * km + 4 * gm)) if kb != km else km
    g = gm + f / (1 / (gb - gm) + 6 * (1 - f) * (km + 2 * gm) / (5 * gm * (3 * km + 4 * gm))) if gb != gm else gm
    if kb != km:
        alpha = filler.cte_ppm + (bump.cte_ppm - filler.cte_ppm) * (1 / k - 1 / km) / (1 / kb - 1 / km)
    else:  # equal bulk moduli: thermal strains add by volume
        alpha = f * bump.cte_ppm + (1 - f) * filler.cte_ppm
    return Material(
        name=name,
        E_gpa=9 * k * g / (3 * k + g) * 1e-3,
        nu=(3 * k - 2 * g) / (2 * (3 * k + g)),
        cte_ppm=alpha,
        source=f"Mori-Tanaka mixture of {fraction:.4f} {bump.name} in {filler.name} (warpfem bump layer)",
    )


def localise_strain(layer: HomogenisedLayer, strain: np.ndarray, delta_t_k: float) -> np.ndarray:
    """The bump's strain tensors (..., 3, 3) from its cell's total strain tensors (Mori-Tanaka)."""
    f = layer.fraction
    (kb, gb), (km, gm) = _bulk_shear_mpa(layer.bump), _bulk_shear_mpa(layer.filler)
    ab, am = layer.bump.cte_ppm * 1e-6, layer.filler.cte_ppm * 1e-6
    e0 = delta_t_k * (kb * ab - km * am) / (kb - km) if kb != km else delta_t_k * (f * ab + (1 - f) * am)
    t_v = (3 * km + 4 * gm) / (3 * kb + 4 * gm)
    zeta = gm * (9 * km + 8 * gm) / (6 * (km + 2 * gm))
    t_d = (gm + zeta) / (gb + zeta)
    a_v, a_d = t_v / (1 - f + f * t_v), t_d / (1 - f + f * t_d)
    eye = np.eye(3)
    e = strain - e0 * eye
    vol = np.trace(e, axis1=-2, axis2=-1)[..., None, None] / 3 * eye
    return e0 * eye + a_v * vol + a_d * (e - vol)


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
        effective = effective_material(name, materials[part.material], materials[filler.material], fraction)
        cells = _cell_part(part, name)
        _check_inside(cells, filler)
        parts.append(cells)
        extra[name] = MaterialTable(E_gpa=effective.E_gpa, nu=effective.nu, cte_ppm=effective.cte_ppm,
                                    source=effective.source)
        layers[part.name] = HomogenisedLayer(part.name, materials[part.material], materials[filler.material],
                                             fraction, effective)
    steps = model.steps
    if _covered(filler, [p for p in parts if p.name in layers]):
        # a full array's cells fill the whole gap: no filler is left between them
        parts = [p for p in parts if p is not filler]
        steps = tuple(s.model_copy(update={"parts": tuple(n for n in s.parts if n != filler.name)}) for s in steps)
    # the global model is an explicit one of other parts; [bumps] stays with the model the user gave
    return model.model_copy(update={"parts": tuple(parts), "materials": {**model.materials, **extra},
                                    "bumps": None, "steps": steps}), layers


def _covered(filler: Part, cell_parts: list[Part]) -> bool:
    """Whether the (disjoint) cells fill the filler's whole box."""
    fx0, fx1, fy0, fy1, fz0, fz1 = filler.box
    inside = 0.0
    for part in cell_parts:
        for x0, x1, y0, y1, z0, z1 in part.boxes():
            inside += max(0.0, min(x1, fx1) - max(x0, fx0)) * max(0.0, min(y1, fy1) - max(y0, fy0)) \
                * max(0.0, min(z1, fz1) - max(z0, fz0))
    return inside >= (fx1 - fx0) * (fy1 - fy0) * (fz1 - fz0) * (1 - 1e-9)
