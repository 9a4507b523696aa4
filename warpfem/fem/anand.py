"""Anand's law integrated over a time step at many integration points at once.

Backward Euler with a radial return (small strain, isotropic elasticity, J2 flow): the trial
deviator S_tr = 2G dev(ε − εᵖ_n) fixes the flow direction, and two scalar equations fix the
step's equivalent inelastic strain Δε̄ and the new resistance s,

    σ̄_tr − 3G Δε̄ = (s/ξ) asinh((Δε̄ / (Δt Â))^m),        Â = A exp(−Q/RT),
    s − s_n = h0 |1 − s/s*|^a sign(1 − s/s*) Δε̄,       s* = ŝ (Δε̄ / (Δt Â))^n.

Both are solved on z = ln(Δε̄ / (Δt Â)), the log of the rate over Â, by Newton steps kept
inside a bracket (bisection when a step leaves it): the first equation's right side spans decades
of rate, and s's hardening constant h0 (1.8e5 MPa for SAC305) makes an explicit update unstable
at any useful step. The s equation is solved inside each evaluation of the first. Unconditionally stable: any Δt gives
a finite, bounded answer.

The consistent tangent of the update is

    C = K 1⊗1 + 2G θ I_dev + γ n̂⊗n̂,    θ = 1 − 3GΔε̄/σ̄_tr,    γ = 6G² (Δε̄/σ̄_tr − 1/(3G + H)),

n̂ = S_tr/|S_tr| and H = d(s/ξ · asinh(...))/dΔε̄ along the s equation: returned as θ, γ and n̂
so that a weak form applies it without 81-component tensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.solder import KELVIN, Anand

#: Newton-with-bisection steps at most; each halves the bracket at worst, so 200 reaches 1e-16 of
#: any bracket a strain increment can give
_MAX_STEPS = 200
_TOL_Z = 1e-12
#: trial von Mises stress (MPa) below which a point takes no inelastic strain in the step: the rate
#: there is below 1e-30 of Â for every published constant set
_NO_FLOW_MPA = 1e-9


@dataclass(frozen=True)
class PointState:
    """The history an integration point carries: its inelastic strain tensor (P, 3, 3) and its
    deformation resistance s (P,) in MPa."""

    plastic_strain: np.ndarray
    resistance_mpa: np.ndarray

    @classmethod
    def initial(cls, law: Anand, n_points: int) -> "PointState":
        return cls(np.zeros((n_points, 3, 3)), np.full(n_points, law.s0_mpa))


@dataclass(frozen=True)
class PointStep:
    """One step's result at every point: the stress (P, 3, 3) in MPa, the new state, the
    equivalent inelastic strain increment Δε̄ (P,), the inelastic work density σ̄ Δε̄ (P,) in
    MPa = mJ/mm³, and the tangent's θ (P,), γ (P,) in MPa and n̂ (P, 3, 3)."""

    stress_mpa: np.ndarray
    state: PointState
    strain_increment: np.ndarray
    work_mpa: np.ndarray
    theta: np.ndarray
    gamma_mpa: np.ndarray
    normal: np.ndarray


def _deviator(t: np.ndarray) -> np.ndarray:
    return t - np.trace(t, axis1=-2, axis2=-1)[..., None, None] * np.eye(3) / 3.0


