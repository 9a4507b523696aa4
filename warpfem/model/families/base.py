"""What every seed family shares: its parameter table, the errors it raises, and its record.

A family's ``[family]`` table is a pydantic model of :class:`FamilyParams` (units in the key
names). Keys may take a default that depends on a switch key (``VARIANT_DEFAULTS``: a lead frame
is thinner than a substrate) and may belong to some variants only (``ONLY_WHEN``: a third die
exists only in the three-die chip set); a key given for a variant that does not use it is refused
rather than silently ignored. Checks that need several keys live in each family's ``check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Callable, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, model_validator

from ...errors import ModelError
from ..claims import ClaimCheck
from ..load import error_sentence
from ..materials import Material

#: thinnest layer and narrowest feature a family builds, in mm: a brick across a thinner layer
#: would be over a hundred times wider than tall at the default in-plane size
MIN_FEATURE_MM = 0.01

#: the most bump (or ball) columns across one array a family builds: each column adds two grid
#: lines across the whole package
MAX_COLUMNS = 64


def _meshable(value: float) -> float:
    if value < MIN_FEATURE_MM:
        raise ValueError(f"it is {value:g} mm, and warpfem builds no layer or feature thinner than "
                         f"{MIN_FEATURE_MM:g} mm (the bricks across it would be over a hundred times wider than tall)")
    return value


#: a length in mm that the mesh can resolve (at least MIN_FEATURE_MM)
Mm = Annotated[float, AfterValidator(_meshable)]


def fail(key: str, message: str) -> None:
    """Refuse a family parameter: one sentence naming ``[family]`` and the key."""
    raise ModelError(f"[family], key '{key}': {message}.")


@dataclass(frozen=True)
class When:
    """A condition on a switch key under which a parameter applies."""

    switch: str
    test: Callable[[Any], bool]
    text: str


def when(switch: str, *values: Any) -> When:
    """The parameter applies when ``switch`` takes one of ``values``."""
    text = f"{switch} = " + " or ".join(_toml(v) for v in values)
    return When(switch, lambda v: v in values, text)


def when_positive(switch: str) -> When:
    """The parameter applies when ``switch`` is greater than zero."""
    return When(switch, lambda v: v > 0, f"{switch} > 0")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else f"{value:g}"


class FamilyParams(BaseModel):
    """Base of a family's ``[family]`` table: strict, frozen, finite numbers only."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    #: {key: (switch key, {switch value: default})}
    VARIANT_DEFAULTS: ClassVar[dict[str, tuple[str, dict[Any, Any]]]] = {}
    #: {key: condition (or conditions, all needed) under which the key applies}
    ONLY_WHEN: ClassVar[dict[str, When | tuple[When, ...]]] = {}

    @classmethod
    def collected(cls, attr: str) -> dict:
        """A class-level table merged over the class hierarchy, subclasses last."""
        out: dict = {}
        for klass in reversed(cls.__mro__):
            out.update(klass.__dict__.get(attr, {}))
        return out

    @model_validator(mode="before")
    @classmethod
    def _variant_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key, (switch, table) in cls.collected("VARIANT_DEFAULTS").items():
            if data.get(key) is None:
                value = data.get(switch, cls.model_fields[switch].default)
                if value in table:
                    data[key] = table[value]
        return data

    def unmet(self, key: str) -> When | None:
        """The first condition of ``ONLY_WHEN`` under which ``key`` applies that this table does
        not meet (None: the key applies to its variant)."""
        conds = self.collected("ONLY_WHEN").get(key, ())
        return next((c for c in (conds if isinstance(conds, tuple) else (conds,))
                     if not c.test(getattr(self, c.switch))), None)

    def check(self) -> None:
        """Checks across keys (a die wider than its carrier, ...); each raises via :func:`fail`."""


