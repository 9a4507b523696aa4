"""The process in time against closed forms: Prony relaxation after a strain step at two
temperatures of a WLF shift, stress under a constant strain rate, a bilayer relaxing from its
glassy to its rubbery curvature through the Laplace-inverted beam solution, cure shrinkage as a
mismatch strain, and elastic parts in time equal to the elastic process steps."""

from __future__ import annotations

import copy

import mpmath
import numpy as np
import pytest

import warpfem
from conftest import plate_model
from references import biaxial, corner_deflection, timoshenko_curvature
from warpfem.errors import ModelError
from warpfem.fem.viscoelastic import run
from warpfem.meshing import build_mesh
from warpfem.model import load_model, material_laws
from warpfem.model.schedule import schedule
from warpfem.model.viscoelastic import Shift
from warpfem.pipeline import global_layout, process_sequence
from warpfem.post.stress import element_stress_mpa
from warpfem.post.warpage import warpage_um

G = [0.3, 0.25, 0.2]
TAU_S = [1.0, 30.0, 1000.0]
WLF = {"shift": "wlf", "reference_c": 90.0, "wlf_c1": 10.0, "wlf_c2_k": 100.0}
INSTANT = 1e14   # K/min: a temperature jump


def _reads(model: dict, after_s: list[float]):
    """The states ``after_s`` seconds after the last ramp ends."""
    m = load_model(model)
    layout, _ = global_layout(m)
    mesh = build_mesh(layout, None)
    sched = schedule(m)
    start = sched.times_s[-2] if m.load.hold_s > 0 else sched.end_s
    reads = run(layout, mesh, process_sequence(layout), material_laws(m), sched, [start + t for t in after_s])
    return layout, mesh, reads


def _film(shift: dict, stress_free_c: float, temperature_c: float, ramp: float, hold_s: float) -> dict:
    """Two viscoelastic films on a rigid, non-expanding core: the films' in-plane strain is held
    at zero, so their stress is the biaxial relaxation modulus times the thermal strain (shear
    and bulk relax alike, so ν and the biaxial modulus relax as E does)."""
    ve = {"shear_weights": G, "shear_times_s": TAU_S, "bulk_weights": G, "bulk_times_s": TAU_S, **shift}
    return {"model": {"name": "films", "symmetry": "quarter"},
            "load": {"stress_free_c": stress_free_c, "temperature_c": temperature_c,
                     "material_properties": "viscoelastic", "ramp_k_per_min": ramp, "hold_s": hold_s},
            "mesh": {"size_mm": 1.0, "graded": False},
            "materials": {"rigid": {"E_gpa": 1e9, "nu": 0.3, "cte_ppm": 0.0},
                          "ve": {"E_gpa": 10.0, "nu": 0.3, "cte_ppm": 50.0, "viscoelastic": ve}},
            "parts": [{"name": "core", "material": "rigid", "box": [-10, 10, -10, 10, 0.0, 1.0], "role": "carrier"},
                      {"name": "top", "material": "ve", "box": [-10, 10, -10, 10, 1.0, 1.05]},
                      {"name": "bottom", "material": "ve", "box": [-10, 10, -10, 10, -0.05, 0.0]}]}


def _centre_sigma_xx(layout, mesh, sol) -> float:
    top = [p.name for p in layout.parts].index("top")
    centre = 0.5 * (mesh.nodes[mesh.elements[:, 0]] + mesh.nodes[mesh.elements[:, 6]])
    mine = np.flatnonzero(mesh.part == top)
    e = mine[np.argmin(np.hypot(centre[mine, 0], centre[mine, 1]))]
    return float(element_stress_mpa(sol)[e, 0, 0])


def _relaxation(xi_s):
    return 1 - sum(G) + sum(g * np.exp(-xi_s / t) for g, t in zip(G, TAU_S))


