"""The ``warpfem`` command line: mesh, solve, expand, export and check model files (see the model
contract), draw results, and run studies of many variants (see docs/study-format.md)."""

from __future__ import annotations

import contextlib
import signal
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import ModelError
from .memory import settle_memory
from .output.table import summary_table

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Warpage and solder-bump stress of semiconductor packages.")
out = Console()
err = Console(stderr=True)

ModelArg = typer.Argument(..., exists=False, help="model file (TOML)")
SizeOpt = typer.Option(None, "--size", help="in-plane element size in mm (overrides [mesh] size_mm)")
ForceOpt = typer.Option(False, "--force", help="mesh and solve even when the size estimate says the model will "
                                               "not fit this machine's memory")


@app.callback()
def _process() -> None:
    """Warpage and solder-bump stress of semiconductor packages."""
    # before any command: a refinement's steps reuse the memory the one before freed, and fresh
    # memory comes page by page, without the kernel compacting memory for huge pages
    settle_memory()


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


class _StepProgress:
    """The refinement's steps on stderr: a line per finished solve, a spinner for the next."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.status = err.status("meshing and solving", spinner="dots") if enabled else None
        self._last, self._count = None, 1

    def __enter__(self):
        if self.status:
            self.status.__enter__()
        return self

    def __exit__(self, *exc):
        if self.status:
            self.status.__exit__(*exc)

    def __call__(self, step, next_: str) -> None:
        if not self.enabled:
            return
        if step is not self._last:
            bar = "" if step.warpage_error_um is None else f" ± {step.warpage_error_um:.3g}"
            err.print(f"  solve {self._count}: {step.dofs:>9,} dofs  warpage {step.warpage_um:.4g}{bar} µm"
                      f"  ({step.time_s:.1f} s)", highlight=False)
            self._count += 1
            self._last = step
        if next_ != "done":
            self.status.update(f"{next_}, solving again")

    def cycle(self, step: int, steps: int) -> None:
        """The cycled bump's time steps ([cycle] solder = "anand")."""
        if self.enabled:
            self.status.update(f"cycling the critical bump with its solder creeping: time step {step} of {steps}")


@app.command()
def solve(model: Path = ModelArg,
          output: Path = typer.Option(..., "-o", "--output", help="output directory"),
          size: Optional[float] = SizeOpt,
          method: Optional[str] = typer.Option(None, "--method",
                                               help="linear solver: auto, direct or iterative (overrides [solver] method)"),
          target: Optional[float] = typer.Option(None, "--target", min=0.0, max=0.5,
                                                 help="refine until the warpage's estimated relative error is at most "
                                                      "this, e.g. 0.005 (overrides [mesh] target_error)"),
          fast: bool = typer.Option(False, "--fast", help="one solve on the first graded mesh, no error estimate "
                                                          "(for studies that only rank designs)"),
          quiet: bool = typer.Option(False, "-q", "--quiet", help="print nothing on success"),
          report: bool = typer.Option(False, "--report", help="also write OUTDIR/report.html (pictures)"),
          force: bool = ForceOpt) -> None:
    """Solve MODEL; write OUTDIR/summary.json, OUTDIR/result.vtu and, with bumps, OUTDIR/bumps.csv.

    The mesh is graded toward the package's material edges and refined where the error is until
    the warpage's estimated error is under [mesh] target_error (1 % by default)."""
    from .pipeline import solve as run

    if method not in (None, "auto", "direct", "iterative"):
        _fail(f"option '--method': '{method}' is not one of auto, direct, iterative.", 2)
    if fast and target is not None:
        _fail("options '--fast' and '--target': give one of them (--fast is --target 0).", 2)
    def estimated(size_estimate) -> None:
        if not quiet:
            err.print(f"size estimate: {size_estimate.text()}", highlight=False)

    with _interruptible(_NOTHING_WRITTEN), _StepProgress(not quiet and err.is_terminal) as progress:
        result = _guarded(run, model, output, size_mm=size, method=method, target_error=0.0 if fast else target,
                          progress=progress, force=force, estimated=estimated, cycle_progress=progress.cycle)
    if not quiet:
        out.print(summary_table(result.summary))
        written = ", ".join(str(output / n) for n in ("summary.json", "result.vtu") + (("bumps.csv",) if result.bumps else ())
                            + (("creep_loop.csv",) if result.creep else ()))
        out.print(f"wrote {written}", highlight=False)
    if report:
        _write_report(result, output, quiet)


