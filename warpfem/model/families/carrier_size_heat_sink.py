"""Seed 004 — heat sink the size of the carrier, attached directly, through a buffer pad or a pedestal.

A chip on a substrate or a QFN lead frame (wire-bonded face up on a die attach, or flip-chip on
bumps); a heat sink over it whose sides are flush with the mould's; the mould fills everything
between the carrier and the heat sink. The heat sink is attached to the chip:

- ``"direct"``: through a thermally conductive adhesive on the die (claims 1, 11);
- ``"buffer_pad"``: through a pad whose CTE is close to silicon's, with adhesive above and below
  it (claims 12, 20);
- ``"pedestal"``: through a connecting portion of the heat sink reaching down to the die, bonded
  by the adhesive (claim 10).

Bottom up: carrier | die attach or bumps | die | attachment | heat sink, with the mould over the
heat sink's footprint from the carrier (a lead frame's bottom) to the heat sink's bottom.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from ..claims import ClaimCheck, at_most, claim
from ..materials import Material
from .base import Expansion, Family, Mm, When, fail, square, when
from .bumps import BumpKeys, bump_count, bump_parts
from .carriers import LeadFrameKeys, lead_frame_part

#: sides of heat sink and carrier this close count as "dimensionally the same" (claims 2, 13), mm
SAME_SIDE_MM = 0.01
#: least mould wall between the die and the package side, mm
MOULD_WALL_MM = 0.1

_FLIP_CHIP = when("chip_connection", "flip_chip")


class Params(BumpKeys, LeadFrameKeys):
    """``[family]`` keys of ``carrier_size_heat_sink``."""

    carrier: Literal["substrate", "lead_frame"] = Field("substrate", description='"substrate" or "lead_frame" (QFN)')
    carrier_size_mm: Mm = Field(10.0, description="side of the square carrier")
    carrier_thickness_mm: Mm | None = Field(None, description="carrier thickness")
    carrier_material: str | None = Field(None, description="carrier material")
    chip_connection: Literal["wire_bond", "flip_chip"] = Field(
        "wire_bond", description='"wire_bond" (face up on a die attach) or "flip_chip" (on bumps)')
    die_size_mm: Mm = Field(5.0, description="side of the square die")
    die_thickness_mm: Mm = Field(0.3, description="die thickness")
    die_attach_thickness_mm: Mm = Field(0.025, description="die-attach bond line (wire-bonded die)")
    attachment: Literal["direct", "buffer_pad", "pedestal"] = Field(
        "direct", description="how the heat sink meets the die (see the variants)")
    attach_adhesive_mm: Mm = Field(0.05, description="each thermally conductive adhesive layer of the attachment")
    buffer_pad_size_mm: Mm = Field(4.0, description="side of the square buffer pad")
    buffer_pad_thickness_mm: Mm = Field(0.2, description="buffer pad thickness")
    buffer_pad_material: str = Field("silicon", description="buffer pad material (CTE close to the die's)")
    pedestal_size_mm: Mm = Field(4.0, description="side of the square pedestal")
    pedestal_height_mm: Mm = Field(0.2, description="pedestal height below the heat sink's first surface")
    heat_sink_size_mm: Mm | None = Field(None, description="side of the square heat sink (default: the carrier's)")
    heat_sink_thickness_mm: Mm = Field(0.3, description="heat-sink thickness")
    heat_sink_material: str = Field("copper", description="heat-sink (and pedestal) material")
    mould_material: str = Field("emc", description="mould compound")

    VARIANT_DEFAULTS: ClassVar[dict[str, tuple[str, dict[Any, Any]]]] = {
        "carrier_thickness_mm": ("carrier", {"substrate": 0.3, "lead_frame": 0.2}),
    }
    ONLY_WHEN: ClassVar[dict[str, When | tuple[When, ...]]] = {
        **{k: _FLIP_CHIP for k in ("bump_layout", "bump_pitch_mm", "bump_pad_mm", "bump_height_mm", "bump_material")},
        "corner_bumps": (_FLIP_CHIP, when("bump_layout", "corners")),
        "die_attach_thickness_mm": when("chip_connection", "wire_bond"),
        **{k: when("attachment", "buffer_pad") for k in ("buffer_pad_size_mm", "buffer_pad_thickness_mm",
                                                         "buffer_pad_material")},
        **{k: when("attachment", "pedestal") for k in ("pedestal_size_mm", "pedestal_height_mm")},
    }

    def sink_size_mm(self) -> float:
        return self.heat_sink_size_mm if self.heat_sink_size_mm is not None else self.carrier_size_mm

    def under_die_mm(self) -> float:
        """Die attach or bump gap under the die, mm."""
        return self.die_attach_thickness_mm if self.chip_connection == "wire_bond" else self.bump_height_mm

    def attachment_layers(self) -> list[tuple[str, str, float, float]]:
        """(part, material, side mm, thickness mm) from the die's back up to the heat sink."""
        a = self.attach_adhesive_mm
        if self.attachment == "direct":
            return [("heat_sink_adhesive", "tim", self.die_size_mm, a)]
        if self.attachment == "buffer_pad":
            pad = self.buffer_pad_size_mm
            return [("pad_adhesive", "tim", pad, a),
                    ("buffer_pad", self.buffer_pad_material, pad, self.buffer_pad_thickness_mm),
                    ("heat_sink_adhesive", "tim", pad, a)]
        ped = self.pedestal_size_mm
        return [("heat_sink_adhesive", "tim", ped, a), ("pedestal", self.heat_sink_material, ped, self.pedestal_height_mm)]

    def sink_bottom_mm(self) -> float:
        """The heat sink's first (lower) surface, mm."""
        return (self.carrier_thickness_mm + self.under_die_mm() + self.die_thickness_mm
                + sum(h for *_, h in self.attachment_layers()))

    def check(self) -> None:
        side, die = self.carrier_size_mm, self.die_size_mm
        if self.chip_connection == "flip_chip":
            self.check_bumps()
            bump_count(self, die)
        if die >= side:
            fail("die_size_mm", f"the die ({die:g} mm) is not narrower than the carrier ({side:g} mm)")
        if self.carrier == "lead_frame":
            self.check_lead_frame(side, die)
        sink = self.sink_size_mm()
        if sink > side:
            fail("heat_sink_size_mm", f"the heat sink ({sink:g} mm) overhangs the {side:g} mm carrier")
        if self.carrier == "lead_frame" and abs(sink - side) > SAME_SIDE_MM:
            fail("heat_sink_size_mm", f"on a lead frame the heat sink must be the carrier's size ({side:g} mm, "
                                      f"not {sink:g} mm): the mould, flush with its sides, holds the leads at the "
                                      "package edge")
        if sink < die + 2 * MOULD_WALL_MM:
            fail("heat_sink_size_mm", f"the mould, flush with the sides of the {sink:g} mm heat sink, leaves less "
                                      f"than {MOULD_WALL_MM:g} mm around the {die:g} mm die")
        for key in {"buffer_pad": ("buffer_pad_size_mm",), "pedestal": ("pedestal_size_mm",)}.get(self.attachment, ()):
            if getattr(self, key) > die:
                fail(key, f"the {self.attachment.replace('_', ' ')} ({getattr(self, key):g} mm) is wider than the "
                          f"{die:g} mm die it stands on")


