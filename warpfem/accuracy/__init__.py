"""Stage 4a — answers with their own error bar: graded meshes refined where the error is, until
the estimated error of the warpage is under a target."""

from .estimate import CornerErrors, decompose
from .refine import Refinement, refine

__all__ = ["CornerErrors", "Refinement", "decompose", "refine"]