@app.command("sweep-temperature")
def sweep_temperature(model: Path = ModelArg,
                      output: Path = typer.Option(..., "-o", "--output", help="output directory"),
                      temperatures: Optional[str] = typer.Option(
                          None, "--temperatures", help="comma-separated °C, in profile order (default: 25 → 260 → 25 °C "
                                                       "at shadow-moiré read points)"),
                      limit: Optional[str] = typer.Option(
                          None, "--limit-um", help="allowed warpage: one value (±) or 'low,high' in µm, drawn and "
                                                   "checked at every temperature"),
                      target: Optional[float] = typer.Option(None, "--target", min=0.0, max=0.5,
                                                             help="refine the mesh at [load] temperature_c to this "
                                                                  "estimated relative error (default [mesh] target_error)"),
                      fast: bool = typer.Option(False, "--fast", help="one graded mesh, no error estimate"),
                      pictures: bool = typer.Option(True, "--pictures/--no-pictures",
                                                    help="report.html with the moiré view at each temperature"),
                      quiet: bool = typer.Option(False, "-q", "--quiet", help="print nothing on success"),
                      force: bool = ForceOpt) -> None:
    """Warpage and coplanarity of MODEL at each temperature of a reflow profile: OUTDIR/sweep.csv,
    sweep.json, sweep.png (the curve) and report.html. Materials follow temperature when the model
    sets [load] material_properties = "temperature_dependent"; with "viscoelastic" the profile is
    traversed in time after the process, at [load] ramp_k_per_min."""
    from .sweep import DEFAULT_PROFILE_C, parse_temperatures, sweep_temperature as run

    if fast and target is not None:
        _fail("options '--fast' and '--target': give one of them (--fast is --target 0).", 2)
    try:
        temps = DEFAULT_PROFILE_C if temperatures is None else parse_temperatures(temperatures)
    except ValueError as e:
        _fail(f"option '--temperatures': {e}.", 2)
    limits = None
    if limit is not None:
        try:
            values = [float(v) for v in limit.split(",")]
        except ValueError:
            values = []
        if len(values) not in (1, 2) or (len(values) == 2 and not values[0] < values[1]) or (len(values) == 1 and values[0] <= 0):
            _fail(f"option '--limit-um': '{limit}' is neither one positive value nor 'low,high' with low < high.", 2)
        limits = (-abs(values[0]), abs(values[0])) if len(values) == 1 else (values[0], values[1])
    if pictures:
        try:
            from .pictures.backend import pyvista
            pyvista()
        except (ImportError, OSError) as e:
            _fail(f"option '--pictures': {e} (or give --no-pictures).", 2)
    with _interruptible(_NOTHING_WRITTEN), _StepProgress(not quiet and err.is_terminal) as progress:
        def point(t: float) -> None:
            if progress.status:
                progress.status.update(f"solving at {t:g} °C")
        sweep = _guarded(run, model, temps, target_error=0.0 if fast else target, progress=progress, on_point=point,
                         force=force)
        if progress.status:
            progress.status.update("writing the curve and the report")
        written = sweep.write(output, limits, pictures)
    if not quiet:
        out.print(sweep_table(sweep, limits))
        out.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False)


