"""How many cycles a solder joint lasts: Darveaux's energy-based crack initiation and growth.

R. Darveaux (Proc. 50th ECTC, 2000, 1048; J. Electron. Packag. 124 (2002) 147) correlates the
inelastic strain-energy density per cycle ΔW, volume-averaged over a layer of elements of a set
thickness along the pad where the crack runs, with the cycles to crack initiation and the crack's
growth rate,

    N₀ = K1 ΔW^K2,      da/dN = K3 ΔW^K4,

so the joint's characteristic life (63.2 % of joints failed, the Weibull scale of a test) is the
cycles to initiate plus those to grow a crack across the pad's diameter a:

    N(63.2 %) = N₀ + a / (da/dN).

The constants belong to the analysis that fitted them: the layer thickness, the averaging, the
creep law. A correlation given as total life (no growth term) is N = K1 ΔW^K2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: psi in one MPa and mm in one inch: Darveaux published in psi and inches
PSI_PER_MPA = 145.0377
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class JointLife:
    """An energy-based fatigue correlation in MPa and mm: ``k1`` cycles per MPa^k2 and ``k2`` for
    initiation, ``k3_mm`` mm per cycle per MPa^k4 and ``k4`` for growth (``k3_mm = 0``: ``k1, k2``
    give the total life), ``layer_mm`` the thickness of the pad layer ΔW was averaged over when
    the constants were fitted; ``source`` says where they come from."""

    k1: float
    k2: float
    k3_mm: float
    k4: float
    layer_mm: float
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("k1", "layer_mm"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                raise ValueError(f"{name} must be a positive number, not {getattr(self, name)!r}")
        if not (math.isfinite(self.k3_mm) and self.k3_mm >= 0):
            raise ValueError(f"k3_mm must be zero (a total-life correlation) or positive, not {self.k3_mm!r}")
        if not (math.isfinite(self.k2) and self.k2 < 0):
            raise ValueError(f"k2 must be negative (more energy, fewer cycles), not {self.k2!r}")
        if self.k3_mm > 0 and not (math.isfinite(self.k4) and self.k4 > 0):
            raise ValueError(f"k4 must be positive (more energy, faster growth), not {self.k4!r}")

    @classmethod
    def from_imperial(cls, k1_psi: float, k2: float, k3_inch_psi: float, k4: float, layer_inch: float,
                      source: str) -> "JointLife":
        """The correlation from constants for ΔW in psi and a in inches, as Darveaux gave them."""
        return cls(k1_psi * PSI_PER_MPA ** k2, k2, k3_inch_psi * MM_PER_INCH * PSI_PER_MPA ** k4, k4,
                   layer_inch * MM_PER_INCH, source)

    @property
    def grows(self) -> bool:
        """Whether the correlation splits initiation from growth (and so depends on the pad)."""
        return self.k3_mm > 0

    def initiation_cycles(self, energy_density_mpa: float) -> float:
        """N₀ (cycles) at ΔW ``energy_density_mpa`` (MPa per cycle); the total life without growth."""
        return self.k1 * energy_density_mpa ** self.k2 if energy_density_mpa > 0 else math.inf

    def growth_mm_per_cycle(self, energy_density_mpa: float) -> float:
        """da/dN (mm per cycle) at ΔW ``energy_density_mpa`` (MPa per cycle); 0 without growth."""
        return self.k3_mm * energy_density_mpa ** self.k4 if self.grows and energy_density_mpa > 0 else 0.0

    def characteristic_life(self, energy_density_mpa: float, pad_diameter_mm: float) -> float:
        """N(63.2 %) in cycles of a joint whose crack crosses a pad ``pad_diameter_mm`` (mm) wide."""
        n0 = self.initiation_cycles(energy_density_mpa)
        if not self.grows or not math.isfinite(n0):
            return n0
        return n0 + pad_diameter_mm / self.growth_mm_per_cycle(energy_density_mpa)


#: built-in correlations, each with the solder, layer and analysis it was fitted for
LIVES: dict[str, JointLife] = {
    "darveaux_snpb": JointLife.from_imperial(
        7860.0, -1.00, 4.96e-8, 1.13, 0.001,
        "Darveaux, 'Effect of simulation methodology on solder joint crack growth correlation', Proc. 50th ECTC "
        "(2000) 1048, and J. Electron. Packag. 124 (2002) 147: near-eutectic Sn-Pb, dW volume-averaged over "
        "1-mil (25.4 um) elements along the pad; K1 = 7860 cycles/psi, K2 = -1.00, "
        "K3 = 4.96e-8 in/(cycle psi^1.13), K4 = 1.13"),
    "syed_sac": JointLife(
        1.0 / 0.0019, -1.0, 0.0, 1.0, 0.0254,
        "Syed, 'Accumulated creep strain and energy density based thermal fatigue life prediction models for "
        "SnAgCu solder joints', Proc. 54th ECTC (2004) 737: N = (0.0019 dW)^-1 with dW in MPa, Sn-Ag-Cu, "
        "averaged over the 1-mil pad layer as Darveaux's; a total life (no growth term)"),
}