@pytest.mark.parametrize("temperature_c", [100.0, 80.0])
def test_stress_after_a_strain_step_relaxes_as_the_prony_series_on_the_shifted_clock(temperature_c):
    """A 75 K jump, then held: σ(t) = -E(t/a_T)/(1-ν) α ΔT, at 100 °C and at 80 °C (a_T 10x apart)."""
    model = _film(WLF, temperature_c - 75.0, temperature_c, INSTANT, 1e5)
    after = [0.5, 3.0, 30.0, 300.0, 3000.0]
    layout, mesh, reads = _reads(model, after)
    a_t = 10.0 ** Shift("wlf", 90.0, 10.0, 100.0).log10_shift(temperature_c)
    for t, r in zip(after, reads):
        closed = -10e3 / (1 - 0.3) * 50e-6 * 75.0 * _relaxation(t / a_t)
        assert _centre_sigma_xx(layout, mesh, r.solution) == pytest.approx(closed, rel=1e-6)


def test_stress_under_a_constant_strain_rate_is_the_integral_of_the_relaxation():
    """Heated at 60 K/min: σ(t) = -(α Ṫ E0/(1-ν)) (g∞ t + Σ g_i τ_i (1 - exp(-t/τ_i)))."""
    model = _film({}, 25.0, 125.0, 60.0, 0.0)
    after = [10.0, 40.0, 100.0]   # the ramp takes 100 s
    m = load_model(model)
    layout, _ = global_layout(m)
    mesh = build_mesh(layout, None)
    reads = run(layout, mesh, process_sequence(layout), material_laws(m), schedule(m), after)
    for t, r in zip(after, reads):
        integral = (1 - sum(G)) * t + sum(g * tau * (1 - np.exp(-t / tau)) for g, tau in zip(G, TAU_S))
        closed = -50e-6 * 1.0 * 10e3 / (1 - 0.3) * integral
        assert _centre_sigma_xx(layout, mesh, r.solution) == pytest.approx(closed, rel=1e-6)


BASE = ("base", 0.5, 117.0, 0.34, 17.0)
TOP = ("top", 0.4, 10.0, 0.35, 60.0)
SHEAR = {"shear_weights": [0.4, 0.3, 0.2], "shear_times_s": [2.0, 50.0, 2000.0],
         "bulk_weights": [0.3], "bulk_times_s": [20.0]}


def _bilayer(viscoelastic: bool, E_top: float = TOP[2], nu_top: float = TOP[3]) -> dict:
    m = plate_model([BASE, (TOP[0], TOP[1], E_top, nu_top, TOP[4])], half=25.0, dT=(125.0, 25.0))
    m["mesh"]["graded"] = False
    if viscoelastic:
        m["load"].update(material_properties="viscoelastic", ramp_k_per_min=INSTANT, hold_s=1e6)
        m["materials"]["m_top"]["viscoelastic"] = SHEAR
    return m


def _beam_curvature(t_s: float) -> float:
    """The bilayer's curvature t seconds after a -100 K jump with a viscoelastic top layer: the
    elastic (Timoshenko) curvature with the top's biaxial modulus replaced by the Carson transform
    18 K̃ G̃ / (3 K̃ + 4 G̃) of its Prony series (correspondence principle), inverted (Talbot)."""
    E0, nu0 = TOP[2], TOP[3]
    K0, G0 = E0 / (3 * (1 - 2 * nu0)), E0 / (2 * (1 + nu0))

    def carson(weights, times, s):
        return 1 - sum(weights) + sum(w * s / (s + 1 / t) for w, t in zip(weights, times))

    def kappa(s):
        Gs = G0 * carson(SHEAR["shear_weights"], SHEAR["shear_times_s"], s)
        Ks = K0 * carson(SHEAR["bulk_weights"], SHEAR["bulk_times_s"], s)
        M_top = 18 * Ks * Gs / (3 * Ks + 4 * Gs)
        return timoshenko_curvature(BASE[1], biaxial(BASE[2], BASE[3]), BASE[4] * 1e-6, TOP[1], M_top,
                                    TOP[4] * 1e-6, -100.0) / s

    return float(mpmath.invertlaplace(kappa, t_s, method="talbot"))