def sweep_table(sweep, limits) -> Table:
    """A row per temperature of the profile."""
    t = Table(title=f"warpfem — {sweep.model.name} across temperature ({sweep.model.load.material_properties.replace('_', ' ')})")
    for c in ("°C", "branch", "warpage µm", "coplanarity µm", "shape") + (("within limits",) if limits else ()):
        t.add_column(c, justify="right")
    for p in sweep.points:
        row = [f"{p.temperature_c:g}", p.branch, f"{p.warpage_um:.4g}", f"{p.coplanarity_um:.4g}", p.shape]
        if limits:
            row.append("yes" if limits[0] <= p.warpage_um <= limits[1] else "[bold red]no[/]")
        t.add_row(*row)
    e = sweep.error
    t.caption = (f"error bar at {sweep.reference_c:g} °C: ±{e['warpage_um']:.3g} µm" if e.get("estimated")
                 else "no error estimate (--fast)") + f"; {sweep.systems} stiffness system(s); {sweep.timings_s['total']:.1f} s"
    return t


@app.command()
def mesh(model: Path = ModelArg,
         output: Path = typer.Option(..., "-o", "--output", help="mesh file (.msh or .vtu)"),
         size: Optional[float] = SizeOpt, force: bool = ForceOpt) -> None:
    """Mesh MODEL into a Gmsh file with one physical group per part."""
    from .output import MESH_WRITERS
    from .pipeline import mesh as run

    if output.suffix.lower() not in MESH_WRITERS:
        _fail(f"output '{output}': the mesh format is chosen by extension, one of {', '.join(MESH_WRITERS)}.", 2)
    m = _guarded(run, model, output, size_mm=size, force=force)
    out.print(f"wrote {output}: {m.n_nodes} nodes, {m.n_elements} hex20 elements, {len(m.part_names)} parts",
              highlight=False)


@app.command()
def export(model: Path = ModelArg,
           output: Path = typer.Option(..., "-o", "--output", help="CalculiX / Abaqus deck (.inp)"),
           size: Optional[float] = SizeOpt,
           element: str = typer.Option("C3D20", "--element", help="C3D20 (as warpfem) or C3D20R"),
           stress: list[str] = typer.Option([], "--stress", help="part whose integration-point stresses "
                                                                 "the deck prints (repeatable)"),
           force: bool = ForceOpt) -> None:
    """Write MODEL's mesh, materials, load and supports as a CalculiX / Abaqus input deck."""
    from .output import atomic_paths
    from .output.inp import ELEMENT_TYPES, write_inp
    from .pipeline import layout_and_mesh, process_sequence

    if element not in ELEMENT_TYPES:
        _fail(f"option '--element': '{element}' is not one of {', '.join(ELEMENT_TYPES)}.", 2)
    layout, m = _guarded(layout_and_mesh, model, size_mm=size, force=force)
    if layout.model.load.viscoelastic:
        _fail("[load], key 'material_properties': a deck holds one elastic state; export does not write a process "
              "in time (relaxation, cure shrinkage) yet, so it would not be this model.", 2)
    if process_sequence(layout) is not None:
        _fail("[[steps]], key 'temperature_c': a deck holds one state, every part bonded at stress_free_c; "
              "export does not write process steps (element birth) yet, so it would not be this model.", 2)
    unknown = [p for p in stress if p not in m.part_names]
    if unknown:
        _fail(f"option '--stress': the model has no part '{unknown[0]}'.", 2)
    with atomic_paths(output) as (tmp,):
        write_inp(layout, m, tmp, element, stress)
    out.print(f"wrote {output}: {m.n_nodes} nodes, {m.n_elements} {element} elements", highlight=False)


@app.command()
def expand(model: Path = ModelArg,
           output: Path = typer.Option(..., "-o", "--output", help="parts-only model file (TOML)")) -> None:
    """Expand a family model into the equivalent parts-only model."""
    from .pipeline import expand as run

    m = _guarded(run, model, output)
    out.print(f"wrote {output}: {len(m.parts)} parts", highlight=False)


