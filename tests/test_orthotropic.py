"""Orthotropic materials against closed forms (free expansion, lamination theory with anisotropic
layers) and against CalculiX, which builds its stiffness from the same engineering constants."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

import warpfem
from conftest import plate_model
from references import lamination_curvatures, reduced_stiffness
from test_crosscheck import needs_ccx
from warpfem.crosscheck import calculix
from warpfem.model.elasticity import orthotropic_constants

#: a woven glass-epoxy ply stiffer along x, and the same ply turned 90° (x and y swapped)
PLY_X = {"E_gpa": [40.0, 12.0, 10.0], "nu": [0.25, 0.3, 0.4], "G_gpa": [5.0, 4.0, 3.5], "cte_ppm": [7.0, 25.0, 50.0]}
PLY_Y = {"E_gpa": [12.0, 40.0, 10.0], "nu": [0.075, 0.4, 0.3], "G_gpa": [5.0, 3.5, 4.0], "cte_ppm": [25.0, 7.0, 50.0]}


def _plate(layers, half, size_mm):
    """A layered plate whose layers are (name, thickness mm, orthotropic table or (E, ν, CTE))."""
    raw = plate_model([(n, t, 1.0, 0.3, 1.0) for n, t, _ in layers], half=half, size_mm=size_mm)
    for name, _, m in layers:
        raw["materials"][f"m_{name}"] = {"orthotropic": m} if isinstance(m, dict) else dict(zip(("E_gpa", "nu", "cte_ppm"), m))
    return raw


def test_turning_a_ply_by_90_degrees_keeps_its_constants():
    """PLY_Y is PLY_X with x and y swapped: ν_yx = ν_xy E_y / E_x, and the nine constants permute."""
    a = orthotropic_constants(PLY_X["E_gpa"], PLY_X["nu"], PLY_X["G_gpa"])
    b = orthotropic_constants(PLY_Y["E_gpa"], PLY_Y["nu"], PLY_Y["G_gpa"])
    assert b == pytest.approx(a[[1, 0, 2, 3, 5, 4, 6, 8, 7]], rel=1e-12)


def test_an_orthotropic_block_expands_freely_and_unequally():
    """Free expansion: u = (αx x, αy y, αz z) ΔT from the anchor, and no stress."""
    raw = _plate([("block", 3.0, PLY_X)], half=2.0, size_mm=0.5)
    raw["model"]["symmetry"] = "full"
    raw["parts"][0]["box"] = [-2.0, 3.0, -1.0, 2.5, 0.0, 3.0]
    r = warpfem.solve(raw)
    dT = raw["load"]["temperature_c"] - raw["load"]["stress_free_c"]
    alpha = np.array(PLY_X["cte_ppm"]) * 1e-6
    x = r.mesh.nodes
    expected = alpha * dT * (x - x[r.solution.face.centre])
    assert np.abs(r.solution.u_mm - expected).max() < 1e-6 * np.abs(expected).max()
    assert r.fields.von_mises_mpa.max() < 1e-6 * 40e3 * alpha.max() * abs(dT)


@pytest.mark.parametrize("stack", ["cross-ply on silicon", "one ply, a copper plane and silicon"])
def test_an_orthotropic_layered_plate_matches_lamination_theory(stack):
    """Anisotropic layers bend the plate to two different curvatures; the corner deflection
    (κx a² + κy b²)/2 of lamination theory, to 1 %, on a plate 60 times as wide as it is thick."""
    if stack == "cross-ply on silicon":
        layers = [("ply_x", 0.3, PLY_X), ("ply_y", 0.3, PLY_Y), ("die", 0.4, (130.0, 0.28, 2.6))]
    else:
        layers = [("ply_x", 0.6, PLY_X), ("copper", 0.05, (117.0, 0.34, 17.0)), ("die", 0.3, (130.0, 0.28, 2.6))]
    h = sum(t for _, t, _ in layers)
    half = 30.0 * h
    r = warpfem.solve(_plate(layers, half=half, size_mm=half / 30))
    dT = -150.0
    clt = []
    for _, t, m in layers:
        if isinstance(m, dict):
            E, nu, G, a = m["E_gpa"], m["nu"], m["G_gpa"], m["cte_ppm"]
            clt.append((t, reduced_stiffness(E[0], E[1], nu[0], G[0]), (a[0] * 1e-6, a[1] * 1e-6)))
        else:
            E, nu, a = m
            clt.append((t, reduced_stiffness(E, E, nu, E / (2 * (1 + nu))), (a * 1e-6, a * 1e-6)))
    k = lamination_curvatures(clt, dT)[3:]
    assert abs(k[0] - k[1]) > 0.2 * abs(k).max() and k[0] * k[1] > 0   # two curvatures, one sense
    ref_um = -1e3 * (k[0] + k[1]) * half**2 / 2
    assert r.warpage_um == pytest.approx(ref_um, rel=0.01)


@needs_ccx
def test_calculix_agrees_with_an_orthotropic_substrate(small_fcbga):
    """The 40 mm FCBGA example with an orthotropic substrate whose x, y and z all differ: the same
    displacement field as CalculiX's C3D20 built from the engineering constants."""
    raw = tomllib.loads(small_fcbga.read_text())
    substrate = next(p["material"] for p in raw["parts"] if p.get("role") == "carrier")
    raw.setdefault("materials", {})[substrate] = {"orthotropic": {
        "E_gpa": [28.0, 22.0, 11.0], "nu": [0.18, 0.35, 0.3], "G_gpa": [9.0, 3.5, 3.0], "cte_ppm": [13.0, 17.0, 45.0]}}
    ours = warpfem.solve(raw, size_mm=0.5, target_error=0, method="direct")
    ccx = calculix(raw, size_mm=0.5, stress_parts=("die",))
    assert np.abs(ours.solution.u_mm - ccx.u_mm).max() < 1e-6 * np.abs(ccx.u_mm).max()
    die = ours.summary["parts"]["die"]["max_von_mises_mpa"]
    sel = ours.mesh.part == ours.mesh.part_names.index("die")
    assert np.abs(ours.fields.stress_mpa[sel] - ccx.element_stress_mpa["die"]).max() < 1e-4 * die
    assert np.ptp(ours.solution.classes.alpha_dt, axis=1).max() > 0      # the substrate's axes did differ


