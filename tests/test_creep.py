"""Anand's viscoplastic solder against closed forms and an independent integration.

One cube of six P2 tetrahedra, all solder, in uniaxial stress (symmetry planes on three faces,
the top face driven): under a constant strain rate it must reach the saturation stress of the
closed form, under a constant stress the steady creep rate of the closed form, and along the way
follow the stress-strain curve that SciPy's stiff ODE integrator (Radau) gives for the same
uniaxial equations. The consistent tangent is checked against finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from skfem import ElementTetP2, ElementVector, FacetBasis, LinearForm, MeshTet, asm
from skfem import Basis

from warpfem.fem.anand import PointState, integrate
from warpfem.model.solder import SOLDERS, Anand
from warpfem.submodel import creep
from warpfem.submodel.creep import CreepProblem, CreepStepper, Solder, solder_tangent, voigt

E_MPA, NU = 40e3, 0.36
SHEAR, BULK = E_MPA / (2 * (1 + NU)), E_MPA / (3 * (1 - 2 * NU))
SAC305 = SOLDERS["sac305"]


def _cube_run(law: Anand, temperature_c: float, times_s: np.ndarray, *, rate_per_s: float | None = None,
              stress_mpa: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The unit cube in uniaxial stress along z, driven at a constant strain rate or held under a
    constant stress: its axial strain and stress at ``times_s``."""
    mesh = MeshTet.init_tensor(*([np.array([0.0, 1.0])] * 3))
    basis = Basis(mesh, ElementVector(ElementTetP2()), intorder=2)
    names = ("u^1", "u^2", "u^3")
    symmetry = [basis.get_dofs(lambda x, a=a: np.isclose(x[a], 0.0)).all(names[a]) for a in range(3)]
    top = basis.get_dofs(lambda x: np.isclose(x[2], 1.0)).all("u^3")
    held = np.concatenate(symmetry)
    force = None
    if rate_per_s is not None:
        fixed = np.concatenate([held, top])

        def driven(t):
            return np.r_[np.zeros(len(held)), np.full(len(top), rate_per_s * t)]
    else:
        fixed = held
        top_faces = FacetBasis(mesh, basis.elem, facets=mesh.facets_satisfying(lambda x: np.isclose(x[2], 1.0)),
                               intorder=2)
        nodal = asm(LinearForm(lambda v, w: stress_mpa * v[2]), top_faces)

        def driven(t):
            return np.zeros(len(held))

        force = lambda t: nodal   # noqa: E731  (constant in time)

    problem = CreepProblem(basis, np.ones(mesh.nelements, dtype=bool), law, lambda t: None,
                           lambda t: Solder(SHEAR, BULK, 0.0), fixed, driven, force)
    stepper = CreepStepper(problem)
    state = stepper.initial(0.0, temperature_c)
    strain, stress = [], []
    for t in times_s:
        step = stepper.step(state, float(t), temperature_c)
        state = step.state
        strain.append(state.u_mm[top].mean())
        stress.append(step.stress_mpa[..., 2, 2].mean())
    return np.array(strain), np.array(stress)


@pytest.mark.parametrize("temperature_c, rate_per_s", [(25.0, 1e-3), (25.0, 1e-6), (125.0, 1e-3), (125.0, 1e-6)])
def test_one_element_at_a_constant_strain_rate_reaches_the_saturation_stress(temperature_c, rate_per_s):
    times = np.linspace(0.0, 0.1 / rate_per_s, 101)[1:]
    _, stress = _cube_run(SAC305, temperature_c, times, rate_per_s=rate_per_s)
    saturation = SAC305.saturation_stress_mpa(rate_per_s, temperature_c)
    assert stress[-1] == pytest.approx(saturation, rel=0.01)
    assert stress[-1] <= saturation * (1 + 1e-9)   # approached from below: s rises from s0 to s*


