"""Global-local submodels of single bumps (warpfem.submodel), against independent references:
free thermal expansion, the explicit global model's bump average, closed-form bump volumes and
mesh refinement."""

from __future__ import annotations

import csv
import json
import math

import meshio
import numpy as np
import pytest
from scipy.integrate import quad

import warpfem
from warpfem.geometry import build_layout
from warpfem.model import load_model
from warpfem.post.stress import von_mises_mpa
from warpfem.model.bump_shape import radius_at
from warpfem.submodel import BumpShape, solve_submodel
from warpfem.submodel.mesh import build_region_mesh
from warpfem.submodel.site import find_site, part_at, region_cells
from warpfem.submodel.solve import cut_facets, solve_region

PITCH, PAD, GAP = 0.5, 0.3, 0.15
SUB_T, DIE_T = 0.5, 0.3
CORNER = (2.25, 2.25)   # the bump farthest from the die centre: the critical one


def flip_chip(size_mm: float | None = None, material: str | None = None, method: str = "auto",
              min_layers: int = 1, underfill: bool = True) -> dict:
    """A 5 mm silicon die on a 10 mm BT substrate, joined by a 10 x 10 array of square SAC305
    bumps at 0.5 mm pitch in underfill, cooled from 150 to 25 °C (quarter model)."""
    c0, h, z1 = -4.5 * PITCH, 0.5 * PAD, SUB_T + GAP
    mat = (lambda m: material or m)
    model = {
        "model": {"name": "flip_chip_10x10", "symmetry": "quarter"},
        "load": {"stress_free_c": 150.0, "temperature_c": 25.0},
        "solver": {"method": method},
        "parts": [
            {"name": "substrate", "material": mat("bt_laminate"), "box": [-5, 5, -5, 5, 0, SUB_T], "role": "carrier"},
            {"name": "underfill", "material": mat("underfill"), "box": [-2.5, 2.5, -2.5, 2.5, SUB_T, z1]},
            {"name": "bumps", "material": mat("sac305"), "box": [c0 - h, c0 + h, c0 - h, c0 + h, SUB_T, z1],
             "role": "bumps", "array": {"nx": 10, "ny": 10, "pitch_x_mm": PITCH, "pitch_y_mm": PITCH}},
            {"name": "die", "material": mat("silicon"), "box": [-2.5, 2.5, -2.5, 2.5, z1, z1 + DIE_T]},
        ],
    }
    if not underfill:
        del model["parts"][1]
    model["mesh"] = {"min_layers": min_layers, **({"size_mm": size_mm} if size_mm else {})}
    return model


@pytest.fixture(scope="module")
def explicit():
    """The explicit global model, every bump meshed in 3 x 3 x 3 bricks (one brick through the
    height is too stiff to be a reference: it puts the bump average 5 % higher)."""
    return warpfem.solve(flip_chip(size_mm=0.1, min_layers=3))


@pytest.fixture(scope="module")
def corner(explicit):
    return solve_submodel(explicit.model, explicit.solution, *CORNER)


@pytest.fixture(scope="module")
def corner_fine(explicit):
    return solve_submodel(explicit.model, explicit.solution, *CORNER, size_mm=0.5 * corner_size())


def corner_size() -> float:
    return GAP / 3


def global_bump_average_mpa(result, x_mm: float, y_mm: float) -> np.ndarray:
    """Volume average of the explicit model's stress over one bump's bricks (3, 3), MPa."""
    mesh = result.mesh
    centre = 0.5 * (mesh.nodes[mesh.elements[:, 0]] + mesh.nodes[mesh.elements[:, 6]])
    volume = mesh.element_sizes().prod(axis=1)
    bump = mesh.part_names.index("bumps")
    sel = (mesh.part == bump) & (np.abs(centre[:, 0] - x_mm) < 0.5 * PAD) & (np.abs(centre[:, 1] - y_mm) < 0.5 * PAD)
    assert math.isclose(volume[sel].sum(), PAD * PAD * GAP, rel_tol=1e-9)
    return np.einsum("eij,e->ij", result.fields.stress_mpa[sel], volume[sel]) / volume[sel].sum()


# --- the site ---------------------------------------------------------------------------------

