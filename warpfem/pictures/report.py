"""``report.html``: one self-contained page per solve — the summary, the materials and every view —
or per study — its table of cases and its plots.

The page embeds its pictures (PNG, base64) and its styles, so it can be mailed or archived alone.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import tempfile
from pathlib import Path
from typing import Any

from ..output import atomic_paths
from ..output.table import summary_table
from .scene import Scene, as_scene

#: picture size in the report, pixels
REPORT_SIZE = (1100, 720)

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1150px; margin: 2em auto; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
pre.summary { font-size: 0.85em; line-height: 1.25; }
table.materials { border-collapse: collapse; font-size: 0.9em; }
table.materials th, table.materials td { border: 1px solid #bbb; padding: 0.25em 0.7em; text-align: right; }
table.materials th:first-child, table.materials td:first-child,
table.materials td:last-child { text-align: left; }
figure { margin: 1.2em 0; } figure img { width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #444; }
"""


def report_views(scene: Scene) -> list[tuple[str, str, dict]]:
    """(caption, view, options) of each picture on the page."""
    views = [
        ("Deformed shape and out-of-plane displacement over the undeformed outline.", "deformed", {}),
        ("Out-of-plane displacement of the carrier's bottom face, as a shadow-moiré measurement maps it.",
         "moire", {}),
        ("Von Mises stress in the bumps (or the most stressed part), the other parts faded; the peak is marked.",
         "stress", {}),
        ("The parts, pulled apart in z and coloured by part.", "exploded", {}),
        ("Section through the package centre, von Mises stress.", "section", {}),
    ]
    bumps = (scene.summary or {}).get("bumps")
    if bumps:
        y = bumps["critical_bump_xy_mm"][1]
        views.append((f"Section through the critical bump row (y = {y:g} mm), von Mises stress.", "section",
                      {"section_y_mm": y}))
    return views


def write_report(source: Any, outdir: str | Path | None = None) -> Path:
    """Write ``report.html`` for a solved package, or for a study's output directory, into
    ``outdir`` (default: the output directory ``source`` names) and return its path."""
    from . import plot  # the package's entry point sets up the plotter

    if outdir is None:
        if not isinstance(source, (str, Path)):
            raise ValueError("write_report: give outdir for a result held in memory.")
        outdir = Path(source) if Path(source).is_dir() else Path(source).parent
    if isinstance(source, (str, Path)) and (Path(source) / "results.csv").is_file():
        return _write_study_report(Path(source), Path(outdir))
    scene = as_scene(source)
    if not scene.solved or scene.summary is None:
        raise ValueError(f"'{scene.name}' has not been solved: a report needs a result.")
    figures = []
    for caption, view, options in report_views(scene):
        plotter = plot(scene, view, off_screen=True, window_size=REPORT_SIZE, **options)
        figures.append((caption, _png(plotter)))
    if (Path(outdir) / "bumps.csv").is_file() and "bumps" in scene.summary:
        figures.append(_bump_map_figure(Path(outdir)))
    page = _page(scene, figures)
    path = Path(outdir) / "report.html"
    with atomic_paths(path) as (tmp,):
        tmp.write_text(page, encoding="utf-8")
    return path


def curve_page(title: str, lines: list[str], curve_png: bytes, table_csv: str,
               pictures: list[tuple[str, Any]]) -> str:
    """A self-contained page: a headline curve, its table (CSV text) and a moiré view of each
    result in ``pictures`` (caption, solved result)."""
    from . import plot

    rows = list(csv.reader(io.StringIO(table_csv)))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0]) if rows else ""
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_number(c))}</td>" for c in r) + "</tr>" for r in rows[1:])
    parts = [f"<h1>{html.escape(title)}</h1>", *(f"<p>{html.escape(t)}</p>" for t in lines),
             _figure("curve", curve_png, ""), "<h2>Table</h2>",
             f'<table class="materials"><tr>{head}</tr>{body}</table>', "<h2>Moiré views</h2>"]
    for caption, result in pictures:
        plotter = plot(result, "moire", off_screen=True, window_size=REPORT_SIZE)
        parts.append(_figure(caption, _png(plotter), caption))
    return _document(title, parts)


