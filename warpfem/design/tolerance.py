"""How manufacturing and datasheet tolerances spread the result: first order from the
sensitivities, checked by solving sampled packages.

Each toleranced input p (a material's E, ν or CTE, or a family length) varies about its value by
``plus_minus`` in its own unit, either normally (± is three standard deviations, σ_p = ±/3) or
uniformly over ± (σ_p = ±/√3). To first order an output J is then normal about its nominal value
with σ_J² = Σ_p (dJ/dp σ_p)², each input's share (dJ/dp σ_p)² / σ_J² saying which tolerance to
tighten, and the yield against a limit |J| ≤ L is Φ((L − J)/σ_J) − Φ((−L − J)/σ_J).

The check draws the inputs at random and solves each drawn package: on the nominal package's mesh
when only material constants vary (its factorisation or multigrid preconditions the few conjugate
gradient iterations each draw needs), else on each drawn package's own first graded mesh. The
sensitivities are taken on the first graded mesh too, so both describe the same discretisation.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..fem import Solution, StiffnessSystem, solve_thermal
from ..fem.assemble import element_classes, thermal_load
from ..geometry import Layout, build_layout
from ..meshing import build_mesh
from ..model import load_model
from ..post import element_fields, part_maxima
from ..post.warpage import coplanarity_um, warpage_um
from .sensitivity import Sensitivity, outputs_of


class Tolerance(BaseModel):
    """``[[tolerance]]``: one input's spread."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parameter: str = Field(description='as sensitivity.csv names it: "copper cte_ppm", "family carrier_thickness_mm"')
    plus_minus: float = Field(gt=0, description="half-width of the spread, in the input's unit")
    distribution: Literal["normal", "uniform"] = Field("normal", description="normal: ± is 3 σ; uniform: over ±")

    @property
    def sigma(self) -> float:
        """The input's standard deviation, in its unit."""
        return self.plus_minus / (3.0 if self.distribution == "normal" else math.sqrt(3.0))

    @property
    def material(self) -> tuple[str, str] | None:
        """(material, constant) of a material input, None for a family length."""
        name, constant = self.parameter.rsplit(" ", 1)
        return None if name == "family" else (name, constant)

    @property
    def length(self) -> str | None:
        """The family key of a family length, None for a material input."""
        return self.parameter.split(" ", 1)[1] if self.material is None else None


@dataclass(frozen=True)
class Spread:
    """One output's spread: nominal, first-order σ and each input's share of the variance; the
    sampled mean and σ (None without samples); the yields against its limit, if one is given."""

    output: str
    nominal: float
    sigma: float
    shares: dict[str, float]
    sampled_mean: float | None = None
    sampled_sigma: float | None = None
    limit: float | None = None
    yield_first_order: float | None = None
    yield_sampled: float | None = None


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def within(nominal: float, sigma: float, limit: float) -> float:
    """P(|J| ≤ limit) for J normal about ``nominal`` with ``sigma``."""
    if sigma == 0:
        return float(abs(nominal) <= limit)
    return _phi((limit - nominal) / sigma) - _phi((-limit - nominal) / sigma)


def first_order(rows: list[Sensitivity], tolerances: list[Tolerance], nominal: dict[str, float],
                limits: dict[str, float]) -> dict[str, Spread]:
    """Each output's first-order spread from the derivatives ``rows``."""
    derivative = {(r.output, r.parameter): r.derivative for r in rows}
    out = {}
    for name, j0 in nominal.items():
        parts = {t.parameter: (derivative[(name, t.parameter)] * t.sigma) ** 2 for t in tolerances
                 if (name, t.parameter) in derivative}
        if len(parts) < len(tolerances):
            continue   # an output not differentiated in every toleranced input (the bump in a material)
        var = sum(parts.values())
        sigma = math.sqrt(var)
        limit = limits.get(name)
        out[name] = Spread(name, j0, sigma, {k: v / var if var else 0.0 for k, v in parts.items()}, limit=limit,
                           yield_first_order=None if limit is None else within(j0, sigma, limit))
    return out


# --- drawn packages ----------------------------------------------------------------------------