@app.command()
def show(source: Path = typer.Argument(..., help="output directory, result.vtu, or a model file (parts views)"),
         view: str = typer.Option("deformed", "--view", help="deformed, moire, stress, exploded or section"),
         part: Optional[str] = typer.Option(None, "--part", help="the part the stress view colours"),
         scale: Optional[float] = typer.Option(None, "--scale", help="displacement exaggeration (default: automatic)"),
         z_scale: Optional[float] = typer.Option(None, "--z-scale", help="thickness exaggeration (default: automatic)"),
         hide_others: bool = typer.Option(False, "--hide-others", help="stress view: hide the other parts"),
         section_y: Optional[float] = typer.Option(None, "--section-y", help="y of the section cut in mm (default: centre)"),
         screenshot: Optional[Path] = typer.Option(None, "--screenshot", help="write this PNG instead of opening a window"),
         size: str = typer.Option("1200x800", "--size", help="picture size in pixels, WIDTHxHEIGHT")) -> None:
    """Show a result (or a model's parts) in a PyVista window, or write it as a PNG."""
    from . import pictures

    try:
        window = tuple(int(v) for v in size.lower().split("x"))
        if len(window) != 2 or min(window) < 16:
            raise ValueError
    except ValueError:
        _fail(f"--size '{size}': give the picture size as WIDTHxHEIGHT in pixels, e.g. 1200x800.", 2)
    if screenshot is None and not pictures.has_display():
        _fail("no display to open a window on: pass --screenshot FILE.png to write a picture instead.", 2)
    options = {"part": part, "scale": scale, "z_scale": z_scale, "others": "hidden" if hide_others else "faded",
               "section_y_mm": section_y, "window_size": window, "off_screen": screenshot is not None}
    try:
        plotter = _guarded(pictures.plot, source, view, **options)
        if screenshot is None:
            plotter.show(title=f"warpfem — {source}")
        else:
            pictures.save_picture(plotter, screenshot)
            out.print(f"wrote {screenshot}", highlight=False)
    except (ImportError, OSError, ValueError) as e:
        _fail(str(e), 2)


@app.command()
def bumps(outdir: Path = typer.Argument(..., help="output directory of `warpfem solve`"),
          quantity: str = typer.Option("avg_von_mises_mpa", "--quantity",
                                       help="a bumps.csv column, e.g. avg_von_mises_mpa, avg_shear_mpa, "
                                            "max_von_mises_mpa, cycles_to_failure"),
          output: Optional[Path] = typer.Option(None, "-o", "--output", help="PNG file (default OUTDIR/bumps_map.png)")) -> None:
    """Draw one column of OUTDIR/bumps.csv over the bump array, the critical bump marked."""
    from .pictures.bump_map import write_bump_map

    try:
        path = write_bump_map(outdir, quantity, output)
    except (ImportError, OSError, ValueError) as e:
        _fail(str(e), 2)
    out.print(f"wrote {path}", highlight=False)


@app.command()
def loop(outdir: Path = typer.Argument(..., help="output directory of `warpfem solve` with [cycle] solder = \"anand\""),
         output: Optional[Path] = typer.Option(None, "-o", "--output", help="PNG file (default OUTDIR/creep_loop.png)")) -> None:
    """Draw the cycled bump's hysteresis loop (OUTDIR/creep_loop.csv): shear stress against shear
    strain, one colour per cycle."""
    from .pictures.creep_loop import write_creep_loop

    try:
        path = write_creep_loop(outdir, output)
    except (ImportError, OSError, ValueError, KeyError) as e:
        _fail(str(e) if not isinstance(e, KeyError) else f"'{outdir}/summary.json' has no bumps.creep block.", 2)
    out.print(f"wrote {path}", highlight=False)


