"""The study file: a base model and the ways to vary it (see docs/study-format.md).

```toml
[study]
name = "stiffener"
base = "fcbga.toml"                 # relative to this file; or an inline [base] table

[set]                               # applied to every case, the base included
"mesh.size_mm" = 1.0

[[variants]]                        # named cases, each any number of dotted keys
name = "no stiffener"
remove_parts = ["stiffener", "stiffener_adhesive"]

[sweep]                             # one key at a time, the others at the base's values
"materials.tim.E_gpa" = [0.5, 1.0, 5.0]

[grid]                              # every combination ([[grid]] for several grids)
"family.gap_mm" = [0.03, 0.1, 0.2]
"load.temperature_c" = [-40.0, 125.0]
```
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ModelError
from ..model.load import error_message, parse_toml, read_toml
from .keys import flatten

StudyLike = Union["StudySpec", dict, str, PathLike]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StudyInfo(_Strict):
    name: str = "study"
    description: str | None = None
    base: str | None = Field(default=None, description="base model file, relative to the study file")
    baseline: bool = Field(default=True, description="run the base model itself as case 'base'")
    fields: bool = Field(default=False, description="keep each case's result.vtu beside its summary")
    die: list[str] = Field(default=["die"], description="the part(s) reported as the die's stress")

    @field_validator("die", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Variant(BaseModel):
    """A named case: ``remove_parts`` and any number of dotted keys with their values."""

    model_config = ConfigDict(extra="allow", frozen=True)
    name: str = Field(min_length=1)
    remove_parts: tuple[str, ...] = ()

    @property
    def overrides(self) -> dict[str, Any]:
        return flatten(dict(self.model_extra or {}))


def _axes(table: dict[str, Any], where: str) -> dict[str, list]:
    axes = flatten(table)
    for key, values in axes.items():
        if not isinstance(values, list) or not values:
            raise ValueError(f"{where} key '{key}' must be a non-empty list of values")
    return axes


class StudySpec(_Strict):
    """A validated study: the base model as plain data and the cases' dotted-key edits."""

    study: StudyInfo = StudyInfo()
    base: dict[str, Any] = Field(description="the base model as TOML data")
    set: dict[str, Any] = {}
    variants: tuple[Variant, ...] = ()
    sweep: dict[str, list] = {}
    grid: tuple[dict[str, list], ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        raw = dict(raw)
        # tables of the wrong type are left as they are, for the field's own type check to refuse
        if isinstance(raw.get("set") or {}, dict):
            raw["set"] = flatten(raw.get("set") or {})
        if isinstance(raw.get("sweep") or {}, dict):
            raw["sweep"] = _axes(raw.get("sweep") or {}, "[sweep]")
        grids = raw.get("grid") or ()
        grids = [grids] if isinstance(grids, dict) else grids
        if isinstance(grids, (list, tuple)) and all(isinstance(g, dict) for g in grids):
            raw["grid"] = tuple(_axes(g, "[grid]") for g in grids if g)
        return raw

    @model_validator(mode="after")
    def _unique_names(self) -> "StudySpec":
        seen = {"base"}
        for v in self.variants:
            if v.name in seen:
                raise ValueError(f"two cases are named '{v.name}'; variant names must be unique and not 'base'")
            seen.add(v.name)
        if not (self.study.baseline or self.variants or self.sweep or self.grid):
            raise ValueError("the study has no cases: give [[variants]], [sweep] or [grid], or keep baseline = true")
        return self


def _sentence(err: ValidationError) -> str:
    e = err.errors()[0]
    where = ".".join(str(p) for p in e["loc"]) or "the study"
    return f"study file, key '{where}': {error_message(e, 'this key is not part of the study format (a typo?)')}."


def _base_model(raw: dict, folder: Path) -> dict:
    """The base model's data: the inline [base] table, or the file [study] base names."""
    info = raw.get("study") or {}
    path = info.get("base") if isinstance(info, dict) else None
    if ("base" in raw) == (path is not None):
        raise ModelError("study file, key 'study.base': give the base model either as a file name or as a [base] table (exactly one).")
    if path is None:
        return raw["base"]
    if not isinstance(path, str):
        raise ModelError(f"study file, key 'study.base': give the base model's file name as a string, not {path!r}.")
    return read_toml((folder / path).resolve(), "study file, key 'study.base': the base model file")


def load_study(source: StudyLike) -> StudySpec:
    """A validated :class:`StudySpec` from a spec, a dict, a study file path or TOML text.

    A dict's or TOML text's ``[study] base`` path is taken relative to the working directory.
    """
    if isinstance(source, StudySpec):
        return source
    folder = Path.cwd()
    if isinstance(source, dict):
        raw = dict(source)
    else:
        text_given = isinstance(source, str) and "\n" in source
        if text_given:
            raw = parse_toml(str(source), "study file")
        else:
            path = Path(source)
            raw = read_toml(path, "study file")
            folder = path.resolve().parent
    raw["base"] = _base_model(raw, folder)
    try:
        return StudySpec.model_validate(raw)
    except ValidationError as err:
        raise ModelError(_sentence(err)) from None
