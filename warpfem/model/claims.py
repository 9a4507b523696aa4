"""Seed claims judged on a family design: which it satisfies or misses, with the numbers.

Each family states its claim rules (``claims(params, materials)`` in its module) with the comparisons
here; :func:`check_model` runs them for a model file. Nothing is solved: the claims are about the
design (dimensions, materials, process values), not about its warpage.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError
from .load import ModelLike, load_model
from .validate import resolve_materials

#: relative slack for comparing a design value with a claim's bound (floating-point round-off only)
ROUND_OFF = 1e-9

SATISFIED, MISSED, NOT_JUDGED = "satisfied", "missed", "not judged"


@dataclass(frozen=True)
class ClaimCheck:
    """One seed claim judged on a design: the claim, the design's numbers, the verdict."""

    seed: str
    claims: str        # the claim numbers, e.g. "2, 10"
    requirement: str   # what the claims ask, with their numbers
    design: str        # the design's numbers
    verdict: str       # SATISFIED, MISSED or NOT_JUDGED


def _slack(bound: float) -> float:
    return ROUND_OFF * max(abs(bound), 1.0)


def at_most(value: float, bound: float) -> bool:
    """value <= bound (inclusive, up to round-off)."""
    return value <= bound + _slack(bound)


def less_than(value: float, bound: float) -> bool:
    """value < bound (strict: equal to the bound, up to round-off, is not less)."""
    return value < bound - _slack(bound)


def between(value: float, lo: float, hi: float) -> bool:
    """lo <= value <= hi (inclusive, up to round-off)."""
    return at_most(lo, value) and at_most(value, hi)


def claim(seed: str, claims: str, requirement: str, design: str, ok: bool | None) -> ClaimCheck:
    """A judged claim; ``ok`` None when the model lacks the values to judge it."""
    verdict = NOT_JUDGED if ok is None else SATISFIED if ok else MISSED
    return ClaimCheck(seed, claims, requirement, design, verdict)


@dataclass(frozen=True)
class ClaimReport:
    """The claims of one family model."""

    model: str
    family: str
    seed: str
    title: str
    checks: list[ClaimCheck]


def check_model(source: ModelLike) -> ClaimReport:
    """Judge a family model's design against its seed's claims."""
    from .families import REGISTRY, expand_family, family_params

    model = load_model(source)
    if model.model.family is None:
        raise ModelError("[model], key 'family': warpfem check judges the seed claims of a family model, "
                         "and this model names no family.")
    if not model.parts:
        model = expand_family(model)
    family = REGISTRY[model.model.family]
    params = family_params(model)
    checks = family.claims(params, resolve_materials(model))
    return ClaimReport(model.name, family.name, family.seed, family.title, checks)
