"""Pictures and reports: every view renders off-screen, shows the result it is given, and the
numbers behind a picture (mirrored quarter, carrier face, exaggeration) are the solver's."""

from __future__ import annotations

import json
import shutil
import tomllib

import numpy as np
import pytest
from typer.testing import CliRunner

import warpfem
from conftest import EXAMPLES, REPO
from warpfem.cli import app
from warpfem.pictures import VIEWS, carrier_bottom, plot, plot_parts, save_picture, style
from warpfem.pictures.scene import as_scene, scene_from_files
from warpfem.pictures.views import exploded_levels

SIZE = (320, 240)


def small_fcbga(**changes) -> dict:
    d = tomllib.loads((EXAMPLES / "small_fcbga.toml").read_text())
    d["mesh"]["size_mm"] = 0.5
    d["mesh"]["target_error"] = 0.0  # one solve: the pictures, not the mesh's accuracy, are tested
    for key, value in changes.items():
        table, name = key.split("__")
        d[table][name] = value
    return d


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The small FCBGA cooled from cure, and the same package with a 0.6 mm thicker die heated
    instead: a different shape, sign of warpage and stress field."""
    one = tmp_path_factory.mktemp("one")
    two = tmp_path_factory.mktemp("two")
    a = warpfem.solve(small_fcbga(), one)
    changed = small_fcbga(load__temperature_c=250.0)
    changed["parts"][-1]["box"][-1] += 0.6
    b = warpfem.solve(changed, two)
    return {"a": a, "b": b, "dir_a": one, "dir_b": two}


def render(source, view, **kw) -> np.ndarray:
    p = plot(source, view, off_screen=True, window_size=SIZE, **kw)
    try:
        return np.asarray(p.screenshot(None, return_img=True))
    finally:
        p.close()


def drawn_fraction(img: np.ndarray) -> float:
    """Share of pixels that are not the white background."""
    return float((img.astype(int).sum(axis=2) < 3 * 245).mean())


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_renders_the_result_it_is_given(results, view):
    a = render(results["a"], view)
    b = render(results["dir_b"], view)  # one from memory, one from the files
    assert a.shape == (SIZE[1], SIZE[0], 3) and b.shape == a.shape
    for img in (a, b):
        assert drawn_fraction(img) > 0.08, "the picture is (nearly) blank"
        assert len(np.unique(img.reshape(-1, 3), axis=0)) > 100, "the picture has hardly any colours"
    differs = np.abs(a.astype(int) - b.astype(int)).sum(axis=2) > 30
    assert differs.mean() > 0.02, "two different results gave the same picture"


def test_quarter_is_mirrored_into_the_full_solution():
    """A quarter solve mirrored whole equals the full-model solve of the same package: same
    nodes, displacements and stresses (an independent, four times larger solve)."""
    # direct solves, so the two agree to round-off rather than to the iterative solver's tolerance
    quarter = as_scene(warpfem.solve(small_fcbga(), method="direct"))
    full = as_scene(warpfem.solve(small_fcbga(model__symmetry="full"), method="direct"))
    assert quarter.grid.n_cells == full.grid.n_cells and quarter.grid.n_points == full.grid.n_points
    assert quarter.grid.extract_surface(algorithm=None).n_cells == full.grid.extract_surface(algorithm=None).n_cells

    def by_position(points):
        return np.lexsort(np.round(points, 6).T[::-1])

    iq, jf = by_position(quarter.grid.points), by_position(full.grid.points)
    np.testing.assert_allclose(quarter.grid.points[iq], full.grid.points[jf], atol=1e-9)
    uq, uf = quarter.grid.point_data["displacement_mm"][iq], full.grid.point_data["displacement_mm"][jf]
    np.testing.assert_allclose(uq, uf, atol=1e-6 * np.abs(uf).max())
    cq, cf = by_position(quarter.grid.cell_centers().points), by_position(full.grid.cell_centers().points)
    for name in ("von_mises_mpa", "part_id"):
        np.testing.assert_allclose(quarter.grid.cell_data[name][cq], full.grid.cell_data[name][cf],
                                   atol=1e-6 * np.abs(full.grid.cell_data[name]).max())
    sq, sf = quarter.grid.cell_data["stress_mpa"][cq], full.grid.cell_data["stress_mpa"][cf]
    np.testing.assert_allclose(sq, sf, atol=1e-6 * np.abs(sf).max())  # shear signs flip in mirrors


def test_moire_face_is_the_whole_carrier_bottom_and_reads_the_warpage(results):
    r = results["a"]
    face = carrier_bottom(as_scene(r))
    assert face.area == pytest.approx(12.0 * 12.0)  # the whole 12 x 12 mm face, not the quarter
    assert face.bounds[4] == face.bounds[5] == 0.0
    uz = face.point_data["uz_um"]
    corners = [np.argmin(np.linalg.norm(face.points[:, :2] - c, axis=1)) for c in
               [(6, 6), (-6, 6), (6, -6), (-6, -6)]]
    assert uz[corners] == pytest.approx([r.warpage_um] * 4, rel=1e-9)
    # the picture's colour range is the face's own, with zero (the centre) in the middle
    assert np.abs(uz).max() == pytest.approx(abs(r.warpage_um), rel=0.05)


def test_exaggeration_is_round_and_shows_the_bow(results):
    for x, expected in [(0.9, 1.0), (1.5, 2.0), (3.3, 5.0), (42.0, 50.0), (7.0, 5.0), (140.0, 100.0)]:
        assert style.nice_round(x) == expected
    # default: the bow drawn within a factor 1.6 of WARP_TARGET x the package width
    scene = as_scene(results["a"])
    p = plot(scene, "deformed", off_screen=True, window_size=SIZE)
    f = _scale_on_picture(p)
    p.close()
    bow_mm = abs(results["a"].warpage_um) / 1e3
    assert 1 / 1.6 <= f * bow_mm / (style.WARP_TARGET * 12.0) <= 1.6
    # a chosen factor is used and written on the picture
    p = plot(scene, "deformed", scale=7, off_screen=True, window_size=SIZE)
    assert _scale_on_picture(p) == 7
    p.close()


def _scale_on_picture(plotter) -> float:
    text = " ".join(a.GetText(k) for a in plotter.renderer.actors.values() if hasattr(a, "GetText")
                    for k in range(4) if a.GetText(k))
    return float(text.split("displacement × ")[1].split(",")[0].split(";")[0])


def test_z_stretch_only_for_thin_stacks():
    assert style.z_stretch(40.0, 2.4, 0.04) == 1.0
    assert style.z_stretch(40.0, 2.4, 0.3) == 5.0
    assert style.z_stretch(12.0, 0.07, 0.05) == 10.0


def test_exploded_levels_stack_what_covers_what():
    fcbga = as_scene(REPO / "studies" / "fcbga_40mm.toml")
    levels = {fcbga.part_names[i]: n for i, n in exploded_levels(fcbga).items()}
    assert levels == {"substrate": 0, "stiffener_adhesive": 1, "underfill": 1, "stiffener": 2, "die": 2,
                      "tim": 3, "lid_adhesive": 3, "lid": 4}
    small = as_scene(EXAMPLES / "small_fcbga.toml")
    levels = {small.part_names[i]: n for i, n in exploded_levels(small).items()}
    assert levels == {"substrate": 0, "underfill": 1, "bumps": 2, "die": 3}  # bumps out of their underfill


def test_plot_parts_draws_a_model_or_mesh_before_any_solve(tmp_path):
    model = REPO / "studies" / "fcbga_40mm.toml"
    p = plot_parts(model, off_screen=True, window_size=SIZE)
    assert drawn_fraction(np.asarray(p.screenshot(None, return_img=True))) > 0.08
    p.close()
    mesh = warpfem.mesh(EXAMPLES / "small_fcbga.toml", size_mm=1.0)
    path = save_picture(plot_parts(mesh, off_screen=True, window_size=SIZE), tmp_path / "parts.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    section = render(model, "section")  # unsolved: coloured by part
    assert drawn_fraction(section) > 0.08
    with pytest.raises(ValueError, match="has not been solved"):
        plot(model, "deformed", off_screen=True)


def test_files_and_memory_give_the_same_scene(results):
    a, b = as_scene(results["a"]), scene_from_files(results["dir_a"] / "result.vtu")
    assert a.part_names == b.part_names and a.carrier == b.carrier and a.bump_parts == b.bump_parts
    np.testing.assert_allclose(a.grid.points, b.grid.points)
    np.testing.assert_allclose(a.grid.point_data["displacement_mm"], b.grid.point_data["displacement_mm"])
    np.testing.assert_allclose(a.grid.cell_data["von_mises_mpa"], b.grid.cell_data["von_mises_mpa"])


def test_summary_without_roles_still_finds_the_carrier(results, tmp_path):
    for name in ("result.vtu", "summary.json"):
        shutil.copy(results["dir_a"] / name, tmp_path / name)
    s = json.loads((tmp_path / "summary.json").read_text())
    for part in s["parts"].values():
        part.pop("role", None)
    (tmp_path / "summary.json").write_text(json.dumps(s))
    scene = scene_from_files(tmp_path)
    assert scene.part_names[scene.carrier] == "substrate"
    assert [scene.part_names[i] for i in scene.bump_parts] == ["bumps"]


def test_summary_records_the_materials_as_overridden():
    d = small_fcbga()
    d["materials"] = {"underfill": {"E_gpa": 5.0}}
    s = warpfem.solve(d).summary
    assert s["materials"]["underfill"] == {"E_gpa": 5.0, "nu": 0.33, "cte_ppm": 30.0}


def test_summary_records_roles_and_the_materials_used(results):
    s = results["a"].summary
    assert s["parts"]["substrate"]["role"] == "carrier" and s["parts"]["bumps"]["role"] == "bumps"
    assert "role" not in s["parts"]["die"]
    # the library's values (docs/model-format.md), as the solve used them
    assert s["materials"] == {
        "bt_laminate": {"E_gpa": 26.0, "nu": 0.2, "cte_ppm": 15.0},
        "underfill": {"E_gpa": 8.0, "nu": 0.33, "cte_ppm": 30.0},
        "sac305": {"E_gpa": 51.0, "nu": 0.36, "cte_ppm": 21.7},
        "silicon": {"E_gpa": 130.0, "nu": 0.28, "cte_ppm": 2.6},
    }


# --- command line ------------------------------------------------------------------------------

def test_show_writes_a_screenshot_of_the_asked_size(results, tmp_path):
    out = tmp_path / "stress.png"
    res = CliRunner().invoke(app, ["show", str(results["dir_a"]), "--view", "stress", "--part", "die",
                                   "--screenshot", str(out), "--size", "400x300"])
    assert res.exit_code == 0, res.output
    from PIL import Image

    with Image.open(out) as img:
        assert img.size == (400, 300)


@pytest.mark.parametrize("args, message", [
    (["--view", "stress", "--part", "lid"], "part 'lid'"),
    (["--view", "sideways"], "view 'sideways'"),
    (["--size", "big"], "--size 'big'"),
    (["--view", "section", "--section-y", "99"], "section at y = 99 mm"),
])
def test_show_refuses_bad_options_and_writes_nothing(results, tmp_path, args, message):
    out = tmp_path / "x.png"
    res = CliRunner().invoke(app, ["show", str(results["dir_a"]), "--screenshot", str(out), *args])
    assert res.exit_code == 2 and message in res.output
    assert list(tmp_path.iterdir()) == []


def test_show_without_a_display_asks_for_a_screenshot(results, monkeypatch):
    monkeypatch.setattr("warpfem.pictures.has_display", lambda: False)
    res = CliRunner().invoke(app, ["show", str(results["dir_a"])])
    assert res.exit_code == 2 and "--screenshot" in res.output


def test_show_names_a_missing_result(tmp_path):
    res = CliRunner().invoke(app, ["show", str(tmp_path), "--screenshot", str(tmp_path / "x.png")])
    assert res.exit_code == 2 and "no result.vtu" in res.output


def test_report_is_one_self_contained_page(results):
    res = CliRunner().invoke(app, ["report", str(results["dir_a"])])
    assert res.exit_code == 0, res.output
    page = (results["dir_a"] / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 7  # five views, the critical bump row, the bump map
    assert "http" not in page.split("<body>")[1]  # nothing fetched from elsewhere
    s = results["a"].summary
    assert f"{s['warpage_um']:.2f}" in page and "small_fcbga" in page
    assert "<td>sac305</td><td>51</td><td>0.36</td><td>21.7</td><td>bumps</td>" in page


def test_solve_report_writes_all_three_files(tmp_path):
    res = CliRunner().invoke(app, ["solve", str(REPO / "studies" / "examples" / "bilayer_plate.toml"),
                                   "-o", str(tmp_path), "-q", "--report"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "result.vtu", "summary.json"]
    assert (tmp_path / "report.html").read_text(encoding="utf-8").count("data:image/png") == 5


@pytest.mark.parametrize("verb", ["show", "report"])
def test_no_display_and_no_offscreen_opengl_is_one_sentence(results, tmp_path, monkeypatch, verb):
    """Neither a display nor EGL nor OSMesa: the command says what to install, exit 2, no picture."""
    from conftest import assert_refused
    monkeypatch.setattr("warpfem.pictures.backend.has_display", lambda: False)
    monkeypatch.setattr("warpfem.pictures.backend.offscreen_window", lambda: None)
    monkeypatch.delenv("VTK_DEFAULT_OPENGL_WINDOW", raising=False)
    shot = tmp_path / "x.png"
    args = ["show", str(results["dir_a"]), "--screenshot", str(shot)] if verb == "show" else ["report", str(tmp_path)]
    if verb == "report":
        import shutil
        for name in ("summary.json", "result.vtu"):
            shutil.copy(results["dir_a"] / name, tmp_path / name)
    res = CliRunner().invoke(app, args)
    assert_refused(res, ["off-screen OpenGL", "libegl-mesa0"])
    assert not shot.exists() and not (tmp_path / "report.html").exists()