# a 1-2-1 substrate, bottom up: solder mask, a patterned copper layer, build-up film, copper plane,
# core, copper plane, build-up film, patterned copper, solder mask; the two halves mirror each other
STACKUP = [
    {"material": "solder_mask", "thickness_mm": 0.025},
    {"material": "copper", "thickness_mm": 0.015, "coverage": 0.6, "fill": "solder_mask"},
    {"material": "abf", "thickness_mm": 0.03},
    {"material": "copper", "thickness_mm": 0.018, "coverage": 0.85, "fill": "abf"},
    {"material": "bt_laminate", "thickness_mm": 0.4},
    {"material": "copper", "thickness_mm": 0.018, "coverage": 0.85, "fill": "abf"},
    {"material": "abf", "thickness_mm": 0.03},
    {"material": "copper", "thickness_mm": 0.015, "coverage": 0.6, "fill": "solder_mask"},
    {"material": "solder_mask", "thickness_mm": 0.025},
]


def _layer_materials(layers):
    """Each layer of a stack-up as a model material table, mixed here by the rule of mixtures
    written out (Voigt: E, ν by area; CTE weighted by E / (1 − ν))."""
    from warpfem.model import LIBRARY
    out = []
    for layer in layers:
        m, f = LIBRARY[layer["material"]], layer.get("coverage", 1.0)
        b = LIBRARY[layer["fill"]] if "fill" in layer else m
        wm, wb = f * m.E_gpa / (1 - m.nu), (1 - f) * b.E_gpa / (1 - b.nu)
        out.append({"E_gpa": f * m.E_gpa + (1 - f) * b.E_gpa, "nu": f * m.nu + (1 - f) * b.nu,
                    "cte_ppm": (wm * m.cte_ppm + wb * b.cte_ppm) / (wm + wb)})
    return out


def _resolved(layers, half, size_mm):
    """The stack-up as one part per layer: the reference the homogenised material is measured against."""
    raw = plate_model([(f"layer{i}", layer["thickness_mm"], 1.0, 0.3, 1.0) for i, layer in enumerate(layers)],
                      half=half, size_mm=size_mm)
    for i, m in enumerate(_layer_materials(layers)):
        raw["materials"][f"m_layer{i}"] = m
    return raw


