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
