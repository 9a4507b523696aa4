"""The chip sets of seeds 000 and 001, and the passive components beside them.

Chip sets (claims 000: 1, 12, 14; 001: 1, 8, 10), each centred on the carrier:

- ``"flip_chip"``: one die on bumps.
- ``"attached_die_with_flip_chip"``: a first die attached face up to the carrier (die attach;
  its wire bonds to the carrier are not built), a smaller second die flip-chip bonded onto it.
- ``"three_die_stack"``: a first die flip-chip bonded to the carrier, a second die attached face
  up on its back (wire-bonded to the carrier, wires not built), a smaller third die flip-chip
  bonded onto the second.

Every flip-chip joint uses the one bump geometry of :mod:`.bumps`, so the family's "bonding gap"
is ``bump_height_mm`` wherever it occurs. Passives are four chip capacitors, one on each side of
the die on the x and y axes (mirror-symmetric), bonded straight to the carrier (their two solder
fillets are part of the box).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import FamilyParams, Mm, When, fail, part, square, when
from .bumps import BumpKeys, bump_count, bump_parts
from .carriers import LeadFrameKeys, SolderBallKeys, ball_parts, lead_frame_part

STACKS = ("attached_die_with_flip_chip", "three_die_stack")

#: least distance from a passive to the die edge and to the carrier edge, mm
PASSIVE_CLEARANCE_MM = 0.2


class ChipSetKeys(BumpKeys):
    """The die and chip-set keys of seeds 000 and 001."""

    chip_set: Literal["flip_chip", "attached_die_with_flip_chip", "three_die_stack"] = Field(
        "flip_chip", description="the chip set on the carrier (see Chip sets)")
    die_size_mm: Mm = Field(6.0, description="side of the (first) die")
    die_thickness_mm: Mm = Field(0.3, description="thickness of the (first) die")
    second_die_size_mm: Mm = Field(4.0, description="side of the second die")
    second_die_thickness_mm: Mm = Field(0.2, description="thickness of the second die")
    third_die_size_mm: Mm = Field(3.0, description="side of the third die")
    third_die_thickness_mm: Mm = Field(0.2, description="thickness of the third die")
    die_attach_thickness_mm: Mm = Field(0.025, description="bond line of the die attach under a face-up die")

    ONLY_WHEN: ClassVar[dict[str, When | tuple[When, ...]]] = {
        "second_die_size_mm": when("chip_set", *STACKS),
        "second_die_thickness_mm": when("chip_set", *STACKS),
        "die_attach_thickness_mm": when("chip_set", *STACKS),
        "third_die_size_mm": when("chip_set", "three_die_stack"),
        "third_die_thickness_mm": when("chip_set", "three_die_stack"),
    }

    def check_chip_set(self, carrier_mm: float) -> None:
        self.check_bumps()
        if self.die_size_mm >= carrier_mm:
            fail("die_size_mm", f"the die ({self.die_size_mm:g} mm) is not narrower than the carrier ({carrier_mm:g} mm)")
        if self.chip_set == "attached_die_with_flip_chip" and self.second_die_size_mm >= self.die_size_mm:
            fail("second_die_size_mm", f"the second die ({self.second_die_size_mm:g} mm) must be narrower than the "
                                       f"first ({self.die_size_mm:g} mm), whose edge carries the wire-bond pads")
        if self.chip_set == "three_die_stack":
            if self.second_die_size_mm > self.die_size_mm:
                fail("second_die_size_mm", f"the second die ({self.second_die_size_mm:g} mm) would overhang the "
                                           f"first ({self.die_size_mm:g} mm) it is attached to")
            if self.third_die_size_mm >= self.second_die_size_mm:
                fail("third_die_size_mm", f"the third die ({self.third_die_size_mm:g} mm) must be narrower than the "
                                          f"second ({self.second_die_size_mm:g} mm), whose edge carries the wire-bond pads")
        for die_mm in self.flip_chip_dies_mm():
            bump_count(self, die_mm)

    def flip_chip_dies_mm(self) -> list[float]:
        """Sides of the dies that stand on bumps, bottom up, mm."""
        return {"flip_chip": [self.die_size_mm], "attached_die_with_flip_chip": [self.second_die_size_mm],
                "three_die_stack": [self.die_size_mm, self.third_die_size_mm]}[self.chip_set]

    def chip_set_height_mm(self) -> float:
        """Height of the chip set above the carrier, mm."""
        h, t = self.bump_height_mm, self.die_thickness_mm
        if self.chip_set == "flip_chip":
            return h + t
        if self.chip_set == "attached_die_with_flip_chip":
            return self.die_attach_thickness_mm + t + h + self.second_die_thickness_mm
        return h + t + self.die_attach_thickness_mm + self.second_die_thickness_mm + h + self.third_die_thickness_mm


def chip_set_parts(p: ChipSetKeys, z0_mm: float) -> list[dict]:
    """The chip set's dies, die attach and bumps, bottom up from the carrier top ``z0_mm``."""
    out: list[dict] = []
    z = z0_mm

    def die(name: str, side: float, t: float) -> None:
        nonlocal z
        out.append(part(name, "silicon", square(side, z, z + t)))
        z += t

    def attach(side: float) -> None:
        nonlocal z
        out.append(part("die_attach", "die_attach", square(side, z, z + p.die_attach_thickness_mm)))
        z += p.die_attach_thickness_mm

    def bumps(prefix: str, side: float) -> None:
        nonlocal z
        out.extend(bump_parts(prefix, p, side, z))
        z += p.bump_height_mm

    if p.chip_set == "flip_chip":
        bumps("bumps", p.die_size_mm)
        die("die", p.die_size_mm, p.die_thickness_mm)
    elif p.chip_set == "attached_die_with_flip_chip":
        attach(p.die_size_mm)
        die("first_die", p.die_size_mm, p.die_thickness_mm)
        bumps("bumps", p.second_die_size_mm)
        die("second_die", p.second_die_size_mm, p.second_die_thickness_mm)
    else:
        bumps("bumps", p.die_size_mm)
        die("first_die", p.die_size_mm, p.die_thickness_mm)
        attach(p.second_die_size_mm)
        die("second_die", p.second_die_size_mm, p.second_die_thickness_mm)
        bumps("stack_bumps", p.third_die_size_mm)
        die("third_die", p.third_die_size_mm, p.third_die_thickness_mm)
    return out


