"""Whole-model checks that no single key can make: materials, holes, arrays, the one carrier.

Each failure raises :class:`~warpfem.errors.ModelError` with one sentence naming the part and the
key. Checks that need the cell layout (a part wholly covered by later ones, symmetry) live in
:mod:`warpfem.geometry`, which still runs before any meshing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pydantic import ValidationError

from ..errors import ModelError
from .elasticity import orthotropic_constants
from .materials import LIBRARY, Material, Orthotropy
from .load import error_sentence
from .joint_life import LIVES, JointLife
from .schema import AnandTable, LifeTable, MaterialTable, Model, Part
from .solder import SOLDERS, Anand
from .stackup import Layer, homogenised
from .temperature import GlassTransition, PropertyTable, TemperatureData
from .viscoelastic import CureShrinkage, Prony, Shift

#: the temperature (°C) whose table values stand for a material's room-temperature constants
ROOM_C = 25.0

_TOL_MM = 1e-9


def resolve_materials(model: Model) -> dict[str, Material]:
    """Every material the parts use, built-in values overridden by the model's tables, as they are
    at the load's temperature (see :meth:`Material.at`) when the model asks for
    temperature-dependent properties."""
    load = model.load
    return {name: m.at(load.stress_free_c, load.temperature_c) for name, m in material_laws(model).items()}


def material_laws(model: Model) -> dict[str, Material]:
    """Every material the parts use, with its temperature data when the model asks for
    temperature-dependent properties (without, when it does not)."""
    used: dict[str, list[str]] = {}
    for part in model.parts:
        used.setdefault(part.material, []).append(part.name)
    out = {name: _material(model, name, part_names[0]) for name, part_names in used.items()}
    if model.load.viscoelastic:
        return out
    out = {name: replace(m, viscoelastic=None, cure=None) for name, m in out.items()}
    if model.load.temperature_dependent:
        return out
    return {name: replace(m, temperature=None) for name, m in out.items()}


def _material(model: Model, name: str, part_name: str) -> Material:
    """One material: the built-in one, overridden key by key by the model's table."""
    where = f"material '{name}' (used by part '{part_name}')"
    table = model.materials.get(name)
    if table is not None and table.stackup is not None:
        return _stackup(model, name, table, where, part_name)
    base = LIBRARY.get(name)
    if table is None and base is None:
        known = ", ".join(sorted(LIBRARY))
        raise ModelError(
            f"part '{part_name}', key 'material': '{name}' is neither a built-in material ({known}) "
            f"nor a [materials.{name}] table in the model."
        )
    values = {} if base is None else {k: getattr(base, k) for k in ("E_gpa", "nu", "cte_ppm", "k_w_mk", "k_z_w_mk", "source")}
    temperature = None if base is None else base.temperature
    history = {} if base is None else {"viscoelastic": base.viscoelastic, "cure": base.cure}
    anand = None if base is None else base.anand
    life = None if base is None else base.life
    orthotropic = None
    if table is not None and table.orthotropic is not None:
        orthotropic, temperature = _orthotropy(table, where), None
        values.update(E_gpa=orthotropic.E_gpa[0], nu=orthotropic.nu[0], cte_ppm=orthotropic.cte_ppm[0])
    if table is not None:
        given = {k: v for k, v in table.model_dump().items() if v is not None}
        values.update({k: v for k, v in given.items()
                       if k not in table.TEMPERATURE_KEYS + table.HISTORY_KEYS + table.CREEP_KEYS + ("orthotropic",)})
        if table.anand is not None:
            anand = _solder_law(table.anand, where, name, "anand", SOLDERS, AnandTable, Anand)
        if table.life is not None:
            life = _solder_law(table.life, where, name, "life", LIVES, LifeTable, JointLife)
        if base is None:
            values.setdefault("source", "model file")
        temperature = _temperature(table, temperature, values, where, name, model.load.temperature_dependent)
        history.update(_history(table, where, model.load.viscoelastic))
    for key in ("E_gpa", "nu", "cte_ppm"):
        if key not in values:
            raise ModelError(f"{where}, key '{key}': [materials.{name}] must give it (it is not a built-in material).")
    if orthotropic is None and not -1.0 < values["nu"] < 0.5:
        raise ModelError(f"{where}, key 'nu': {values['nu']:g} is outside (-1, 0.5).")
    if orthotropic is not None and history.get("viscoelastic") is not None:
        raise ModelError(f"{where}, key 'orthotropic': relaxation is isotropic in warpfem, so a viscoelastic "
                         "material cannot also be orthotropic; drop one of the two.")
    return Material(name=name, temperature=temperature, orthotropic=orthotropic, anand=anand, life=life, **history, **values)


