"""Linear elasticity of an axis-aligned orthotropic material, the isotropic one its special case.

Nine constants carry it, in the order of :data:`CONSTANTS`: the normal stiffnesses C11, C22, C33,
their couplings C12, C13, C23 (1 = x, 2 = y, 3 = z) and the shear moduli G12, G13, G23, all in
MPa. Stress from strain is then

    σ_pp = Σ_q C_pq (ε_qq − α_q ΔT),     σ_pq = 2 G_pq ε_pq  (p ≠ q),

with one free thermal strain per axis. Laminates and substrates are transversely isotropic about
z (x and y alike); the same nine carry a woven or cross-ply layer whose x and y differ.
"""

from __future__ import annotations

import numpy as np

#: the nine constants, in the order every array of them keeps
CONSTANTS = ("C11", "C22", "C33", "C12", "C13", "C23", "G12", "G13", "G23")

#: the axis pair (p, q) of each coupling C_pq and of each shear modulus G_pq, in that order
PAIRS = ((0, 1), (0, 2), (1, 2))


def isotropic_constants(lam_mpa: np.ndarray | float, mu_mpa: np.ndarray | float) -> np.ndarray:
    """The nine constants (..., 9) in MPa of an isotropic material of Lamé λ, μ in MPa."""
    lam, mu = np.broadcast_arrays(np.asarray(lam_mpa, dtype=float), np.asarray(mu_mpa, dtype=float))
    return np.stack([lam + 2 * mu] * 3 + [lam] * 3 + [mu] * 3, axis=-1)


def orthotropic_constants(E_gpa: tuple[float, float, float], nu: tuple[float, float, float],
                          G_gpa: tuple[float, float, float]) -> np.ndarray:
    """The nine constants (9,) in MPa from engineering ones: Young's moduli (Ex, Ey, Ez) and shear
    moduli (Gxy, Gxz, Gyz) in GPa, Poisson ratios (ν_xy, ν_xz, ν_yz), ν_pq the contraction along q
    under a stress along p (ν_pq / E_p = ν_qp / E_q). Raises ValueError when they are not
    positive definite."""
    E = np.asarray(E_gpa, dtype=float) * 1e3
    S = np.diag(1.0 / E)
    for (p, q), v in zip(PAIRS, nu):
        S[p, q] = S[q, p] = -v / E[p]
    if np.any(E <= 0) or np.any(np.asarray(G_gpa) <= 0) or np.any(np.linalg.eigvalsh(S) <= 0):
        raise ValueError("the moduli and Poisson ratios are not positive definite "
                         "(each ν_pq² must stay below E_p / E_q, and their combination below 1)")
    C = np.linalg.inv(S)
    return np.array([C[0, 0], C[1, 1], C[2, 2], C[0, 1], C[0, 2], C[1, 2], *(np.asarray(G_gpa, dtype=float) * 1e3)])


def normal_block(constants_mpa: np.ndarray) -> np.ndarray:
    """The symmetric 3 x 3 block (..., 3, 3) of C that ties normal stress to normal strain."""
    c = np.asarray(constants_mpa, dtype=float)
    return np.stack([c[..., [0, 3, 4]], c[..., [3, 1, 5]], c[..., [4, 5, 2]]], axis=-2)


def thermal_stress_mpa(constants_mpa: np.ndarray, alpha_dt: np.ndarray) -> np.ndarray:
    """The normal stresses (..., 3) in MPa that a fully restrained material carries under its free
    thermal strains ``alpha_dt`` (..., 3): Σ_q C_pq α_q ΔT."""
    return np.einsum("...pq,...q->...p", normal_block(constants_mpa), np.asarray(alpha_dt, dtype=float))


def hooke_mpa(strain: np.ndarray, constants_mpa: np.ndarray, alpha_dt: np.ndarray) -> np.ndarray:
    """Stress tensors (..., 3, 3) in MPa of total strains (..., 3, 3) in materials of the nine
    constants (..., 9) or one (9,), with free thermal strains (..., 3) per axis."""
    c = np.asarray(constants_mpa, dtype=float)
    eps = np.asarray(strain, dtype=float)
    normal = thermal_stress_mpa(c, np.diagonal(eps, axis1=-2, axis2=-1) - np.asarray(alpha_dt, dtype=float))
    sigma = np.zeros(np.broadcast_shapes(eps.shape[:-2], c.shape[:-1]) + (3, 3))
    for k, (p, q) in enumerate(PAIRS):
        sigma[..., p, q] = sigma[..., q, p] = 2 * c[..., 6 + k] * eps[..., p, q]
    idx = np.arange(3)
    sigma[..., idx, idx] = normal
    return sigma