def _bracketed_newton(f, lo: np.ndarray, hi: np.ndarray, x: np.ndarray, increasing: bool) -> np.ndarray:
    """Roots of f on [lo, hi] per entry, f of opposite signs at the ends; ``f(x, idx)`` gives the
    value and derivative at the entries ``idx`` only, so that entries already converged cost
    nothing."""
    lo, hi, x = lo.copy(), hi.copy(), np.clip(x, lo, hi)
    active = np.arange(len(x))
    for _ in range(_MAX_STEPS):
        xa, la, ha = x[active], lo[active], hi[active]
        val, der = f(xa, active)
        below = (val < 0) == increasing         # the root is above x
        la = np.where(below, xa, la)
        ha = np.where(below, ha, xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(der != 0, xa - val / der, np.nan)
        new = np.where((step >= la) & (step <= ha), step, 0.5 * (la + ha))
        tol = _TOL_Z * np.maximum(1.0, np.abs(new))
        x[active], lo[active], hi[active] = new, la, ha
        active = active[(np.abs(new - xa) > tol) & (ha - la > tol)]
        if not len(active):
            break
    return x


def _resistance(law: Anand, s_n: np.ndarray, d_eps: np.ndarray, z: np.ndarray):
    """s after a step of Δε̄ at log-rate z (backward Euler), and ds/dΔε̄ along the update.

    With B = 1 − s/s* and c = s* − s_n the update reads s* B + h0 Δε̄ |B|^a sign(B) = c: an odd,
    convex (a ≥ 1) function of B, so Newton from the smaller of its two one-term roots converges
    monotonically from above."""
    s_star = law.s_hat_mpa * np.exp(law.n * z)
    h = law.h0_mpa * d_eps
    c = s_star - s_n
    t = np.abs(c)
    with np.errstate(divide="ignore"):
        x = np.minimum(t / s_star, (t / h) ** (1.0 / law.a))
    active = np.arange(len(x))
    for _ in range(_MAX_STEPS):
        xa, sa, ha = x[active], s_star[active], h[active]
        xa1 = xa ** (law.a - 1.0)
        step = (sa * xa + ha * xa1 * xa - t[active]) / (sa + law.a * ha * xa1)
        x[active] = xa - step
        active = active[np.abs(step) > 1e-15 * np.maximum(x[active], 1e-300)]
        if not len(active):
            break
    b = np.sign(c) * x
    s = s_star * (1.0 - b)
    ab = np.abs(b)
    df_ds = 1.0 + h * law.a * ab ** (law.a - 1.0) / s_star
    df_dd = -law.h0_mpa * (ab ** law.a * np.sign(b) + law.a * ab ** (law.a - 1.0) * law.n * s / s_star)
    return s, -df_dd / df_ds


def integrate(law: Anand, strain: np.ndarray, thermal_strain: np.ndarray | float, state: PointState,
              shear_mpa: np.ndarray | float, bulk_mpa: np.ndarray | float, dt_s: float,
              temperature_c: np.ndarray | float) -> PointStep:
    """Anand's law over one step of ``dt_s`` seconds at P points: total strains (P, 3, 3) at the
    step's end, the free thermal strain (scalar or (P,)) from the stress-free temperature,
    the state at the step's start, the shear and bulk moduli (MPa) and temperature (°C) at the
    step's end."""
    eps = np.asarray(strain, dtype=float)
    n_p = eps.shape[0]
    G = np.broadcast_to(np.asarray(shear_mpa, dtype=float), (n_p,))
    K = np.broadcast_to(np.asarray(bulk_mpa, dtype=float), (n_p,))
    eth = np.broadcast_to(np.asarray(thermal_strain, dtype=float), (n_p,))
    rate = law.a_per_s * np.exp(-law.q_over_r_k / (np.broadcast_to(np.asarray(temperature_c, dtype=float), (n_p,)) + KELVIN))
    scale = dt_s * rate                                     # Δε̄ = scale · e^z

    s_tr = 2.0 * G[:, None, None] * _deviator(eps - state.plastic_strain)
    norm_tr = np.sqrt(np.einsum("pij,pij->p", s_tr, s_tr))
    vm_tr = np.sqrt(1.5) * norm_tr
    flow = (vm_tr > _NO_FLOW_MPA) & (dt_s > 0)

    d_eps = np.zeros(n_p)
    s_new = state.resistance_mpa.copy()
    hard = np.zeros(n_p)
    if np.any(flow):
        vm, g, sc, s_n = vm_tr[flow], G[flow], scale[flow], state.resistance_mpa[flow]

        def residual(z, i):
            d = sc[i] * np.exp(z)
            s, ds_dd = _resistance(law, s_n[i], d, z)
            xm = np.exp(law.m * z)
            ash = np.arcsinh(xm)
            val = vm[i] - 3.0 * g[i] * d - s / law.xi * ash
            der = -3.0 * g[i] * d - (ds_dd * d * ash + s * law.m * xm / np.sqrt(1.0 + xm * xm)) / law.xi
            return val, der

        z_hi = np.log(vm / (3.0 * g * sc))
        z_lo = np.minimum(z_hi - 1.0, np.log(law.xi * vm / (2.0 * np.maximum(s_n, law.s_hat_mpa))) / law.m) - 1.0
        # start where the flow rule meets the trial stress at the old resistance: above the root
        z0 = (np.log(np.sinh(np.minimum(law.xi * vm / s_n, 700.0)))) / law.m
        z = _bracketed_newton(residual, z_lo, z_hi, z0, increasing=False)
        d = sc * np.exp(z)
        s, ds_dd = _resistance(law, s_n, d, z)
        xm = np.exp(law.m * z)
        d_eps[flow], s_new[flow] = d, s
        hard[flow] = (ds_dd * np.arcsinh(xm) + s * law.m * xm / (d * np.sqrt(1.0 + xm * xm))) / law.xi

    with np.errstate(divide="ignore", invalid="ignore"):
        normal = np.where(flow[:, None, None], s_tr / norm_tr[:, None, None], 0.0)
        theta = np.where(flow, 1.0 - 3.0 * G * d_eps / vm_tr, 1.0)
        gamma = np.where(flow, 6.0 * G ** 2 * (d_eps / vm_tr - 1.0 / (3.0 * G + hard)), 0.0)
    vm_new = vm_tr - 3.0 * G * d_eps
    d_plastic = np.sqrt(1.5) * d_eps[:, None, None] * normal
    pressure = K * (np.trace(eps, axis1=1, axis2=2) - 3.0 * eth)
    stress = theta[:, None, None] * s_tr + pressure[:, None, None] * np.eye(3)
    return PointStep(stress, PointState(state.plastic_strain + d_plastic, s_new), d_eps, vm_new * d_eps,
                     theta, gamma, normal)

