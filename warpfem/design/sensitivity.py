"""Which input a result depends on most: derivatives of warpage, coplanarity and die stress with
respect to every material's E, ν and CTE (adjoint) and to a family's dimensions (central
differences), each also normalised, % change of the output per % change of the input.

**Material constants, by adjoint.** On the solved mesh the displacement solves K(p) u = f(p), and
an output J(u, p) changes with any constant p by

    dJ/dp = ∂J/∂p + z · (∂f/∂p − ∂K/∂p u),      K z = ∂J/∂u,

so one extra solve per output (its *adjoint* z) gives its derivative with respect to every
constant of every material. The stiffness and the thermal load are linear in a material's elastic
constants C at a fixed free strain, so z · (∂f/∂p − ∂K/∂p u) is the out-of-balance work of u on z
(:func:`~warpfem.fem.assemble.element_work`) of a stiffness made of ∂C/∂p, summed over the
material's elements:

- **E**: every modulus of the material scaled together (an orthotropic one's E and G alike):
  ∂C/∂ln E = C, the material's own elements' work with their own constants;
- **CTE**: every axis's expansion scaled together: ∂f/∂ln α is the material's own thermal load
  and K does not change;
- **ν**: ∂C/∂ν from the Lamé constants λ = Eν/((1+ν)(1−2ν)), μ = E/(2(1+ν)); for an orthotropic
  material its three Poisson ratios scaled together, by central differences of the closed-form
  constants (the solve itself is not differenced).

E, ν and CTE are the values at the load's temperature (for a material with temperature data, the
table scaled as a whole).

**Die stress** is the largest element-averaged von Mises (or maximum principal) stress over the
silicon parts: where one element holds the maximum it is that element's, σ_e = C(ε̄_e(u) − αΔT),
linear in the element's displacements, so ∂J/∂u lives on that element alone and ∂J/∂p is its
stress's explicit dependence on the constants. The maximum sits at a singular corner and grows as
the mesh is refined there; its sensitivities rank inputs on the mesh at hand.

**Dimensions, by central differences.** A family's lengths (keys ending in ``_mm``) change the
geometry, which the adjoint above does not follow: each is moved by ± ``step`` of its value and
the model solved once on its first graded mesh each time (the grading's lines move with the
geometry, so the discrete result is smooth in the key while the number of lines stays). A key
whose step changes the number of mesh lines on one side (a round dimension often sits where a
line is added) is differenced on the other side only, to second order from two steps, and a key
whose both sides change the mesh is skipped and says so. The stated error is the disagreement of
the first-order differences with the one reported: |J(p+h) − 2J(p) + J(p−h)| / 2h when central.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import ModelError
from ..fem import Solution, StiffnessSystem
from ..fem.assemble import element_classes, element_work, mean_strain
from ..model import load_model, material_laws, resolve_materials
from ..model.elasticity import hooke_mpa, isotropic_constants, orthotropic_constants
from ..model.families import family_params
from ..model.materials import Material
from ..post.stress import element_stress_mpa, max_principal_mpa, von_mises_mpa
from ..post.warpage import coplanarity_load, coplanarity_um, warpage_load, warpage_um

#: the outputs, in their units
OUTPUTS = ("warpage_um", "coplanarity_um", "die_max_von_mises_mpa", "die_max_principal_mpa")

#: each output's name on tables and charts
LABELS = {"warpage_um": "warpage", "coplanarity_um": "coplanarity", "die_max_von_mises_mpa": "die max von Mises",
          "die_max_principal_mpa": "die max principal", "bump_critical_avg_von_mises_mpa": "critical bump avg von Mises",
          "junction_c": "junction temperature", "theta_jc_k_w": "θJC", "theta_jb_k_w": "θJB", "theta_ja_k_w": "θJA",
          "power_on_warpage_um": "power-on warpage"}

#: material constants differentiated, each with the attribute of :class:`Material` it reads
CONSTANTS = ("E_gpa", "nu", "cte_ppm")

#: relative step of the closed-form differences of an orthotropic material's constants in ν
_NU_STEP = 1e-6

#: relative residual of the adjoint solves: the primal's own (``[solver] rtol``, 1e-6 by default);
#: tighter than the multigrid's single-precision arithmetic allows would send them to a direct solve
ADJOINT_RTOL = None

#: an output smaller than this (µm or MPa) gets no normalised sensitivity: a percentage of a die
#: stress of 0.07 MPa (a die in compression everywhere) says nothing about what matters
NORMALISE_ABOVE = 1.0

#: the material whose parts are the dies
DIE_MATERIAL = "silicon"


@dataclass(frozen=True)
class Sensitivity:
    """One output's derivative with respect to one input: the input's value (its unit in its
    name), the output's value, the derivative (output units per input unit), the normalised
    sensitivity ((dJ/J)/(dp/p); None when |J| is under ``NORMALISE_ABOVE``), how it was found, and an error estimate of
    the derivative (None for the adjoint, exact on the mesh)."""

    output: str
    parameter: str
    kind: str            # "material" or "dimension"
    value: float
    output_value: float
    derivative: float
    normalised: float | None
    method: str
    error: float | None = None

    @property
    def uncertain(self) -> bool:
        """A difference whose error estimate exceeds half its value (the critical bump or the
        element holding a maximum changed within the step, or the output is not smooth there)."""
        return self.error is not None and self.error > 0.5 * abs(self.derivative)

    @staticmethod
    def of(output: str, parameter: str, kind: str, value: float, output_value: float, log_derivative: float,
           method: str, error: float | None = None) -> "Sensitivity":
        """From dJ/d(ln p), the change of J per relative change of p."""
        normalised = log_derivative / output_value if abs(output_value) >= NORMALISE_ABOVE else None
        return Sensitivity(output, parameter, kind, value, output_value, log_derivative / value, normalised,
                           method, None if error is None else error / abs(value))


# --- outputs: their values, their loads ∂J/∂u and their explicit dependence ∂J/∂p ----------------

@dataclass(frozen=True)
class _Output:
    name: str
    value: float
    load: np.ndarray                     # ∂J/∂u (3N,)
    element: int | None = None           # the element whose stress it reads (die outputs)
    stress_gradient: np.ndarray | None = None   # ∂J/∂σ (3, 3) at that element


def _unit_strains(sol: Solution, e: int) -> np.ndarray:
    """The element's averaged strain (60, 3, 3) under each unit nodal displacement (node, axis)."""
    unit = np.eye(60).reshape(60, 20, 3)
    return mean_strain(sol.classes, unit, np.full(60, e))