def _solder_law(given: str | dict, where: str, name: str, key: str, built_in: dict, table: type, law: type):
    """A solder law a material table gives (``anand`` or ``life``): a built-in set's name or its
    constants, checked by ``table`` (the file's keys) and ``law`` (the physics)."""
    if isinstance(given, str):
        if given not in built_in:
            raise ModelError(f"{where}, key '{key}': '{given}' is not a built-in set ({', '.join(sorted(built_in))}); "
                             "give its name or its constants.")
        return built_in[given]
    try:
        values = table.model_validate(given).model_dump()
    except ValidationError as err:
        raise ModelError(error_sentence({}, err, ("materials", name, key))) from None
    try:
        return law(**{**values, "source": values["source"] or "model file"})
    except ValueError as err:
        raise ModelError(f"{where}, key '{key}': {err}.") from None


def _stackup(model: Model, name: str, table: MaterialTable, where: str, part_name: str) -> Material:
    """A material made from its stack-up's layers (:mod:`.stackup`)."""
    other = [k for k, v in table.model_dump(exclude={"stackup"}).items() if v is not None]
    if other:
        raise ModelError(f"{where}, key '{other[0]}': a stack-up material takes its properties from its layers; "
                         "remove the key.")
    layers = []
    for layer in table.stackup.layers:
        found = []
        for key, layer_name in (("material", layer.material), ("fill", layer.fill)):
            if layer_name is None:
                found.append(None)
                continue
            inner = model.materials.get(layer_name)
            if inner is not None and inner.stackup is not None:
                raise ModelError(f"{where}, key 'stackup': layer {key} '{layer_name}' is itself a stack-up; "
                                 "list its layers instead.")
            m = _material(model, layer_name, part_name)
            found.append(m if model.load.temperature_dependent else replace(m, temperature=None))
        if found[0].viscoelastic is not None or (found[1] and found[1].viscoelastic is not None):
            raise ModelError(f"{where}, key 'stackup': layer '{layer.material}' relaxes; a stack-up is homogenised "
                             "from elastic layers.")
        layers.append(Layer(found[0], layer.thickness_mm, layer.coverage, found[1]))
    source = table.stackup.source or "model file"
    return homogenised(name, layers, f"stack-up of {len(layers)} layers, homogenised ({source})")


def _check_stackup_thickness(model: Model) -> None:
    """A part made of a stack-up is as thick as its layers."""
    for part in model.parts:
        table = model.materials.get(part.material)
        if table is None or table.stackup is None:
            continue
        layers = sum(layer.thickness_mm for layer in table.stackup.layers)
        thick = part.box[5] - part.box[4]
        if abs(thick - layers) > 1e-6 * max(thick, layers):
            raise ModelError(f"part '{part.name}', key 'box': it is {thick:g} mm thick and its material "
                             f"'{part.material}' stacks {layers:g} mm of layers; make them equal.")


def _orthotropy(table: MaterialTable, where: str) -> Orthotropy:
    """The orthotropic constants a model's table gives: they replace E, ν and the CTE (an
    orthotropic material's constants hold at every temperature)."""
    both = [k for k in ("E_gpa", "nu", "cte_ppm", *table.TEMPERATURE_KEYS) if getattr(table, k) is not None]
    if both:
        raise ModelError(f"{where}, key '{both[0]}': an orthotropic material takes its moduli, Poisson ratios and "
                         "CTEs from [materials.NAME.orthotropic] and holds them at every temperature; remove the key.")
    o = table.orthotropic
    out = Orthotropy(o.E_gpa, o.nu, o.G_gpa, o.cte_ppm)
    try:
        orthotropic_constants(out.E_gpa, out.nu, out.G_gpa)
    except ValueError as err:
        raise ModelError(f"{where}, key 'orthotropic': {err}.") from None
    return out