def build(p: Params) -> Expansion:
    side, t, die = p.carrier_size_mm, p.carrier_thickness_mm, p.die_size_mm
    lead_frame = p.carrier == "lead_frame"
    sink = p.sink_size_mm()
    sink_bottom = p.sink_bottom_mm()
    out = Expansion()
    # the mould first: every later part takes its own volume out of it (and fills the lead frame's gaps)
    out.add("mould", p.mould_material, square(sink, 0.0 if lead_frame else t, sink_bottom))
    if lead_frame:
        out.extend([lead_frame_part(p, p.carrier_material, side, t, die)])
    else:
        out.add("substrate", p.carrier_material, square(side, 0.0, t), role="carrier")
    if p.chip_connection == "wire_bond":
        out.add("die_attach", "die_attach", square(die, t, t + p.die_attach_thickness_mm))
    else:
        out.extend(bump_parts("bumps", p, die, t))
    z = t + p.under_die_mm()
    out.add("die", "silicon", square(die, z, z + p.die_thickness_mm))
    z += p.die_thickness_mm
    for name, material, width, h in p.attachment_layers():
        out.add(name, material, square(width, z, z + h))
        z += h
    out.add("heat_sink", p.heat_sink_material, square(sink, sink_bottom, sink_bottom + p.heat_sink_thickness_mm))
    return out


def claims(p: Params, materials: dict[str, Material]) -> list[ClaimCheck]:
    sink, side = p.sink_size_mm(), p.carrier_size_mm
    return [claim("004", "13" if p.attachment == "buffer_pad" else "2",
                  f"heat-sink area = carrier area (sides within {SAME_SIDE_MM:g} mm)",
                  f"{sink**2:g} mm² ({sink:g} mm) vs {side**2:g} mm² ({side:g} mm)",
                  at_most(abs(sink - side), SAME_SIDE_MM))]


FAMILY = Family("carrier_size_heat_sink", "004", "heat sink the size of the carrier, optional buffer pad",
                Params, build, claims)
