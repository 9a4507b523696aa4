"""Material properties against temperature: tables, the glass-transition form, the thermal strain.

Two forms, one per material:

- **Table**: E (GPa), ν and the *instantaneous* CTE α (ppm/K) at listed temperatures (°C),
  linear between them and held at the end values beyond them (as Ansys and Abaqus do).
- **Glass transition** (the polymer data-sheet form): α1 and E below Tg, α2 and E above it. The
  switch s(T) is a step at Tg (``tg_width_k = 0``) or ``s = ½(1 + tanh((T − Tg)/w))``; α moves
  linearly with s and E log-linearly (E1^(1−s) E2^s), since a modulus falls by decades through Tg.

The thermal strain from a stress-free temperature T0 to T is the integral of the instantaneous
CTE, ε = ∫ α dT from T0 to T, formed exactly for both forms. Its *secant* CTE, ε / (T − T0), is
what a single-temperature solve uses; it depends on T0, so a table of instantaneous values is the
form that stays right when parts bond at different temperatures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PropertyTable:
    """E (GPa), ν and instantaneous CTE (ppm/K) at ``temperature_c`` (°C, increasing); a column
    left None keeps the material's constant value."""

    temperature_c: tuple[float, ...]
    E_gpa: tuple[float, ...] | None = None
    nu: tuple[float, ...] | None = None
    cte_ppm: tuple[float, ...] | None = None

    def value(self, column: tuple[float, ...], t_c: float) -> float:
        return float(np.interp(t_c, self.temperature_c, column))

    def cte_integral(self, t0_c: float, t1_c: float) -> float:
        """∫ α dT from t0 to t1 in ppm (α piecewise linear, so the trapezoid rule is exact)."""
        lo, hi = min(t0_c, t1_c), max(t0_c, t1_c)
        t = np.array(sorted({lo, hi, *[x for x in self.temperature_c if lo < x < hi]}))
        a = np.interp(t, self.temperature_c, self.cte_ppm)
        total = float(np.sum(0.5 * (a[1:] + a[:-1]) * np.diff(t)))
        return total if t1_c >= t0_c else -total


def _logcosh(x: float) -> float:
    x = abs(x)
    return x + math.log1p(math.exp(-2.0 * x)) - math.log(2.0)


@dataclass(frozen=True)
class GlassTransition:
    """Tg (°C), the CTE and modulus above it (α1 and E below are the material's own), and the
    width of the transition (K; 0: a step at Tg)."""

    tg_c: float
    cte_above_ppm: float
    E_above_gpa: float
    width_k: float = 0.0

    def share(self, t_c: float) -> float:
        """s(T): 0 well below Tg, 1 well above it."""
        if self.width_k == 0.0:
            return 1.0 if t_c > self.tg_c else 0.0
        return 0.5 * (1.0 + math.tanh((t_c - self.tg_c) / self.width_k))

    def share_integral(self, t0_c: float, t1_c: float) -> float:
        """∫ s dT from t0 to t1, in K."""
        if self.width_k == 0.0:
            return max(0.0, t1_c - self.tg_c) - max(0.0, t0_c - self.tg_c)
        w = self.width_k
        return 0.5 * ((t1_c - t0_c) + w * (_logcosh((t1_c - self.tg_c) / w) - _logcosh((t0_c - self.tg_c) / w)))


@dataclass(frozen=True)
class TemperatureData:
    """How one material's properties follow temperature: a table or a glass transition."""

    table: PropertyTable | None = None
    glass: GlassTransition | None = None

    def E_gpa(self, E_below_gpa: float, t_c: float) -> float:
        if self.table is not None and self.table.E_gpa is not None:
            return self.table.value(self.table.E_gpa, t_c)
        if self.glass is not None:
            s = self.glass.share(t_c)
            return E_below_gpa ** (1.0 - s) * self.glass.E_above_gpa ** s
        return E_below_gpa

    def nu(self, nu: float, t_c: float) -> float:
        if self.table is not None and self.table.nu is not None:
            return self.table.value(self.table.nu, t_c)
        return nu

    def cte_ppm(self, cte_below_ppm: float, t_c: float) -> float:
        """The instantaneous CTE at t_c, ppm/K."""
        if self.table is not None and self.table.cte_ppm is not None:
            return self.table.value(self.table.cte_ppm, t_c)
        if self.glass is not None:
            return cte_below_ppm + (self.glass.cte_above_ppm - cte_below_ppm) * self.glass.share(t_c)
        return cte_below_ppm

    def thermal_strain(self, cte_below_ppm: float, t0_c: float, t1_c: float) -> float:
        """ε = ∫ α dT from t0 to t1 (dimensionless)."""
        if self.table is not None and self.table.cte_ppm is not None:
            return 1e-6 * self.table.cte_integral(t0_c, t1_c)
        ppm = cte_below_ppm * (t1_c - t0_c)
        if self.glass is not None:
            ppm += (self.glass.cte_above_ppm - cte_below_ppm) * self.glass.share_integral(t0_c, t1_c)
        return 1e-6 * ppm