def test_newton_with_a_fresh_consistent_tangent_converges_quadratically(monkeypatch):
    monkeypatch.setattr(creep, "REFACTOR_RATIO", 0.0)      # a fresh tangent at every iteration
    rate = 1e-4
    problem_steps: list[list[float]] = []
    original = creep.CreepStepper.step

    def step(self, state, time_s, temperature_c):
        out = original(self, state, time_s, temperature_c)
        problem_steps.append(out.residuals)
        return out

    monkeypatch.setattr(creep.CreepStepper, "step", step)
    _cube_run(SAC305, 75.0, np.linspace(0.0, 0.02 / rate, 21)[1:], rate_per_s=rate)
    for residuals in problem_steps[1:]:
        r = np.array(residuals)
        assert len(r) <= 5
        # quadratic: each residual (relative to the nodal forces) at most the square of the one
        # before, until round-off; a linear rate would leave 1e-4 after 1e-3, not 1e-6
        pairs = (r[:-1] < 0.5) & (r[1:] > 1e-13)
        assert np.all(r[1:][pairs] <= r[:-1][pairs] ** 2)


@pytest.mark.parametrize("temperature_c, stress_mpa", [(25.0, 20.0), (125.0, 8.0)])
def test_one_element_under_a_constant_stress_creeps_at_the_steady_rate(temperature_c, stress_mpa):
    rate = SAC305.steady_creep_rate_per_s(stress_mpa, temperature_c)
    times = np.linspace(0.0, 0.3 / rate, 301)[1:]
    strain, stress = _cube_run(SAC305, temperature_c, times, stress_mpa=stress_mpa)
    measured = (strain[-1] - strain[-21]) / (times[-1] - times[-21])
    assert stress[-1] == pytest.approx(stress_mpa, rel=1e-6)
    assert measured == pytest.approx(rate, rel=0.01)


def _uniaxial_ode(law: Anand, temperature_c: float, rate_per_s: float, strains: np.ndarray) -> np.ndarray:
    """Stress at ``strains`` of uniaxial Anand solder under a constant total strain rate, by
    Radau: σ̇ = E (ε̇ − ε̇ᵖ), ṡ = h0 |1 − s/s*|^a sign(·) ε̇ᵖ."""
    rate_factor = law.rate_factor_per_s(temperature_c)

    def rhs(t, y):
        sigma, s = y
        flow = rate_factor * np.sinh(law.xi * max(sigma, 0.0) / s) ** (1.0 / law.m)
        s_star = law.s_hat_mpa * (flow / rate_factor) ** law.n
        b = 1.0 - s / s_star if flow > 0 else 0.0
        return [E_MPA * (rate_per_s - flow), law.h0_mpa * abs(b) ** law.a * np.sign(b) * flow]

    out = solve_ivp(rhs, (0.0, strains[-1] / rate_per_s), [0.0, law.s0_mpa], method="Radau", rtol=1e-10,
                    atol=[1e-10, 1e-10], t_eval=strains / rate_per_s)
    return out.y[0]


@pytest.mark.parametrize("name", ["sac305", "snpb37"])
def test_one_element_follows_the_stress_strain_curve_of_an_independent_ode_integration(name):
    """Backward Euler is first order: four times the steps take a quarter of the error, and 800
    steps to 2 % strain are within 0.4 % of Radau at every strain read."""
    law, temperature_c, rate = SOLDERS[name], 75.0, 1e-4
    strains = np.array([0.001, 0.002, 0.005, 0.01, 0.02])
    reference = _uniaxial_ode(law, temperature_c, rate, strains)
    errors = []
    for n in (200, 800):
        times = np.linspace(0.0, strains[-1] / rate, n + 1)[1:]
        strain, stress = _cube_run(law, temperature_c, times, rate_per_s=rate)
        errors.append(np.abs(np.interp(strains, strain, stress) / reference - 1.0).max())
    assert errors[1] < 0.004
    assert 3.0 < errors[0] / errors[1] < 5.0