def _history(table: MaterialTable, where: str, viscoelastic: bool) -> dict:
    """The relaxation and cure shrinkage a model's table gives a material."""
    given = [k for k in table.HISTORY_KEYS if getattr(table, k) is not None]
    if not given:
        return {}
    if not viscoelastic:
        raise ModelError(f"{where}, key '{given[0]}': relaxation and cure shrinkage act along the process's time "
                         "history, solved only with [load] material_properties = \"viscoelastic\"; set it or "
                         "remove the key.")
    out = {}
    v = table.viscoelastic
    if v is not None:
        shift = Shift(v.shift, v.reference_c or 0.0, v.wlf_c1 or 0.0, v.wlf_c2_k or 0.0, v.activation_k or 0.0)
        out["viscoelastic"] = Prony(tuple(zip(v.shear_weights, v.shear_times_s)), tuple(zip(v.bulk_weights, v.bulk_times_s)),
                                    shift, v.source or "model file")
    if table.cure_shrinkage_pct is not None:
        start = table.cure_start_s or 0.0
        end = table.cure_end_s if table.cure_end_s is not None else start
        if end < start:
            raise ModelError(f"{where}, key 'cure_end_s': {end:g} s is before cure_start_s = {start:g} s.")
        out["cure"] = CureShrinkage(table.cure_shrinkage_pct, start, end)
    elif table.cure_start_s is not None or table.cure_end_s is not None:
        key = "cure_start_s" if table.cure_start_s is not None else "cure_end_s"
        raise ModelError(f"{where}, key '{key}': give cure_shrinkage_pct, the shrinkage these times spread.")
    return out


def _temperature(table: MaterialTable, base: TemperatureData | None, values: dict, where: str, name: str,
                 dependent: bool) -> TemperatureData | None:
    """The temperature data of a material the model's table touches: its own table or glass
    transition (filling in room-temperature values it leaves out), or the built-in data."""
    given = [k for k in table.TEMPERATURE_KEYS if getattr(table, k) is not None]
    if not given:
        if base is not None and base.table is not None:
            # a constant the model gives wins over the built-in column of that property
            kept = {k: (None if getattr(table, k) is not None else getattr(base.table, k)) for k in ("E_gpa", "nu", "cte_ppm")}
            if any(v is not None for v in kept.values()):
                return TemperatureData(table=PropertyTable(base.table.temperature_c, **kept))
            return None
        return base
    if not dependent:
        raise ModelError(f"{where}, key '{given[0]}': temperature data is used only with [load] "
                         "material_properties = \"temperature_dependent\"; set it or remove the key.")
    if table.table is not None:
        if len(given) > 1:
            raise ModelError(f"{where}, key '{given[1]}': give either a table or a glass transition (tg_c ...), "
                             "not both.")
        t = table.table
        for key in ("E_gpa", "nu", "cte_ppm"):
            column = getattr(t, key)
            if key not in values and column is not None:
                values[key] = float(np.interp(ROOM_C, t.temperature_c, column))
        return TemperatureData(table=PropertyTable(t.temperature_c, t.E_gpa, t.nu, t.cte_ppm))
    glass = base.glass if base is not None and base.glass is not None else None
    tg = table.tg_c if table.tg_c is not None else (glass.tg_c if glass else None)
    above = table.cte_above_tg_ppm if table.cte_above_tg_ppm is not None else (glass.cte_above_ppm if glass else None)
    E_above = table.E_above_tg_gpa if table.E_above_tg_gpa is not None else (glass.E_above_gpa if glass else None)
    width = table.tg_width_k if table.tg_width_k is not None else (glass.width_k if glass else 0.0)
    for key, v in (("tg_c", tg), ("cte_above_tg_ppm", above), ("E_above_tg_gpa", E_above)):
        if v is None:
            raise ModelError(f"{where}, key '{key}': a glass transition needs tg_c, cte_above_tg_ppm and "
                             f"E_above_tg_gpa, and [materials.{name}] leaves this one out.")
    return TemperatureData(glass=GlassTransition(tg, above, E_above, width))


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
    _check_steps(model)
    _check_stackup_thickness(model)
    materials = resolve_materials(model)
    _check_time(model, materials)
    _check_thermal(model, materials)
    _check_homogenised_isotropic(model, materials)
    _check_creep(model, materials)
    return materials


def _check_creep(model: Model, materials: dict[str, Material]) -> None:
    """``[cycle] solder = "anand"`` cycles a bump whose solder creeps: the model needs bumps of a
    material with Anand constants."""
    if model.cycle is None or model.cycle.solder != "anand":
        return
    bumps = [p for p in model.parts if p.role == "bumps"]
    if not bumps:
        raise ModelError("[cycle], key 'solder': \"anand\" cycles the critical bump's submodel, but no part has "
                         "role = \"bumps\".")
    if not any(materials[p.material].anand is not None for p in bumps):
        raise ModelError(f"[cycle], key 'solder': \"anand\" needs the bumps' solder to creep, but material "
                         f"'{bumps[0].material}' (part '{bumps[0].name}') has no Anand constants; give "
                         f"[materials.{bumps[0].material}] anand = \"sac305\" (a built-in set) or its nine constants.")