def test_site_of_the_corner_bump():
    layout = build_layout(load_model(flip_chip()))
    site = find_site(layout, 2.2, 2.3)   # any point of the bump names it
    assert np.allclose(site.bump_box_mm, (2.1, 2.4, 2.1, 2.4, SUB_T, SUB_T + GAP))
    assert np.allclose(site.pitch_mm, (PITCH, PITCH))
    assert layout.parts[site.filler_part].name == "underfill"
    # one pitch each side in x and y; below and above, clipped to the substrate's and die's faces
    assert np.allclose(site.region_mm, (1.75, 2.75, 1.75, 2.75, 0.0, SUB_T + GAP + DIE_T))
    # mirrored corners of the quarter model are found too
    mirrored = find_site(layout, -2.25, -1.75)
    assert np.allclose(mirrored.bump_box_mm[:4], (-2.4, -2.1, -1.9, -1.6))
    # copies run x fastest from the array's (-x, -y) corner: column 0, row 1
    assert (site.bump_copy, mirrored.bump_copy) == (99, 10)
    with pytest.raises(ValueError, match="no bump"):
        find_site(layout, 2.0, 2.0)   # between bumps: underfill
    with pytest.raises(ValueError, match="does not hold the bump"):
        find_site(layout, *CORNER, half_width_mm=0.1)


def test_part_at_mirrors_a_quarter_layout():
    layout = build_layout(load_model(flip_chip()))
    names = [p.name for p in layout.parts]
    p = part_at(layout, [[-2.25, -2.25, 0.6], [2.0, -2.0, 0.6], [-1.0, 1.0, 0.8], [3.0, 3.0, 0.7], [0, 0, -1]])
    assert [names[i] if i >= 0 else None for i in p] == ["bumps", "underfill", "die", None, None]


# --- a: free thermal expansion gives no stress ------------------------------------------------

def test_free_expansion_drives_a_stress_free_submodel():
    """One material everywhere: the exact solution is free expansion, u = α ΔT x, σ = 0."""
    model = flip_chip(size_mm=0.25, material="silicon", method="direct")
    layout = build_layout(load_model(model))
    si = layout.part_material(0)
    strain = si.cte_ppm * 1e-6 * layout.model.load.delta_t_k
    scale = si.E_gpa * 1e3 * abs(strain)                    # E α ΔT, MPa
    site = find_site(layout, *CORNER)
    region = build_region_mesh(layout, site, BumpShape("barrel", 0.3, 0.36), 0.05)
    sub = solve_region(layout, region, site.region_mm, lambda p: strain * p)
    assert np.abs(sub.stress_mpa).max() < 1e-6 * scale
    # the whole chain: the global hex20 solve holds free expansion exactly, and the probe reads it
    result = warpfem.solve(model)
    p = result.mesh.nodes[::37]
    assert np.abs(result.solution.u_mm[::37] - strain * p).max() < 1e-9
    chained = solve_submodel(model, result.solution, *CORNER, shape=BumpShape("cylinder", 0.3))
    assert np.abs(chained.solution.stress_mpa).max() < 1e-6 * scale


def test_only_faces_inside_the_global_material_are_cut():
    layout = build_layout(load_model(flip_chip()))
    site = find_site(layout, *CORNER)
    region = build_region_mesh(layout, site, BumpShape(), 0.05)
    m = region.mesh
    centre = m.p[:, m.facets[:, cut_facets(layout, region, site.region_mm)]].mean(axis=1).T
    x0, x1, y0, y1, z0, z1 = site.region_mm
    on = {"x0": np.isclose(centre[:, 0], x0), "x1": np.isclose(centre[:, 0], x1),
          "y0": np.isclose(centre[:, 1], y0), "y1": np.isclose(centre[:, 1], y1)}
    # every side face is cut somewhere; the substrate's bottom and the die's top are free surfaces
    assert all(v.any() for v in on.values())
    assert np.logical_or.reduce(list(on.values())).all()
    assert not (np.isclose(centre[:, 2], z0) | np.isclose(centre[:, 2], z1)).any()
    # beyond the die edge (x > 2.5) the side faces hold only substrate: no cut above it
    assert (centre[centre[:, 0] > 2.5 + 1e-9, 2] <= SUB_T + 1e-9).all()


# --- b: the submodel against the explicit global model ---------------------------------------

def test_corner_bump_average_matches_the_explicit_model(explicit, corner):
    reference = von_mises_mpa(global_bump_average_mpa(explicit, *CORNER))
    sub = corner.measures["bump_average"]["von_mises_mpa"]
    assert (corner.part, corner.copy_id, corner.x_mm, corner.y_mm) == ("bumps", 99, *CORNER)
    print(f"\ncorner bump, volume-averaged von Mises: explicit global {reference:.2f} MPa, "
          f"submodel {sub:.2f} MPa ({100 * (sub / reference - 1):+.1f} %)")
    assert abs(sub / reference - 1) < 0.10
    assert math.isclose(corner.measures["bump_average"]["volume_mm3"], PAD * PAD * GAP, rel_tol=1e-9)