def _die_outputs(sol: Solution, sigma: np.ndarray) -> list[_Output]:
    """The largest element-averaged von Mises and maximum principal stress over the dies, with
    their loads; none without a silicon part."""
    parts = [i for i, p in enumerate(sol.layout.parts) if p.material == DIE_MATERIAL]
    if not parts:
        return []
    die = np.flatnonzero(np.isin(sol.mesh.part, parts))
    out = []
    dofs = (3 * sol.mesh.elements[:, :, None] + np.arange(3)).reshape(len(sol.mesh.elements), 60)
    for name, measure in (("die_max_von_mises_mpa", von_mises_mpa), ("die_max_principal_mpa", max_principal_mpa)):
        e = int(die[np.argmax(measure(sigma[die]))])
        s = sigma[e]
        if measure is von_mises_mpa:
            dev = s - np.trace(s) * np.eye(3) / 3
            value = float(von_mises_mpa(s))
            grad = 1.5 * dev / value
        else:
            w, v = np.linalg.eigh(s)
            value, n = float(w[-1]), v[:, -1]
            grad = np.outer(n, n)
        c = sol.classes.constants_mpa[sol.classes.of_element[e]]
        dsigma = hooke_mpa(_unit_strains(sol, e), c, np.zeros(3))      # σ per unit displacement
        load = np.zeros(sol.mesh.n_dofs)
        load[dofs[e]] = np.einsum("kij,ij->k", dsigma, grad)
        out.append(_Output(name, value, load, e, grad))
    return out