@app.command()
def report(outdir: Path = typer.Argument(..., help="output directory of `warpfem solve` or `warpfem study`")) -> None:
    """Write OUTDIR/report.html: one self-contained page with the summary, materials and every
    picture of a solve, or the cases and plots of a study."""
    _write_report(outdir, outdir, False)


def _write_report(source, outdir: Path, quiet: bool) -> None:
    from .pictures import write_report

    try:
        path = write_report(source, outdir)
    except (ImportError, OSError, ValueError) as e:
        _fail(str(e), 2)
    if not quiet:
        out.print(f"wrote {path}", highlight=False)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _interruptible(what: str):
    """Ctrl-C or SIGTERM ends the command with one sentence, exit 130, and (results being
    written whole) no partial files; ``what`` says what is kept."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    except KeyboardInterrupt:
        _fail(f"interrupted; {what}", 130)
    finally:
        signal.signal(signal.SIGTERM, previous)


_NOTHING_WRITTEN = "nothing was written (results are written whole, at the end)."


def study_table(table) -> Table:
    """A row per case: status and the headline numbers (the full table is results.csv)."""
    t = Table(title=f"study — {len(table)} cases", title_justify="left", header_style="bold")
    t.add_column("case", overflow="fold", min_width=20)
    t.add_column("status", overflow="fold", min_width=6)
    for name in ("warpage\n[µm]", "coplanarity\n[µm]", "die vM\n[MPa]", "bump vM\n[MPa]"):
        t.add_column(name, justify="right", no_wrap=True)
    fmt = lambda v: "" if v is None else f"{v:.2f}"  # noqa: E731
    for r in table.rows:
        status = r["status"] if r["status"] != "failed" else f"[red]failed[/]: {escape(r['error'])}"
        t.add_row(escape(r["case"]), status, fmt(r.get("warpage_um")), fmt(r.get("coplanarity_um")),
                  fmt(r.get("die.max_von_mises_mpa")), fmt(r.get("bumps.max_von_mises_mpa")))
    return t


@app.command()
def study(study_file: Path = typer.Argument(..., help="study file (TOML)"),
          output: Path = typer.Option(..., "-o", "--output", help="output directory"),
          workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                                help="local worker processes (default: one per core)"),
          scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                  help="Dask scheduler address (e.g. tcp://host:8786) to run the cases on"),
          fields: Optional[bool] = typer.Option(None, "--fields/--no-fields",
                                                help="keep each case's result.vtu (default: the study's [study] fields)"),
          quiet: bool = typer.Option(False, "-q", "--quiet", help="no progress bar or table"),
          force: bool = ForceOpt) -> None:
    """Run a STUDY of variants; write OUTDIR/results.csv and OUTDIR/plots/*.png.

    Cases already stored in OUTDIR/cases are not solved again; exit code 1 if any case failed."""
    from .studies import run_study

    with _interruptible("the finished cases are stored, so rerunning the study resumes where it stopped."):
        table = _guarded(run_study, study_file, output, workers=workers, scheduler=scheduler, fields=fields,
                         progress=not quiet, force=force)
    if not quiet:
        out.print(study_table(table))
        out.print(f"wrote {table.csv_path} and {len(table.plots)} plots in {output / 'plots'}", highlight=False)
    if table.failed:
        _fail(f"{len(table.failed)} of {len(table)} cases failed; their errors are in {table.csv_path}.", 1)


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


def sensitivity_table(rows, top: int = 6) -> Table:
    """Per output, its ``top`` largest normalised sensitivities."""
    from .design.sensitivity import LABELS
    from .design.table import unit_of

    t = Table(title="sensitivities (% per %: the output's % change per % change of the input)")
    for col in ("output", "input", "% per %", "derivative", "by"):
        t.add_column(col, justify="right" if col in ("% per %", "derivative") else "left")
    shown: dict[str, int] = {}
    for r in rows:
        shown[r.output] = shown.get(r.output, 0) + 1
        if shown[r.output] <= top:
            t.add_row(LABELS.get(r.output, r.output), r.parameter.removeprefix("family "),
                      "" if r.normalised is None else f"{r.normalised:+.3f}",
                      f"{r.derivative:.4g} {unit_of(r.output)}/{unit_of(r.parameter)}",
                      r.method.split(" ")[0] + (" (uncertain)" if r.uncertain else ""))
    return t


@app.command()
def sensitivity(model: Path = ModelArg,
                output: Path = typer.Option(..., "-o", "--output", help="output directory"),
                dimensions: bool = typer.Option(True, "--dimensions/--no-dimensions",
                                                help="also differentiate a family model's lengths (two solves each)"),
                key: Optional[list[str]] = typer.Option(None, "--key", help="only this family length (repeatable)"),
                step: float = typer.Option(0.01, "--step", min=1e-5, max=0.2,
                                           help="relative step of the dimension differences"),
                fast: bool = typer.Option(False, "--fast", help="differentiate one solve on the first graded mesh"),
                bump_materials: bool = typer.Option(True, "--bump-materials/--no-bump-materials",
                                                    help="with bumps, also difference the critical bump's stress in "
                                                         "every material's E, ν and CTE (two solves each)"),
                quiet: bool = typer.Option(False, "-q", "--quiet", help="print nothing on success")) -> None:
    """Which input moves warpage, coplanarity and die stress most: adjoint derivatives with respect
    to every material's E, ν and CTE, central differences in a family's lengths; writes
    OUTDIR/sensitivity.csv, sensitivity.json and tornado.png."""
    from .design.run import FILES, sensitivities

    with _interruptible(_NOTHING_WRITTEN), err.status("solving", spinner="dots") as status:
        def progress(what: str) -> None:
            if not quiet:
                status.update(what)
        report = _guarded(sensitivities, model, output, dimensions=dimensions, keys=key or None, step=step, fast=fast,
                          bump_materials=bump_materials, progress=progress)
    if not quiet:
        out.print(sensitivity_table(report.rows))
        for k, why in report.skipped.items():
            out.print(f"skipped {k}: {why}", highlight=False)
        out.print(f"wrote {', '.join(str(output / f) for f in FILES)}", highlight=False)


def tolerance_table(spreads) -> Table:
    """Per output: nominal, first-order and sampled σ, yield, and the input with the largest share."""
    from .design.sensitivity import LABELS

    t = Table(title="spread from the tolerances (first order, and sampled)")
    for col in ("output", "nominal", "σ first order", "σ sampled", "yield", "largest share"):
        t.add_column(col, justify="left" if col in ("output", "largest share") else "right")
    for name, s in spreads.items():
        top = max(s.shares.items(), key=lambda kv: kv[1]) if s.shares else ("", 0.0)
        y = "" if s.limit is None else (f"{100 * s.yield_first_order:.2f} %" + (
            "" if s.yield_sampled is None else f" ({100 * s.yield_sampled:.2f} %)"))
        t.add_row(LABELS.get(name, name), f"{s.nominal:.4g}", f"{s.sigma:.3g}",
                  "" if s.sampled_sigma is None else f"{s.sampled_sigma:.3g}", y, f"{top[0]} ({100 * top[1]:.0f} %)")
    return t


@app.command()
def tolerance(tolerance_file: Path = typer.Argument(..., help="tolerance file (TOML): model, [[tolerance]], [limit]"),
              output: Path = typer.Option(..., "-o", "--output", help="output directory"),
              quiet: bool = typer.Option(False, "-q", "--quiet", help="print nothing on success")) -> None:
    """How tolerances on E, ν, CTE and a family's lengths spread warpage, coplanarity and die
    stress: first order from the sensitivities, checked by solving sampled packages, with the
    yield against the file's limits; writes OUTDIR/tolerance.json, tolerance_samples.csv and
    tolerance.png."""
    from .design.run import TOLERANCE_FILES, tolerance_analysis

    with _interruptible(_NOTHING_WRITTEN), err.status("solving", spinner="dots") as status:
        def progress(what: str) -> None:
            if not quiet:
                status.update(what)
        report = _guarded(tolerance_analysis, tolerance_file, output, progress=progress)
    if not quiet:
        out.print(tolerance_table(report.spreads))
        out.print(f"wrote {', '.join(str(output / f) for f in TOLERANCE_FILES)}", highlight=False)


def optimum_table(report) -> Table:
    """The best design: its variables, then each objective or constrained output as searched and
    as re-solved on the design's own refined mesh (± its error estimate where it has one)."""
    from .design.sensitivity import LABELS

    o = report.optimum
    record = report.record()
    n = record["evaluations"]
    t = Table(title=f"{o.spec.optimise.name}: best of {n['search_and_references']} evaluations "
                    f"({n['solved']} solved now, {n['stored']} read back, {n['failed']} failed)",
              title_justify="left")
    for col in ("", "search", "refined", "limit"):
        t.add_column(col, justify="left" if not col else "right")
    for key, value in o.best.values.items():
        t.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value), "", "")
    error = (o.refined.summary or {}).get("error") or {} if o.refined else {}
    shown = {o.spec.optimise.objective: (LABELS.get(o.spec.optimise.objective), "")} | {
        c.column: (c.label, f"{c.relation} {limit:.4g}") for c, limit in zip(o.spec.constraint, o.limits)}
    for name, (label, limit) in shown.items():
        refined = o.refined.outputs.get(name) if o.refined else None
        bar = error.get(name.removeprefix("bump_")) if error.get("estimated") else None
        t.add_row(label or name, f"{o.best.outputs.get(name, float('nan')):.4g}",
                  "" if refined is None else f"{refined:.4g}" + (f" ± {bar:.2g}" if isinstance(bar, (int, float)) else ""),
                  limit)
    t.add_row("feasible", "yes" if o.best.feasible else "[red]no[/]",
              "" if o.refined is None else ("yes" if o.refined.feasible else "[red]no[/]"), "")
    return t


@app.command()
def optimise(optimise_file: Path = typer.Argument(..., help="optimisation file (TOML): [optimise], [[variable]], "
                                                           "[[constraint]], [[reference]]"),
             output: Path = typer.Option(..., "-o", "--output", help="output directory"),
             scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                     help="Dask scheduler address to solve the designs on"),
             quiet: bool = typer.Option(False, "-q", "--quiet", help="print nothing on success")) -> None:
    """Search family keys and part sizes for the design that best meets an objective under
    constraints (SciPy's COBYQA); writes OUTDIR/optimise.json, history.csv, history.png, the best
    design as best.toml and a grid study around it as check_study.toml. Every solve is stored in
    OUTDIR/cases, so rerunning resumes; exit code 1 if no design met the constraints."""
    from .design.optimise_run import FILES, optimise as run_optimise

    with _interruptible("the designs solved are stored, so rerunning the optimisation resumes where it stopped."), \
            err.status("solving", spinner="dots") as status:
        def progress(what: str) -> None:
            if not quiet:
                status.update(what)
        report = _guarded(run_optimise, optimise_file, output, scheduler=scheduler, progress=progress)
    o = report.optimum
    if o.best is None:
        _fail("no design could be solved; the errors are in " + str(output / "history.csv"), 1)
    if not quiet:
        out.print(optimum_table(report))
        out.print(f"wrote {', '.join(str(output / f) for f in FILES)}", highlight=False)
    if not o.best.feasible:
        _fail(f"no design met the constraints; the nearest is in {output / 'best.toml'}.", 1)


@app.command()
def check(model: Path = ModelArg) -> None:
    """Judge a family model's design against its seed's claims (no solve)."""
    from .model.claims import check_model

    out.print(claims_table(_guarded(check_model, model)))


if __name__ == "__main__":  # pragma: no cover
    app()
