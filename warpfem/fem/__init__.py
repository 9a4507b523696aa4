"""Stage 3 — the finite-element solve: element classes, assembly, supports, linear solver."""

from .thermoelastic import Solution, solve_displacement

__all__ = ["Solution", "solve_displacement"]
