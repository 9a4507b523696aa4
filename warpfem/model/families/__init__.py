"""Seed package families: a ``[model] family`` and its ``[family]`` table expand into parts.

Each family is a module with a pydantic parameter table, a ``build(params)`` that returns the
contract's parts, and its seed's claim rules; :data:`REGISTRY` maps the family name to its
:class:`~.base.Family` record. :func:`expand_family` turns a family model into the equivalent
parts-only model (the family's parameters, defaults filled in, stay on it for ``warpfem check``).
"""

from __future__ import annotations

from pydantic import ValidationError

from ...errors import ModelError
from ..load import error_sentence
from ..materials import LIBRARY
from ..schema import Model
from . import (carrier_size_heat_sink, dual_carrier_stack, molded_flip_chip_heat_sink, molded_underfill,
               stiffener_dual_heat_sink)
from .base import Expansion, Family, FamilyParams, fail, parse_params
from .materials import FAMILY_MATERIALS
from .process import default_steps

REGISTRY: dict[str, Family] = {
    m.FAMILY.name: m.FAMILY
    for m in (molded_flip_chip_heat_sink, molded_underfill, stiffener_dual_heat_sink, dual_carrier_stack,
              carrier_size_heat_sink)
}


def _family(model: Model) -> Family:
    name = model.model.family
    if name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise ModelError(f"[model], key 'family': '{name}' is not a known package family (known: {known}).")
    return REGISTRY[name]


def family_params(model: Model) -> FamilyParams:
    """The validated ``[family]`` table of a family model, or of its expansion (which carries the
    table with every default filled in, already checked)."""
    family = _family(model)
    if model.parts:
        return family.params.model_validate(model.family or {})
    return parse_params(family.params, family.name, dict(model.family or {}))


def _materials(family: Family, params: FamilyParams, built: Expansion, model: Model) -> dict[str, dict]:
    """The expanded model's material tables: the families' own entries it uses (under the model's
    overrides), the ones computed from parameters, and every table the model file gives."""
    given = {name: t.model_dump(exclude_none=True) for name, t in model.materials.items()}
    for name in built.made_materials:
        if name in given:
            raise ModelError(f"material '{name}', key '(the whole table)': family '{family.name}' makes this "
                             "material from its [family] keys, so the model file may not define it.")
    out: dict[str, dict] = {}
    for name in sorted({p["material"] for p in built.parts}):
        if name in built.made_materials:
            out[name] = built.made_materials[name]
        elif name in FAMILY_MATERIALS:
            out[name] = {**FAMILY_MATERIALS[name], **given.get(name, {})}
        elif name not in LIBRARY and name not in given:
            key = next((k for k, v in params if k.endswith("_material") and v == name), "material")
            known = ", ".join(sorted({*LIBRARY, *FAMILY_MATERIALS}))
            fail(key, f"'{name}' is neither a built-in material ({known}) nor a [materials.{name}] table in the model")
    return {**given, **out}


def expand_family(model: Model) -> Model:
    """The parts-only model equivalent to a family model."""
    if model.parts:
        raise ModelError(f"[model], key 'family': a family model ('{model.model.family}') must not also list [[parts]].")
    family = _family(model)
    params = family_params(model)
    built = family.build(params)
    raw = model.model_dump(exclude_unset=True)
    info = raw.setdefault("model", {})
    info.setdefault("name", family.name)
    info.setdefault("symmetry", family.symmetry)
    raw.update(materials=_materials(family, params, built, model), parts=built.parts,
               family=params.model_dump(mode="json"))
    if model.model.process == "family" and not model.steps:
        steps = default_steps(family.name, built.parts)
        if steps is None:
            raise ModelError(f"[model], key 'process': family '{family.name}' has no default assembly sequence; "
                             "give [[steps]].")
        raw["steps"] = steps
    try:
        return Model.model_validate(raw)
    except ValidationError as err:  # a family that builds a bad part is a bug; still say where
        raise ModelError(f"family '{family.name}' built a model the contract refuses: "
                         f"{error_sentence(raw, err)}") from None


def parameter_table(name: str) -> str:
    """The family's parameters as a Markdown table, in declaration order (docs/families.md holds
    these tables verbatim, and a test keeps them so)."""
    cls = REGISTRY[name].params
    order = [k for klass in cls.__mro__ for k in klass.__dict__.get("__annotations__", {}) if k in cls.model_fields]
    defaults, only = cls.collected("VARIANT_DEFAULTS"), cls.collected("ONLY_WHEN")
    rows = ["| key | default | applies when | meaning |", "|---|---|---|---|"]
    for key in dict.fromkeys(order):
        if key in defaults:
            default = ", ".join(f"{_shown(v)} ({k})" for k, v in defaults[key][1].items())
        else:
            default = _shown(cls.model_fields[key].default)
        conds = only.get(key, ())
        when = ", ".join(c.text for c in (conds if isinstance(conds, tuple) else (conds,)))
        rows.append(f"| `{key}` | {default} | {when} | {cls.model_fields[key].description} |")
    return "\n".join(rows)


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else f"{value:g}"


__all__ = ["REGISTRY", "expand_family", "family_params", "parameter_table"]