def parse_params(cls: type[FamilyParams], family: str, raw: dict) -> FamilyParams:
    """Validate a ``[family]`` table; one sentence naming ``[family]`` and the key if it is bad."""
    try:
        params = cls.model_validate(raw)
    except ValidationError as err:
        raise ModelError(error_sentence(
            raw, err, prefix=("family",),
            unknown_key=f"it is not a parameter of family '{family}' (a typo?)")) from None
    for key in raw:
        cond = params.unmet(key)
        if cond is not None:
            fail(key, f"it applies only when {cond.text}, and this model has "
                      f"{cond.switch} = {_toml(getattr(params, cond.switch))}")
    params.check()
    return params


def _mm(value: float) -> float:
    # sums of decimal lengths carry binary round-off (0.48000000000000004); a nanometre is far
    # below the geometry's merge tolerance, and the expanded file reads as the lengths were meant
    return round(float(value), 9)


def part(name: str, material: str, box: list[float], *, holes: list | None = None,
         array: dict | None = None, role: str | None = None) -> dict:
    """A ``[[parts]]`` entry of the contract (lengths in mm, rounded to the nanometre)."""
    out: dict[str, Any] = {"name": name, "material": material, "box": [_mm(v) for v in box]}
    if holes:
        out["holes"] = [[_mm(v) for v in h] for h in holes]
    if array is not None:
        out["array"] = {k: _mm(v) if k.startswith("pitch") else v for k, v in array.items()}
    if role is not None:
        out["role"] = role
    return out


def square(side_mm: float, z0_mm: float, z1_mm: float) -> list[float]:
    """The box of a square of side ``side_mm`` centred on x = y = 0, from z0 to z1 (mm)."""
    h = 0.5 * side_mm
    return [-h, h, -h, h, z0_mm, z1_mm]


def centred_grid(span_mm: float, pitch_mm: float) -> list[float]:
    """Centres of the most copies at ``pitch_mm`` that fit in ``span_mm``, centred on 0 (mm).

    The outermost copy's centre is at least half a pitch inside the span's edge, as on a die or a
    substrate whose outer bump or ball row keeps that margin.
    """
    n = int(span_mm / pitch_mm + 1e-9)
    return [(i - 0.5 * (n - 1)) * pitch_mm for i in range(n)]


def carved_block(xs: list[float], ys: list[float], size_mm: float) -> tuple[list[float], list[list[float]]]:
    """A block of square features of side ``size_mm`` centred at every (x, y) of ``xs`` x ``ys``,
    as one box's x-y extent and the strip-shaped holes between the features (mm).

    One part can then hold several such blocks as an ``array`` of copies, which keeps blocks that
    mirror each other in one part (as quarter symmetry needs) and leaves out the features between
    them.
    """
    h = 0.5 * size_mm
    x0, x1, y0, y1 = xs[0] - h, xs[-1] + h, ys[0] - h, ys[-1] + h
    holes = [[a + h, b - h, y0, y1] for a, b in zip(xs, xs[1:])]
    holes += [[x0, x1, a + h, b - h] for a, b in zip(ys, ys[1:])]
    return [x0, x1, y0, y1], holes


@dataclass
class Expansion:
    """What a family builds: the contract's parts, and the materials it computes from parameters.

    A part whose material is one of the families' own entries (:mod:`.materials`) gets that entry
    written into the expanded model; ``made_materials`` are computed from ``[family]`` keys, so a
    model file may not define them itself.
    """

    parts: list[dict] = field(default_factory=list)
    made_materials: dict[str, dict] = field(default_factory=dict)

    def add(self, name: str, material: str, box: list[float], **keys: Any) -> dict:
        """Append a part (later parts win where they overlap earlier ones)."""
        self.parts.append(part(name, material, box, **keys))
        return self.parts[-1]

    def extend(self, parts: list[dict]) -> None:
        self.parts.extend(parts)


@dataclass(frozen=True)
class Family:
    """A seed package family: its parameters, its expansion into parts, and its claim rules."""

    name: str
    seed: str
    title: str
    params: type[FamilyParams]
    build: Callable[[Any], Expansion]
    claims: Callable[[Any, dict[str, Material]], list[ClaimCheck]]
    symmetry: str = "quarter"   # the default; every family here builds mirror-symmetric geometry