def _check_homogenised_isotropic(model: Model, materials: dict[str, Material]) -> None:
    """A homogenised bump layer mixes isotropic bumps and filler."""
    if model.bumps is None or model.bumps.global_model != "homogenised":
        return
    for part in model.parts:
        if (part.role == "bumps" or part.name == model.bumps.filler) and materials[part.material].orthotropic:
            raise ModelError(f"material '{part.material}' (used by part '{part.name}'), key 'orthotropic': a "
                             "homogenised bump layer mixes isotropic bumps and filler; give this part an isotropic "
                             "material or set [bumps] global = \"explicit\".")


def _check_time(model: Model, materials: dict[str, Material]) -> None:
    """Ramps and holds only where the process is solved in time; there, every temperature it
    passes lies where each material's shift holds, and nothing else needs one elastic state."""
    load = model.load
    if not load.viscoelastic:
        default = type(load).model_fields
        timed = [("[load]", k) for k in ("ramp_k_per_min", "hold_s") if getattr(load, k) != default[k].default]
        timed += [(f"step '{s.name}'", k) for s in model.steps for k in ("ramp_k_per_min", "hold_s")
                  if getattr(s, k) != type(s).model_fields[k].default]
        if timed:
            where, key = timed[0]
            raise ModelError(f"{where}, key '{key}': ramps and holds are solved only with [load] material_properties "
                             "= \"viscoelastic\"; set it or remove the key.")
        return
    if model.thermal is not None:
        raise ModelError("[thermal]: the power-on state is solved for elastic packages only; remove [thermal] or "
                         "set [load] material_properties = \"temperature_dependent\".")
    lowest = min([load.stress_free_c, load.temperature_c, *model.step_temperatures_c()])
    for name, law in materials.items():
        if law.viscoelastic is not None and lowest <= law.viscoelastic.shift.valid_above_c():
            shift = law.viscoelastic.shift
            raise ModelError(f"material '{name}', key 'viscoelastic': its WLF shift (reference {shift.reference_c:g} °C, "
                             f"C2 {shift.wlf_c2_k:g} K) has its pole at {shift.valid_above_c():g} °C, and the process "
                             f"goes down to {lowest:g} °C; give a larger wlf_c2_k or an Arrhenius shift.")


def _check_thermal(model: Model, materials: dict[str, Material]) -> None:
    """The thermal faces and sources name parts, and every part conducts."""
    t = model.thermal
    if t is None:
        return
    names = {p.name for p in model.parts}
    for table, entries in (("power", t.power), ("convection", t.convection), ("fixed", t.fixed)):
        for e in entries:
            if e.part not in names:
                raise ModelError(f"[[thermal.{table}]], key 'part': there is no part '{e.part}'.")
    for part in model.parts:
        if materials[part.material].k_w_mk is None:
            raise ModelError(f"material '{part.material}' (used by part '{part.name}'), key 'k_w_mk': [thermal] needs "
                             "every part's conductivity; give it in [materials." + part.material + "].")


def _check_steps(model: Model) -> None:
    """Process steps name existing parts once each, and bond at a known temperature (the first,
    unless it says, at [load] stress_free_c)."""
    names = {p.name for p in model.parts}
    seen: dict[str, str] = {}
    for i, step in enumerate(model.steps):
        where = f"step '{step.name}'"
        if step.temperature_c is None and i > 0:
            raise ModelError(f"{where}, key 'temperature_c': every step after the first must give its bonding temperature.")
        for name in step.parts:
            if name not in names:
                raise ModelError(f"{where}, key 'parts': there is no part '{name}'.")
            if name in seen:
                raise ModelError(f"{where}, key 'parts': part '{name}' is already bonded in step '{seen[name]}'.")
            seen[name] = step.name
    carrier = next((p.name for p in model.parts if p.role == "carrier"), None)
    if carrier in seen and model.steps[0].name != seen[carrier]:
        raise ModelError(f"step '{seen[carrier]}', key 'parts': the carrier '{carrier}' holds the package from the "
                         f"start; bond it in the first step ('{model.steps[0].name}').")
    if len({s.name for s in model.steps}) != len(model.steps):
        raise ModelError("[[steps]], key 'name': two steps have the same name; names must be unique.")