def _outputs(sol: Solution) -> list[_Output]:
    sigma = element_stress_mpa(sol)
    return [_Output("warpage_um", warpage_um(sol), 1e3 * warpage_load(sol)),
            _Output("coplanarity_um", coplanarity_um(sol), 1e3 * coplanarity_load(sol)),
            *_die_outputs(sol, sigma)]


# --- material constants ------------------------------------------------------------------------

def _nu_log_derivative(m: Material) -> np.ndarray:
    """∂C/∂(ln ν) (9,) in MPa: the constants' change per relative change of the Poisson ratio(s)."""
    if m.orthotropic is None:
        E, nu = m.E_gpa * 1e3, m.nu
        dlam = E * (1 + 2 * nu ** 2) / ((1 + nu) ** 2 * (1 - 2 * nu) ** 2)
        dmu = -E / (2 * (1 + nu) ** 2)
        return nu * isotropic_constants(dlam, dmu)
    o = m.orthotropic

    def constants(scale: float) -> np.ndarray:
        return orthotropic_constants(o.E_gpa, tuple(scale * v for v in o.nu), o.G_gpa)
    return (constants(1 + _NU_STEP) - constants(1 - _NU_STEP)) / (2 * _NU_STEP)


def _check_elastic(sol: Solution) -> None:
    if sol.birth is not None or sol.history_stress_mpa is not None or sol.classes.element_alpha_dt is not None:
        raise ModelError("[steps] / [load] viscoelastic / [thermal]: sensitivities cover the elastic cool-down from "
                         "stress_free_c to temperature_c with every part bonded; this model's process history or "
                         "temperature field is not differentiated yet.")


def material_sensitivities(sol: Solution) -> list[Sensitivity]:
    """Every output's derivative with respect to E, ν and CTE of every material in ``sol`` (its
    mesh and solution, elastic), by one adjoint solve per output."""
    _check_elastic(sol)
    layout, mesh, classes = sol.layout, sol.mesh, sol.classes
    outputs = _outputs(sol)
    with StiffnessSystem(layout, mesh, classes=classes) as system:
        z = np.array(system.solve_many([o.load for o in outputs], rtol=ADJOINT_RTOL))   # (k, N, 3)
    names = sorted({p.material for p in layout.parts})
    material_of_element = np.array([names.index(p.material) for p in layout.parts])[mesh.part]
    own = element_work(mesh, classes, sol.u_mm, z)                     # (k, E): ∂/∂ln E
    thermal = element_work(mesh, classes, np.zeros_like(sol.u_mm), z)  # (k, E): ∂/∂ln α
    part_constants = np.array([layout.materials[p.material].constants_mpa for p in layout.parts])
    sigma = element_stress_mpa(sol)    # the die outputs' explicit terms
    out: list[Sensitivity] = []
    for mi, name in enumerate(names):
        m = layout.materials[name]
        mine = material_of_element == mi
        dnu = _nu_log_derivative(m)
        with_dnu = part_constants.copy()
        with_dnu[[p.material == name for p in layout.parts]] = dnu
        nu_work = element_work(mesh, element_classes(layout, mesh, part_constants_mpa=with_dnu), sol.u_mm, z)
        implicit = {"E_gpa": own[:, mine].sum(axis=1), "nu": nu_work[:, mine].sum(axis=1),
                    "cte_ppm": thermal[:, mine].sum(axis=1)}
        for k, o in enumerate(outputs):
            for constant in CONSTANTS:
                d = implicit[constant][k] + _explicit(sol, o, constant, mi, material_of_element, dnu, sigma)
                out.append(Sensitivity.of(o.name, f"{name} {constant}", "material", float(getattr(m, constant)),
                                          o.value, float(d), "adjoint"))
    return out


