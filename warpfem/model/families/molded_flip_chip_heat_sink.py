"""Seed 000 — molded flip chip with an exposed heat sink.

A carrier (substrate or lead frame), a flip-chip die or chip set on it, a heat sink over the
chip set, and one mould compound, moulded in one shot, that fills both the bump gap and the gap
between the chip set and the heat sink; the heat sink's top is exposed (flush with the mould top).
Options of the dependent claims: solder balls under a substrate, passives beside the die.

Bottom up: (solder balls) | carrier | chip set | mould-filled gap | heat sink, with the mould
filling everything between the carrier and the heat-sink top over the carrier's whole area.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from ..claims import ClaimCheck, between, claim, less_than
from ..materials import Material
from .base import MIN_FEATURE_MM, Expansion, Family, Mm, fail, square
from .chip_sets import ChipSetPackageKeys

#: the claimed chip(set)-to-heat-sink distance, mm (claims 2, 10)
GAP_RANGE_MM = (0.03, 0.2)
#: the claimed least encapsulant thermal conductivity, W/(m·K) (claims 3, 11)
MIN_MOULD_K_W_MK = 1.2


class Params(ChipSetPackageKeys):
    """``[family]`` keys of ``molded_flip_chip_heat_sink``."""

    carrier: Literal["substrate", "lead_frame"] = Field("substrate", description='"substrate" or "lead_frame"')
    carrier_size_mm: Mm = Field(12.0, description="side of the square carrier, which is the package body")
    carrier_thickness_mm: Mm | None = Field(None, description="carrier thickness")
    carrier_material: str | None = Field(None, description="carrier material")
    heat_sink_gap_mm: Mm = Field(0.1, description="mould-filled gap from the chip set's top to the heat sink")
    heat_sink_size_mm: Mm = Field(10.0, description="side of the square heat sink")
    heat_sink_thickness_mm: Mm = Field(0.3, description="heat-sink thickness")
    heat_sink_material: str = Field("copper", description="heat-sink material (a metal in the claims)")
    mould_material: str = Field("emc_high_k", description="the one encapsulant: bump gap, heat-sink gap, body")

    VARIANT_DEFAULTS: ClassVar[dict[str, tuple[str, dict[Any, Any]]]] = {
        "carrier_thickness_mm": ("carrier", {"substrate": 0.4, "lead_frame": 0.2}),
    }

    def heat_sink_bottom_mm(self) -> float:
        return self.carrier_thickness_mm + self.chip_set_height_mm() + self.heat_sink_gap_mm

    def check(self) -> None:
        self.check_package()
        if self.heat_sink_size_mm > self.carrier_size_mm:
            fail("heat_sink_size_mm", f"the heat sink ({self.heat_sink_size_mm:g} mm) overhangs the "
                                      f"{self.carrier_size_mm:g} mm carrier and its mould")
        if self.passives:
            self._check_passive_height()

    def _check_passive_height(self) -> None:
        top = self.passive_top_mm()
        d = self.passive_centre_mm(self.die_size_mm, self.carrier_size_mm) - 0.5 * self.passive_width_mm
        under = d < 0.5 * self.heat_sink_size_mm
        limit = self.heat_sink_bottom_mm() if under else self.heat_sink_bottom_mm() + self.heat_sink_thickness_mm
        if top > limit - MIN_FEATURE_MM:
            where = "the heat sink's bottom" if under else "the mould top"
            fail("passive_height_mm", f"passives reach z = {top:g} mm, which leaves less than {MIN_FEATURE_MM:g} mm "
                                      f"of mould under {where} (z = {limit:g} mm)")


def build(p: Params) -> Expansion:
    hs_bottom = p.heat_sink_bottom_mm()
    hs_top = hs_bottom + p.heat_sink_thickness_mm
    out = Expansion(p.package_parts(p.mould_material, hs_top))
    out.add("heat_sink", p.heat_sink_material, square(p.heat_sink_size_mm, hs_bottom, hs_top))
    return out


def claims(p: Params, materials: dict[str, Material]) -> list[ClaimCheck]:
    single = p.chip_set == "flip_chip"
    lo, hi = GAP_RANGE_MM
    who = "chip" if single else "chip set"
    k = materials[p.mould_material].k_w_mk
    return [
        claim("000", "2" if single else "10", f"{who} to heat sink {lo:g}-{hi:g} mm",
              f"{p.heat_sink_gap_mm:g} mm", between(p.heat_sink_gap_mm, lo, hi)),
        claim("000", "3" if single else "11", f"encapsulant conductivity > {MIN_MOULD_K_W_MK:g} W/(m·K)",
              f"{k:g} W/(m·K) ('{p.mould_material}')" if k is not None
              else f"'{p.mould_material}' gives no k_w_mk",
              None if k is None else less_than(MIN_MOULD_K_W_MK, k)),
    ]


FAMILY = Family("molded_flip_chip_heat_sink", "000", "molded flip chip with exposed heat sink", Params, build, claims)
