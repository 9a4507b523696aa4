"""How polymers relax and shrink: Prony series, time-temperature shift, cure shrinkage.

A thermorheologically simple linear viscoelastic material relaxes in shear and in bulk as

    G(ξ) = G0 (g∞ + Σ g_i exp(-ξ/τ_i)),   K(ξ) = K0 (k∞ + Σ k_i exp(-ξ/τ_j)),

with G0, K0 the glassy (instantaneous) moduli of the material's E and ν, the weights relative to
them (Ansys' TB,PRONY convention; g∞ = 1 - Σ g_i) and the times τ_i in seconds at the shift's
reference temperature. Temperature only changes the clock: the reduced time is
ξ = ∫ dt / a_T(T(t)), with log10 a_T = -C1 (T - Tr) / (C2 + T - Tr) (WLF), ln a_T = (Ea/R) (1/T - 1/Tr) in kelvin
(Arrhenius), or WLF above Tr and Arrhenius below it ("wlf_arrhenius": the usual pairing with Tr
at Tg, where WLF's free-volume picture stops and its pole C2 below Tr would be reached).

Cure shrinkage is a volumetric chemical strain the compound takes after it gels (when its part
bonds): ``total_pct`` of volume, linear in time from ``start_s`` to ``end_s`` after bonding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

KELVIN = 273.15

#: Gauss-Legendre points per sub-interval of a ramp when integrating the reduced time
_GAUSS = np.polynomial.legendre.leggauss(4)
#: sub-intervals no wider than this many kelvin: a_T changes by decades over tens of kelvin
_SUB_K = 0.5


@dataclass(frozen=True)
class Shift:
    """The time-temperature shift a_T: relaxation times at T are a_T(T) times those at
    ``reference_c`` (°C)."""

    kind: Literal["wlf", "arrhenius", "wlf_arrhenius", "none"] = "none"
    reference_c: float = 25.0
    wlf_c1: float = 0.0
    wlf_c2_k: float = 0.0
    activation_k: float = 0.0   # Ea / R, K

    def log10_shift(self, temperature_c: np.ndarray | float) -> np.ndarray:
        """log10 a_T at ``temperature_c`` (°C)."""
        t = np.asarray(temperature_c, dtype=float)
        d = t - self.reference_c
        arrhenius = self.activation_k * (1.0 / (t + KELVIN) - 1.0 / (self.reference_c + KELVIN)) / math.log(10.0)
        if self.kind == "arrhenius":
            return arrhenius
        if self.kind in ("wlf", "wlf_arrhenius"):
            above = d if self.kind == "wlf" else np.maximum(d, 0.0)
            wlf = -self.wlf_c1 * above / (self.wlf_c2_k + above)
            return wlf if self.kind == "wlf" else np.where(d >= 0.0, wlf, arrhenius)
        return np.zeros_like(t)

    def valid_above_c(self) -> float:
        """The lowest temperature (°C) the shift holds at: WLF's pole C2 below the reference."""
        return self.reference_c - self.wlf_c2_k if self.kind == "wlf" else -KELVIN

    def reduced_time_s(self, dt_s: float, from_c: float, to_c: float) -> float:
        """The reduced time ∫ dt / a_T (s at the reference temperature) of ``dt_s`` seconds over
        which the temperature goes linearly from ``from_c`` to ``to_c`` (°C)."""
        if self.kind == "none":
            return dt_s
        if from_c == to_c:
            return dt_s * 10.0 ** -float(self.log10_shift(from_c))
        n = max(1, math.ceil(abs(to_c - from_c) / _SUB_K))
        x, w = _GAUSS
        edges = np.linspace(0.0, 1.0, n + 1)
        s = (0.5 * (edges[:-1, None] + edges[1:, None]) + 0.5 * (edges[1:, None] - edges[:-1, None]) * x).ravel()
        weights = (0.5 * (edges[1:, None] - edges[:-1, None]) * w).ravel()
        return dt_s * float(weights @ 10.0 ** -self.log10_shift(from_c + s * (to_c - from_c)))


@dataclass(frozen=True)
class Prony:
    """Shear and bulk relaxation as Prony series: (weight relative to the glassy modulus, time in
    s at the shift's reference temperature) per term; bulk without terms stays elastic."""

    shear: tuple[tuple[float, float], ...]
    bulk: tuple[tuple[float, float], ...] = ()
    shift: Shift = Shift()
    source: str = ""

    @property
    def shear_rubbery(self) -> float:
        """g∞: the fully relaxed shear modulus relative to the glassy one."""
        return 1.0 - sum(g for g, _ in self.shear)

    @property
    def bulk_rubbery(self) -> float:
        return 1.0 - sum(k for k, _ in self.bulk)


@dataclass(frozen=True)
class CureShrinkage:
    """Chemical shrinkage after gelation: ``total_pct`` of volume, linear in time from ``start_s``
    to ``end_s`` after the part bonds."""

    total_pct: float
    start_s: float = 0.0
    end_s: float = 0.0

    def linear_strain(self, since_bond_s: float) -> float:
        """The (negative) linear strain taken ``since_bond_s`` seconds after bonding."""
        if since_bond_s <= self.start_s:
            share = 0.0
        elif since_bond_s >= self.end_s:
            share = 1.0
        else:
            share = (since_bond_s - self.start_s) / (self.end_s - self.start_s)
        return (1.0 - share * self.total_pct / 100.0) ** (1.0 / 3.0) - 1.0
