"""Built-in material library: isotropic properties with their sources, at room temperature and
against temperature.

Units are the contract's: E in GPa, CTE in ppm/K, conductivity in W/(m·K). ``E_gpa``, ``nu`` and
``cte_ppm`` are room-temperature, below-Tg values of a representative commercial grade: what a
model uses by default (``[load] material_properties = "room_temperature"``). Each material's
``temperature`` data says how they follow temperature (:mod:`.temperature`), used with
``material_properties = "temperature_dependent"``: a glass transition for the polymers and
laminates, tables for silicon, copper and aluminium. ``sac305`` stays constant here (its strong
softening belongs with its creep), as do ``tim`` (a gel far above its Tg) and ``alloy42`` (its CTE
holds within its data-sheet band to 300 °C). A model overrides any value with a
``[materials.NAME]`` table. Laminates and moulding compounds are orthotropic in reality: the
isotropic in-plane values here are the ones warpage is most sensitive to, the usual first-order
choice in package warpage work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .elasticity import isotropic_constants, orthotropic_constants
from .joint_life import LIVES, JointLife
from .solder import SOLDERS, Anand
from .temperature import GlassTransition, PropertyTable, TemperatureData
from .viscoelastic import CureShrinkage, Prony


@dataclass(frozen=True)
class Orthotropy:
    """Axis-aligned orthotropic elasticity and expansion: x, y in the package's plane, z through
    its thickness. Moduli in GPa, ``nu`` (ν_xy, ν_xz, ν_yz) with ν_pq the contraction along q
    under a stress along p, CTE in ppm/K."""

    E_gpa: tuple[float, float, float]
    nu: tuple[float, float, float]
    G_gpa: tuple[float, float, float]
    cte_ppm: tuple[float, float, float]


@dataclass(frozen=True)
class Material:
    """A linear thermo-elastic material (E in GPa, CTE in ppm/K, k in W/(m·K)): isotropic, or
    orthotropic along the package's axes when ``orthotropic`` is given (then ``E_gpa``, ``nu``
    and ``cte_ppm`` are its x values)."""

    name: str
    E_gpa: float
    nu: float
    cte_ppm: float
    k_w_mk: float | None = None
    source: str = ""
    temperature: TemperatureData | None = None
    k_z_w_mk: float | None = None   # through the thickness, when it differs from k_w_mk
    viscoelastic: Prony | None = None   # relaxation from the glassy E, nu (used along a time history)
    cure: CureShrinkage | None = None
    orthotropic: Orthotropy | None = None
    anand: Anand | None = None          # viscoplastic solder (read by the cycled bump submodel)
    life: JointLife | None = None       # its joints' fatigue life from the cycled energy density

    def thermal_strain(self, from_c: float, to_c: float) -> float:
        """The free thermal strain from ``from_c`` to ``to_c`` (°C): the integral of the
        instantaneous CTE (α ΔT for a constant one)."""
        return float(self.thermal_strains(from_c, to_c)[0])

    def at(self, stress_free_c: float, temperature_c: float) -> "Material":
        """This material at ``temperature_c`` (°C) when stress-free at ``stress_free_c``: E and ν
        of that temperature and the secant CTE (ppm/K) whose product with the temperature change
        is the integral of the instantaneous CTE; constant (no temperature data) once made."""
        if self.temperature is None:
            return self
        t = self.temperature
        dt = temperature_c - stress_free_c
        cte = 1e6 * self.thermal_strain(stress_free_c, temperature_c) / dt if dt else t.cte_ppm(self.cte_ppm, stress_free_c)
        if self.viscoelastic is not None:   # the modulus follows the relaxation, not the temperature data
            return replace(self, cte_ppm=cte, temperature=None)
        return replace(self, E_gpa=t.E_gpa(self.E_gpa, temperature_c), nu=t.nu(self.nu, temperature_c),
                       cte_ppm=cte, temperature=None)

    def thermal_strains(self, from_c: float, to_c: float) -> np.ndarray:
        """The free thermal strain (3,) along x, y, z from ``from_c`` to ``to_c`` (°C): the integral
        of the instantaneous CTE (α ΔT for a constant one)."""
        if self.temperature is not None:
            return np.full(3, self.temperature.thermal_strain(self.cte_ppm, from_c, to_c))
        return self.cte_axes_ppm * 1e-6 * (to_c - from_c)

    @property
    def cte_axes_ppm(self) -> np.ndarray:
        """The CTE (3,) along x, y, z in ppm/K."""
        return np.asarray(self.orthotropic.cte_ppm if self.orthotropic else (self.cte_ppm,) * 3, dtype=float)

    @property
    def constants_mpa(self) -> np.ndarray:
        """The nine orthotropic constants (9,) in MPa (:mod:`.elasticity`)."""
        if self.orthotropic is None:
            return isotropic_constants(*self.lame_mpa)
        o = self.orthotropic
        return orthotropic_constants(o.E_gpa, o.nu, o.G_gpa)

    @property
    def lame_mpa(self) -> tuple[float, float]:
        """Lamé parameters (lambda, mu) in MPa of an isotropic material."""
        if self.orthotropic is not None:
            raise ValueError(f"material {self.name!r} is orthotropic: it has no Lamé parameters")
        E = self.E_gpa * 1e3
        lam = E * self.nu / ((1 + self.nu) * (1 - 2 * self.nu))
        mu = E / (2 * (1 + self.nu))
        return lam, mu

    @property
    def biaxial_modulus_gpa(self) -> float:
        """E / (1 - nu), the modulus of equi-biaxial plate bending, in GPa."""
        return self.E_gpa / (1 - self.nu)


LIBRARY: dict[str, Material] = {
    m.name: m
    for m in [
        Material("silicon", 130.0, 0.28, 2.6, 148.0,
                 "Hopcroft, Nix & Kenny, J. MEMS 19 (2010) 229: E = 130 GPa, nu = 0.28 along <100>; "
                 "Okada & Tokumaru, J. Appl. Phys. 56 (1984) 314: CTE 2.6 ppm/K at 300 K"),
        Material("copper", 117.0, 0.34, 17.0, 390.0,
                 "Copper Development Association, C11000 (ETP) data sheet: E 115-117 GPa, CTE 17.0 ppm/K "
                 "(20-300 C), k 388-391 W/(m K)"),
        Material("aluminum", 69.0, 0.33, 23.6, 167.0,
                 "ASM Handbook Vol. 2, alloy 6061-T6: E 68.9 GPa, nu 0.33, CTE 23.6 ppm/K, k 167 W/(m K)"),
        Material("alloy42", 148.0, 0.29, 4.5, 12.0,
                 "ASTM F30 Fe-42Ni lead-frame alloy, supplier data (e.g. Sumitomo Metal Mining): E 145-150 GPa, "
                 "CTE 4.0-4.7 ppm/K (30-300 C), k 12 W/(m K)"),
        Material("bt_laminate", 26.0, 0.20, 15.0, 0.5,
                 "BT-resin build-up substrate core, Mitsubishi Gas Chemical HL832NX data sheet: in-plane "
                 "E 26-28 GPa, CTE 14-15 ppm/K (below Tg); k through thickness 0.4-0.6 W/(m K)"),
        Material("fr4", 22.0, 0.15, 16.0, 0.3,
                 "Isola 370HR / IPC-4101/126 typical in-plane values: E 21-24 GPa, nu 0.13-0.18, "
                 "CTE 13-17 ppm/K (below Tg), k 0.3-0.4 W/(m K)"),
        Material("emc", 24.0, 0.30, 9.0, 0.9,
                 "Silica-filled epoxy mould compound, Sumitomo Bakelite EME-G700 series data sheets: "
                 "E 22-26 GPa at 25 C, alpha1 8-10 ppm/K, k 0.8-1.0 W/(m K)"),
        Material("underfill", 8.0, 0.33, 30.0, 0.5,
                 "Capillary flip-chip underfill, Namics U8410 / Henkel Loctite Eccobond UF 8800 series data "
                 "sheets: E 7-10 GPa, alpha1 25-32 ppm/K, k 0.4-0.6 W/(m K)"),
        Material("sac305", 51.0, 0.36, 21.7, 58.0,
                 "Sn-3.0Ag-0.5Cu at 25 C: NIST/Colorado School of Mines 'Database for Solder Properties' "
                 "(Siewert et al. 2002): E 51 GPa, nu 0.36; Vianco (Sandia) CTE 21.7 ppm/K; k 58 W/(m K)",
                 anand=SOLDERS["sac305"], life=LIVES["syed_sac"]),
        Material("snpb37", 32.0, 0.40, 24.5, 50.0,
                 "Sn-37Pb eutectic at 25 C: NIST/Colorado School of Mines 'Database for Solder Properties' "
                 "(Siewert et al. 2002): E 32 GPa, nu 0.40, CTE 24.5 ppm/K, k 50 W/(m K)",
                 anand=SOLDERS["snpb37"], life=LIVES["darveaux_snpb"]),
        Material("die_attach", 4.0, 0.35, 40.0, 2.5,
                 "Silver-filled epoxy die attach, Henkel Loctite Ablestik 84-1LMISR4 data sheet: storage "
                 "modulus 4 GPa at 25 C, CTE 40 ppm/K below Tg, k 2.5 W/(m K)"),
        Material("tim", 1.0, 0.35, 60.0, 4.0,
                 "Cured polymer thermal interface material (TIM1) between die and lid, e.g. Dow DOWSIL "
                 "TC-3040 class and Honeywell PTM series: E 0.1-2 GPa, CTE 50-150 ppm/K, k 3-5 W/(m K)"),
        Material("adhesive", 2.5, 0.35, 60.0, 0.3,
                 "Epoxy lid and stiffener attach adhesive, Henkel Loctite Ablestik / Namics lid-attach data "
                 "sheets: E 2-3 GPa, CTE 50-70 ppm/K below Tg, k 0.2-0.4 W/(m K)"),
        Material("abf", 5.0, 0.34, 39.0, 0.25,
                 "Build-up dielectric film of FCBGA substrates, Ajinomoto ABF GX92 data sheet: tensile modulus "
                 "5.0 GPa at 23 C, CTE 39 ppm/K (25-150 C); nu 0.34 and k 0.2-0.3 W/(m K) typical of filled epoxy "
                 "films (not on the data sheet)"),
        Material("solder_mask", 3.0, 0.30, 60.0, 0.25,
                 "Taiyo PSR-4000 AUS308 solder resist data sheet: tensile modulus 2.5-3.5 GPa, "
                 "CTE alpha1 50-60 ppm/K, k 0.2-0.3 W/(m K)"),
    ]
}


def _silicon_cte_ppm(t_c: float) -> float:
    """Okada & Tokumaru's fit of silicon's instantaneous CTE (ppm/K), valid 120-1500 K."""
    t_k = t_c + 273.15
    return 3.725 * (1.0 - math.exp(-5.88e-3 * (t_k - 124.0))) + 5.548e-4 * t_k


#: temperature points (°C) of the metals' tables
_T_METAL_C = (-65.0, -40.0, 0.0, 25.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0)


def _glass(tg_c: float, cte_above_ppm: float, E_above_gpa: float) -> TemperatureData:
    # DMA curves of these epoxies fall through Tg over ~20-30 K: a tanh of half-width 10 K
    return TemperatureData(glass=GlassTransition(tg_c, cte_above_ppm, E_above_gpa, width_k=10.0))


_LAMINATE_NOTE = (
    "in-plane CTE above Tg from Schapery's rule of mixtures with E-glass (73 GPa, 5.4 ppm/K): once the resin "
    "softens the glass carries the laminate, so in-plane CTE falls and E keeps ~3/4 of its value above Tg; "
    "data sheets list only alpha1 in-plane")

#: how each built-in material follows temperature, and where that comes from
_TEMPERATURE: dict[str, tuple[TemperatureData, str]] = {
    "silicon": (TemperatureData(table=PropertyTable(
        _T_METAL_C,
        E_gpa=tuple(130.0 * (1.0 - 60e-6 * (t - 25.0)) for t in _T_METAL_C),
        cte_ppm=tuple(_silicon_cte_ppm(t) for t in _T_METAL_C))),
        "CTE from Okada & Tokumaru's fit alpha(T) = 3.725(1 - exp(-5.88e-3 (T - 124))) + 5.548e-4 T (T in K); "
        "E falls 60 ppm/K (Wortman & Evans, J. Appl. Phys. 36 (1965) 153)"),
    "copper": (TemperatureData(table=PropertyTable(
        (-73.0, -23.0, 20.0, 127.0, 227.0, 327.0),
        E_gpa=tuple(117.0 * (1.0 - 3e-4 * (t - 25.0)) for t in (-73.0, -23.0, 20.0, 127.0, 227.0, 327.0)),
        cte_ppm=(15.2, 16.1, 16.5, 17.6, 18.3, 18.9))),
        "instantaneous CTE at 200/250/293/400/500/600 K from Touloukian et al., Thermophysical Properties of "
        "Matter vol. 12 (1975); E falls 3e-4 /K (Ledbetter & Naimon, J. Phys. Chem. Ref. Data 3 (1974) 897)"),
    "aluminum": (TemperatureData(table=PropertyTable(
        (-50.0, 20.0, 60.0, 150.0, 250.0, 300.0), cte_ppm=(21.8, 23.0, 23.6, 24.9, 26.8, 27.6))),
        "instantaneous CTE from ASM Handbook Vol. 2 mean CTEs of 6061 from 20 C: 23.6 (to 100 C), 24.3 (to 200 C), "
        "25.2 (to 300 C), differentiated; E held"),
    "bt_laminate": (TemperatureData(glass=GlassTransition(185.0, 7.0, 19.0, width_k=10.0)),
                    f"Tg 185 C by TMA (MGC HL832NX data sheet); {_LAMINATE_NOTE}"),
    "fr4": (TemperatureData(glass=GlassTransition(180.0, 8.0, 16.0, width_k=10.0)),
            f"Tg 180 C by DSC (Isola 370HR data sheet); {_LAMINATE_NOTE}"),
    "emc": (_glass(160.0, 35.0, 1.2),
            "EME-G700 class data sheets: Tg 150-175 C by TMA, alpha2 30-40 ppm/K, flexural modulus 0.8-1.5 GPa "
            "at 260 C"),
    "underfill": (_glass(130.0, 100.0, 0.25),
                  "U8410 / UF 8800 class data sheets: Tg 120-140 C by TMA, alpha2 90-110 ppm/K, modulus 0.1-0.3 GPa "
                  "above Tg"),
    "die_attach": (_glass(120.0, 150.0, 0.3),
                   "Ablestik 84-1LMISR4 data sheet: Tg 120 C, CTE 40 / 150 ppm/K below / above Tg, storage modulus "
                   "~0.3 GPa above Tg"),
    "adhesive": (_glass(115.0, 170.0, 0.08),
                 "epoxy lid-attach data sheets: Tg 100-130 C, alpha2 150-180 ppm/K, modulus 0.05-0.1 GPa above Tg"),
    "abf": (_glass(153.0, 117.0, 0.5),
            "ABF GX92 data sheet: Tg 153 C by TMA, alpha2 117 ppm/K; modulus ~0.5 GPa above Tg (DMA of GX-series "
            "films falls about tenfold through Tg)"),
    "solder_mask": (_glass(105.0, 140.0, 0.15),
                    "PSR-4000 AUS308 data sheet: Tg 98-105 C by TMA, alpha2 ~140 ppm/K; modulus ~0.15 GPa above Tg"),
}

LIBRARY = {name: (replace(m, temperature=_TEMPERATURE[name][0], source=f"{m.source}; against temperature: "
                                                                       f"{_TEMPERATURE[name][1]}")
                  if name in _TEMPERATURE else m)
           for name, m in LIBRARY.items()}