def test_a_stackup_stretches_and_expands_as_its_layers_do():
    """A mirror-symmetric stack-up does not bend: its free in-plane and through-thickness expansion,
    solved with every layer resolved, is the homogenised material's CTE times ΔT, and its in-plane
    stiffness is lamination theory's A matrix over the thickness. Where the layers end at a free
    edge their mismatch relaxes, and that shifts the interior strain of a finite plate by about
    (h / L) · 2e-3 (2.2e-4 at L = 10 h, 1.1e-4 at 20 h, 4.5e-5 at 40 h): hence 1e-3 here."""
    from warpfem.model.validate import material_laws
    h = sum(layer["thickness_mm"] for layer in STACKUP)
    raw = {"load": {"stress_free_c": 150.0, "temperature_c": 25.0}, "materials": {"sub": {"stackup": {"layers": STACKUP}}},
           "parts": [{"name": "substrate", "material": "sub", "box": [-5, 5, -5, 5, 0, h], "role": "carrier"}]}
    m = material_laws(warpfem.load_model(raw))["sub"]
    resolved = _resolved(STACKUP, half=10.0 * h, size_mm=h)
    r = warpfem.solve(resolved, target_error=0)
    x, u = r.mesh.nodes, r.solution.u_mm
    dT = resolved["load"]["temperature_c"] - resolved["load"]["stress_free_c"]
    centre = np.flatnonzero((np.abs(x[:, 0]) < 1e-9) & (np.abs(x[:, 1]) < 1e-9))
    inner = np.flatnonzero((x[:, 0] > h) & (x[:, 0] < 5 * h) & (np.abs(x[:, 1]) < 1e-9))
    assert len(inner) > 10
    assert u[inner, 0] / x[inner, 0] == pytest.approx(m.orthotropic.cte_ppm[0] * 1e-6 * dT, rel=1e-3)
    top, bottom = centre[np.argmax(x[centre, 2])], centre[np.argmin(x[centre, 2])]
    assert (u[top, 2] - u[bottom, 2]) / h == pytest.approx(m.orthotropic.cte_ppm[2] * 1e-6 * dT, rel=1e-3)
    assert abs(u[top, 2] - u[bottom, 2]) > 1.2 * abs(m.cte_ppm * 1e-6 * dT * h)   # z expands more than x, y
    A = sum(layer["thickness_mm"] * reduced_stiffness(p["E_gpa"], p["E_gpa"], p["nu"], p["E_gpa"] / (2 + 2 * p["nu"]))
            for layer, p in zip(STACKUP, _layer_materials(STACKUP)))
    o = m.orthotropic
    assert reduced_stiffness(o.E_gpa[0], o.E_gpa[1], o.nu[0], o.G_gpa[0]) * h == pytest.approx(A, rel=1e-12)


def test_a_stackup_material_is_refused_when_its_part_is_not_as_thick(tmp_path):
    from warpfem.errors import ModelError
    raw = {"load": {"stress_free_c": 150.0, "temperature_c": 25.0}, "materials": {"sub": {"stackup": {"layers": STACKUP}}},
           "parts": [{"name": "substrate", "material": "sub", "box": [-5, 5, -5, 5, 0, 1.0], "role": "carrier"}]}
    with pytest.raises(ModelError, match="part 'substrate', key 'box'.*stacks 0.576 mm"):
        warpfem.solve(raw)


def test_a_family_takes_a_stackup_carrier_and_the_summary_names_it(tmp_path):
    """Seed 001's moulded flip chip on the stack-up substrate: the summary holds the homogenised
    constants and says the material is orthotropic; `expand` keeps the stack-up, and the expanded
    model solves to the same warpage."""
    from typer.testing import CliRunner
    from warpfem.cli import app
    h = sum(layer["thickness_mm"] for layer in STACKUP)
    raw = tomllib.loads((Path(__file__).parent.parent / "studies" / "families" / "molded_underfill.toml").read_text())
    raw["family"].update(carrier_material="fcbga_substrate", carrier_thickness_mm=h)
    raw["materials"] = {"fcbga_substrate": {"stackup": {"layers": STACKUP, "source": "test stack-up"}}}
    r = warpfem.solve(raw, target_error=0)
    summary = r.summary
    assert summary["material_models"]["fcbga_substrate"] == "elastic, orthotropic"
    o = summary["materials"]["fcbga_substrate"]["orthotropic"]
    assert o["cte_ppm"][0] == pytest.approx(summary["materials"]["fcbga_substrate"]["cte_ppm"])
    assert o["cte_ppm"][2] > 1.2 * o["cte_ppm"][0] and o["E_gpa"][2] < o["E_gpa"][0]
    model = tmp_path / "m.toml"
    import tomli_w
    model.write_text(tomli_w.dumps(raw))
    res = CliRunner().invoke(app, ["expand", str(model), "-o", str(tmp_path / "parts.toml")])
    assert res.exit_code == 0, res.output
    expanded = tomllib.loads((tmp_path / "parts.toml").read_text())
    assert expanded["materials"]["fcbga_substrate"]["stackup"]["layers"][1]["coverage"] == 0.6
    assert warpfem.solve(expanded, target_error=0).warpage_um == pytest.approx(r.warpage_um, rel=1e-9)


