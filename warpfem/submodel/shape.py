"""The real shape of one solder bump: a box, a cylinder or a barrel, as a radius along its height.

The global mesh carries every bump as a square prism; the submodel gives the critical one its
real shape. A barrel's profile is the circular arc through the pad edges (radius d/2 at the
bottom and top of the gap) and its widest point (radius D/2 at mid-height).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

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


def bump_radius_mm(kind: str, pad_diameter_mm: float, max_diameter_mm: float, height_mm: float,
                   z_from_mid_mm: float) -> float:
    """Radius of a cylinder or barrel bump at height ``z_from_mid_mm`` above its mid-plane, mm."""
    r_pad = 0.5 * pad_diameter_mm
    r_max = 0.5 * max_diameter_mm if kind == "barrel" else r_pad
    if r_max - r_pad < 1e-12:
        return r_pad
    half = 0.5 * height_mm
    # the arc's centre lies on the mid-plane, at distance c from the axis: equal distance to the
    # widest point (r_max, 0) and to the pad edge (r_pad, half)
    c = (r_max**2 - r_pad**2 - half**2) / (2.0 * (r_max - r_pad))
    rho = r_max - c
    return c + math.sqrt(rho**2 - z_from_mid_mm**2)