def _explicit(sol: Solution, o: _Output, constant: str, mi: int, material_of_element: np.ndarray,
              dnu: np.ndarray, sigma: np.ndarray) -> float:
    """∂J/∂(ln p) at fixed displacement: a die output's stress depends on its element's constants."""
    if o.element is None or material_of_element[o.element] != mi:
        return 0.0
    e = o.element
    c = sol.classes.constants_mpa[sol.classes.of_element[e]]
    free = sol.classes.alpha_dt[sol.classes.of_element[e]]
    if constant == "E_gpa":
        ds = sigma[e]                                   # σ is linear in the moduli
    elif constant == "cte_ppm":
        ds = hooke_mpa(np.zeros((3, 3)), c, free)       # -C α ΔT
    else:
        strain = mean_strain(sol.classes, sol.u_mm[sol.mesh.elements[[e]]], [e])[0]
        ds = hooke_mpa(strain, dnu, free)
    return float(np.sum(o.stress_gradient * ds))


# --- family dimensions -------------------------------------------------------------------------

def dimension_keys(raw: dict) -> dict[str, float]:
    """The family's lengths (keys ending in ``_mm``) that apply to this model's variant, and their
    values, defaults filled in; empty for a parts model."""
    model = load_model(raw)
    if not model.model.family:
        return {}
    params = family_params(model)
    return {k: float(v) for k, v in params if k.endswith("_mm") and isinstance(v, (int, float))
            and not isinstance(v, bool) and params.unmet(k) is None}


def outputs_of(summary: dict) -> dict[str, float]:
    """The outputs read from a summary: warpage, coplanarity, the dies' largest stresses and,
    with bumps, the critical bump's average von Mises."""
    out = {"warpage_um": summary["warpage_um"], "coplanarity_um": summary["coplanarity_um"]}
    dies = [p for p in summary["parts"].values() if p.get("material") == DIE_MATERIAL]
    if dies:
        out["die_max_von_mises_mpa"] = max(p["max_von_mises_mpa"] for p in dies)
        out["die_max_principal_mpa"] = max(p["max_principal_mpa"] for p in dies)
    bump = (summary.get("bumps") or {}).get("critical_avg_von_mises_mpa")
    if bump is not None:
        out["bump_critical_avg_von_mises_mpa"] = bump
    return out


Solve = Callable[[dict], dict]   # a model dict -> its summary (one solve on its first graded mesh)


def dimension_sensitivities(raw: dict, solve: Solve, step: float = 0.01, keys: list[str] | None = None,
                            progress: Callable[[str], None] | None = None) -> tuple[list[Sensitivity], dict[str, str]]:
    """Differences of every output in a family's lengths (or ``keys`` of them), each moved by
    ``step`` of its value: central where both sides keep the nominal mesh, one-sided (second
    order, from two steps) where only one does; also the keys skipped and why."""
    lengths = dimension_keys(raw)
    if keys is not None:
        unknown = sorted(set(keys) - set(lengths))
        if unknown:
            raise ModelError(f"[family], key '{unknown[0]}': not a length of this model's family and variant "
                             f"(its lengths: {', '.join(sorted(lengths))}).")
        lengths = {k: lengths[k] for k in keys}
    base = solve(raw)
    nominal, dofs = outputs_of(base), base["mesh"]["dofs"]
    out: list[Sensitivity] = []
    skipped: dict[str, str] = {}

    def at(key: str, value: float) -> dict | None:
        """The outputs with ``key`` at ``value``; None where the mesh differs from the nominal."""
        model = copy.deepcopy(raw)
        model.setdefault("family", {})[key] = value
        s = solve(model)
        return outputs_of(s) if s["mesh"]["dofs"] == dofs else None

    for key, value in lengths.items():
        if progress:
            progress(key)
        if value == 0:
            skipped[key] = "its value is 0 mm, which a relative step cannot move"
            continue
        h = step * value
        try:
            up, down = at(key, value + h), at(key, value - h)
            if up is not None and down is not None:
                for name, j0 in nominal.items():
                    d = (up[name] - down[name]) / (2 * h)
                    err = abs(up[name] - 2 * j0 + down[name]) / (2 * h)
                    out.append(Sensitivity.of(name, f"family {key}", "dimension", value, j0, d * value,
                                              f"central difference, step {h:.4g} mm", err * value))
                continue
            sign = 1 if up is not None else -1
            near = up if up is not None else down
            far = at(key, value + 2 * sign * h) if near is not None else None
        except ModelError as e:
            skipped[key] = f"the model is refused within {step:g} of {value:g} mm: {e}"
            continue
        if near is None or far is None:
            skipped[key] = f"the mesh changes with it on both sides of {value:g} mm (step {h:.4g} mm)"
            continue
        side = "forward" if sign > 0 else "backward"
        for name, j0 in nominal.items():
            d = sign * (-3 * j0 + 4 * near[name] - far[name]) / (2 * h)    # second order, one side
            first = sign * (near[name] - j0) / h
            out.append(Sensitivity.of(name, f"family {key}", "dimension", value, j0, d * value,
                                      f"{side} difference (second order), step {h:.4g} mm", abs(d - first) * value))
    return out, skipped


