"""The ``warpfem`` command line: mesh, solve, expand and check model files (see the model contract)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table

from .errors import ModelError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Warpage and solder-bump stress of semiconductor packages.")
out = Console()
err = Console(stderr=True)

ModelArg = typer.Argument(..., exists=False, help="model file (TOML)")
SizeOpt = typer.Option(None, "--size", help="in-plane element size in mm (overrides [mesh] size_mm)")


def _fail(message: str, code: int) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _guarded(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ModelError as e:
        _fail(str(e), 2)
    except MemoryError:
        _fail("out of memory: coarsen the mesh ([mesh] size_mm) or use symmetry = \"quarter\".", 3)


def summary_table(summary: dict) -> Group:
    """The headline numbers of a summary, and a row per part, as rich tables."""
    head = Table(title=f"warpfem — {summary['model']}", show_header=False, title_justify="left")
    head.add_column("quantity", style="bold")
    head.add_column("value", justify="right")
    head.add_column("unit")
    head.add_row("warpage", f"{summary['warpage_um']:.2f}", f"µm ({summary['shape']})")
    head.add_row("coplanarity", f"{summary['coplanarity_um']:.2f}", "µm")
    if "bumps" in summary:
        b = summary["bumps"]
        head.add_row("bump max von Mises", f"{b['max_von_mises_mpa']:.1f}", "MPa")
        head.add_row("bump max shear / peel", f"{b['max_shear_mpa']:.1f} / {b['max_peel_mpa']:.1f}", "MPa")
        head.add_row("critical bump at", f"({b['critical_bump_xy_mm'][0]:g}, {b['critical_bump_xy_mm'][1]:g})", "mm")
    m, ts = summary["mesh"], summary["timings_s"]
    head.add_row("mesh", f"{m['elements']} hex20, {m['dofs']} dofs", f"size {m['size_mm']:g} mm")
    head.add_row("time", f"{ts['total']:.2f}",
                 "s (" + ", ".join(f"{k} {v:.2f}" for k, v in ts.items() if k != "total") + ")")
    head.add_row("peak memory", f"{summary['memory_mb']:.0f}", "MB")
    parts = Table(show_header=True, header_style="bold", title_justify="left")
    parts.add_column("part")
    parts.add_column("material")
    parts.add_column("max von Mises [MPa]", justify="right")
    parts.add_column("max principal [MPa]", justify="right")
    for name, p in summary["parts"].items():
        parts.add_row(name, p["material"], f"{p['max_von_mises_mpa']:.1f}", f"{p['max_principal_mpa']:.1f}")
    return Group(head, parts)


@app.command()
def solve(model: Path = ModelArg,
          output: Path = typer.Option(..., "-o", "--output", help="output directory"),
          size: Optional[float] = SizeOpt,
          quiet: bool = typer.Option(False, "-q", "--quiet", help="print nothing on success")) -> None:
    """Solve MODEL; write OUTDIR/summary.json and OUTDIR/result.vtu."""
    from .pipeline import solve as run

    result = _guarded(run, model, output, size_mm=size)
    if not quiet:
        out.print(summary_table(result.summary))
        out.print(f"wrote {output / 'summary.json'} and {output / 'result.vtu'}", highlight=False)


@app.command()
def mesh(model: Path = ModelArg,
         output: Path = typer.Option(..., "-o", "--output", help="mesh file (.msh or .vtu)"),
         size: Optional[float] = SizeOpt) -> None:
    """Mesh MODEL into a Gmsh file with one physical group per part."""
    from .output import MESH_WRITERS
    from .pipeline import mesh as run

    if output.suffix.lower() not in MESH_WRITERS:
        _fail(f"output '{output}': the mesh format is chosen by extension, one of {', '.join(MESH_WRITERS)}.", 2)
    m = _guarded(run, model, output, size_mm=size)
    out.print(f"wrote {output}: {m.n_nodes} nodes, {m.n_elements} hex20 elements, {len(m.part_names)} parts",
              highlight=False)


@app.command()
def expand(model: Path = ModelArg,
           output: Path = typer.Option(..., "-o", "--output", help="parts-only model file (TOML)")) -> None:
    """Expand a family model into the equivalent parts-only model."""
    from .pipeline import expand as run

    m = _guarded(run, model, output)
    out.print(f"wrote {output}: {len(m.parts)} parts", highlight=False)


_VERDICT_STYLE = {"satisfied": "green", "missed": "red", "not judged": "yellow"}


def claims_table(report) -> Table:
    """A family model's seed claims, the design's numbers and the verdicts, as a rich table."""
    table = Table(title=f"seed {report.seed} ({report.title}) — {report.model}", title_justify="left",
                  header_style="bold")
    for column in ("claims", "requirement", "this design", "verdict"):
        table.add_column(column)
    for c in report.checks:
        table.add_row(c.claims, c.requirement, c.design, f"[{_VERDICT_STYLE[c.verdict]}]{c.verdict}[/]")
    return table


@app.command()
def check(model: Path = ModelArg) -> None:
    """Judge a family model's design against its seed's claims (no solve)."""
    from .model.claims import check_model

    out.print(claims_table(_guarded(check_model, model)))


if __name__ == "__main__":  # pragma: no cover
    app()
