"""Stage 3 — the finite-element solve: element classes, assembly, supports, linear solver."""

from .parallel import limited_threads
from .thermoelastic import Solution, solve_displacement

__all__ = ["Solution", "limited_threads", "solve_displacement"]