def _figure(alt: str, png: bytes, caption: str) -> str:
    """A figure with its PNG embedded."""
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _document(title: str, body: list[str]) -> str:
    """The whole page around ``body`` (HTML fragments), its styles inline."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _write_study_report(study_dir: Path, outdir: Path) -> Path:
    """The page of a study: its cases' headline numbers and every plot the study drew."""
    from ..studies.table import CASE_COLUMNS, HEADLINE

    with (study_dir / "results.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    columns = list(rows[0]) if rows else []
    first_metric = next((i for i, c in enumerate(columns) if c in HEADLINE), len(columns))
    varied = [c for c in columns[len(CASE_COLUMNS):first_metric]]
    shown = ["case", "status", *varied, *(c for c in _STUDY_METRICS if c in columns)]
    head = "".join(f"<th>{html.escape(_STUDY_METRICS.get(c, c))}</th>" for c in shown)
    body = []
    for r in rows:
        cells = "".join(f"<td>{html.escape(_number(r.get(c, '')))}</td>" for c in shown)
        error = f'<tr><td></td><td colspan="{len(shown) - 1}">{html.escape(r["error"])}</td></tr>' if r.get("error") else ""
        body.append(f"<tr>{cells}</tr>{error}")
    failed = sum(r.get("status") == "failed" for r in rows)
    parts = [f"<h1>warpfem study — {html.escape(study_dir.name)}</h1>",
             f"<p>{len(rows)} cases, {failed} failed; every number of every case is in results.csv.</p>",
             "<h2>Cases</h2>", f'<table class="materials"><tr>{head}</tr>{"".join(body)}</table>', "<h2>Plots</h2>"]
    for png in sorted((study_dir / "plots").glob("*.png")):
        parts.append(_figure(png.stem, png.read_bytes(), png.stem))
    page = _document(f"warpfem study — {study_dir.name}", parts)
    path = outdir / "report.html"
    with atomic_paths(path) as (tmp,):
        tmp.write_text(page, encoding="utf-8")
    return path


#: the study columns the page shows, with their headings
_STUDY_METRICS = {"warpage_um": "warpage [µm]", "coplanarity_um": "coplanarity [µm]", "shape": "shape",
                  "die.max_von_mises_mpa": "die von Mises [MPa]", "bumps.max_von_mises_mpa": "bump von Mises [MPa]",
                  "mesh.dofs": "dofs"}


def _number(text: str) -> str:
    """A CSV cell as shown: floats to four significant digits, anything else as written."""
    try:
        value = float(text)
    except ValueError:
        return text
    return text if value.is_integer() and "." not in text else f"{value:.4g}"


def _bump_map_figure(outdir: Path) -> tuple[str, bytes]:
    from .bump_map import write_bump_map

    with tempfile.TemporaryDirectory() as d:
        png = write_bump_map(outdir, "avg_von_mises_mpa", Path(d) / "bumps_map.png").read_bytes()
    return ("Volume-averaged von Mises stress of every bump (bumps.csv), the critical bump ringed.", png)


def _png(plotter) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        file = Path(d) / "view.png"
        try:
            plotter.screenshot(str(file))
        finally:
            plotter.close()
        return file.read_bytes()


def _page(scene: Scene, figures: list[tuple[str, bytes]]) -> str:
    s = scene.summary
    body = [
        f"<h1>warpfem — {html.escape(s['model'])}</h1>",
        (f"<p>ΔT = {s['delta_t_k']:+g} K from the stress-free state; symmetry: {html.escape(s['symmetry'])}; "
         f"warpfem {html.escape(s['warpfem_version'])}.</p>"),
        "<h2>Summary</h2>",
        _summary_html(s),
    ]
    if s.get("materials"):
        body += ["<h2>Materials</h2>", _materials_html(s)]
    body.append("<h2>Pictures</h2>")
    body += [_figure(caption, png, caption) for caption, png in figures]
    return _document(f"warpfem — {s['model']}", body)


def _summary_html(summary: dict) -> str:
    """The command line's summary tables, as HTML."""
    from rich.console import Console

    console = Console(record=True, file=io.StringIO(), width=100, color_system="truecolor")
    console.print(summary_table(summary))
    return console.export_html(inline_styles=True, code_format='<pre class="summary">{code}</pre>')


def _materials_html(summary: dict) -> str:
    users: dict[str, list[str]] = {}
    for name, part in summary["parts"].items():
        users.setdefault(part["material"], []).append(name)
    rows = ["<tr><th>material</th><th>E [GPa]</th><th>ν</th><th>CTE [ppm/K]</th><th>parts</th></tr>"]
    for name, m in summary["materials"].items():
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{m['E_gpa']:g}</td><td>{m['nu']:g}</td>"
                    f"<td>{m['cte_ppm']:g}</td><td>{html.escape(', '.join(users.get(name, [])))}</td></tr>")
    return '<table class="materials">' + "".join(rows) + "</table>"
