"""Seed 002 — stiffener, first heat sink and second heat sink on a flip-chip BGA.

A substrate; a flip-chip die on bumps in underfill; a stiffener ring around the die; a first heat
sink (lid) on the die's back, through a TIM, and on the stiffener; a second heat sink on the
substrate's lower surface under the die, optionally finned, with solder balls around it.

The stiffener and the first heat sink are either separate parts joined by an adhesive ring
(``integral_heat_sink = false``) or one integral body (``true``): the ring and the plate are then
two parts of one material with no joint between them, which is mechanically one body. Either heat
sink may be left out (``first_heat_sink = false``, ``second_heat_sink = false``) to measure what it
does; without a first heat sink the die's back is bare, there is no TIM, and the stiffener's height
is free (``stiffener_height_mm``).

Bottom up: fins | second heat sink | its attach | substrate (balls around) | bumps in underfill,
stiffener adhesive | die | TIM, stiffener | (lid adhesive) | first heat sink.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ..claims import ClaimCheck, at_most, claim, less_than
from ..materials import Material
from .base import MAX_COLUMNS, MIN_FEATURE_MM, Expansion, Family, Mm, When, fail, square, when, when_positive
from .bumps import BumpKeys, bump_count, bump_parts
from .carriers import SolderBallKeys, ball_parts

#: largest CTE difference (ppm/K) still called "the same as the substrate's" (claim 10): about the
#: spread of a laminate's data-sheet CTE
CTE_MATCH_PPM = 0.5


class Params(BumpKeys, SolderBallKeys):
    """``[family]`` keys of ``stiffener_dual_heat_sink``."""

    carrier_size_mm: Mm = Field(40.0, description="side of the square substrate")
    carrier_thickness_mm: Mm = Field(1.0, description="substrate thickness")
    carrier_material: str = Field("bt_laminate", description="substrate material")
    die_size_mm: Mm = Field(20.0, description="side of the square die")
    die_thickness_mm: Mm = Field(0.775, description="die thickness (a full-thickness 300 mm wafer)")
    underfill_margin_mm: float = Field(0.5, ge=0, description="underfill beyond each die edge (its fillet, as a box)")
    underfill_material: str = Field("underfill", description="underfill material")
    tim_thickness_mm: Mm = Field(0.05, description="TIM bond line between the die and the first heat sink")
    stiffener_width_mm: Mm = Field(5.0, description="width of the stiffener ring (its outer edge is the substrate's)")
    stiffener_adhesive_mm: Mm = Field(0.05, description="adhesive under the stiffener")
    stiffener_material: str = Field("copper", description="stiffener material (separate stiffener only)")
    stiffener_height_mm: Mm | None = Field(
        None, description="height of the stiffener ring without a first heat sink (default: the height it has under one)")
    first_heat_sink: bool = Field(True, description="a first heat sink (lid) on the die's back and the stiffener")
    integral_heat_sink: bool = Field(False, description="stiffener and first heat sink as one body (claims 8, 17)")
    first_heat_sink_size_mm: Mm | None = Field(None, description="side of the first heat sink (default: the substrate's)")
    first_heat_sink_thickness_mm: Mm = Field(0.5, description="thickness of the first heat sink's plate")
    first_heat_sink_adhesive_mm: Mm = Field(0.05, description="adhesive between stiffener and first heat sink")
    first_heat_sink_material: str = Field("copper", description="first heat sink material (and the integral ring's)")
    second_heat_sink: bool = Field(True, description="a second heat sink under the substrate, below the die")
    second_heat_sink_size_mm: Mm = Field(16.0, description="side of the square second heat sink")
    second_heat_sink_thickness_mm: Mm = Field(0.3, description="thickness of the second heat sink's base")
    second_heat_sink_adhesive_mm: Mm = Field(0.05, description="thermal adhesive (TIM) under the substrate")
    second_heat_sink_material: str = Field("copper", description="second heat sink material")
    fins: int = Field(0, ge=0, le=MAX_COLUMNS // 2, description="fins under the second heat sink, running along y")
    fin_thickness_mm: Mm = Field(0.5, description="fin thickness (along x)")
    fin_height_mm: Mm = Field(1.0, description="fin height below the base")
    solder_balls: bool = Field(False, description="solder balls under the substrate, around the second heat sink")
    ball_pitch_mm: Mm = Field(1.0, description="ball pitch (FCBGA: 0.8-1.27 mm)")
    ball_size_mm: Mm = Field(0.5, description="side of a (square) ball, about the ball diameter")
    ball_height_mm: Mm = Field(0.4, description="ball height (stand-off)")

    ONLY_WHEN: ClassVar[dict[str, When | tuple[When, ...]]] = {
        "stiffener_height_mm": when("first_heat_sink", False),
        **{k: when("first_heat_sink", True) for k in (
            "integral_heat_sink", "tim_thickness_mm", "first_heat_sink_size_mm", "first_heat_sink_thickness_mm",
            "first_heat_sink_material")},
        "stiffener_material": when("integral_heat_sink", False),
        "first_heat_sink_adhesive_mm": (when("first_heat_sink", True), when("integral_heat_sink", False)),
        **{k: when("second_heat_sink", True) for k in (
            "second_heat_sink_size_mm", "second_heat_sink_thickness_mm", "second_heat_sink_adhesive_mm",
            "second_heat_sink_material", "fins")},
        "fin_thickness_mm": (when("second_heat_sink", True), when_positive("fins")),
        "fin_height_mm": (when("second_heat_sink", True), when_positive("fins")),
    }

    def integral(self) -> bool:
        """True when the stiffener and a first heat sink are one body."""
        return self.first_heat_sink and self.integral_heat_sink

    def opening_mm(self) -> float:
        return self.carrier_size_mm - 2 * self.stiffener_width_mm

    def lid_size_mm(self) -> float:
        return self.first_heat_sink_size_mm if self.first_heat_sink_size_mm is not None else self.carrier_size_mm

    def lid_bottom_mm(self) -> float:
        return self.carrier_thickness_mm + self.bump_height_mm + self.die_thickness_mm + self.tim_thickness_mm

    def stiffener_top_mm(self) -> float:
        if not self.first_heat_sink and self.stiffener_height_mm is not None:
            return self.carrier_thickness_mm + self.stiffener_adhesive_mm + self.stiffener_height_mm
        joint = 0.0 if self.integral_heat_sink else self.first_heat_sink_adhesive_mm
        return self.lid_bottom_mm() - joint

    def check(self) -> None:
        side, die = self.carrier_size_mm, self.die_size_mm
        self.check_bumps()
        bump_count(self, die)
        self.check_balls(side)
        if die >= side:
            fail("die_size_mm", f"the die ({die:g} mm) is not narrower than the substrate ({side:g} mm)")
        if 0 < self.underfill_margin_mm < MIN_FEATURE_MM:
            fail("underfill_margin_mm", f"it is {self.underfill_margin_mm:g} mm; give 0 or at least {MIN_FEATURE_MM:g} mm, "
                                        "the narrowest feature the mesh resolves")
        if die + 2 * self.underfill_margin_mm > self.opening_mm():
            fail("stiffener_width_mm", f"the stiffener's opening ({self.opening_mm():g} mm) does not clear the die "
                                       f"and its underfill ({die + 2 * self.underfill_margin_mm:g} mm)")
        if self.first_heat_sink:
            self._check_first_heat_sink()
        if self.second_heat_sink:
            self._check_second_heat_sink()

    def _check_first_heat_sink(self) -> None:
        side = self.carrier_size_mm
        height = self.stiffener_top_mm() - self.carrier_thickness_mm - self.stiffener_adhesive_mm
        if height < MIN_FEATURE_MM:
            fail("stiffener_adhesive_mm", f"the adhesives leave the stiffener {height:.3g} mm tall between the substrate "
                                          f"and the first heat sink, which sits on the die at z = {self.lid_bottom_mm():g} mm")
        if self.lid_size_mm() > side:
            fail("first_heat_sink_size_mm", f"the first heat sink ({self.lid_size_mm():g} mm) overhangs the "
                                            f"{side:g} mm substrate")
        if self.lid_size_mm() <= self.opening_mm():
            fail("first_heat_sink_size_mm", f"the first heat sink ({self.lid_size_mm():g} mm) does not reach the "
                                            f"stiffener, whose opening is {self.opening_mm():g} mm wide")

    def _check_second_heat_sink(self) -> None:
        side = self.carrier_size_mm
        if self.second_heat_sink_size_mm >= side:
            fail("second_heat_sink_size_mm", f"the second heat sink ({self.second_heat_sink_size_mm:g} mm) is not "
                                             f"narrower than the substrate ({side:g} mm)")
        if self.fins:
            self._check_fins()

    def _check_fins(self) -> None:
        n, t, base = self.fins, self.fin_thickness_mm, self.second_heat_sink_size_mm
        if n * t > base:
            fail("fins", f"{n} fins {t:g} mm thick do not fit under the {base:g} mm second heat sink")
        if n > 1 and (base - n * t) / (n - 1) < MIN_FEATURE_MM:
            fail("fins", f"{n} fins {t:g} mm thick leave less than {MIN_FEATURE_MM:g} mm between neighbours "
                         f"under the {base:g} mm second heat sink")


def build(p: Params) -> Expansion:
    side, t = p.carrier_size_mm, p.carrier_thickness_mm
    gap_top = t + p.bump_height_mm
    die_top = gap_top + p.die_thickness_mm
    ring = [[-0.5 * p.opening_mm(), 0.5 * p.opening_mm()] * 2]
    ring_material = p.first_heat_sink_material if p.integral() else p.stiffener_material
    out = Expansion()
    out.add("substrate", p.carrier_material, square(side, 0.0, t), role="carrier")
    out.add("underfill", p.underfill_material, square(p.die_size_mm + 2 * p.underfill_margin_mm, t, gap_top))
    out.extend(bump_parts("bumps", p, p.die_size_mm, t))
    out.add("die", "silicon", square(p.die_size_mm, gap_top, die_top))
    out.add("stiffener_adhesive", "adhesive", square(side, t, t + p.stiffener_adhesive_mm), holes=ring)
    out.add("stiffener", ring_material, square(side, t + p.stiffener_adhesive_mm, p.stiffener_top_mm()), holes=ring)
    if p.first_heat_sink:
        _first_heat_sink(out, p, die_top, ring)
    if p.second_heat_sink:
        _second_heat_sink(out, p)
    if p.solder_balls:
        out.extend(ball_parts(p, side, 0.0, keep_out_mm=p.second_heat_sink_size_mm if p.second_heat_sink else 0.0))
    return out


def _first_heat_sink(out: Expansion, p: Params, die_top_mm: float, ring: list[list[float]]) -> None:
    """The TIM on the die, the lid adhesive on the ring (separate lid only) and the lid plate."""
    lid_bottom, ring_top = p.lid_bottom_mm(), p.stiffener_top_mm()
    out.add("tim", "tim", square(p.die_size_mm, die_top_mm, lid_bottom))
    if not p.integral_heat_sink:
        out.add("first_heat_sink_adhesive", "adhesive", square(p.lid_size_mm(), ring_top, lid_bottom), holes=ring)
    out.add("first_heat_sink", p.first_heat_sink_material,
            square(p.lid_size_mm(), lid_bottom, lid_bottom + p.first_heat_sink_thickness_mm))


def _second_heat_sink(out: Expansion, p: Params) -> None:
    """Under the substrate, downwards: the attach, the base and its fins."""
    s2, z = p.second_heat_sink_size_mm, -p.second_heat_sink_adhesive_mm
    out.add("second_heat_sink_adhesive", "tim", square(s2, z, 0.0))
    out.add("second_heat_sink", p.second_heat_sink_material, square(s2, z - p.second_heat_sink_thickness_mm, z))
    z -= p.second_heat_sink_thickness_mm
    if p.fins:
        n, ft = p.fins, p.fin_thickness_mm
        pitch = (s2 - ft) / (n - 1) if n > 1 else 0.0
        x0 = -0.5 * s2 if n > 1 else -0.5 * ft
        out.add("fins", p.second_heat_sink_material, [x0, x0 + ft, -0.5 * s2, 0.5 * s2, z - p.fin_height_mm, z],
                array={"nx": n, "ny": 1, "pitch_x_mm": pitch, "pitch_y_mm": 0.0})


def claims(p: Params, materials: dict[str, Material]) -> list[ClaimCheck]:
    if not p.second_heat_sink:
        return [claim("002", "9, 10", "a second heat sink under the substrate", "none (second_heat_sink = false)", False)]
    a2, a_die = p.second_heat_sink_size_mm**2, p.die_size_mm**2
    cte2 = materials[p.second_heat_sink_material].cte_ppm
    cte_sub = materials[p.carrier_material].cte_ppm
    return [
        claim("002", "9", "second heat sink smaller in area than the die",
              f"{a2:g} mm² vs die {a_die:g} mm²", less_than(a2, a_die)),
        claim("002", "10", f"second heat sink CTE = substrate CTE (within {CTE_MATCH_PPM:g} ppm/K)",
              f"{cte2:g} ppm/K ('{p.second_heat_sink_material}') vs {cte_sub:g} ppm/K ('{p.carrier_material}')",
              at_most(abs(cte2 - cte_sub), CTE_MATCH_PPM)),
    ]


FAMILY = Family("stiffener_dual_heat_sink", "002", "stiffener, first and second heat sink", Params, build, claims)
