"""Seed 003 — back-to-back dual-carrier flip-chip stack.

Two carriers, each with a flip-chip die on bumps; the dies' backs bonded by an adhesive layer
("highly elastic" in the claims: its modulus is a parameter); resin filling the space between the
carriers, bump gaps included; conductive through vias (copper columns) joining the carriers
around the dies; optional solder bumps on the outer carrier's free face for stacking.

The second carrier, whose free face carries the stacking bumps, is the bottom one and the
warpage carrier. Bottom up: (stacking bumps) | second carrier | second bumps | second die (face
down) | adhesive | first die (face up) | first bumps | first carrier, with the resin around the
dies and the vias through everything from the second carrier's bottom to the first's top.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from ..claims import ClaimCheck, claim
from ..materials import Material
from .base import MAX_COLUMNS, Expansion, Family, Mm, fail, square
from .bumps import BumpKeys, bump_count, bump_parts
from .carriers import SolderBallKeys, ball_parts

#: least clearance from the via ring to the dies and to the carrier edge, mm
VIA_CLEARANCE_MM = 0.2
#: the material the family makes from the adhesive keys
ADHESIVE = "stack_adhesive"


class Params(BumpKeys, SolderBallKeys):
    """``[family]`` keys of ``dual_carrier_stack``."""

    carrier: Literal["substrate", "tab_tape"] = Field("substrate", description='"substrate" or "tab_tape" (both carriers)')
    carrier_size_mm: Mm = Field(12.0, description="side of both square carriers")
    carrier_thickness_mm: Mm | None = Field(None, description="thickness of each carrier")
    carrier_material: str | None = Field(None, description="carrier material")
    first_die_size_mm: Mm = Field(6.0, description="side of the first (upper) die")
    second_die_size_mm: Mm = Field(6.0, description="side of the second (lower) die")
    die_thickness_mm: Mm = Field(0.2, description="thickness of each die")
    adhesive_thickness_mm: Mm = Field(0.03, description="bond line of the adhesive between the dies' backs")
    adhesive_modulus_gpa: float = Field(0.1, gt=0, description="Young's modulus of that adhesive, GPa")
    adhesive_cte_ppm: float = Field(100.0, description="CTE of that adhesive, ppm/K")
    adhesive_poisson: float = Field(0.4, gt=-1, lt=0.5, description="Poisson ratio of that adhesive")
    resin_material: str = Field("underfill", description="resin between the carriers (low viscosity in the claims)")
    via_pitch_mm: Mm = Field(1.0, description="pitch of the through vias along the via ring")
    via_size_mm: Mm = Field(0.3, description="side of a (square) copper via column")
    vias_per_side: int = Field(11, ge=2, le=MAX_COLUMNS, description="vias along each side of the square via ring")
    via_material: str = Field("copper", description="via material")
    solder_balls: bool = Field(False, description="solder bumps on the second carrier's free face, for stacking")
    ball_pitch_mm: Mm = Field(0.5, description="stacking-bump pitch (package on package: 0.4-0.65 mm)")
    ball_size_mm: Mm = Field(0.25, description="side of a (square) stacking bump")
    ball_height_mm: Mm = Field(0.2, description="stacking-bump height")

    VARIANT_DEFAULTS: ClassVar[dict[str, tuple[str, dict[Any, Any]]]] = {
        "carrier_thickness_mm": ("carrier", {"substrate": 0.3, "tab_tape": 0.075}),
        "carrier_material": ("carrier", {"substrate": "bt_laminate", "tab_tape": "polyimide"}),
    }

    def ring_half_mm(self) -> float:
        """Half the side of the square through the via centres, mm."""
        return 0.5 * (self.vias_per_side - 1) * self.via_pitch_mm

    def check(self) -> None:
        side = self.carrier_size_mm
        self.check_bumps()
        self.check_balls(side)
        for key in ("first_die_size_mm", "second_die_size_mm"):
            die = getattr(self, key)
            if die >= side:
                fail(key, f"the die ({die:g} mm) is not narrower than the carriers ({side:g} mm)")
            bump_count(self, die)
        if self.via_size_mm >= self.via_pitch_mm:
            fail("via_size_mm", f"vias {self.via_size_mm:g} mm wide at {self.via_pitch_mm:g} mm pitch would touch")
        r, v = self.ring_half_mm(), 0.5 * self.via_size_mm
        dies = 0.5 * max(self.first_die_size_mm, self.second_die_size_mm)
        if r - v < dies + VIA_CLEARANCE_MM:
            fail("vias_per_side", f"the via ring ({2 * r:g} mm across the via centres) comes closer than "
                                  f"{VIA_CLEARANCE_MM:g} mm to the dies ({2 * dies:g} mm)")
        if r + v > 0.5 * side - VIA_CLEARANCE_MM:
            fail("vias_per_side", f"the via ring ({2 * r:g} mm across the via centres) comes closer than "
                                  f"{VIA_CLEARANCE_MM:g} mm to the edge of the {side:g} mm carriers")


def build(p: Params) -> Expansion:
    side, t, h, td = p.carrier_size_mm, p.carrier_thickness_mm, p.bump_height_mm, p.die_thickness_mm
    z_die2 = t + h
    z_adh = z_die2 + td
    z_die1 = z_adh + p.adhesive_thickness_mm
    z_bump1 = z_die1 + td
    z_carrier1 = z_bump1 + h
    top = z_carrier1 + t
    bonded = min(p.first_die_size_mm, p.second_die_size_mm)
    out = Expansion(made_materials={ADHESIVE: {
        "E_gpa": p.adhesive_modulus_gpa, "nu": p.adhesive_poisson, "cte_ppm": p.adhesive_cte_ppm,
        "source": "made by family 'dual_carrier_stack' from [family] adhesive_modulus_gpa, adhesive_cte_ppm "
                  "and adhesive_poisson"}})
    out.add("second_carrier", p.carrier_material, square(side, 0.0, t), role="carrier")
    out.add("first_carrier", p.carrier_material, square(side, z_carrier1, top))
    out.add("resin", p.resin_material, square(side, t, z_carrier1))
    out.extend(bump_parts("second_bumps", p, p.second_die_size_mm, t))
    out.add("second_die", "silicon", square(p.second_die_size_mm, z_die2, z_adh))
    out.add("die_adhesive", ADHESIVE, square(bonded, z_adh, z_die1))
    out.add("first_die", "silicon", square(p.first_die_size_mm, z_die1, z_bump1))
    out.extend(bump_parts("first_bumps", p, p.first_die_size_mm, z_bump1))
    r, v, pitch, n = p.ring_half_mm(), 0.5 * p.via_size_mm, p.via_pitch_mm, p.vias_per_side
    out.add("vias_north_south", p.via_material, [-r - v, -r + v, -r - v, -r + v, 0.0, top],
            array={"nx": n, "ny": 2, "pitch_x_mm": pitch, "pitch_y_mm": 2 * r})
    if n > 2:
        out.add("vias_east_west", p.via_material, [-r - v, -r + v, -r + pitch - v, -r + pitch + v, 0.0, top],
                array={"nx": 2, "ny": n - 2, "pitch_x_mm": 2 * r, "pitch_y_mm": pitch})
    if p.solder_balls:
        out.extend(ball_parts(p, side, 0.0))
    return out


def claims(p: Params, materials: dict[str, Material]) -> list[ClaimCheck]:
    return [claim("003", "5, 10", "insulating adhesive of high elasticity between the dies (no number claimed)",
                  f"E = {p.adhesive_modulus_gpa:g} GPa, CTE {p.adhesive_cte_ppm:g} ppm/K", None)]


FAMILY = Family("dual_carrier_stack", "003", "back-to-back dual-carrier flip chip", Params, build, claims)
