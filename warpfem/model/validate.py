"""Whole-model checks that no single key can make: materials, holes, arrays, the one carrier.

Each failure raises :class:`~warpfem.errors.ModelError` with one sentence naming the part and the
key. Checks that need the cell layout (a part wholly covered by later ones, symmetry) live in
:mod:`warpfem.geometry`, which still runs before any meshing.
"""

from __future__ import annotations

from ..errors import ModelError
from .materials import LIBRARY, Material
from .schema import Model, Part

_TOL_MM = 1e-9


def resolve_materials(model: Model) -> dict[str, Material]:
    """Every material the parts use, built-in values overridden by the model's tables."""
    used: dict[str, list[str]] = {}
    for part in model.parts:
        used.setdefault(part.material, []).append(part.name)
    resolved: dict[str, Material] = {}
    for name, part_names in used.items():
        where = f"material '{name}' (used by part '{part_names[0]}')"
        table = model.materials.get(name)
        base = LIBRARY.get(name)
        if table is None and base is None:
            known = ", ".join(sorted(LIBRARY))
            raise ModelError(
                f"part '{part_names[0]}', key 'material': '{name}' is neither a built-in material ({known}) "
                f"nor a [materials.{name}] table in the model."
            )
        values = {} if base is None else {k: getattr(base, k) for k in ("E_gpa", "nu", "cte_ppm", "k_w_mk", "source")}
        if table is not None:
            values.update({k: v for k, v in table.model_dump().items() if v is not None})
            if base is None:
                values.setdefault("source", "model file")
        for key in ("E_gpa", "nu", "cte_ppm"):
            if key not in values:
                raise ModelError(f"{where}, key '{key}': [materials.{name}] must give it (it is not a built-in material).")
        if not -1.0 < values["nu"] < 0.5:
            raise ModelError(f"{where}, key 'nu': {values['nu']:g} is outside (-1, 0.5).")
        resolved[name] = Material(name=name, **values)
    return resolved


def _check_part(part: Part) -> None:
    x0, x1, y0, y1, _, _ = part.box
    for h in part.holes:
        hx0, hx1, hy0, hy1 = h
        if not (hx1 > hx0 and hy1 > hy0):
            raise ModelError(f"part '{part.name}', key 'holes': hole {list(h)} has zero or negative size.")
        if hx0 < x0 - _TOL_MM or hx1 > x1 + _TOL_MM or hy0 < y0 - _TOL_MM or hy1 > y1 + _TOL_MM:
            raise ModelError(
                f"part '{part.name}', key 'holes': hole {list(h)} is not inside the box's x-y extent "
                f"{[x0, x1, y0, y1]}."
            )
    a = part.array
    if a is not None:
        for n, pitch, size, axis in ((a.nx, a.pitch_x_mm, x1 - x0, "x"), (a.ny, a.pitch_y_mm, y1 - y0, "y")):
            if n > 1 and pitch < size - _TOL_MM:
                raise ModelError(
                    f"part '{part.name}', key 'array': pitch_{axis}_mm = {pitch:g} is smaller than the box's "
                    f"{axis} size {size:g} mm, so the copies would overlap."
                )


