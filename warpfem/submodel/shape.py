"""The real shape of one solder bump: a box, a cylinder or a barrel, as a radius along its height.

The global mesh carries every bump as a square prism; the submodel gives the critical one its
real shape, whose geometry (a barrel's arc profile, radii, volume) is
:mod:`warpfem.model.bump_shape`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..model.schema import Part

BumpKind = Literal["box", "cylinder", "barrel"]


@dataclass(frozen=True)
class BumpShape:
    """A bump's shape: ``"box"`` keeps the global model's prism; a cylinder has diameter
    ``pad_diameter_mm``; a barrel also bulges to ``max_diameter_mm`` at mid-height."""

    kind: BumpKind = "box"
    pad_diameter_mm: float | None = None
    max_diameter_mm: float | None = None

    def __post_init__(self) -> None:
        if self.kind != "box" and not (self.pad_diameter_mm and self.pad_diameter_mm > 0):
            raise ValueError(f"a {self.kind} bump needs a positive pad_diameter_mm")
        if self.kind == "barrel" and not (self.max_diameter_mm and self.max_diameter_mm >= self.pad_diameter_mm):
            raise ValueError("a barrel bump needs max_diameter_mm >= pad_diameter_mm")

    @classmethod
    def of_part(cls, part: Part) -> "BumpShape":
        """The shape a model's bump part gives its bumps."""
        if part.bump_shape == "box":
            return cls()
        pad, widest = part.bump_diameters_mm()
        return cls(part.bump_shape, pad, widest if part.bump_shape == "barrel" else None)
