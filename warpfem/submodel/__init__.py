"""Global-local submodels of single bumps: real bump shape, fine P2 tetrahedra, cut faces driven by
the global displacement, stress measures that converge (volume averages) beside the raw maximum.

Modules, in the order data flows: :mod:`.site` (where, and what material) → :mod:`.shape` (the
bump's real shape) → :mod:`.mesh` (OpenCASCADE + Gmsh) → :mod:`.solve` (scikit-fem) →
:mod:`.measures` → :mod:`.run` (:func:`solve_submodel`).
"""

from .measures import MEANING, critical_bump_measures
from .run import SubmodelResult, solve_submodel, write_submodel_vtu
from .shape import BumpShape, bump_radius_mm

__all__ = ["BumpShape", "MEANING", "SubmodelResult", "bump_radius_mm", "critical_bump_measures",
           "solve_submodel", "write_submodel_vtu"]