class PassiveKeys(FamilyParams):
    """The passive-component keys of seeds 000 and 001 (defaults: an EIA 0201 chip capacitor)."""

    passives: bool = Field(False, description="four chip capacitors on the carrier, one on each side of the die")
    passive_length_mm: Mm = Field(0.6, description="passive length (along the die edge)")
    passive_width_mm: Mm = Field(0.3, description="passive width (towards the die)")
    passive_height_mm: Mm = Field(0.3, description="passive height")
    passive_offset_mm: Mm | None = Field(
        None, description="package centre to passive centre (default: midway between die edge and carrier edge)")
    passive_material: str = Field("mlcc", description="passive material")

    ONLY_WHEN: ClassVar[dict[str, When | tuple[When, ...]]] = {
        k: when("passives", True) for k in ("passive_length_mm", "passive_width_mm", "passive_height_mm",
                                            "passive_offset_mm", "passive_material")
    }

    def passive_centre_mm(self, die_mm: float, carrier_mm: float) -> float:
        if self.passive_offset_mm is not None:
            return self.passive_offset_mm
        return 0.25 * (die_mm + carrier_mm)

    def check_passives(self, die_mm: float, carrier_mm: float) -> None:
        if not self.passives:
            return
        d, w = self.passive_centre_mm(die_mm, carrier_mm), 0.5 * self.passive_width_mm
        if d - w < 0.5 * die_mm + PASSIVE_CLEARANCE_MM:
            fail("passive_offset_mm", f"passives centred {d:g} mm from the package centre come closer than "
                                      f"{PASSIVE_CLEARANCE_MM:g} mm to the {die_mm:g} mm die")
        if d + w > 0.5 * carrier_mm - PASSIVE_CLEARANCE_MM:
            fail("passive_offset_mm", f"passives centred {d:g} mm from the package centre come closer than "
                                      f"{PASSIVE_CLEARANCE_MM:g} mm to the edge of the {carrier_mm:g} mm carrier")
        if self.passive_length_mm > 2 * (d - w):
            fail("passive_length_mm", f"passives {self.passive_length_mm:g} mm long on the x and y axes would "
                                      "run into each other")


def passive_parts(p: PassiveKeys, die_mm: float, carrier_mm: float, z0_mm: float) -> list[dict]:
    """Two pairs of passives: on the x axis (long side along y) and on the y axis (long side along x)."""
    d, w, l = p.passive_centre_mm(die_mm, carrier_mm), 0.5 * p.passive_width_mm, 0.5 * p.passive_length_mm
    z = (z0_mm, z0_mm + p.passive_height_mm)
    return [
        part("passives_x", p.passive_material, [-d - w, -d + w, -l, l, *z],
             array={"nx": 2, "ny": 1, "pitch_x_mm": 2 * d, "pitch_y_mm": 0.0}),
        part("passives_y", p.passive_material, [-l, l, -d - w, -d + w, *z],
             array={"nx": 1, "ny": 2, "pitch_x_mm": 0.0, "pitch_y_mm": 2 * d}),
    ]


class ChipSetPackageKeys(ChipSetKeys, PassiveKeys, SolderBallKeys, LeadFrameKeys):
    """What seeds 000 and 001 share: a chip set and its options on a substrate or a lead frame.

    The family declares ``carrier``, ``carrier_size_mm``, ``carrier_thickness_mm`` and
    ``carrier_material`` itself.
    """

    def check_package(self) -> None:
        side = self.carrier_size_mm
        self.check_chip_set(side)
        if self.carrier == "lead_frame":
            self.check_lead_frame(side, self.die_size_mm)
            for key in ("solder_balls", "passives"):
                if getattr(self, key):
                    fail(key, 'it needs carrier = "substrate" (a lead frame has neither solder balls nor a '
                              'wiring layer for passives)')
        self.check_balls(side)
        self.check_passives(self.die_size_mm, side)

    def package_parts(self, mould_material: str, mould_top_mm: float) -> list[dict]:
        """Mould (over the carrier's whole area, up to ``mould_top_mm``), carrier, chip set, and the
        optional passives and balls; the mould comes first so that every later part takes its own
        volume out of it (and fills the lead frame's gaps)."""
        side, t = self.carrier_size_mm, self.carrier_thickness_mm
        lead_frame = self.carrier == "lead_frame"
        out = [part("mould", mould_material, square(side, 0.0 if lead_frame else t, mould_top_mm))]
        if lead_frame:
            out.append(lead_frame_part(self, self.carrier_material, side, t, self.die_size_mm))
        else:
            out.append(part("substrate", self.carrier_material, square(side, 0.0, t), role="carrier"))
        out += chip_set_parts(self, t)
        if self.passives:
            out += passive_parts(self, self.die_size_mm, side, t)
        if self.solder_balls:
            out += ball_parts(self, side, 0.0)
        return out

    def passive_top_mm(self) -> float:
        return self.carrier_thickness_mm + self.passive_height_mm
