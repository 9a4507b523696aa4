"""The cases of a study: each a parts-only model, built from the base by dotted-key edits.

Family keys (``family.*``, ``model.family``) edit the family model before it is expanded; every
other key edits the expanded parts-only model, so parts are addressed by the names the family
gives them (``warpfem expand`` shows them). Each case is identified by the hash of its expanded
model and warpfem's version: equal models share one solve, a changed model or a new warpfem
version is solved afresh.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, Iterator

from .. import __version__, expand, load_model
from ..errors import ModelError
from ..model import LIBRARY, Model
from ..model.families import REGISTRY
from . import keys
from .spec import StudySpec

#: model keys that do not change a result, left out of the hash so equal packages share a solve
_NOT_HASHED = ("name", "description")


@dataclass
class Case:
    """One row of the study: its edits, and its parts-only model (or why it has none)."""

    name: str
    kind: str                                   # "base", "variant", "sweep" or "grid"
    edits: dict[str, Any]                       # the case's own dotted keys, beyond [set]
    remove_parts: tuple[str, ...] = ()
    group: int = 0                              # which grid a grid case belongs to
    model: dict | None = None                   # the parts-only model, as plain data
    family: dict | None = None                  # the edited family model before expansion
    key: str | None = None                      # hash of the expanded model and warpfem version
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # every varied key's value here


def raw_model(model: Model) -> dict:
    """A model as plain data with every key present (unset ones as None), not expanded.

    A family model that leaves ``[model] symmetry`` unset gets its family's (quarter), as its
    expansion would: the contract's own default (full) would otherwise be written in and solve
    four times the model."""
    data = model.model_dump(mode="json")
    if model.model.family and "symmetry" not in model.model.model_fields_set:
        data["model"]["symmetry"] = REGISTRY[model.model.family].symmetry
    return data


def parts_model(model: Model) -> dict:
    """An expanded model as plain data with every key present and no family left."""
    data = model.model_dump(mode="json", exclude={"family"})
    data["model"]["family"] = None
    return data


def _material_values(data: dict) -> dict:
    """Every material the parts use with the values it resolves to (the library's, then the table's)."""
    out = {}
    for name in sorted({p["material"] for p in data["parts"]}):
        library = LIBRARY.get(name)
        table = data["materials"].get(name) or {}
        values = {}
        for k in keys.material_keys():
            v = table.get(k) if table.get(k) is not None else getattr(library, k, None)
            if v is not None:
                values[k] = _plain(v)
        out[name] = values
    return out


def _plain(v):
    """A material value as hashable plain data: numbers as floats, a built-in law (Anand's
    constants) as its numbers without its source, tables and names as they are."""
    if isinstance(v, (int, float)):
        return float(v)
    if is_dataclass(v):
        return {k: _plain(x) for k, x in asdict(v).items() if k != "source"}
    return v


def model_key(data: dict) -> str:
    """The hash of a parts-only model and warpfem's version (hex, 20 digits).

    Only what changes a result is hashed, so equal packages share a solve however they are
    written: not the model's name or description, not material names, sources or tables no part
    uses; each part's material is hashed by the values it resolves to (library, then table).
    """
    hashed = copy.deepcopy(data)
    for k in _NOT_HASHED:
        hashed["model"].pop(k, None)
    values = _material_values(hashed)
    for part in hashed["parts"]:  # a material is what its values are, whatever it is called
        part["material"] = values[part["material"]]
    del hashed["materials"]
    text = json.dumps({"model": hashed, "warpfem": __version__}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def base_raw_model(base: dict, what: str = "the study's base model") -> dict:
    """A base model (TOML data) as plain data before any family expands; refused in one sentence,
    naming ``what`` it is, if bad."""
    try:
        expand(base)  # the contract's checks and sentences, the family's expansion
    except ModelError as err:
        raise ModelError(f"{what}: {err}") from None
    return raw_model(Model.model_validate(base))


def edit_model(base_raw: dict, edits: dict[str, Any], remove: tuple[str, ...], where: str,
               new_materials: frozenset[str] = frozenset()) -> tuple[dict, dict]:
    """Apply edits to the base; return the edited family-level data and the parts-only model."""
    raw = copy.deepcopy(base_raw)
    for key, value in edits.items():
        if keys.is_family_key(key):
            keys.assign(raw, key, value, where)
    data = parts_model(load_model(raw))
    for name in remove:
        keys.remove_part(data, name, where)
    for key, value in edits.items():
        if not keys.is_family_key(key):
            keys.assign(data, key, value, where, new_materials)
    return raw, parts_model(expand(data))  # expand checks the whole model, layout included


def _fmt(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _planned(spec: StudySpec) -> Iterator[Case]:
    if spec.study.baseline:
        yield Case("base", "base", {})
    for v in spec.variants:
        yield Case(v.name, "variant", v.overrides, v.remove_parts)
    for key, values in spec.sweep.items():
        for value in values:
            yield Case(f"{key}={_fmt(value)}", "sweep", {key: value})
    for i, grid in enumerate(spec.grid):
        for combo in itertools.product(*grid.values()):
            edits = dict(zip(grid, combo))
            yield Case(", ".join(f"{k}={_fmt(v)}" for k, v in edits.items()), "grid", edits, group=i)


def varied_keys(spec: StudySpec) -> list[str]:
    """Every key a variant, sweep or grid changes, in the order the study names them."""
    out: dict[str, None] = {}
    for v in spec.variants:
        out.update(dict.fromkeys(v.overrides))
    out.update(dict.fromkeys(spec.sweep))
    for grid in spec.grid:
        out.update(dict.fromkeys(grid))
    return list(out)


def _gives_material(key: str) -> bool:
    return key.startswith("parts.") and key.endswith(".material")


def given_materials(spec: StudySpec) -> frozenset[str]:
    """Material names the study gives parts (``parts.NAME.material``), which it may define."""
    values = [v for k, v in spec.set.items() if _gives_material(k)]
    for variant in spec.variants:
        values += [v for k, v in variant.overrides.items() if _gives_material(k)]
    for axes in (spec.sweep, *spec.grid):
        values += [v for k, options in axes.items() if _gives_material(k) for v in options]
    return frozenset(v for v in values if isinstance(v, str))


def describe(err: BaseException) -> str:
    """A failed case's error for the table: a model's own sentence, else the exception named."""
    return str(err) if isinstance(err, ModelError) else f"{type(err).__name__}: {err}"


def _check_keys(spec: StudySpec, base_raw: dict, base_parts: dict, new_materials: frozenset[str]) -> None:
    """Refuse, before anything runs, a key or part name the base model does not have."""
    def check(key: str, where: str) -> None:
        keys.check(base_raw if keys.is_family_key(key) else base_parts, key, where, new_materials)

    for v in spec.variants:
        where = f"variant '{v.name}', "
        for key in v.overrides:
            check(key, where)
        for name in v.remove_parts:
            keys.named_part(base_parts["parts"], name, "remove_parts", where)
    for key in spec.sweep:
        check(key, "[sweep] ")
    for grid in spec.grid:
        for key in grid:
            check(key, "[grid] ")


def build_cases(spec: StudySpec) -> list[Case]:
    """Every case of the study with its model and hash; a case whose model is refused carries
    the reason in ``error``. A key the base model does not have refuses the whole study."""
    base_raw = base_raw_model(spec.base)
    new_materials = given_materials(spec)
    try:
        set_raw, set_parts = edit_model(base_raw, spec.set, (), "[set] ", new_materials)
    except keys.UnknownKey:
        raise
    except ModelError as err:
        raise ModelError(f"the study's base model with its [set] keys: {err}") from None
    _check_keys(spec, set_raw, set_parts, new_materials)
    varied = varied_keys(spec)
    cases, names = [], set()
    for case in _planned(spec):
        name, n = case.name, 2
        while case.name in names:  # the same edit named by a sweep and a grid: keep both rows
            case.name, n = f"{name} #{n}", n + 1
        names.add(case.name)
        try:
            case.family, case.model = edit_model(base_raw, {**spec.set, **case.edits}, case.remove_parts, "", new_materials)
            case.key = model_key(case.model)
        except Exception as err:  # this case's model is bad (or its family failed): report it, go on
            case.error = describe(err)
        for key in varied:
            found = keys.lookup(case.family, key) if (keys.is_family_key(key) and case.family) else (
                keys.lookup(case.model, key) if case.model else None)
            case.values[key] = found if found is not None else case.edits.get(key)
        cases.append(case)
    return cases
