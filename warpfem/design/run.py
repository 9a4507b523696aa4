"""``warpfem sensitivity``: solve a model, differentiate its outputs, write the table, the record
and the tornado chart."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ModelError
from ..geometry import build_layout
from ..model import Model, ModelLike, load_model
from ..model.load import read_toml
from ..output import atomic_paths
from ..pipeline import Result, process_sequence, solve
from .sensitivity import Sensitivity, dimension_sensitivities, material_sensitivities, ranked
from .table import sensitivity_json, write_sensitivity_csv
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


def sensitivities(model: ModelLike, outdir: str | Path | None = None, *, dimensions: bool = True,
                  keys: list[str] | None = None, step: float = 0.01, fast: bool = False,
                  progress: Callable[[str], None] | None = None) -> SensitivityReport:
    """Solve ``model`` (refined to its target, or once with ``fast``), then its outputs' adjoint
    sensitivities to every material's E, ν and CTE and, for a family model given as a file or a
    dict, central differences in its lengths (``keys`` of them, each moved by ± ``step`` of its
    value; ``dimensions=False``: none). Writes the table, the record and the chart to ``outdir``
    when given."""
    t0 = time.perf_counter()
    _refuse_history(load_model(model))
    if progress:
        progress("solving the model")
    result = solve(model, target_error=0.0 if fast else None)
    t1 = time.perf_counter()
    if progress:
        progress("adjoint solves")
    rows = material_sensitivities(result.solution)
    t2 = time.perf_counter()
    raw = _raw(model)
    skipped: dict[str, str] = {}
    used_step = None
    if dimensions and raw is not None and (raw.get("model") or {}).get("family"):
        more, skipped = dimension_sensitivities(raw, lambda m: solve(m, target_error=0.0).summary, step, keys,
                                                (lambda key: progress(f"moving {key}")) if progress else None)
        rows, used_step = [*rows, *more], step
    report = SensitivityReport(ranked(rows), skipped, result, used_step,
                               {"solve": t1 - t0, "adjoint": t2 - t1, "dimensions": time.perf_counter() - t2})
    if outdir is not None:
        report.write(outdir)
    return report
