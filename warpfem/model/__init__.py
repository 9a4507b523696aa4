"""Stage 1 — the model: the contract's keys as typed data, materials, loading and validation."""

from .load import ModelLike, load_model, model_from_dict
from .materials import LIBRARY, Material
from .schema import Model, Part
from .validate import resolve_materials, validate

__all__ = ["LIBRARY", "Material", "Model", "ModelLike", "Part", "load_model", "model_from_dict",
           "resolve_materials", "validate"]
