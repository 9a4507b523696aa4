"""A substrate from its stack-up: layers of core, build-up dielectric, copper and solder mask, each
copper layer with its coverage, homogenised into one orthotropic material.

A copper layer is copper over ``coverage`` of its area and its ``fill`` (the dielectric pressed
into it) over the rest. Both run through the layer's whole thickness side by side, so they strain
together: the layer is their Voigt mixture, E and ν by volume and the CTE weighted by each phase's
biaxial stiffness E/(1 − ν), the weighting that makes the mixture's in-plane thermal force right.

The stack is then one material that is exact for every state of uniform in-plane strain and
through-thickness stress: stretching and free expansion (classical lamination theory's A matrix
and thermal force: Q = A/h, α = A⁻¹ N_T) and through-thickness loading (Backus' average of
layered media), with the in-plane shear modulus averaged in parallel and the transverse ones in
series. What one material cannot carry is the stack's bending: copper
near the faces stiffens it beyond Q h³/12, and a stack unequal above and below its mid-plane bends
by itself on cooling. docs/materials.md measures what that costs against resolving every layer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .elasticity import normal_block
from .materials import Material, Orthotropy


@dataclass(frozen=True)
class Layer:
    """One layer of a stack-up: ``material`` over ``coverage`` of its area, ``fill`` over the rest,
    ``thickness_mm`` thick."""

    material: Material
    thickness_mm: float
    coverage: float = 1.0
    fill: Material | None = None


def layer_material(layer: Layer) -> Material:
    """The layer as one material: its own, or the Voigt mixture of a patterned layer (isotropic)."""
    m, f = layer.material, layer.coverage
    if layer.fill is None or f >= 1.0:
        return m
    b = layer.fill
    E = f * m.E_gpa + (1 - f) * b.E_gpa
    nu = f * m.nu + (1 - f) * b.nu
    wm, wb = f * m.E_gpa / (1 - m.nu), (1 - f) * b.E_gpa / (1 - b.nu)
    cte = (wm * m.cte_ppm + wb * b.cte_ppm) / (wm + wb)
    k = None if m.k_w_mk is None or b.k_w_mk is None else f * m.k_w_mk + (1 - f) * b.k_w_mk
    return Material(f"{m.name} {100 * f:g} % in {b.name}", E, nu, cte, k,
                    f"Voigt mixture of {m.name} ({100 * f:g} % of the area) and {b.name}")


def _mixed(m: Material) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """A layer's normal stiffness in the form whose variables are continuous across a stack of
    layers, in-plane strain ε and through-thickness stress σz:  σ_in = P ε + R σz,
    ε_z = −Rᵀ ε + W σz (MPa, 1/MPa); and its CTE (3,) in 1/K."""
    C = normal_block(m.constants_mpa)
    R = C[:2, 2] / C[2, 2]
    return C[:2, :2] - np.outer(C[:2, 2], R), R, 1.0 / C[2, 2], m.cte_axes_ppm * 1e-6


def homogenised(name: str, layers: list[Layer], source: str = "") -> Material:
    """The stack-up ``layers`` (bottom up) as one orthotropic material (see the module's note).

    Averaging the mixed form of :func:`_mixed` through the thickness is exact for any state of
    uniform in-plane strain and through-thickness stress (Backus' layered-medium average); the
    in-plane shear modulus averages in parallel and the transverse ones in series.
    """
    mats = [layer_material(layer) for layer in layers]
    w = np.array([layer.thickness_mm for layer in layers])
    w = w / w.sum()
    forms = [_mixed(m) for m in mats]
    P = sum(wi * f[0] for wi, f in zip(w, forms))
    R = sum(wi * f[1] for wi, f in zip(w, forms))
    W = sum(wi * f[2] for wi, f in zip(w, forms))
    alpha = np.linalg.solve(P, sum(wi * f[0] @ f[3][:2] for wi, f in zip(w, forms)))
    alpha_z = sum(wi * (f[3][2] + f[1] @ f[3][:2]) for wi, f in zip(w, forms)) - R @ alpha
    C = np.empty((3, 3))
    C[:2, :2] = P + np.outer(R, R) / W
    C[:2, 2] = C[2, :2] = R / W
    C[2, 2] = 1.0 / W
    S = np.linalg.inv(C)
    E = 1.0 / np.diag(S)
    G = [np.dot(w, [m.constants_mpa[6] for m in mats])] + [1.0 / np.dot(w, [1.0 / m.constants_mpa[k] for m in mats])
                                                           for k in (7, 8)]
    floats = lambda v: tuple(float(x) for x in v)  # noqa: E731
    ortho = Orthotropy(floats(E / 1e3), floats((-S[0, 1] * E[0], -S[0, 2] * E[0], -S[1, 2] * E[1])),
                       floats(np.array(G) / 1e3), floats(1e6 * np.array([alpha[0], alpha[1], alpha_z])))
    k_in = [m.k_w_mk for m in mats]
    k_z = [m.k_z_w_mk or m.k_w_mk for m in mats]
    k = None if None in k_in else float(np.dot(w, k_in))
    k_through = None if None in k_z else float(1.0 / np.dot(w, 1.0 / np.array(k_z)))
    out = Material(name, ortho.E_gpa[0], ortho.nu[0], ortho.cte_ppm[0], k, source, k_z_w_mk=k_through,
                   orthotropic=ortho)
    if any(x.material.temperature is not None or (x.fill is not None and x.fill.temperature is not None)
           for x in layers):
        return StackupMaterial(**vars(out), layers=tuple(layers))
    return out


@dataclass(frozen=True)
class StackupMaterial(Material):
    """A stack-up whose layers follow temperature: homogenised anew from them at each state."""

    layers: tuple[Layer, ...] = ()

    def at(self, stress_free_c: float, temperature_c: float) -> Material:
        """The stack-up homogenised from its layers at ``temperature_c`` (°C) when stress-free at
        ``stress_free_c``: their E, ν there and their secant CTEs (:meth:`Material.at`)."""
        layers = [replace(x, material=x.material.at(stress_free_c, temperature_c),
                          fill=x.fill.at(stress_free_c, temperature_c) if x.fill else None) for x in self.layers]
        return homogenised(self.name, layers, self.source)

    def thermal_strains(self, from_c: float, to_c: float) -> np.ndarray:
        """The free thermal strain (3,) along x, y, z from ``from_c`` to ``to_c`` (°C), of the stack
        homogenised with its layers' secant CTEs over that change."""
        if to_c == from_c:
            return np.zeros(3)
        return self.at(from_c, to_c).cte_axes_ppm * 1e-6 * (to_c - from_c)
