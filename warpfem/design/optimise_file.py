"""The optimisation file: a base model, the design variables, the objective and the constraints.

```toml
[optimise]
name = "stiffener_and_lid"
base = "package.toml"                # relative to this file
objective = "warpage_um"             # warpage_um, coplanarity_um, die_max_von_mises_mpa, ...
goal = "magnitude"                   # smallest |objective|; or "minimum", "maximum"
max_solves = 90                      # every evaluation counts, the references' included
method = "COBYQA"                    # SciPy's COBYQA (default) or COBYLA

[set]                                # dotted keys applied to every solve and to the best design
"load.temperature_c" = 25.0

[search]                             # dotted keys applied to the search's solves only
"mesh.edge_ratio" = 8.0

[[variable]]                         # continuous: a number between bounds
key = "family.stiffener_width_mm"
bounds = [3.0, 9.0]

[[variable]]                         # discrete: one of a list (materials, switches)
key = "family.stiffener_material"
choices = ["copper", "stainless_steel"]

[[constraint]]
output = "bump_critical_avg_von_mises_mpa"
at_most = "bare_die"                 # a number in the output's unit, or a reference's name

[[constraint]]                       # the same design solved again at 260 °C
output = "warpage_um"
within = 60.0                        # |warpage| at most 60 µm
temperature_c = 260.0

[[reference]]                        # a package solved once to set a limit
name = "bare_die"
"family.first_heat_sink" = false
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ModelError
from ..model.load import error_message, read_toml
from ..studies.keys import flatten
from ..studies.spec import Variant
from .sensitivity import LABELS, OUTPUTS

#: the summary's heat figures an objective or a constraint may name (a model with ``[thermal]``)
THERMAL = ("junction_c", "theta_jc_k_w", "theta_jb_k_w", "theta_ja_k_w", "power_on_warpage_um")

#: what an objective or a constraint may name: the outputs of
#: :func:`~warpfem.design.sensitivity.outputs_of` and the heat figures
QUANTITIES = (*OUTPUTS, "bump_critical_avg_von_mises_mpa", *THERMAL)

Goal = Literal["magnitude", "minimum", "maximum"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Settings(_Strict):
    """``[optimise]``."""

    name: str = "optimisation"
    base: str = Field(description="the base model file, relative to the optimisation file")
    objective: Literal[QUANTITIES] = "warpage_um"
    goal: Goal = Field("magnitude", description="magnitude: the smallest |objective|; minimum; maximum")
    max_solves: int = Field(100, ge=3, le=100_000, description="evaluations at most, the references' included")
    method: Literal["COBYQA", "COBYLA"] = "COBYQA"


class Variable(_Strict):
    """``[[variable]]``: a dotted key, either between ``bounds`` or one of ``choices``."""

    key: str = Field(min_length=1)
    bounds: tuple[float, float] | None = Field(None, description="lower and upper value, in the key's unit")
    start: float | None = Field(None, description="the search's first value (default: the base's, else the middle)")
    choices: tuple[str | bool | float, ...] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> "Variable":
        if (self.bounds is None) == (self.choices is None):
            raise ValueError("give either bounds = [low, high] (a continuous variable) or choices = [...], exactly one")
        if self.bounds is not None:
            low, high = self.bounds
            if not high > low:
                raise ValueError(f"bounds [{low:g}, {high:g}] must be increasing")
            if self.start is not None and not low <= self.start <= high:
                raise ValueError(f"start {self.start:g} is outside bounds [{low:g}, {high:g}]")
        elif self.start is not None:
            raise ValueError("start applies to a variable with bounds")
        return self

    @property
    def continuous(self) -> bool:
        return self.bounds is not None


class Constraint(_Strict):
    """``[[constraint]]``: an output held at or below, at or above, or within ± a number or a
    reference's value; at the model's load temperature, or with ``temperature_c`` at another one
    (the design solved again at it: reflow's 260 °C)."""

    output: Literal[QUANTITIES]
    at_most: float | str | None = None
    at_least: float | str | None = None
    within: float | str | None = Field(None, description="|output| at most this (or a reference's |output|)")
    temperature_c: float | None = Field(None, description="the load temperature the output is taken at, °C")

    @model_validator(mode="after")
    def _one_side(self) -> "Constraint":
        if sum(v is not None for v in (self.at_most, self.at_least, self.within)) != 1:
            raise ValueError("give exactly one of at_most, at_least, within")
        if isinstance(self.within, (int, float)) and self.within <= 0:
            raise ValueError(f"within {self.within:g} must be positive")
        return self

    @property
    def bound(self) -> float | str:
        return next(v for v in (self.at_most, self.at_least, self.within) if v is not None)

    @property
    def kind(self) -> str:
        """``at_most``, ``at_least`` or ``within``."""
        return "at_most" if self.at_most is not None else ("at_least" if self.at_least is not None else "within")

    @property
    def label(self) -> str:
        """The output's name on tables and charts: ``warpage at 260 °C``."""
        name = LABELS.get(self.output, self.output)
        return name if self.temperature_c is None else f"{name} at {self.temperature_c:g} °C"

    @property
    def relation(self) -> str:
        """``≤ 389.9``-style text of the constraint with its limit's value filled in later."""
        return {"at_most": "≤", "at_least": "≥", "within": "within ±"}[self.kind]

    @property
    def column(self) -> str:
        """The output's name where it is read: ``warpage_um``, or ``warpage_um at 260 C``."""
        return self.output if self.temperature_c is None else f"{self.output} at {self.temperature_c:g} C"


class OptimiseFile(_Strict):
    """A validated optimisation file (the base model as plain data)."""

    optimise: Settings
    base_model: dict[str, Any] = Field(description="the base model as TOML data (read from optimise.base)")
    set: dict[str, Any] = {}
    search: dict[str, Any] = {}
    variable: tuple[Variable, ...] = Field(min_length=1)
    constraint: tuple[Constraint, ...] = ()
    reference: tuple[Variant, ...] = ()

    @field_validator("set", "search", mode="before")
    @classmethod
    def _dotted(cls, v: Any) -> Any:
        return flatten(v) if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _consistent(self) -> "OptimiseFile":
        keys = [v.key for v in self.variable]
        twice = next((k for k in keys if keys.count(k) > 1), None)
        if twice:
            raise ValueError(f"the key '{twice}' is a variable twice")
        if not any(v.continuous for v in self.variable):
            raise ValueError("give at least one variable with bounds: choices alone are a study, not an optimisation")
        if self.optimise.max_solves <= len(self.reference):
            raise ValueError(f"max_solves ({self.optimise.max_solves}) leaves no solve for the search after "
                             f"{len(self.reference)} reference(s)")
        names = [r.name for r in self.reference]
        for i, c in enumerate(self.constraint):
            if isinstance(c.bound, str) and c.bound not in names:
                raise ValueError(f"constraint {i + 1} names the reference '{c.bound}', and the file has "
                                 + (f"only {', '.join(names)}" if names else "no [[reference]]"))
        return self

    @property
    def branches(self) -> list[dict[str, Any]]:
        """Every combination of the discrete variables' choices (one empty one without any)."""
        combos: list[dict[str, Any]] = [{}]
        for v in self.variable:
            if not v.continuous:
                combos = [{**c, v.key: choice} for c in combos for choice in v.choices]
        return combos


def load_optimise_file(path: str | Path) -> OptimiseFile:
    """Read and validate an optimisation file; its base model is read from beside it."""
    path = Path(path)
    raw = read_toml(path, "optimisation file")
    info = raw.get("optimise")
    if not isinstance(info, dict) or not isinstance(info.get("base"), str):
        raise ModelError("optimisation file, key 'optimise.base': give the base model's file name, relative to "
                         "the optimisation file.")
    data = {**raw, "base_model": read_toml(path.resolve().parent / info["base"],
                                           "optimisation file, key 'optimise.base': the base model file")}
    try:
        return OptimiseFile.model_validate(data)
    except ValidationError as err:
        raise ModelError(_sentence(err)) from None


def _sentence(err: ValidationError) -> str:
    """One sentence naming the table (``[[variable]] 2``) and the key of the first error."""
    e = err.errors()[0]
    loc = list(e["loc"])
    msg = error_message(e, "this key is not part of the optimisation file (a typo?)")
    if not loc:
        return f"optimisation file: {msg}."
    where = f"[{loc.pop(0)}]"
    if loc and isinstance(loc[0], int):
        where = f"[{where}] {loc.pop(0) + 1}"
    key = ".".join(str(p) for p in loc if not isinstance(p, int) and p not in ("str", "bool", "float", "int"))
    return f"optimisation file, {where}" + (f", key '{key}'" if key else "") + f": {msg}."
