"""How solder creeps: Anand's viscoplastic law, its published constants, and its closed forms.

Anand's law (L. Anand, Int. J. Plasticity 1 (1985) 213; S. B. Brown, K. H. Kim and L. Anand,
Int. J. Plasticity 5 (1989) 95) has no yield surface: the equivalent inelastic strain rate
follows the von Mises stress σ and one internal variable, the deformation resistance s (MPa),

    ε̇ᵖ = A exp(−Q/RT) [sinh(ξ σ / s)]^(1/m),
    ṡ  = h0 |1 − s/s*|^a sign(1 − s/s*) ε̇ᵖ,      s* = ŝ (ε̇ᵖ / A · exp(Q/RT))^n,

so creep and rate-dependent plasticity are one mechanism, which is why reliability engineers use it
for solder (Ansys TB,ANAND takes the same nine constants in the same order). T is in kelvin.

Two closed forms follow and test any integration of it. Under a constant inelastic strain rate s
tends to s*, and the stress to the saturation stress

    σ*(ε̇ᵖ, T) = (ŝ / ξ) Z^n asinh(Z^m),      Z = ε̇ᵖ / A · exp(Q/RT);

under a constant stress the strain rate tends to the steady creep rate, the ε̇ᵖ at which
σ*(ε̇ᵖ, T) equals that stress (σ* grows monotonically with ε̇ᵖ, so it is one root).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

KELVIN = 273.15


@dataclass(frozen=True)
class Anand:
    """Anand's nine constants: ``s0_mpa`` the initial deformation resistance, ``q_over_r_k`` the
    activation energy over the gas constant (K), ``a_per_s`` the pre-exponential factor (1/s),
    ``xi`` the stress multiplier, ``m`` the strain-rate sensitivity, ``h0_mpa`` the hardening
    constant, ``s_hat_mpa`` the coefficient of the saturation resistance, ``n`` its strain-rate
    sensitivity and ``a`` the hardening exponent; ``source`` says where they come from."""

    s0_mpa: float
    q_over_r_k: float
    a_per_s: float
    xi: float
    m: float
    h0_mpa: float
    s_hat_mpa: float
    n: float
    a: float
    source: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "source" and not (math.isfinite(getattr(self, f.name)) and getattr(self, f.name) > 0):
                raise ValueError(f"Anand's {f.name} must be a positive number, not {getattr(self, f.name)!r}")
        if not 0 < self.m <= 1:
            raise ValueError(f"Anand's m (strain-rate sensitivity) must lie in (0, 1], not {self.m!r}")
        if self.a < 1:
            raise ValueError(f"Anand's a (hardening exponent) must be at least 1, not {self.a!r}")

    def rate_factor_per_s(self, temperature_c: float) -> float:
        """A exp(−Q/RT) at ``temperature_c`` (°C), in 1/s: the rate at which sinh(ξσ/s) = 1."""
        return self.a_per_s * math.exp(-self.q_over_r_k / (temperature_c + KELVIN))

    def saturation_stress_mpa(self, rate_per_s: float, temperature_c: float) -> float:
        """σ*, the stress (MPa) a constant inelastic strain rate ``rate_per_s`` (1/s) tends to at
        ``temperature_c`` (°C)."""
        z = rate_per_s / self.rate_factor_per_s(temperature_c)
        return self.s_hat_mpa / self.xi * z ** self.n * math.asinh(z ** self.m)

    def steady_creep_rate_per_s(self, stress_mpa: float, temperature_c: float) -> float:
        """The inelastic strain rate (1/s) a constant von Mises stress ``stress_mpa`` (MPa) tends to
        at ``temperature_c`` (°C): the root of σ*(ε̇) = σ, found on log ε̇."""
        if stress_mpa <= 0:
            return 0.0
        a = self.rate_factor_per_s(temperature_c)

        def gap(log_z: float) -> float:
            z = math.exp(log_z)
            return math.log(self.s_hat_mpa / self.xi * z ** self.n * math.asinh(z ** self.m)) - math.log(stress_mpa)

        from scipy.optimize import brentq   # here: SciPy's optimiser takes a quarter second to import

        lo, hi = -50.0, 50.0
        while gap(lo) > 0:
            lo *= 2.0
        while gap(hi) < 0:
            hi *= 2.0
        return a * math.exp(brentq(gap, lo, hi, xtol=1e-14, rtol=1e-14))


#: keys of an ``anand`` table in a model file, in the order of :class:`Anand`
KEYS = tuple(f.name for f in fields(Anand) if f.name != "source")

_WANG_2001 = ("Wang, Cai, Ji, Liu & Chen, 'Application of the Anand constitutive model for finite element analysis "
              "of solder joints', J. Electron. Packag. 123 (2001) 247, Table 1")

#: Anand constants of solders, with their sources
SOLDERS: dict[str, Anand] = {
    "sac305": Anand(21.0, 9320.0, 3501.0, 4.0, 0.25, 180000.0, 30.2, 0.01, 1.78,
                    "Sn-3.0Ag-0.5Cu as reflowed (no ageing): Motalab, Cai, Suhling & Lall, 'Determination of Anand "
                    "constants for SAC solders using stress-strain or creep data', Proc. IEEE ITherm 2012, 910"),
    "snpb37": Anand(56.33, 10830.0, 1.49e7, 11.0, 0.303, 2640.75, 80.42, 0.0231, 1.34,
                    f"near-eutectic Sn-Pb (Darveaux's 60Sn40Pb creep and tensile data) fitted by {_WANG_2001}; "
                    "the set commonly used for 63Sn37Pb"),
    "snag35": Anand(39.09, 8900.0, 2.23e4, 6.0, 0.182, 3321.15, 73.81, 0.018, 1.82,
                    f"Sn-3.5Ag: {_WANG_2001}"),
}
