"""Bump shapes in closed form: radius along the height, cross-section area and volume (mm).

A bump stands between two parallel pads, ``height_mm`` apart, with its axis along z and z
measured from its mid-height. Three shapes:

- ``"box"``: a square prism (its side is the bump's diameter here, for the area and volume);
- ``"cylinder"``: radius ``pad_diameter_mm / 2`` all the way up;
- ``"barrel"``: solder after reflow, a solid of revolution whose profile is the circular arc
  through the pad edges (radius ``pad_diameter_mm / 2`` at z = ±h/2) and the widest point
  (radius ``max_diameter_mm / 2`` at z = 0). With a = D/2, b = d/2, H = h/2 and δ = a − b the arc
  radius is ρ = (δ² + H²) / (2δ), centred at r = a − ρ on the mid-plane, so
  r(z) = a − (ρ − √(ρ² − z²)). When b² = a² − H² the arc centre lies on the axis and the bump is
  the truncated sphere of radius a; pad, widest diameter and height given independently
  over-constrain a sphere, and the arc is the truncated-sphere profile that honours all three.
  δ = 0 is the cylinder.

These functions take plain floats so that any module (the global model, a submodel) can use them
without the model schema.
"""

from __future__ import annotations

import math

SHAPES = ("box", "cylinder", "barrel")

#: below this H/ρ the arc integrals use their series, since ρh − ∫√(ρ² − z²)dz cancels
_SERIES_LIMIT = 1e-2


def _arc(pad_diameter_mm: float, max_diameter_mm: float, height_mm: float) -> tuple[float, float, float]:
    """(a, ρ, H) of a barrel: widest radius, profile arc radius (inf for a cylinder), half height."""
    a, b, half = 0.5 * max_diameter_mm, 0.5 * pad_diameter_mm, 0.5 * height_mm
    delta = a - b
    if delta < 0:
        raise ValueError(f"a barrel's widest diameter ({max_diameter_mm:g} mm) is below its pad diameter "
                         f"({pad_diameter_mm:g} mm)")
    rho = math.inf if delta == 0 else (delta * delta + half * half) / (2 * delta)
    return a, rho, half


def radius_at(kind: str, pad_diameter_mm: float, max_diameter_mm: float, height_mm: float, z_mm: float) -> float:
    """Radius (half-width for a box) at ``z_mm`` from mid-height, |z| <= height/2, in mm."""
    if kind in ("box", "cylinder"):
        return 0.5 * pad_diameter_mm
    a, rho, _ = _arc(pad_diameter_mm, max_diameter_mm, height_mm)
    if math.isinf(rho):
        return a
    # a − (ρ − √(ρ² − z²)) written without the cancellation of two large terms
    return a - z_mm * z_mm / (rho + math.sqrt(rho * rho - z_mm * z_mm))


def area_at_mm2(kind: str, pad_diameter_mm: float, max_diameter_mm: float, height_mm: float, z_mm: float) -> float:
    """Cross-section area at ``z_mm`` from mid-height, in mm²."""
    r = radius_at(kind, pad_diameter_mm, max_diameter_mm, height_mm, z_mm)
    return 4 * r * r if kind == "box" else math.pi * r * r


def _arc_integrals(rho: float, half: float) -> tuple[float, float]:
    """∫g dz and ∫g² dz over [−H, H] for g(z) = ρ − √(ρ² − z²), the arc's inward sag."""
    if math.isinf(rho):
        return 0.0, 0.0
    t = half / rho
    if t < _SERIES_LIMIT:
        # g = z²/(2ρ) + z⁴/(8ρ³) + z⁶/(16ρ⁵) + …; the next terms are (H/ρ)⁶ smaller
        g1 = 2 * (half**3 / (6 * rho) + half**5 / (40 * rho**3) + half**7 / (112 * rho**5))
        g2 = 2 * (half**5 / (20 * rho**2) + half**7 / (56 * rho**4))
        return g1, g2
    s1 = half * math.sqrt(rho * rho - half * half) + rho * rho * math.asin(min(1.0, t))  # ∫√(ρ²−z²)
    h = 2 * half
    return rho * h - s1, 2 * rho * rho * h - 2 * rho * s1 - h**3 / 12


def volume_mm3(kind: str, pad_diameter_mm: float, max_diameter_mm: float, height_mm: float) -> float:
    """Volume of the bump, in mm³."""
    if kind == "box":
        return pad_diameter_mm**2 * height_mm
    if kind == "cylinder":
        return math.pi * 0.25 * pad_diameter_mm**2 * height_mm
    a, rho, half = _arc(pad_diameter_mm, max_diameter_mm, height_mm)
    g1, g2 = _arc_integrals(rho, half)
    # π ∫ (a − g)² dz
    return math.pi * (a * a * height_mm - 2 * a * g1 + g2)


def equivalent_side_mm(kind: str, pad_diameter_mm: float, max_diameter_mm: float, height_mm: float) -> float:
    """Side of the square prism of the bump's height and volume, in mm (how a global brick mesh
    carries a round bump)."""
    return math.sqrt(volume_mm3(kind, pad_diameter_mm, max_diameter_mm, height_mm) / height_mm)


def widest_diameter_mm(kind: str, pad_diameter_mm: float, max_diameter_mm: float) -> float:
    """The bump's widest extent across its axis, in mm (a box's diagonal is not counted: its side)."""
    return max_diameter_mm if kind == "barrel" else pad_diameter_mm