def test_a_relaxing_bilayer_goes_from_its_glassy_to_its_rubbery_curvature_along_the_beam_solution():
    after = [1e-3, 10.0, 100.0, 1000.0, 1e4, 1e6]
    _, _, reads = _reads(_bilayer(True), after)
    w = [warpage_um(r.solution) for r in reads]
    glassy = warpfem.solve(_bilayer(False), target_error=0).warpage_um
    K0 = TOP[2] / (3 * (1 - 2 * TOP[3]))
    G_inf = TOP[2] / (2 * (1 + TOP[3])) * (1 - sum(SHEAR["shear_weights"]))
    K_inf = K0 * (1 - sum(SHEAR["bulk_weights"]))
    E_inf, nu_inf = 9 * K_inf * G_inf / (3 * K_inf + G_inf), (3 * K_inf - 2 * G_inf) / (2 * (3 * K_inf + G_inf))
    rubbery = warpfem.solve(_bilayer(False, E_inf, nu_inf), target_error=0).warpage_um
    assert w[0] == pytest.approx(glassy, rel=0.005)
    assert w[-1] == pytest.approx(rubbery, rel=0.005)
    assert rubbery < 0.3 * glassy   # the test spans a real relaxation
    for t, value in zip(after, w):
        assert value == pytest.approx(1e3 * corner_deflection(_beam_curvature(t), 25.0, 25.0), rel=0.01)


def test_cure_shrinkage_bends_a_bilayer_like_a_mismatch_strain():
    """An isothermal bilayer whose top shrinks 3 % by volume after bonding: Timoshenko with the
    linear shrinkage (1 - 0.03)^(1/3) - 1 as the top's free strain."""
    m = plate_model([BASE, ("top", 0.4, 10.0, 0.35, 60.0)], half=25.0, dT=(25.0, 25.0))
    m["load"].update(material_properties="viscoelastic", hold_s=600.0)
    m["materials"]["m_top"].update(cure_shrinkage_pct=3.0, cure_start_s=60.0, cure_end_s=300.0)
    r = warpfem.solve(m)
    shrink = (1 - 0.03) ** (1 / 3) - 1
    k = timoshenko_curvature(BASE[1], biaxial(BASE[2], BASE[3]), 0.0, 0.4, biaxial(10.0, 0.35), shrink, 1.0)
    assert r.warpage_um == pytest.approx(1e3 * corner_deflection(k, 25.0, 25.0), rel=0.01)
    history = r.summary["process"]["history"]
    assert history[-1]["time_s"] == pytest.approx(600.0)
    assert "cure shrinkage 3 %" in r.summary["material_models"]["m_top"]


def test_elastic_parts_in_time_equal_the_elastic_process_steps():
    """No relaxing material: solved in time, the state at the end is the elastic steps' state."""
    layers = [BASE, ("chip", 0.4, 130.0, 0.28, 2.6), ("cap", 0.3, 24.0, 0.30, 9.0)]
    m = plate_model(layers, half=10.0, dT=(175.0, 25.0))
    m["steps"] = [{"name": "flip chip", "parts": ["base", "chip"]},
                  {"name": "cap", "temperature_c": 125.0, "parts": ["cap"]}]
    elastic = warpfem.solve(m, target_error=0)
    m["load"]["material_properties"] = "temperature_dependent"
    m["materials"] = {k: {**v, "tg_c": 100.0, "cte_above_tg_ppm": 1.5 * v["cte_ppm"], "E_above_tg_gpa": 0.5 * v["E_gpa"]}
                      for k, v in m["materials"].items()}
    dependent = warpfem.solve(m, target_error=0)
    m["load"]["material_properties"] = "viscoelastic"
    m["steps"][1]["hold_s"] = 120.0
    timed = warpfem.solve(m, target_error=0)
    assert timed.warpage_um == pytest.approx(dependent.warpage_um, rel=1e-6)
    assert dependent.warpage_um != pytest.approx(elastic.warpage_um, rel=1e-3)   # E(T) matters here
    events = [k["event"] for k in timed.summary["process"]["history"]]
    assert events == ["step 'cap' bonds", "step 'cap' held 120 s", "at the load's temperature"]


