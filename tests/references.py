"""Closed-form references of physics.md, written independently of warpfem's code."""

from __future__ import annotations

import numpy as np


def biaxial(E: float, nu: float) -> float:
    return E / (1 - nu)


def timoshenko_curvature(t_b, E_b, a_b, t_t, E_t, a_t, dT):
    """physics.md §2: curvature (1/mm) of a bonded bilayer, b at the bottom, t on top."""
    m, n, h = t_b / t_t, E_b / E_t, t_b + t_t
    return 6 * (a_b - a_t) * dT * (1 + m) ** 2 / (h * (3 * (1 + m) ** 2 + (1 + m * n) * (m**2 + 1 / (m * n))))


def lamination_curvature(layers, dT):
    """physics.md §4: curvature κ of a free multilayer plate; layers = [(t, Q, alpha)] bottom up.

    Deflection is w = -κ r²/2 in this sign convention.
    """
    z = np.concatenate([[0.0], np.cumsum([t for t, _, _ in layers])])
    A = B = D = NT = MT = 0.0
    for k, (_, Q, a) in enumerate(layers):
        z0, z1 = z[k], z[k + 1]
        A += Q * (z1 - z0)
        B += 0.5 * Q * (z1**2 - z0**2)
        D += Q * (z1**3 - z0**3) / 3
        NT += Q * a * dT * (z1 - z0)
        MT += 0.5 * Q * a * dT * (z1**2 - z0**2)
    return (A * MT - B * NT) / (A * D - B**2)


def corner_deflection(kappa, half_x, half_y):
    """Corner-minus-centre deflection of a plate bent to uniform curvature κ (w = κ r²/2)."""
    return kappa * (half_x**2 + half_y**2) / 2


def hashin_shtrikman_lower(E_i, nu_i, E_m, nu_m, f):
    """Hashin & Shtrikman (1963) lower bound of (E, nu) of a fraction f of stiff phase i in a soft
    matrix m, from the bounds on bulk and shear modulus."""
    K_i, G_i = E_i / (3 * (1 - 2 * nu_i)), E_i / (2 * (1 + nu_i))
    K_m, G_m = E_m / (3 * (1 - 2 * nu_m)), E_m / (2 * (1 + nu_m))
    K = K_m + f / (1 / (K_i - K_m) + 3 * (1 - f) / (3 * K_m + 4 * G_m))
    G = G_m + f / (1 / (G_i - G_m) + 6 * (1 - f) * (K_m + 2 * G_m) / (5 * G_m * (3 * K_m + 4 * G_m)))
    return 9 * K * G / (3 * K + G), (3 * K - 2 * G) / (2 * (3 * K + G)), K, K_i, K_m


def levin_cte(K, K_i, K_m, a_i, a_m):
    """Levin (1967): the exact thermal expansion of a two-phase isotropic mixture of bulk modulus K."""
    return a_m + (a_i - a_m) * (1 / K - 1 / K_m) / (1 / K_i - 1 / K_m)


def engelmaier_cycles(dgamma, mean_c, f_per_day):
    """Engelmaier (1983), IPC-SM-785: N_f = 1/2 (dgamma / (2 * 0.325)) ** (1 / c)."""
    c = -0.442 - 6e-4 * mean_c + 1.74e-2 * np.log(1 + f_per_day)
    return 0.5 * (dgamma / 0.65) ** (1 / c)


def reduced_stiffness(E1, E2, nu12, G12):
    """Plane-stress stiffness (3 x 3, in the units of E) of an orthotropic layer along its axes."""
    nu21 = nu12 * E2 / E1
    d = 1 - nu12 * nu21
    return np.array([[E1 / d, nu12 * E2 / d, 0.0], [nu12 * E2 / d, E2 / d, 0.0], [0.0, 0.0, G12]])


def lamination_curvatures(layers, dT):
    """Classical lamination theory with anisotropic layers: the mid-plane strains and curvatures
    (εx, εy, γxy, κx, κy, κxy) of a free plate; layers = [(t, Q (3 x 3), (αx, αy))] bottom up,
    z from the bottom. Deflection is w = -(κx x² + κy y²)/2."""
    z = np.concatenate([[0.0], np.cumsum([t for t, _, _ in layers])])
    A, B, D = np.zeros((3, 3)), np.zeros((3, 3)), np.zeros((3, 3))
    NT, MT = np.zeros(3), np.zeros(3)
    for k, (_, Q, a) in enumerate(layers):
        z0, z1 = z[k], z[k + 1]
        A += Q * (z1 - z0)
        B += Q * (z1**2 - z0**2) / 2
        D += Q * (z1**3 - z0**3) / 3
        qa = Q @ np.array([a[0], a[1], 0.0]) * dT
        NT += qa * (z1 - z0)
        MT += qa * (z1**2 - z0**2) / 2
    return np.linalg.solve(np.block([[A, B], [B, D]]), np.concatenate([NT, MT]))