def test_a_stackup_follows_its_layers_through_their_glass_transitions():
    """With temperature-dependent properties, cooled from 260 °C: each layer's E at 25 °C and its
    secant CTE across its Tg, resolved layer by layer, stretch the plate as the stack-up
    homogenised anew at that state says — and not as its room-temperature constants say."""
    from warpfem.model.validate import material_laws
    layers = [x for x in STACKUP if x.get("coverage", 1.0) == 1.0]          # built-in materials only
    h = sum(x["thickness_mm"] for x in layers)
    load = {"stress_free_c": 260.0, "temperature_c": 25.0, "material_properties": "temperature_dependent"}
    raw = {"load": load, "materials": {"sub": {"stackup": {"layers": layers}}},
           "parts": [{"name": "substrate", "material": "sub", "box": [-5, 5, -5, 5, 0, h], "role": "carrier"}]}
    m = material_laws(warpfem.load_model(raw))["sub"]
    resolved = plate_model([(f"layer{i}", x["thickness_mm"], 1.0, 0.3, 1.0) for i, x in enumerate(layers)],
                           half=20.0 * h, size_mm=h)
    resolved["load"], resolved["materials"] = load, {}
    for i, x in enumerate(layers):
        resolved["parts"][i]["material"] = x["material"]
    r = warpfem.solve(resolved, target_error=0)
    x, u = r.mesh.nodes, r.solution.u_mm
    inner = np.flatnonzero((x[:, 0] > h) & (x[:, 0] < 10 * h) & (np.abs(x[:, 1]) < 1e-9))
    strain = m.thermal_strains(260.0, 25.0)[0]
    assert u[inner, 0] / x[inner, 0] == pytest.approx(strain, rel=1e-3)
    room = m.cte_ppm * 1e-6 * (25.0 - 260.0)
    assert abs(strain - room) > 0.02 * abs(room)


_PLY = {"orthotropic": PLY_X}


@pytest.mark.parametrize("material, words", [
    ({"E_gpa": 30.0, **_PLY}, ["'E_gpa'", "orthotropic"]),
    ({"orthotropic": {**PLY_X, "nu": [0.25, 0.3, 1.5]}}, ["'orthotropic'", "positive definite"]),
    ({"orthotropic": {**PLY_X, "G_gpa": [5.0, 0.0, 3.5]}}, ["G_gpa", "positive"]),
    ({"orthotropic": {**PLY_X, "cte_ppm": [7.0, 25.0]}}, ["cte_ppm"]),
    ({"stackup": {"layers": [{"material": "copper", "thickness_mm": 0.5, "coverage": 0.5}]}}, ["coverage", "fill"]),
    ({"stackup": {"layers": [{"material": "copper", "thickness_mm": 0.5, "fill": "abf"}]}}, ["fill", "coverage 1"]),
    ({"stackup": {"layers": [{"material": "inner", "thickness_mm": 0.5}]}}, ["'inner'", "itself a stack-up"]),
    ({"stackup": {"layers": [{"material": "unobtainium", "thickness_mm": 0.5}]}}, ["'unobtainium'"]),
    ({"stackup": {"layers": [{"material": "copper", "thickness_mm": 0.5}]}, "cte_ppm": 12.0}, ["'cte_ppm'", "layers"]),
])
def test_bad_orthotropic_and_stackup_tables_are_refused(tmp_path, material, words):
    import tomli_w
    from typer.testing import CliRunner
    from conftest import assert_refused
    from warpfem.cli import app
    raw = {"load": {"stress_free_c": 150.0, "temperature_c": 25.0},
           "materials": {"sub": material, "inner": {"stackup": {"layers": [{"material": "abf", "thickness_mm": 0.5}]}}},
           "parts": [{"name": "substrate", "material": "sub", "box": [-5, 5, -5, 5, 0, 0.5], "role": "carrier"}]}
    path = tmp_path / "m.toml"
    path.write_text(tomli_w.dumps(raw))
    res = CliRunner().invoke(app, ["solve", str(path), "-o", str(tmp_path / "out")])
    assert_refused(res, words)
    assert not (tmp_path / "out").exists()


