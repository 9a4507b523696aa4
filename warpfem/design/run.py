"""``warpfem sensitivity`` and ``warpfem tolerance``: solve a model, differentiate its outputs, write
the table, the record and the tornado chart; or spread a tolerance file's inputs through them and
check by sampling."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ModelError
from ..geometry import build_layout
from ..model import Model, ModelLike, load_model
from ..model.load import error_sentence, read_toml
from ..output import atomic_paths
from ..pipeline import Result, process_sequence, solve
from .sensitivity import (BUMP, OUTPUTS, Sensitivity, bump_material_sensitivities, dimension_keys,
                          dimension_sensitivities, material_sensitivities, outputs_of, ranked)
from .spread_chart import write_samples_csv, write_spread_chart
from .table import sensitivity_json, write_sensitivity_csv
from .tolerance import Spread, Tolerance, draw, first_order, read_outputs, sampled, solve_drawn
from .tornado import write_tornado

FILES = ("sensitivity.csv", "sensitivity.json", "tornado.png")


@dataclass
class SensitivityReport:
    """The ranked sensitivities, the dimension keys skipped and why, and the solve they rest on."""

    rows: list[Sensitivity]
    skipped: dict[str, str]
    result: Result
    step: float | None = None
    timings_s: dict[str, float] = field(default_factory=dict)

    def write(self, outdir: str | Path) -> None:
        """OUTDIR/sensitivity.csv, sensitivity.json and tornado.png, all or none."""
        outdir = Path(outdir)
        record = {**sensitivity_json(self.rows, self.skipped, self.result.summary, self.step),
                  "timings_s": {k: round(v, 3) for k, v in self.timings_s.items()}}
        with atomic_paths(*(outdir / f for f in FILES)) as (csv_path, json_path, png_path):
            write_sensitivity_csv(self.rows, csv_path)
            json_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            write_tornado(self.rows, png_path, self.result.summary["model"])


def _refuse_history(model: Model) -> None:
    """Refuse, before any solve, what the adjoint does not follow: a process history or a
    temperature field."""
    if model.thermal is not None:
        raise ModelError("[thermal]: sensitivities cover the uniform cool-down from stress_free_c to temperature_c; "
                         "a model with a temperature field from power is not differentiated yet.")
    if process_sequence(build_layout(model)) is not None:
        raise ModelError("[steps] / [load] viscoelastic: sensitivities cover the elastic cool-down with every part "
                         "bonded at stress_free_c; a process history is not differentiated yet.")


def _raw(model: ModelLike) -> dict | None:
    """The model as plain data, for re-solving it with a key moved; None for a Model object."""
    if isinstance(model, dict):
        return model
    if isinstance(model, (str, Path)) and not (isinstance(model, str) and "\n" in model):
        return read_toml(Path(model), "model file")
    return None


def first_mesh_solves(*known: tuple[dict, dict]) -> Callable[[dict], dict]:
    """A model dict -> its summary, one solve on its first graded mesh, each model solved once:
    the dimension and the critical bump's differences share their nominal solve. ``known``:
    (model, summary) pairs already solved so."""
    done = {_hashable(model): summary for model, summary in known}

    def run(model: dict) -> dict:
        key = _hashable(model)
        if key not in done:
            done[key] = solve(model, target_error=0.0).summary
        return done[key]
    return run


def _hashable(model: dict) -> str:
    return json.dumps(model, sort_keys=True, default=str)


def sensitivities(model: ModelLike, outdir: str | Path | None = None, *, dimensions: bool = True,
                  keys: list[str] | None = None, step: float = 0.01, fast: bool = False,
                  bump_materials: bool = True,
                  progress: Callable[[str], None] | None = None) -> SensitivityReport:
    """Solve ``model`` (refined to its target, or once with ``fast``), then its outputs' adjoint
    sensitivities to every material's E, ν and CTE and, for a family model given as a file or a
    dict, central differences in its lengths (``keys`` of them, each moved by ± ``step`` of its
    value; ``dimensions=False``: none) and, with bumps, of the critical bump's stress in every
    material's constants (``bump_materials=False``: not). Writes the table, the record and the
    chart to ``outdir`` when given."""
    t0 = time.perf_counter()
    raw = _raw(model)
    loaded = load_model(model if raw is None else raw)
    _refuse_history(loaded)
    if progress:
        progress("solving the model")
    result = solve(loaded, target_error=0.0 if fast else None)
    t1 = time.perf_counter()
    if progress:
        progress("adjoint solves")
    rows = material_sensitivities(result.solution)
    t2 = time.perf_counter()
    skipped: dict[str, str] = {}
    used_step = None
    first_mesh = first_mesh_solves(*([(raw, result.summary)] if fast and raw is not None else []))
    if dimensions and raw is not None and (raw.get("model") or {}).get("family"):
        more, skipped = dimension_sensitivities(raw, first_mesh, step, keys,
                                                (lambda key: progress(f"moving {key}")) if progress else None)
        rows, used_step = [*rows, *more], step
    t3 = time.perf_counter()
    if bump_materials and raw is not None and BUMP in outputs_of(result.summary):
        more, also = bump_material_sensitivities(raw, first_mesh, progress=(
            (lambda what: progress(f"moving {what}")) if progress else None))
        rows, skipped = [*rows, *more], {**skipped, **also}
    report = SensitivityReport(ranked(rows), skipped, result, used_step,
                               {"solve": t1 - t0, "adjoint": t2 - t1, "dimensions": t3 - t2,
                                "bump_materials": time.perf_counter() - t3})
    if outdir is not None:
        report.write(outdir)
    return report


# --- tolerance analysis -------------------------------------------------------------------------

TOLERANCE_FILES = ("tolerance.json", "tolerance_samples.csv", "tolerance.png")


class ToleranceFile(BaseModel):
    """A tolerance file: the model (a path relative to the file), the toleranced inputs, the limits
    (per output, on its magnitude) and the sampled check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    tolerance: list[Tolerance] = Field(min_length=1)
    limit: dict[Literal[OUTPUTS], Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    samples: int = Field(1000, ge=0, le=100_000, description="sampled solves that check the first-order spread")
    seed: int = 0
    step: float = Field(0.01, gt=0, le=0.2, description="relative step of a length's differences")


@dataclass
class ToleranceReport:
    """The spreads per output, the drawn inputs and their outputs, and the solve it rests on."""

    spreads: dict[str, Spread]
    tolerances: list[Tolerance]
    drawn: list[dict[str, float]]
    samples: list[dict[str, float]]
    result: Result
    timings_s: dict[str, float] = field(default_factory=dict)

    def write(self, outdir: str | Path) -> None:
        """OUTDIR/tolerance.json, tolerance_samples.csv and tolerance.png, all or none."""
        outdir = Path(outdir)
        record = {"model": self.result.summary["model"], "mesh": {"dofs": self.result.summary["mesh"]["dofs"]},
                  "method": "first order from the sensitivities on the first graded mesh; checked by solving "
                            f"{len(self.samples)} drawn packages",
                  "tolerances": [t.model_dump() | {"sigma": t.sigma} for t in self.tolerances],
                  "outputs": {k: asdict(s) for k, s in self.spreads.items()},
                  "timings_s": {k: round(v, 3) for k, v in self.timings_s.items()}}
        with atomic_paths(*(outdir / f for f in TOLERANCE_FILES)) as (json_path, csv_path, png_path):
            json_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            write_samples_csv(self.drawn, self.samples, csv_path)
            write_spread_chart(self.spreads, self.samples, png_path, self.result.summary["model"])


def tolerance_analysis(path: str | Path, outdir: str | Path | None = None,
                       progress: Callable[[str], None] | None = None) -> ToleranceReport:
    """Read a tolerance file, spread its model's outputs to first order and check by sampling;
    write the record, the samples and the chart to ``outdir`` when given."""
    path = Path(path)
    raw_spec = read_toml(path, "tolerance file")
    try:
        spec = ToleranceFile.model_validate(raw_spec)
    except ValidationError as err:
        raise ModelError(error_sentence(raw_spec, err)) from None
    raw = read_toml(path.parent / spec.model, "model file")
    loaded = load_model(raw)
    _refuse_history(loaded)
    t0 = time.perf_counter()
    if progress:
        progress("solving the model on its first graded mesh")
    result = solve(loaded, target_error=0.0)
    rows = material_sensitivities(result.solution)
    lengths = [t.length for t in spec.tolerance if t.length]
    _check_parameters(spec.tolerance, rows, raw)
    if lengths:
        more, skipped = dimension_sensitivities(raw, first_mesh_solves((raw, result.summary)), spec.step, lengths)
        if skipped:
            key, why = next(iter(skipped.items()))
            raise ModelError(f"[[tolerance]] parameter 'family {key}': its derivative cannot be taken: {why}.")
        rows = [*rows, *more]
    nominal = read_outputs(result.solution)
    spreads = first_order(rows, spec.tolerance, nominal, dict(spec.limit))
    t1 = time.perf_counter()
    values = {r.parameter: r.value for r in rows}
    drawn = draw(spec.tolerance, values, spec.samples, spec.seed)
    samples = solve_drawn(raw, result.solution, drawn, spec.tolerance,
                          (lambda i, n: progress(f"sampled package {i} of {n}")) if progress else None)
    if samples:
        spreads = sampled(spreads, samples)
    report = ToleranceReport(spreads, spec.tolerance, drawn, samples, result,
                             {"sensitivities": t1 - t0, "samples": time.perf_counter() - t1})
    if outdir is not None:
        report.write(outdir)
    return report


def _check_parameters(tolerances: list[Tolerance], rows: list[Sensitivity], raw: dict) -> None:
    """Every toleranced input must be a material constant of the model or a length of its family."""
    known = {r.parameter for r in rows} | {f"family {k}" for k in dimension_keys(raw)}
    for i, t in enumerate(tolerances):
        if t.parameter not in known:
            materials = sorted({r.parameter.rsplit(" ", 1)[0] for r in rows})
            raise ModelError(f"[[tolerance]] {i + 1}, key 'parameter': '{t.parameter}' is neither a material constant "
                             f"of the model (MATERIAL E_gpa, nu or cte_ppm; its materials: {', '.join(materials)}) "
                             f"nor a length of its family ('family KEY').")
