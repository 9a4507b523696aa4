"""Stage 3 — the finite-element solve: element classes, assembly, supports, linear solver."""

from .parallel import limited_threads
from .system import StiffnessSystem
from .thermoelastic import Solution, solve_displacement, solve_thermal, solve_thermal_with

__all__ = ["Solution", "StiffnessSystem", "limited_threads", "solve_displacement", "solve_thermal",
           "solve_thermal_with"]
