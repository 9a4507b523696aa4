"""Materials the families use beyond the built-in library, with their sources.

A family writes the entries it uses into the expanded model as ``[materials.NAME]`` tables, so an
expanded file is complete on its own. A model file's own ``[materials.NAME]`` table overrides an
entry key by key, exactly as it overrides a built-in material. Units: E in GPa, CTE in ppm/K,
k in W/(m·K).
"""

from __future__ import annotations

FAMILY_MATERIALS: dict[str, dict] = {
    "emc_high_k": {
        "E_gpa": 28.0, "nu": 0.30, "cte_ppm": 14.0, "k_w_mk": 2.0,
        "source": "representative alumina-filled high-thermal-conductivity epoxy mould compound: k 2-3 W/(m K), "
                  "E 25-30 GPa, alpha1 12-16 ppm/K; alumina raises k, E and CTE over fused-silica filler "
                  "(Wong & Bollampally, J. Appl. Polym. Sci. 74 (1999) 3396)",
    },
    "mlcc": {
        "E_gpa": 110.0, "nu": 0.30, "cte_ppm": 10.5, "k_w_mk": 3.0,
        "source": "multilayer ceramic chip capacitor, BaTiO3 (X7R) dielectric with Ni inner electrodes, as one "
                  "homogeneous body: E 100-130 GPa, CTE 9.5-11.5 ppm/K (den Toonder, Rademaker & Hu, "
                  "J. Electron. Packag. 125 (2003) 506; capacitor makers' CTE data)",
    },
    "polyimide": {
        "E_gpa": 2.5, "nu": 0.34, "cte_ppm": 20.0, "k_w_mk": 0.12,
        "source": "polyimide TAB tape, DuPont Kapton HN data sheet: tensile modulus 2.5 GPa, CTE 20 ppm/K "
                  "(30-100 C), k 0.12 W/(m K)",
    },
}