BAD = {"model": {"name": "b", "symmetry": "quarter"}, "load": {"stress_free_c": 150.0, "temperature_c": 25.0},
       "materials": {"v": {"E_gpa": 5, "nu": 0.3, "cte_ppm": 30,
                           "viscoelastic": {"shear_weights": [0.5], "shear_times_s": [10.0]}}},
       "parts": [{"name": "s", "material": "bt_laminate", "box": [-5, 5, -5, 5, 0, 1], "role": "carrier"},
                 {"name": "m", "material": "v", "box": [-5, 5, -5, 5, 1, 1.5]}]}


def _timed(m):
    m["load"]["material_properties"] = "viscoelastic"
    return m


@pytest.mark.parametrize("change, words", [
    (lambda m: m, ["material 'v'", "'viscoelastic'", "material_properties"]),
    (lambda m: (m["materials"]["v"].pop("viscoelastic"), m["load"].update(hold_s=5.0), m)[-1], ["[load]", "'hold_s'"]),
    (lambda m: (m["materials"]["v"]["viscoelastic"].update(shift="wlf", reference_c=150.0, wlf_c1=10.0, wlf_c2_k=50.0),
                _timed(m))[-1], ["material 'v'", "pole at 100 °C", "25 °C"]),
    (lambda m: (m["materials"]["v"]["viscoelastic"].update(shift="arrhenius"), _timed(m))[-1],
     ["activation_k", "missing"]),
    (lambda m: (m["materials"]["v"].update(cure_end_s=5.0), _timed(m))[-1], ["'cure_end_s'", "cure_shrinkage_pct"]),
    (lambda m: (m["materials"]["v"]["viscoelastic"].update(shear_weights=[1.2]), _timed(m))[-1],
     ["shear_weights", "less than 1"]),
    (lambda m: (m.update(thermal={"power": [{"part": "m", "watts": 1.0}],
                                   "convection": [{"part": "m", "face": "top", "h_w_m2k": 10.0}]}), _timed(m))[-1],
     ["[thermal]", "elastic"]),
])
def test_bad_time_keys_are_one_clear_sentence(change, words):
    with pytest.raises(ModelError) as e:
        warpfem.solve(change(copy.deepcopy(BAD)), target_error=0)
    for w in words:
        assert w in str(e.value)


def _sweep_bilayer(tau_s: float | None, E_top: float = TOP[2], nu_top: float = TOP[3]) -> list[float]:
    m = plate_model([BASE, (TOP[0], TOP[1], E_top, nu_top, TOP[4])], half=10.0, dT=(125.0, 25.0))
    m["mesh"]["graded"] = False
    m["load"]["material_properties"] = "viscoelastic" if tau_s is not None else "temperature_dependent"
    if tau_s is not None:
        m["materials"]["m_top"]["viscoelastic"] = {"shear_weights": [0.6], "shear_times_s": [tau_s]}
    return [p.warpage_um for p in warpfem.sweep_temperature(m, (25.0, 75.0, 150.0, 75.0, 25.0), target_error=0).points]


