"""Element-averaged stress: the stress of each brick's volume-averaged strain.

Linear elasticity makes the volume average of the stress over a brick equal to the stress of its
average strain, so one 3 x 20 gradient operator per element class gives it exactly. Averages are
taken within each element, so they never mix two parts' materials across an interface.
"""

from __future__ import annotations

import numpy as np

from ..fem import Solution
from ..fem.element import brick_mean_gradient


def element_stress_mpa(sol: Solution) -> np.ndarray:
    """Element-averaged Cauchy stress tensors (E, 3, 3) in MPa."""
    c = sol.classes
    grad_op = brick_mean_gradient(c.h_mm)                     # (C, 3, 20)
    ue = sol.u_mm[sol.mesh.elements]                          # (E, 20, 3)
    grad = np.einsum("eap,eqa->epq", ue, grad_op[c.of_element])  # ∂u_p/∂x_q
    eps = 0.5 * (grad + grad.transpose(0, 2, 1))
    eps[:, [0, 1, 2], [0, 1, 2]] -= c.alpha_dt[c.of_element][:, None]
    lam, mu = c.lam_mpa[c.of_element], c.mu_mpa[c.of_element]
    sigma = 2 * mu[:, None, None] * eps
    sigma[:, [0, 1, 2], [0, 1, 2]] += (lam * np.trace(eps, axis1=1, axis2=2))[:, None]
    return sigma


def von_mises_mpa(sigma: np.ndarray) -> np.ndarray:
    """Von Mises equivalent stress of tensors (..., 3, 3)."""
    s = sigma - np.trace(sigma, axis1=-2, axis2=-1)[..., None, None] * np.eye(3) / 3
    return np.sqrt(1.5 * np.einsum("...ij,...ij->...", s, s))


def max_principal_mpa(sigma: np.ndarray) -> np.ndarray:
    """Largest principal stress of tensors (..., 3, 3)."""
    return np.linalg.eigvalsh(sigma)[..., -1]


def shear_mpa(sigma: np.ndarray) -> np.ndarray:
    """Resultant transverse shear sqrt(σxz² + σyz²) of tensors (..., 3, 3)."""
    return np.hypot(sigma[..., 0, 2], sigma[..., 1, 2])