def test_an_inner_bump_matches_too(explicit):
    xy = (0.25, 0.75)
    reference = von_mises_mpa(global_bump_average_mpa(explicit, *xy))
    sub = solve_submodel(explicit.model, explicit.solution, *xy).measures["bump_average"]["von_mises_mpa"]
    assert abs(sub / reference - 1) < 0.10


def test_a_bump_without_filler_matches_too():
    """No underfill: the bumps alone carry the shear, and a barrel bulging past its prism into
    empty space still takes the global displacement on its cut faces."""
    model = flip_chip(size_mm=0.1, min_layers=3, underfill=False)
    result = warpfem.solve(model)
    reference = von_mises_mpa(global_bump_average_mpa(result, *CORNER))
    sub = solve_submodel(model, result.solution, *CORNER)
    assert abs(sub.measures["bump_average"]["von_mises_mpa"] / reference - 1) < 0.10
    barrel = solve_submodel(model, result.solution, *CORNER, shape=BumpShape("barrel", 0.3, 0.36))
    assert all(np.isfinite(v) for g in barrel.measures.values() for v in g.values())


# --- c: convergence ---------------------------------------------------------------------------

def test_volume_averages_converge_and_the_raw_maximum_does_not_settle(corner, corner_fine):
    print(f"\n{'measure':<22}{'h = %.4f mm' % corner.size_mm:>16}{'h = %.4f mm' % corner_fine.size_mm:>16}{'change':>9}")
    for group in ("bump_average", "lower_layer_average", "upper_layer_average", "raw_maximum"):
        a = corner.measures[group]["von_mises_mpa"]
        b = corner_fine.measures[group]["von_mises_mpa"]
        print(f"{group:<22}{a:>16.2f}{b:>16.2f}{100 * (b / a - 1):>+8.1f}%")
    print(f"dofs {corner.n_dofs} -> {corner_fine.n_dofs}; time {corner.timings_s['total']:.1f} s -> "
          f"{corner_fine.timings_s['total']:.1f} s")
    for group in ("bump_average", "lower_layer_average", "upper_layer_average"):
        a = corner.measures[group]["von_mises_mpa"]
        b = corner_fine.measures[group]["von_mises_mpa"]
        assert abs(b / a - 1) < 0.05, group
    assert corner_fine.size_mm == pytest.approx(0.5 * corner.size_mm)
    assert corner_fine.n_dofs > 4 * corner.n_dofs


# --- d: real bump shapes ----------------------------------------------------------------------

def _arc_radius(d: float, D: float, h: float, s: float) -> float:
    """Radius at height s above mid-plane of the circle through (d/2, ±h/2) and (D/2, 0), found
    as the circumcentre of the three profile points."""
    p1, p2, p3 = np.array([d / 2, -h / 2]), np.array([D / 2, 0.0]), np.array([d / 2, h / 2])
    A = 2 * np.array([p2 - p1, p3 - p1])
    b = np.array([p2 @ p2 - p1 @ p1, p3 @ p3 - p1 @ p1])
    c = np.linalg.solve(A, b)
    rho = np.linalg.norm(p1 - c)
    return c[0] + math.sqrt(rho**2 - (s - c[1]) ** 2)


def test_bump_radius_follows_the_arc():
    for s in (-GAP / 2, -0.05, 0.0, 0.02, GAP / 2):
        assert radius_at("barrel", 0.3, 0.36, GAP, s) == pytest.approx(_arc_radius(0.3, 0.36, GAP, s), rel=1e-12)
        assert radius_at("cylinder", 0.3, 0.0, GAP, s) == 0.15


