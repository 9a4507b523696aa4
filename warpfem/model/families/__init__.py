"""Seed package families: a ``[model] family`` and its ``[family]`` table expand into parts.

Each family is a module with an ``expand(params) -> list[dict]`` of parts; the registry maps the
family name to it.
"""

from __future__ import annotations

from typing import Callable

from ...errors import ModelError
from ..schema import Model

REGISTRY: dict[str, Callable[[dict], dict]] = {}


def expand_family(model: Model) -> Model:
    """The parts-only model equivalent to a family model."""
    name = model.model.family
    if model.parts:
        raise ModelError(f"[model], key 'family': a family model ('{name}') must not also list [[parts]].")
    if name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY)) or "none yet"
        raise ModelError(f"[model], key 'family': '{name}' is not a known package family (known: {known}).")
    raw = REGISTRY[name](model)
    return Model.model_validate(raw)
