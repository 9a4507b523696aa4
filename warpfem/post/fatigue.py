"""A first solder-fatigue estimate per bump: Engelmaier's cycles to failure from an elastic
shear strain range. An elastic estimate to rank designs, not a creep or plasticity analysis.

Shear strain range. The solve is linear elastic, so a bump's volume-averaged shear stress τ at the
model's temperature change ΔT gives its shear strain γ = τ / G (G of the bump's material), and
the cycle's range max_c − min_c scales it linearly: Δγ = γ (max_c − min_c) / |ΔT|. Solder creeps
and yields, which an elastic strain ignores; the estimate ranks bumps and designs under one cycle.

Engelmaier's fatigue ductility relation (W. Engelmaier, "Fatigue life of leadless chip carrier
solder joints during power cycling", IEEE Trans. CHMT 6(3), 1983, 232-237; IPC-SM-785, 1992):

    N_f = ½ (Δγ / (2 ε_f'))^(1/c),   ε_f' = 0.325,
    c = −0.442 − 6·10⁻⁴ T_sj + 1.74·10⁻² ln(1 + f),

with T_sj the mean cyclic solder-joint temperature in °C. The rate term f is, in the 1983 form,
the cycling frequency in cycles per day (1 ≤ f ≤ 1000); IPC-9701 (2002) and IPC-D-279 write it
from the half-cycle dwell t_D in minutes as 360 / t_D, since the creep that lowers the life happens
in the dwells. warpfem uses the dwell form when ``[cycle] dwell_min`` is given (the current
standard's) and cycles per day otherwise; ``cycles_per_day`` also turns cycles into days.

The cycled bump's life (:func:`creep_life`) is the other estimate: Darveaux's energy correlation
(:mod:`warpfem.model.joint_life`) applied to the viscoplastic energy density per cycle.
"""

from __future__ import annotations

import math

import numpy as np

from ..model.joint_life import JointLife
from ..model.schema import CycleSpec

FATIGUE_DUCTILITY = 0.325
METHOD = ("elastic estimate: Engelmaier (1983) / IPC-9701 N_f = 0.5 (dgamma / (2 eps_f'))^(1/c) "
          "from the elastic, volume-averaged shear strain range; not a creep or plasticity analysis")


def rate_term(cycle: CycleSpec) -> tuple[float, str]:
    """The ``f`` in ln(1 + f) of the exponent, and which form gave it."""
    if cycle.dwell_min is not None:
        return 360.0 / cycle.dwell_min, "IPC-9701: f = 360 / dwell_min"
    return float(cycle.cycles_per_day), "Engelmaier 1983: f = cycles_per_day"


def fatigue_exponent(mean_c: float, f: float) -> float:
    """Engelmaier's fatigue ductility exponent c (negative)."""
    return -0.442 - 6e-4 * mean_c + 1.74e-2 * math.log(1.0 + f)


def shear_strain_range(shear_mpa: np.ndarray, shear_modulus_mpa: np.ndarray, cycle_range_k: float,
                       delta_t_k: float) -> np.ndarray:
    """Elastic engineering shear strain range of the cycle from the shear stress at ΔT."""
    return np.abs(shear_mpa) / shear_modulus_mpa * cycle_range_k / abs(delta_t_k)


def cycles_to_failure(strain_range: np.ndarray, exponent: float) -> np.ndarray:
    """Engelmaier's N_f for engineering shear strain ranges (inf where the range is zero)."""
    with np.errstate(divide="ignore"):
        return 0.5 * (np.asarray(strain_range) / (2 * FATIGUE_DUCTILITY)) ** (1.0 / exponent)


#: the interface layers a crack may run along, whichever takes more energy per cycle
PAD_LAYERS = ("upper_layer", "lower_layer")


def creep_life(energy_density_mpa: dict[str, float], life: JointLife, pad_diameter_mm: float,
               layer_mm: float) -> dict:
    """The characteristic life of a cycled bump from its stabilised energy densities per cycle
    (MPa, per group), at the pad layer taking more of it, whose thickness is ``layer_mm`` (mm),
    the crack crossing a pad ``pad_diameter_mm`` (mm) wide: plain data for ``summary.json``."""
    layer = max(PAD_LAYERS, key=lambda g: energy_density_mpa[g])
    w = energy_density_mpa[layer]
    out = {"method": ("Darveaux: N(63.2 %) = K1 dW^K2 + a / (K3 dW^K4), a the pad diameter" if life.grows else
                      "energy correlation for the total life: N = K1 dW^K2"),
           "source": life.source, "layer": layer, "energy_density_mpa": w, "layer_mm": layer_mm,
           "fitted_layer_mm": life.layer_mm, "pad_diameter_mm": pad_diameter_mm,
           "initiation_cycles": life.initiation_cycles(w)}
    if life.grows:
        out["growth_mm_per_cycle"] = life.growth_mm_per_cycle(w)
    out["characteristic_life_cycles"] = life.characteristic_life(w, pad_diameter_mm)
    if layer_mm < 0.999 * life.layer_mm:
        out["note"] = (f"the bump is too low for the correlation's {life.layer_mm * 1e3:.1f} um pad layer; ΔW is "
                       f"averaged over {layer_mm * 1e3:.1f} um, which raises it and shortens the life")
    return out