def _check_shape(part: Part) -> None:
    """A round bump's keys: only on a bump part, consistent, and inside its box and pitch."""
    where = f"part '{part.name}'"
    if part.shape is None:
        for key in ("pad_diameter_mm", "max_diameter_mm"):
            if getattr(part, key) is not None:
                raise ModelError(f"{where}, key '{key}': it applies only with shape = \"cylinder\" or \"barrel\".")
        return
    if part.role != "bumps":
        raise ModelError(f"{where}, key 'shape': only a part with role = \"bumps\" may have a shape.")
    if part.shape == "box":
        for key in ("pad_diameter_mm", "max_diameter_mm"):
            if getattr(part, key) is not None:
                raise ModelError(f"{where}, key '{key}': a box-shaped bump takes its size from its box.")
        return
    if part.holes:
        raise ModelError(f"{where}, key 'holes': a {part.shape} bump cannot have holes.")
    if part.shape == "cylinder" and part.max_diameter_mm is not None:
        raise ModelError(f"{where}, key 'max_diameter_mm': a cylinder has one diameter, pad_diameter_mm.")
    if part.shape == "barrel":
        for key in ("pad_diameter_mm", "max_diameter_mm"):
            if getattr(part, key) is None:
                raise ModelError(f"{where}, key '{key}': a barrel bump needs it.")
        if part.max_diameter_mm < part.pad_diameter_mm:
            raise ModelError(f"{where}, key 'max_diameter_mm': {part.max_diameter_mm:g} mm is below "
                             f"pad_diameter_mm = {part.pad_diameter_mm:g} mm; a barrel is widest at mid-height.")
    pad, widest = part.bump_diameters_mm()
    key = "max_diameter_mm" if part.shape == "barrel" else "pad_diameter_mm"
    x0, x1, y0, y1, _, _ = part.box
    if widest > min(x1 - x0, y1 - y0) + _TOL_MM:
        raise ModelError(f"{where}, key '{key}': the bump ({widest:g} mm across) does not fit in its box "
                         f"({x1 - x0:g} x {y1 - y0:g} mm), which must bound it.")
    a = part.array
    if a is not None:
        for n, pitch, axis in ((a.nx, a.pitch_x_mm, "x"), (a.ny, a.pitch_y_mm, "y")):
            if n > 1 and widest > pitch - _TOL_MM:
                raise ModelError(f"{where}, key '{key}': the bump ({widest:g} mm across) is as wide as the "
                                 f"{axis} pitch ({pitch:g} mm), so neighbours would touch.")


def _check_bump_settings(model: Model) -> None:
    """``[bumps]``: a homogenised layer needs a filler part and a bump part to replace."""
    settings = model.bumps
    if settings is None:
        return
    names = {p.name: p for p in model.parts}
    if settings.filler is not None:
        filler = names.get(settings.filler)
        if filler is None:
            raise ModelError(f"[bumps], key 'filler': the model has no part '{settings.filler}'.")
        if filler.role == "bumps":
            raise ModelError(f"[bumps], key 'filler': part '{settings.filler}' is a bump part, not the filler around them.")
    if settings.global_model == "homogenised":
        if settings.filler is None:
            raise ModelError("[bumps], key 'filler': global = \"homogenised\" needs the part that fills the gap "
                             "around the bumps (usually the underfill).")
        if not any(p.role == "bumps" for p in model.parts):
            raise ModelError("[bumps], key 'global': \"homogenised\" needs a part with role = \"bumps\".")
        for p in model.parts:
            if p.role == "bumps" and p.holes:
                raise ModelError(f"[bumps], key 'global': part '{p.name}' is carved by holes into several bumps per "
                                 "copy; a homogenised layer needs one bump per array site.")


def validate(model: Model) -> dict[str, Material]:
    """Check a parts model as a whole; return its resolved materials."""
    if not model.parts:
        raise ModelError("the model has no [[parts]] and no [model] family, so there is nothing to solve.")
    seen: set[str] = set()
    for part in model.parts:
        if part.name in seen:
            raise ModelError(f"part '{part.name}', key 'name': two parts have this name; names must be unique.")
        seen.add(part.name)
        _check_part(part)
        _check_shape(part)
    _check_bump_settings(model)
    carriers = [p.name for p in model.parts if p.role == "carrier"]
    if not carriers:
        raise ModelError(
            "no part has role = \"carrier\" (key 'role'); exactly one part must, since its bottom face defines warpage."
        )
    if len(carriers) > 1:
        raise ModelError(
            f"parts '{carriers[0]}' and '{carriers[1]}' both have role = \"carrier\" (key 'role'); exactly one may."
        )
    return resolve_materials(model)
