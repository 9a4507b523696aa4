"""Built-in material library: isotropic room-temperature properties with their sources.

Units are the contract's: E in GPa, CTE in ppm/K, conductivity in W/(m·K). Values are
room-temperature, below-Tg values of a representative commercial grade; a model overrides any of
them with a ``[materials.NAME]`` table. Laminates and moulding compounds are orthotropic and
temperature-dependent in reality: the isotropic in-plane values here are the ones warpage is most
sensitive to, which is the usual first-order choice in package warpage work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Material:
    """An isotropic linear thermo-elastic material (E in GPa, CTE in ppm/K, k in W/(m·K))."""

    name: str
    E_gpa: float
    nu: float
    cte_ppm: float
    k_w_mk: float | None = None
    source: str = ""

    @property
    def lame_mpa(self) -> tuple[float, float]:
        """Lamé parameters (lambda, mu) in MPa."""
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
                 "(Siewert et al. 2002): E 51 GPa, nu 0.36; Vianco (Sandia) CTE 21.7 ppm/K; k 58 W/(m K)"),
        Material("die_attach", 4.0, 0.35, 40.0, 2.5,
                 "Silver-filled epoxy die attach, Henkel Loctite Ablestik 84-1LMISR4 data sheet: storage "
                 "modulus 4 GPa at 25 C, CTE 40 ppm/K below Tg, k 2.5 W/(m K)"),
        Material("tim", 1.0, 0.35, 60.0, 4.0,
                 "Cured polymer thermal interface material (TIM1) between die and lid, e.g. Dow DOWSIL "
                 "TC-3040 class and Honeywell PTM series: E 0.1-2 GPa, CTE 50-150 ppm/K, k 3-5 W/(m K)"),
        Material("adhesive", 2.5, 0.35, 60.0, 0.3,
                 "Epoxy lid and stiffener attach adhesive, Henkel Loctite Ablestik / Namics lid-attach data "
                 "sheets: E 2-3 GPa, CTE 50-70 ppm/K below Tg, k 0.2-0.4 W/(m K)"),
        Material("solder_mask", 3.0, 0.30, 60.0, 0.25,
                 "Taiyo PSR-4000 AUS308 solder resist data sheet: tensile modulus 2.5-3.5 GPa, "
                 "CTE alpha1 50-60 ppm/K, k 0.2-0.3 W/(m K)"),
    ]
}
