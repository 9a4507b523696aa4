"""Global-local submodels of single bumps: real bump shape, fine P2 tetrahedra, cut faces driven by
the global displacement, stress measures that converge (volume averages) beside the raw maximum.

Modules, in the order data flows: :mod:`.site` (where, and what material) → :mod:`.shape` (the
bump's real shape) → :mod:`.mesh` (OpenCASCADE + Gmsh) → :mod:`.solve` (scikit-fem) →
:mod:`.measures` → :mod:`.run` (:func:`solve_submodel`) → :mod:`.report` (the bumps a model
asks for, merged into its bump table and summary). Through a thermal cycle with creeping solder:
:mod:`.creep` (the viscoplastic time stepper) → :mod:`.cycle` (the critical bump cycled).
"""

from .measures import MEANING, critical_bump_measures
from .report import submodel_bumps, with_creep_columns, with_submodels
from .run import SubmodelResult, solve_submodel, submodel_vtu, write_submodel_vtu
from .shape import BumpShape

__all__ = ["BumpShape", "MEANING", "SubmodelResult", "critical_bump_measures", "solve_submodel",
           "submodel_bumps", "submodel_vtu", "with_creep_columns", "with_submodels", "write_submodel_vtu"]