def test_a_sweep_in_time_is_glassy_or_rubbery_in_its_limits_and_loops_between():
    """Relaxation far slower than the profile: the glassy elastic sweep; far faster: the rubbery
    one (G∞ = 0.4 G0); a relaxation time of the profile's own scale (10 K/min) opens a loop."""
    G0, K0 = TOP[2] / (2 * (1 + TOP[3])), TOP[2] / (3 * (1 - 2 * TOP[3]))
    G_inf = 0.4 * G0
    E_inf, nu_inf = 9 * K0 * G_inf / (3 * K0 + G_inf), (3 * K0 - 2 * G_inf) / (2 * (3 * K0 + G_inf))
    assert _sweep_bilayer(1e15) == pytest.approx(_sweep_bilayer(None), rel=1e-6)
    assert _sweep_bilayer(1e-9) == pytest.approx(_sweep_bilayer(None, E_inf, nu_inf), rel=1e-6)
    loop = _sweep_bilayer(300.0)
    assert abs(loop[0] - loop[-1]) > 0.01 * abs(loop[0])    # 25 °C before and after the excursion
    assert abs(loop[1] - loop[3]) > 0.01 * abs(loop[1])     # 75 °C heating and cooling


def test_the_paired_shift_is_wlf_above_its_reference_and_arrhenius_below():
    paired = Shift("wlf_arrhenius", 160.0, 17.44, 51.6, 30000.0)
    wlf, arrhenius = Shift("wlf", 160.0, 17.44, 51.6), Shift("arrhenius", 160.0, activation_k=30000.0)
    assert paired.log10_shift(200.0) == pytest.approx(-17.44 * 40.0 / (51.6 + 40.0), rel=1e-12)
    assert paired.log10_shift(200.0) == pytest.approx(wlf.log10_shift(200.0), rel=1e-12)
    below = 30000.0 * (1 / (25.0 + 273.15) - 1 / (160.0 + 273.15)) / np.log(10.0)
    assert paired.log10_shift(25.0) == pytest.approx(below, rel=1e-12)
    assert paired.log10_shift(25.0) == pytest.approx(arrhenius.log10_shift(25.0), rel=1e-12)
    assert paired.valid_above_c() < -273.0          # no pole: the whole range is allowed
    # a ramp's reduced time is the integral of 1/a_T (here across the switch, against quadrature)
    from scipy.integrate import quad
    exact, _ = quad(lambda s: 10.0 ** -float(paired.log10_shift(140.0 + 40.0 * s)), 0.0, 1.0, limit=200)
    assert paired.reduced_time_s(60.0, 140.0, 180.0) == pytest.approx(60.0 * exact, rel=1e-6)


def test_the_command_line_prints_the_history_and_writes_the_material_models(tmp_path):
    import json

    import tomli_w
    from typer.testing import CliRunner

    from warpfem.cli import app

    m = plate_model([BASE, TOP], half=10.0, dT=(125.0, 25.0))
    m["mesh"]["graded"] = False
    m["load"].update(material_properties="viscoelastic", hold_s=60.0)
    m["materials"]["m_top"].update(viscoelastic=SHEAR, cure_shrinkage_pct=0.5)
    m["steps"] = [{"name": "bond", "hold_s": 30.0}]
    path = tmp_path / "m.toml"
    path.write_text(tomli_w.dumps(m), encoding="utf-8")
    res = CliRunner().invoke(app, ["solve", str(path), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    for word in ("held", "temperature", "time steps", "viscoelastic", "shrinkage"):   # rich wraps the cells
        assert word in res.output, word
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["material_properties"] == "viscoelastic"
    assert summary["material_models"] == {"m_base": "elastic", "m_top": "viscoelastic: 3 shear and 1 bulk Prony "
                                          "terms, shift none; cure shrinkage 0.5 % by volume"}
    history = summary["process"]["history"]
    assert [k["event"] for k in history] == ["step 'bond' held 30 s", "at the load's temperature", "held 60 s"]
    assert [k["time_s"] for k in history] == sorted(k["time_s"] for k in history)
    assert history[-1]["warpage_um"] == pytest.approx(summary["warpage_um"], rel=1e-12)
    assert summary["process"]["time_steps"] > 40
