"""Seed 001 — molded underfill: one encapsulant over the chip set that also fills its bump gap.

A carrier (substrate or lead frame), a flip-chip die or chip set on it, and one encapsulant that
covers the chip set and the carrier and fills the flip-chip bonding gap. The claims tie the mould
cap over the chip set (the "second thickness") to the bonding gap (the "first thickness"): 0.5-2
times it. Give the cap as ``mould_cap_ratio`` (times ``bump_height_mm``) or as ``mould_cap_mm``.
The process keys (moulding pressure and temperature, bump melting point, filler size) build
nothing; they are there for ``warpfem check``.

Bottom up: (solder balls) | carrier | chip set | mould cap, with the mould over the carrier's
whole area (the claims' strip moulding and singulation give a sawn, flush-sided body).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from ..claims import ClaimCheck, at_most, between, claim, less_than
from ..materials import Material
from .base import MIN_FEATURE_MM, Expansion, Family, Mm, fail
from .chip_sets import ChipSetPackageKeys

#: the claimed mould-cap-to-bonding-gap ratio (claims 1, 6, 15)
CAP_RATIO_RANGE = (0.5, 2.0)
#: the claimed largest filler diameter as a fraction of the bonding gap (claims 2, 7, 20)
FILLER_FRACTION = 0.5
#: the claimed highest moulding pressure, mmHg (claim 18)
MAX_PRESSURE_MMHG = 20.0
#: the claimed least margin of the moulding temperature below the bump melting point, K (claim 19)
MELT_MARGIN_K = 10.0
#: the cap ratio used when neither cap key is given
DEFAULT_CAP_RATIO = 1.0


class Params(ChipSetPackageKeys):
    """``[family]`` keys of ``molded_underfill``."""

    carrier: Literal["substrate", "lead_frame"] = Field("substrate", description='"substrate" or "lead_frame"')
    carrier_size_mm: Mm = Field(12.0, description="side of the square carrier, which is the package body")
    carrier_thickness_mm: Mm | None = Field(None, description="carrier thickness")
    carrier_material: str | None = Field(None, description="carrier material")
    mould_cap_ratio: float | None = Field(
        None, gt=0, description=f"mould over the chip set / bump_height_mm (default {DEFAULT_CAP_RATIO:g} "
                                "when mould_cap_mm is not given)")
    mould_cap_mm: Mm | None = Field(None, description="mould over the chip set, given instead of mould_cap_ratio")
    mould_material: str = Field("emc", description="the one encapsulant: bump gap, cap, body")
    moulding_pressure_mmhg: float | None = Field(None, ge=0, description="transfer-moulding pressure (optional; read by check only)")
    moulding_temperature_c: float | None = Field(None, description="transfer-moulding temperature (optional; read by check only)")
    bump_melting_point_c: float | None = Field(None, description="melting point of the bumps, SAC305: 217 °C (optional; read by check only)")
    filler_max_diameter_um: float | None = Field(None, gt=0, description="largest filler particle of the mould (optional; read by check only)")

    VARIANT_DEFAULTS: ClassVar[dict[str, tuple[str, dict[Any, Any]]]] = {
        "carrier_thickness_mm": ("carrier", {"substrate": 0.4, "lead_frame": 0.2}),
    }

    @model_validator(mode="before")
    @classmethod
    def _default_cap(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("mould_cap_ratio") is None and data.get("mould_cap_mm") is None:
            data = {**data, "mould_cap_ratio": DEFAULT_CAP_RATIO}
        return data

    def cap_mm(self) -> float:
        """Mould thickness over the chip set, mm."""
        if self.mould_cap_mm is not None:
            return self.mould_cap_mm
        return self.mould_cap_ratio * self.bump_height_mm

    def mould_top_mm(self) -> float:
        return self.carrier_thickness_mm + self.chip_set_height_mm() + self.cap_mm()

    def check(self) -> None:
        if self.mould_cap_ratio is not None and self.mould_cap_mm is not None:
            fail("mould_cap_mm", "give either mould_cap_ratio or mould_cap_mm, not both")
        if self.cap_mm() < MIN_FEATURE_MM:
            fail("mould_cap_ratio", f"it makes a {self.cap_mm():.3g} mm mould cap, thinner than the "
                                    f"{MIN_FEATURE_MM:g} mm the mesh resolves")
        self.check_package()
        if self.passives and self.passive_top_mm() > self.mould_top_mm() - MIN_FEATURE_MM:
            fail("passive_height_mm", f"passives reach z = {self.passive_top_mm():g} mm, which leaves less than "
                                      f"{MIN_FEATURE_MM:g} mm of mould over them (mould top z = {self.mould_top_mm():g} mm)")


def build(p: Params) -> Expansion:
    return Expansion(p.package_parts(p.mould_material, p.mould_top_mm()))


def claims(p: Params, materials: dict[str, Material]) -> list[ClaimCheck]:
    single = p.chip_set == "flip_chip"
    gap, cap = p.bump_height_mm, p.cap_mm()
    lo, hi = CAP_RATIO_RANGE
    out = [claim("001", "1, 15" if single else "6, 15", f"mould over the chip(s) {lo:g}-{hi:g} x the bonding gap",
                 f"{cap:g} mm / {gap:g} mm = {cap / gap:.3g}", between(cap / gap, lo, hi))]
    filler = p.filler_max_diameter_um
    limit_um = FILLER_FRACTION * gap * 1e3
    out.append(claim("001", "2, 20" if single else "7, 20", f"largest filler < {FILLER_FRACTION:g} x the bonding gap",
                     "filler_max_diameter_um not given" if filler is None
                     else f"{filler:g} µm vs {FILLER_FRACTION:g} x {gap * 1e3:g} µm = {limit_um:g} µm",
                     None if filler is None else less_than(filler, limit_um)))
    pressure = p.moulding_pressure_mmhg
    out.append(claim("001", "18", f"moulding pressure < {MAX_PRESSURE_MMHG:g} mmHg",
                     "moulding_pressure_mmhg not given" if pressure is None else f"{pressure:g} mmHg",
                     None if pressure is None else less_than(pressure, MAX_PRESSURE_MMHG)))
    t, melt = p.moulding_temperature_c, p.bump_melting_point_c
    known = t is not None and melt is not None
    out.append(claim("001", "19", f"moulding temperature >= {MELT_MARGIN_K:g} °C below the bump melting point",
                     f"{t:g} °C vs {melt:g} - {MELT_MARGIN_K:g} = {melt - MELT_MARGIN_K:g} °C" if known
                     else "moulding_temperature_c and bump_melting_point_c not both given",
                     at_most(t, melt - MELT_MARGIN_K) if known else None))
    return out


FAMILY = Family("molded_underfill", "001", "molded underfill thickness ratio", Params, build, claims)
