"""Stage 8 — design: which input a result depends on most (sensitivities of warpage, coplanarity
and die stress to every material's E, ν and CTE, by adjoint, and to the family's dimensions, by
differences), how ± tolerances on them spread the result (first order, checked by sampling), and
the design that best meets an objective under constraints (a derivative-free search)."""

from .sensitivity import OUTPUTS, Sensitivity, dimension_sensitivities, material_sensitivities

__all__ = ["OUTPUTS", "Sensitivity", "SensitivityReport", "dimension_sensitivities", "material_sensitivities",
           "optimise", "sensitivities", "tolerance_analysis"]


def __getattr__(name: str):
    # the runner imports the whole pipeline; the derivatives alone need only the solver
    if name in ("sensitivities", "SensitivityReport", "tolerance_analysis"):
        from . import run
        return getattr(run, name)
    if name == "optimise":
        from .optimise_run import optimise
        return optimise
    raise AttributeError(f"module 'warpfem.design' has no attribute {name!r}")
