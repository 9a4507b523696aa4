"""Carriers and what hangs under them: a QFN-style lead frame, and solder-ball arrays.

**Lead frame.** One copper sheet (the carrier part, so warpage is measured on the package's whole
bottom face) with rectangular through-holes that leave a square die pad and a row of leads
along each side; the holes are filled by the mould compound, which the family lists before the
lead frame. Tie bars, half-etched lead tips and the lead-to-pad moat's exact shape are not built.

**Solder balls** hang free under the carrier (the package is not mounted on a board), so they
carry almost no load; they are square prisms of side ``ball_size_mm`` at a full-array pitch,
optionally leaving a square keep-out in the middle (002's second heat sink sits there).

A mirror-symmetric model needs mirrored geometry in one part, so blocks of balls (or bumps) that
mirror each other are one part: a box carved into balls by strip-shaped holes, copied by ``array``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from .base import MAX_COLUMNS, MIN_FEATURE_MM, FamilyParams, Mm, When, carved_block, centred_grid, fail, part, when

#: the die pad's default overhang beyond the die on each side, mm
PAD_OVERHANG_MM = 0.5

#: clearance from a keep-out (a heat sink under the carrier) to the nearest ball, mm
BALL_CLEARANCE_MM = 0.2


class LeadFrameKeys(FamilyParams):
    """The lead-frame keys of families whose carrier may be a lead frame."""

    die_pad_size_mm: Mm | None = Field(None, description="side of the square die pad (default: die + 1 mm)")
    lead_pitch_mm: Mm = Field(0.5, description="lead pitch along each side (QFN: 0.4, 0.5 or 0.65 mm)")
    lead_width_mm: Mm = Field(0.25, description="lead width")
    lead_length_mm: Mm = Field(0.4, description="lead length, inward from the package edge")

    #: a lead frame is a copper sheet; the family names the substrate-or-lead-frame ``carrier`` switch
    VARIANT_DEFAULTS: ClassVar[dict[str, tuple[str, dict[Any, Any]]]] = {
        "carrier_material": ("carrier", {"substrate": "bt_laminate", "lead_frame": "copper"}),
    }
    ONLY_WHEN: ClassVar[dict[str, When | tuple[When, ...]]] = {
        k: when("carrier", "lead_frame")
        for k in ("die_pad_size_mm", "lead_pitch_mm", "lead_width_mm", "lead_length_mm")
    }

    def die_pad_mm(self, die_mm: float) -> float:
        return self.die_pad_size_mm if self.die_pad_size_mm is not None else die_mm + 2 * PAD_OVERHANG_MM

    def lead_centres(self, side_mm: float) -> list[float]:
        """Lead centres along one side: as many as fit between the corner squares."""
        return centred_grid(side_mm - 2 * self.lead_length_mm - self.lead_width_mm + self.lead_pitch_mm,
                            self.lead_pitch_mm)

    def check_lead_frame(self, side_mm: float, die_mm: float) -> None:
        pad = self.die_pad_mm(die_mm)
        if pad < die_mm:
            fail("die_pad_size_mm", f"the die pad ({pad:g} mm) is narrower than the die ({die_mm:g} mm) it carries")
        moat = 0.5 * side_mm - self.lead_length_mm - 0.5 * pad
        if moat < MIN_FEATURE_MM:
            fail("die_pad_size_mm", f"the die pad ({pad:g} mm) reaches the tips of the {self.lead_length_mm:g} mm leads "
                                    f"on the {side_mm:g} mm carrier (at least {MIN_FEATURE_MM:g} mm of mould must part them)")
        if self.lead_width_mm >= self.lead_pitch_mm:
            fail("lead_width_mm", f"leads {self.lead_width_mm:g} mm wide at {self.lead_pitch_mm:g} mm pitch would touch")
        n = len(self.lead_centres(side_mm))
        if n == 0:
            fail("lead_pitch_mm", f"no lead fits along a {side_mm:g} mm side at {self.lead_pitch_mm:g} mm pitch")
        if n > MAX_COLUMNS:
            fail("lead_pitch_mm", f"it puts {n} leads along each side, and at most {MAX_COLUMNS} can be meshed")


def lead_frame_part(p: LeadFrameKeys, material: str, side_mm: float, thickness_mm: float,
                    die_mm: float) -> dict:
    """The lead frame as the carrier part: a sheet with holes around the die pad and the leads."""
    h, pad, w = 0.5 * side_mm, 0.5 * p.die_pad_mm(die_mm), 0.5 * p.lead_width_mm
    inner = h - p.lead_length_mm
    edges = [-h] + [e for c in p.lead_centres(side_mm) for e in (c - w, c + w)] + [h]
    slots = list(zip(edges[0::2], edges[1::2]))      # along a side, between and beyond the leads
    holes = []
    for lo, hi in ((pad, inner), (-inner, -pad)):     # the moat between the pad and the leads' tips
        holes += [[-inner, inner, lo, hi], [lo, hi, -inner, inner]]
    for a, b in slots:                                 # the gaps between leads, on all four sides
        holes += [[a, b, inner, h], [a, b, -h, -inner], [inner, h, a, b], [-h, -inner, a, b]]
    return part("lead_frame", material, [-h, h, -h, h, 0.0, thickness_mm], holes=holes, role="carrier")


class SolderBallKeys(FamilyParams):
    """The solder-ball keys of families with balls under the carrier."""

    solder_balls: bool = Field(False, description="an array of solder balls under the carrier")
    ball_pitch_mm: Mm = Field(0.8, description="ball pitch (BGA: 0.4-1.27 mm)")
    ball_size_mm: Mm = Field(0.4, description="side of a (square) ball, about the ball diameter")
    ball_height_mm: Mm = Field(0.3, description="ball height (stand-off)")

    ONLY_WHEN: ClassVar[dict[str, When | tuple[When, ...]]] = {
        k: when("solder_balls", True) for k in ("ball_pitch_mm", "ball_size_mm", "ball_height_mm")
    }

    def check_balls(self, side_mm: float) -> None:
        if not self.solder_balls:
            return
        if self.ball_size_mm >= self.ball_pitch_mm:
            fail("ball_size_mm", f"balls {self.ball_size_mm:g} mm wide at {self.ball_pitch_mm:g} mm pitch would touch")
        n = len(centred_grid(side_mm, self.ball_pitch_mm))
        if n == 0:
            fail("ball_pitch_mm", f"no ball fits under the {side_mm:g} mm carrier at {self.ball_pitch_mm:g} mm pitch")
        if n > MAX_COLUMNS:
            fail("ball_pitch_mm", f"it puts {n} ball columns under the {side_mm:g} mm carrier, and at most "
                                  f"{MAX_COLUMNS} can be meshed (each adds two grid lines across the package)")


def ball_parts(p: SolderBallKeys, side_mm: float, z_top_mm: float, keep_out_mm: float = 0.0) -> list[dict]:
    """Solder balls hanging from ``z_top_mm`` under a carrier of side ``side_mm``.

    Balls closer than BALL_CLEARANCE_MM to the centred square keep-out of side ``keep_out_mm``
    are left out; the rest are two parts, the rows north and south of the keep-out and the columns
    east and west of it, each a block of balls copied to its mirror image.
    """
    c = centred_grid(side_mm, p.ball_pitch_mm)
    n, s, pitch = len(c), 0.5 * p.ball_size_mm, p.ball_pitch_mm
    z = [z_top_mm - p.ball_height_mm, z_top_mm]
    inside = [i for i, x in enumerate(c) if abs(x) - s < 0.5 * keep_out_mm + BALL_CLEARANCE_MM] if keep_out_mm else []
    if not inside:
        return [part("solder_balls", "sac305", [c[0] - s, c[0] + s, c[0] - s, c[0] + s, *z],
                     array={"nx": n, "ny": n, "pitch_x_mm": pitch, "pitch_y_mm": pitch})]
    a, b = inside[0], inside[-1]
    if a == 0:
        fail("ball_pitch_mm", f"no ball fits around the {keep_out_mm:g} mm keep-out under the {side_mm:g} mm carrier")
    span = c[b + 1] - c[0]                              # from the first row south to the first row north
    rows, cols = carved_block(c, c[:a], p.ball_size_mm), carved_block(c[:a], c[a:b + 1], p.ball_size_mm)
    return [part("solder_balls_north_south", "sac305", [*rows[0], *z], holes=rows[1],
                 array={"nx": 1, "ny": 2, "pitch_x_mm": 0.0, "pitch_y_mm": span}),
            part("solder_balls_east_west", "sac305", [*cols[0], *z], holes=cols[1],
                 array={"nx": 2, "ny": 1, "pitch_x_mm": span, "pitch_y_mm": 0.0})]
