"""Element-averaged stress: the stress of each brick's volume-averaged strain.

Linear elasticity makes the volume average of the stress over a brick equal to the stress of its
average strain, so one 3 x 20 gradient operator per element class gives it exactly. Averages are
taken within each element, so they never mix two parts' materials across an interface.
"""

from __future__ import annotations

import numpy as np

from ..fem import Solution
from ..fem.assemble import mean_strain
from ..model.elasticity import hooke_mpa


def element_strain(sol: Solution, which: np.ndarray | None = None) -> np.ndarray:
    """Element-averaged total strain tensors (E, 3, 3), thermal part included; of the elements
    ``which`` only when given."""
    which = slice(None) if which is None else which
    ue = sol.u_mm[sol.mesh.elements[which]]                   # (E, 20, 3)
    if sol.birth is not None:   # parts bonded later count their strain from the shape they joined in
        ue = ue - sol.birth.offsets_mm(sol.mesh.elements, which)
    return mean_strain(sol.classes, ue, which)


def element_stress_mpa(sol: Solution) -> np.ndarray:
    """Element-averaged Cauchy stress tensors (E, 3, 3) in MPa: Hooke's law of the classes' moduli
    (for a viscoelastic part its rubbery ones) plus what the relaxing parts still carry."""
    c = sol.classes
    k = c.of_element
    sigma = hooke_mpa(element_strain(sol), c.constants_mpa[k], c.strain_of_elements())
    return sigma if sol.history_stress_mpa is None else sigma + sol.history_stress_mpa


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