def test_a_homogenised_bump_layer_refuses_an_orthotropic_filler(tmp_path):
    from warpfem.errors import ModelError
    raw = {"load": {"stress_free_c": 150.0, "temperature_c": 25.0}, "materials": {"underfill": _PLY},
           "bumps": {"global": "homogenised", "filler": "underfill"},
           "parts": [{"name": "substrate", "material": "bt_laminate", "box": [-3, 3, -3, 3, 0, 0.5], "role": "carrier"},
                     {"name": "underfill", "material": "underfill", "box": [-2, 2, -2, 2, 0.5, 0.6]},
                     {"name": "bumps", "material": "sac305", "role": "bumps", "box": [-1.6, -1.4, -1.6, -1.4, 0.5, 0.6],
                      "array": {"nx": 4, "ny": 4, "pitch_x_mm": 1.0, "pitch_y_mm": 1.0}},
                     {"name": "die", "material": "silicon", "box": [-2, 2, -2, 2, 0.6, 0.9]}]}
    with pytest.raises(ModelError, match="part 'underfill'.*'orthotropic'.*homogenised bump layer"):
        warpfem.solve(raw)


def test_an_orthotropic_submodel_expands_freely():
    """One orthotropic material everywhere: the bump submodel driven by u = (αx x, αy y, αz z) ΔT
    on its cut faces (its P2 tetrahedra, their own weak form) carries no stress."""
    from test_submodel import CORNER, flip_chip
    from warpfem.geometry import build_layout
    from warpfem.model import load_model
    from warpfem.submodel import BumpShape
    from warpfem.submodel.mesh import build_region_mesh
    from warpfem.submodel.site import find_site
    from warpfem.submodel.solve import solve_region
    model = flip_chip(size_mm=0.25, material="ply")
    model["materials"] = {"ply": _PLY}
    layout = build_layout(load_model(model))
    strain = np.array(PLY_X["cte_ppm"]) * 1e-6 * layout.model.load.delta_t_k
    site = find_site(layout, *CORNER)
    region = build_region_mesh(layout, site, BumpShape("barrel", 0.3, 0.36), 0.05)
    sub = solve_region(layout, region, site.region_mm, lambda p: strain * p)
    assert np.abs(sub.stress_mpa).max() < 1e-6 * 40e3 * np.abs(strain).max()
    wrong = solve_region(layout, region, site.region_mm, lambda p: strain.mean() * p)   # isotropic expansion is not free
    assert np.abs(wrong.stress_mpa).max() > 1.0


def test_orthotropic_and_stackup_parts_in_time_equal_the_elastic_process_steps():
    """Solved in time with nothing relaxing, an orthotropic chip carrier and a stack-up base that
    follows its layers' glass transitions end in the state of the temperature-dependent process
    steps (the per-axis thermal strains and the re-homogenised constants take both routes)."""
    layers = [x for x in STACKUP if x.get("coverage", 1.0) == 1.0]
    h = sum(x["thickness_mm"] for x in layers)
    m = _plate([("base", h, (1.0, 0.3, 1.0)), ("ply", 0.2, PLY_X), ("chip", 0.4, (130.0, 0.28, 2.6))], half=8.0,
               size_mm=1.0)
    m["materials"]["m_base"] = {"stackup": {"layers": layers}}
    m["load"]["material_properties"] = "temperature_dependent"
    m["steps"] = [{"name": "base", "parts": ["base", "ply"]},
                  {"name": "chip", "temperature_c": 125.0, "parts": ["chip"]}]
    m["solver"] = {"rtol": 1e-10}   # the two routes' own difference, not their solves' stopping short
    dependent = warpfem.solve(m, target_error=0)
    m["load"]["material_properties"] = "viscoelastic"
    timed = warpfem.solve(m, target_error=0)
    assert timed.warpage_um == pytest.approx(dependent.warpage_um, rel=1e-6)
    assert timed.summary["material_models"]["m_ply"] == "elastic, orthotropic"