def material_classes(layout: Layout, mesh, changes: dict[tuple[str, str], float]):
    """The element classes with material constants changed: {(material, constant): new value},
    constant ``E_gpa`` (every modulus scaled with it), ``nu`` (an orthotropic material's three
    ratios scaled with its first) or ``cte_ppm`` (every axis's expansion scaled with it)."""
    mats = dict(layout.materials)
    scale_strain = {}
    for (name, constant), value in changes.items():
        m = mats[name]
        factor = value / getattr(m, constant)
        if constant == "cte_ppm":
            scale_strain[name] = factor
        elif constant == "E_gpa":
            o = m.orthotropic
            mats[name] = replace(m, E_gpa=value) if o is None else replace(
                m, E_gpa=value, orthotropic=replace(o, E_gpa=tuple(factor * v for v in o.E_gpa),
                                                    G_gpa=tuple(factor * v for v in o.G_gpa)))
        else:
            o = m.orthotropic
            mats[name] = replace(m, nu=value) if o is None else replace(
                m, nu=value, orthotropic=replace(o, nu=tuple(factor * v for v in o.nu)))
    dt = layout.model.load.delta_t_k
    strain = np.array([layout.materials[p.material].cte_axes_ppm * 1e-6 * dt * scale_strain.get(p.material, 1.0)
                       for p in layout.parts])
    constants = np.array([mats[p.material].constants_mpa for p in layout.parts])
    return element_classes(layout, mesh, part_strain=strain, part_constants_mpa=constants)


def read_outputs(sol: Solution) -> dict[str, float]:
    """Warpage, coplanarity and the dies' largest stresses of a solution, as the summary reads them."""
    return outputs_of({"warpage_um": warpage_um(sol), "coplanarity_um": coplanarity_um(sol),
                       "parts": part_maxima(sol, element_fields(sol))})


def draw(tolerances: list[Tolerance], values: dict[str, float], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` drawn sets of the toleranced inputs' values."""
    rng = np.random.default_rng(seed)
    columns = {}
    for t in tolerances:
        if t.distribution == "normal":
            columns[t.parameter] = values[t.parameter] + t.sigma * rng.standard_normal(n)
        else:
            columns[t.parameter] = values[t.parameter] + t.plus_minus * rng.uniform(-1.0, 1.0, n)
    return [{k: float(v[i]) for k, v in columns.items()} for i in range(n)]


def solve_drawn(raw: dict, nominal: Solution, drawn: list[dict[str, float]], tolerances: list[Tolerance],
                progress: Callable[[int, int], None] | None = None) -> list[dict[str, float]]:
    """The outputs of each drawn package: on the nominal mesh, preconditioned by its system, when
    only material constants vary; else each on its own first graded mesh."""
    lengths = [t.length for t in tolerances if t.length]
    materials = [t for t in tolerances if t.material is not None]
    out = []
    system = None if lengths else StiffnessSystem(nominal.layout, nominal.mesh, classes=nominal.classes)
    try:
        for i, values in enumerate(drawn):
            changes = {t.material: values[t.parameter] for t in materials}
            if system is not None:
                classes = material_classes(nominal.layout, nominal.mesh, changes)
                u, _ = system.solve_near(classes, thermal_load(nominal.mesh, classes), nominal.u_mm)
                sol = replace(nominal, classes=classes, u_mm=u)
            else:
                model = copy.deepcopy(raw)
                model.setdefault("family", {}).update({k: values[f"family {k}"] for k in lengths})
                layout = build_layout(load_model(model))
                mesh = build_mesh(layout)
                with StiffnessSystem(layout, mesh, classes=material_classes(layout, mesh, changes)) as s:
                    sol = solve_thermal(s)
            out.append(read_outputs(sol))
            if progress:
                progress(i + 1, len(drawn))
    finally:
        if system is not None:
            system.close()
    return out


def sampled(spreads: dict[str, Spread], samples: list[dict[str, float]]) -> dict[str, Spread]:
    """The spreads with the samples' mean, σ and yield added."""
    out = {}
    for name, s in spreads.items():
        v = np.array([x[name] for x in samples])
        y = None if s.limit is None else float(np.mean(np.abs(v) <= s.limit))
        out[name] = replace(s, sampled_mean=float(v.mean()), sampled_sigma=float(v.std(ddof=1)), yield_sampled=y)
    return out