#: the critical bump's volume-averaged von Mises: from its submodel, which has no adjoint
BUMP = "bump_critical_avg_von_mises_mpa"


def with_constant(raw: dict, material: str, constant: str, value: float) -> dict:
    """The model with one material's constant set by a ``[materials.NAME]`` override, key by key
    over the built-in (or family) table."""
    model = copy.deepcopy(raw)
    model["materials"] = model.get("materials") or {}
    model["materials"][material] = {**(model["materials"].get(material) or {}), constant: value}
    return model


def bump_material_sensitivities(raw: dict, solve: Solve, step: float = 1e-3,
                                progress: Callable[[str], None] | None = None) -> tuple[list[Sensitivity], dict[str, str]]:
    """Central differences of the critical bump's average von Mises in every material's E, ν and
    CTE (its submodel, driven by the global displacement, has no adjoint): each constant moved by
    ± ``step`` of its value through a ``[materials]`` override and the model solved again on its
    first graded mesh, which a material does not move. A material whose constants are not single
    numbers at the load (orthotropic, or with temperature data in a temperature-dependent model)
    is skipped and says why; a model without bumps gives nothing."""
    model = load_model(raw)
    base = solve(raw)
    j0 = outputs_of(base).get(BUMP)
    if j0 is None:
        return [], {}
    laws = material_laws(model)                  # with temperature data where the model reads it
    out: list[Sensitivity] = []
    skipped: dict[str, str] = {}
    for name, m in sorted(resolve_materials(model).items()):
        if m.orthotropic is not None or laws[name].temperature is not None:
            skipped[f"{name} (critical bump)"] = ("its constants vary with direction or temperature, which a single "
                                                  "override does not scale; the adjoint outputs cover it")
            continue
        for constant in CONSTANTS:
            value = float(getattr(m, constant))
            if value == 0:
                skipped[f"{name} {constant} (critical bump)"] = "its value is 0, which a relative step cannot move"
                continue
            if progress:
                progress(f"{name} {constant} (critical bump)")
            h = step * value
            up, down = (outputs_of(solve(with_constant(raw, name, constant, v)))[BUMP] for v in (value + h, value - h))
            d, err = (up - down) / (2 * h), abs(up - 2 * j0 + down) / (2 * h)
            out.append(Sensitivity.of(BUMP, f"{name} {constant}", "material", value, j0, d * value,
                                      f"central difference, step {h:.3g}", err * value))
    return out, skipped


def ranked(rows: list[Sensitivity]) -> list[Sensitivity]:
    """Per output (in :data:`OUTPUTS` order, then the rest), largest normalised sensitivity first."""
    order = {name: i for i, name in enumerate(OUTPUTS)}
    return sorted(rows, key=lambda r: (order.get(r.output, len(order)), r.output,
                                       -abs(r.normalised if r.normalised is not None else 0.0)))


__all__ = ["BUMP", "OUTPUTS", "Sensitivity", "bump_material_sensitivities", "dimension_keys",
           "dimension_sensitivities", "material_sensitivities", "outputs_of", "ranked"]
