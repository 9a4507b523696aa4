"""Flip-chip bumps: their parameters and the explicit bump arrays (``role = "bumps"``) a family builds.

Real C4 bumps stand at 130-250 µm pitch: a 20 mm die carries ten thousand of them, and every bump
column would add two grid lines across the whole package. A family therefore builds one of two
layouts, both at the given (real) pitch and bump size:

- ``"corners"`` (default): a k x k patch of bumps in each die corner, where the bump farthest from
  the die centre, the critical one, stands; elsewhere the bonding gap holds only its filler
  (underfill, mould compound or resin).
- ``"full"``: the whole die face, for small dies or a coarse pitch.

Either way the bump positions are those of the full array: the outermost bump centre is at least
half a pitch inside the die edge. Bumps span the whole bonding gap (``bump_height_mm``): square
prisms of side ``bump_pad_mm``, or in a full array cylinders or barrels (``bump_shape``) on pads of
that diameter, which the global mesh carries as equal-volume prisms and a submodel in their shape.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import MAX_COLUMNS, FamilyParams, Mm, When, carved_block, centred_grid, fail, part, when


#: a barrel's default widest diameter over its pad diameter: reflowed SAC bumps bulge 10-30 %
BARREL_BULGE = 1.2


class BumpKeys(FamilyParams):
    """The flip-chip bump keys, shared by every family with a flip-chip joint."""

    bump_layout: Literal["corners", "full"] = Field(
        "corners", description='"corners": a patch of bumps in each die corner; "full": the whole die face')
    corner_bumps: int = Field(3, ge=1, le=MAX_COLUMNS // 2,
                              description="bumps along each side of a die-corner patch")
    bump_pitch_mm: Mm = Field(0.2, description="bump pitch (C4 on organic substrates: 0.13-0.25 mm)")
    bump_pad_mm: Mm = Field(0.1, description="side of a (square) bump, about the pad and bump diameter")
    bump_height_mm: Mm = Field(0.08, description="bump height, which is the flip-chip bonding gap")
    bump_material: str = Field("sac305", description="bump material")
    bump_shape: Literal["box", "cylinder", "barrel"] = Field(
        "box", description='"box" (square prism), "cylinder" or "barrel" (reflowed solder), pad diameter bump_pad_mm; '
                           'round bumps need bump_layout = "full"')
    bump_max_diameter_mm: Mm | None = Field(
        None, description="widest diameter of a barrel bump, at mid-height (default: 1.2 x bump_pad_mm)")

    ONLY_WHEN: ClassVar[dict[str, When | tuple[When, ...]]] = {
        "corner_bumps": when("bump_layout", "corners"),
        "bump_max_diameter_mm": when("bump_shape", "barrel"),
    }

    def bump_width_mm(self) -> float:
        """The bump's widest extent across, mm: its side, or a barrel's widest diameter."""
        if self.bump_shape != "barrel":
            return self.bump_pad_mm
        return self.bump_max_diameter_mm or BARREL_BULGE * self.bump_pad_mm

    def check_bumps(self) -> None:
        if self.bump_shape != "box" and self.bump_layout != "full":
            fail("bump_shape", f'a {self.bump_shape} bump needs bump_layout = "full" (the "corners" patches are carved '
                               f"from a block, so their bumps are boxes)")
        if self.bump_pad_mm >= self.bump_pitch_mm:
            fail("bump_pad_mm", f"the bumps ({self.bump_pad_mm:g} mm) are as wide as their pitch "
                                f"({self.bump_pitch_mm:g} mm), so neighbours would touch")
        if self.bump_shape == "barrel":
            self._check_barrel()

    def _check_barrel(self) -> None:
        width = self.bump_width_mm()
        if width < self.bump_pad_mm:
            fail("bump_max_diameter_mm", f"the barrel's widest diameter ({width:g} mm) is below its pad "
                                         f"diameter ({self.bump_pad_mm:g} mm)")
        if width >= self.bump_pitch_mm:
            fail("bump_max_diameter_mm", f"the barrels ({width:g} mm wide) are as wide as their pitch "
                                         f"({self.bump_pitch_mm:g} mm), so neighbours would touch")


def bump_count(p: BumpKeys, die_mm: float) -> int:
    """Bumps along one side of the die's array; refuses a pitch the die or the mesh cannot take."""
    n = len(centred_grid(die_mm, p.bump_pitch_mm))
    if n == 0:
        fail("bump_pitch_mm", f"the bump pitch ({p.bump_pitch_mm:g} mm) is wider than the "
                              f"{die_mm:g} mm die the bumps join")
    if p.bump_layout == "full" and n > MAX_COLUMNS:
        fail("bump_pitch_mm", f"it puts {n} bump columns across the {die_mm:g} mm die, and at most {MAX_COLUMNS} "
                              'can be meshed (each adds two grid lines across the package); use bump_layout = '
                              '"corners" or a coarser pitch')
    if p.bump_layout == "corners" and 2 * p.corner_bumps > n:
        fail("corner_bumps", f"{p.corner_bumps} x {p.corner_bumps} patches in opposite die corners need "
                             f"{2 * p.corner_bumps} bump columns, and the {die_mm:g} mm die holds {n} at "
                             f"{p.bump_pitch_mm:g} mm pitch")
    return n


def bump_parts(name: str, p: BumpKeys, die_mm: float, z0_mm: float) -> list[dict]:
    """The bump part under a die of side ``die_mm``, in the gap from ``z0_mm`` up.

    ``"full"``: one bump copied over the whole array. ``"corners"``: one k x k patch (a box carved
    into bumps by holes) copied into the four die corners, so the copies of the part, and the
    ``copy_id`` of the results, are the four corner patches.
    """
    n = bump_count(p, die_mm)
    c = centred_grid(die_mm, p.bump_pitch_mm)
    z = [z0_mm, z0_mm + p.bump_height_mm]
    if p.bump_layout == "full":
        h, pitch = 0.5 * p.bump_width_mm(), p.bump_pitch_mm
        out = part(name, p.bump_material, [c[0] - h, c[0] + h, c[0] - h, c[0] + h, *z], role="bumps",
                   array={"nx": n, "ny": n, "pitch_x_mm": pitch, "pitch_y_mm": pitch})
        if p.bump_shape != "box":
            out.update(shape=p.bump_shape, pad_diameter_mm=p.bump_pad_mm)
        if p.bump_shape == "barrel":
            out["max_diameter_mm"] = p.bump_width_mm()
        return [out]
    k = p.corner_bumps
    xy, holes = carved_block(c[:k], c[:k], p.bump_pad_mm)
    span = c[n - k] - c[0]
    return [part(name, p.bump_material, [*xy, *z], holes=holes, role="bumps",
                 array={"nx": 2, "ny": 2, "pitch_x_mm": span, "pitch_y_mm": span})]