@pytest.mark.parametrize("shape, volume", [
    (BumpShape("cylinder", 0.3), math.pi * 0.15**2 * GAP),
    (BumpShape("barrel", 0.3, 0.36), quad(lambda s: math.pi * _arc_radius(0.3, 0.36, GAP, s) ** 2, -GAP / 2, GAP / 2)[0]),
])
def test_round_bumps_mesh_and_solve(explicit, shape, volume, tmp_path):
    sub = solve_submodel(explicit.model, explicit.solution, *CORNER, shape=shape, vtu_path=tmp_path / "bump.vtu")
    meshed = sub.measures["bump_average"]["volume_mm3"]
    print(f"\n{shape.kind}: meshed volume {meshed:.6e} mm3, closed form {volume:.6e} mm3 "
          f"({meshed / volume - 1:+.1e}); bump average von Mises {sub.measures['bump_average']['von_mises_mpa']:.1f} MPa")
    assert meshed == pytest.approx(volume, rel=1e-3)
    assert all(np.isfinite(v) for g in sub.measures.values() for v in g.values())
    # the raw maximum is at least the average, whatever the mesh
    assert sub.measures["raw_maximum"]["von_mises_mpa"] >= sub.measures["bump_average"]["von_mises_mpa"]
    assert json.loads(json.dumps(sub.summary()))["measures"] == sub.measures
    written = meshio.read(tmp_path / "bump.vtu")
    assert len(written.cells_dict["tetra"]) == sub.n_elements
    assert written.point_data["displacement_mm"].shape == (len(written.points), 3)


def test_a_second_bump_layer_keeps_its_own_parts():
    """Solder balls under the substrate reached by a deep region stay balls; only the critical
    bump's own gap is rebuilt from the filler and real bump shapes."""
    model = flip_chip()
    model["parts"].append({"name": "balls", "material": "sac305", "box": [-4.75, -4.25, -4.75, -4.25, -0.3, 0.0],
                           "role": "bumps", "array": {"nx": 10, "ny": 10, "pitch_x_mm": 1.0, "pitch_y_mm": 1.0}})
    layout = build_layout(load_model(model))
    site = find_site(layout, *CORNER, depth_mm=0.8)
    cells, bumps = region_cells(layout, site)
    names = [p.name for p in layout.parts]
    assert site.region_mm[4] == pytest.approx(-0.3)
    assert names.index("balls") in cells.parts
    assert names.index("bumps") not in cells.parts          # the gap's prisms went to the underfill
    assert {names[p] for _, p in bumps} == {"bumps"} and len(bumps) == 4


# --- warpfem solve with [bumps] submodel -----------------------------------------------------

def test_solve_submodels_the_critical_bump_of_a_homogenised_model(explicit, tmp_path):
    """The issue's global-local check: a homogenised global model and a submodel of its critical
    bump against the explicit model's average over that bump."""
    model = flip_chip(size_mm=0.25)
    model["bumps"] = {"global": "homogenised", "filler": "underfill", "submodel": "critical"}
    result = warpfem.solve(model, tmp_path)
    b = result.summary["bumps"]
    assert b["global_model"] == "homogenised" and b["critical_avg_source"] == "submodel"
    # von Mises here is mostly the bumps' in-plane squeeze between die and substrate, nearly even
    # over the array's inside; which bump the global model finds, its submodel must match the
    # explicit model's average over that same bump
    xy = b["critical_avg_bump_xy_mm"]
    reference = float(von_mises_mpa(global_bump_average_mpa(explicit, *xy)))
    assert b["critical_avg_von_mises_mpa"] == pytest.approx(reference, rel=0.10)
    # the homogenised layer's own estimate for that bump is what the submodel corrects
    assert b["critical_avg_von_mises_global_mpa"] != pytest.approx(b["critical_avg_von_mises_mpa"], rel=0.10)
    (sub,) = b["submodels"]
    assert sub["id"] == b["critical_bump_id"] and sub["measures"]["raw_maximum"]["von_mises_mpa"] > reference

    rows = list(csv.DictReader((tmp_path / "bumps.csv").open()))
    filled = [r for r in rows if r["submodel_avg_von_mises_mpa"]]
    assert [int(r["id"]) for r in filled] == [b["critical_bump_id"]]
    assert float(filled[0]["submodel_avg_von_mises_mpa"]) == pytest.approx(b["critical_avg_von_mises_mpa"], rel=1e-5)
    vtu = meshio.read(tmp_path / f"submodel_bump_{b['critical_bump_id']}.vtu")
    assert len(vtu.cells_dict["tetra"]) == sub["n_elements"]
    assert json.loads((tmp_path / "summary.json").read_text())["bumps"]["submodels"][0]["n_dofs"] == sub["n_dofs"]


def test_solve_submodels_the_n_most_critical_bumps():
    model = flip_chip(size_mm=0.25)
    model["bumps"] = {"submodel": 2, "submodel_size_mm": GAP / 2}
    result = warpfem.solve(model)
    subs = result.summary["bumps"]["submodels"]
    avg = result.bumps.columns["avg_von_mises_mpa"]
    assert [s["id"] for s in subs] == [int(i) for i in np.argsort(-avg)[:2]]
    assert all(s["size_mm"] == GAP / 2 for s in subs)