def _symmetric(rng, n, scale):
    a = rng.normal(size=(n, 3, 3)) * scale
    return 0.5 * (a + a.transpose(0, 2, 1))


@pytest.mark.parametrize("dt_s", [0.1, 100.0, 1e5])
def test_the_consistent_tangent_is_the_derivative_of_the_update(dt_s):
    rng = np.random.default_rng(7)
    plastic = _symmetric(rng, 4, 1e-3)
    plastic -= np.trace(plastic, axis1=1, axis2=2)[:, None, None] * np.eye(3) / 3
    state = PointState(plastic, np.array([25.0, 35.0, 50.0, 21.0]))
    strain, direction = _symmetric(rng, 4, 3e-3), _symmetric(rng, 4, 1.0)

    def stress(e):
        return integrate(SAC305, e, 1e-3, state, SHEAR, BULK, dt_s, 75.0).stress_mpa

    step = integrate(SAC305, strain, 1e-3, state, SHEAR, BULK, dt_s, 75.0)
    h = 1e-7
    numeric = voigt((stress(strain + h * direction) - stress(strain - h * direction)) / (2 * h))
    engineering = voigt(direction) * np.r_[1, 1, 1, 2, 2, 2]
    analytic = np.einsum("pab,pb->pa", solder_tangent(step, SHEAR, BULK), engineering)
    assert np.all(step.strain_increment > 0)
    assert np.abs(analytic - numeric).max() <= 1e-6 * np.abs(numeric).max()


def test_one_huge_time_step_relaxes_without_blowing_up():
    strain = np.diag([-0.005, -0.005, 0.01])[None] * np.ones((1, 1, 1))
    loaded = integrate(SAC305, strain, 0.0, PointState.initial(SAC305, 1), SHEAR, BULK, 1.0, 25.0)
    relaxed = integrate(SAC305, strain, 0.0, loaded.state, SHEAR, BULK, 1e9, 25.0)
    vm = [np.sqrt(1.5) * np.linalg.norm(s.stress_mpa[0] - np.trace(s.stress_mpa[0]) / 3 * np.eye(3))
          for s in (loaded, relaxed)]
    assert np.isfinite(vm).all() and 0 < vm[1] < vm[0]
    # a held strain relaxes until the flow rate is the elastic rate it can unload at: 1e9 s takes
    # it below the stress that creeps at 1e-9 /s
    assert vm[1] < SAC305.saturation_stress_mpa(1e-9, 25.0)


def test_the_closed_forms_invert_each_other():
    for law in SOLDERS.values():
        for t in (-40.0, 25.0, 125.0):
            for rate in (1e-8, 1e-4, 1e-1):
                assert law.steady_creep_rate_per_s(law.saturation_stress_mpa(rate, t), t) == pytest.approx(rate, rel=1e-9)


@pytest.mark.parametrize("change, words", [({"m": 1.5}, "m (strain-rate sensitivity)"), ({"a": 0.5}, "hardening exponent"),
                                           ({"h0_mpa": -1.0}, "h0_mpa must be a positive")])
def test_unphysical_constants_are_refused(change, words):
    values = {k: getattr(SAC305, k) for k in ("s0_mpa", "q_over_r_k", "a_per_s", "xi", "m", "h0_mpa", "s_hat_mpa",
                                              "n", "a")}
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        Anand(**{**values, **change})


def test_published_saturation_stresses_are_those_of_tensile_tests():
    """At 25 °C and 1e-3 /s the built-in sets give the tensile strengths their sources fitted:
    SAC305 and near-eutectic SnPb 40-46 MPa, Sn-3.5Ag 45-50 MPa."""
    assert 40 < SOLDERS["sac305"].saturation_stress_mpa(1e-3, 25.0) < 46
    assert 40 < SOLDERS["snpb37"].saturation_stress_mpa(1e-3, 25.0) < 46
    assert 45 < SOLDERS["snag35"].saturation_stress_mpa(1e-3, 25.0) < 50
