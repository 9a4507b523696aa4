"""Stage 1 — the model: the contract's keys as typed data, materials, loading and validation."""

from .load import ModelLike, load_model, model_from_dict
from .materials import LIBRARY, Material
from .schema import Model, Part
from .validate import material_laws, resolve_materials, validate

__all__ = ["LIBRARY", "Material", "Model", "ModelLike", "Part", "load_model", "material_laws", "model_from_dict",
           "resolve_materials", "validate"]
