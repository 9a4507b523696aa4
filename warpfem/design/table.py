"""OUTDIR/sensitivity.csv and sensitivity.json: one row per output and input, ranked, with units."""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path

from .sensitivity import Sensitivity, outputs_of

COLUMNS = ("output", "parameter", "kind", "value", "output_value", "derivative", "derivative_unit",
           "normalised_pct_per_pct", "method", "derivative_error", "uncertain")

_UNITS = {"um": "µm", "mpa": "MPa", "gpa": "GPa", "ppm": "ppm/K", "mm": "mm", "nu": "1", "c": "°C", "w": "K/W"}


def unit_of(name: str) -> str:
    """The unit a name ends in: ``warpage_um`` µm, ``silicon E_gpa`` GPa, ``nu`` 1."""
    return _UNITS.get(name.rsplit(" ", 1)[-1].rsplit("_", 1)[-1].lower(), "")


def write_sensitivity_csv(rows: list[Sensitivity], path: Path) -> None:
    """Write the rows in their order, figures to 6 significant digits; an empty normalised cell
    where the output is zero."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r.output, r.parameter, r.kind, f"{r.value:.6g}", f"{r.output_value:.6g}", f"{r.derivative:.6g}",
                        f"{unit_of(r.output)} per {unit_of(r.parameter)}",
                        "" if r.normalised is None else f"{r.normalised:.6g}", r.method,
                        "" if r.error is None else f"{r.error:.3g}", "yes" if r.uncertain else ""])


def sensitivity_json(rows: list[Sensitivity], skipped: dict[str, str], summary: dict, step: float | None) -> dict:
    """The machine-readable record: the solve it rests on, every row, the keys skipped and why."""
    return {
        "model": summary["model"],
        "outputs": outputs_of(summary),
        "mesh": {"dofs": summary["mesh"]["dofs"], "steps": summary["mesh"].get("steps", 1)},
        "error": {k: summary["error"].get(k) for k in ("estimated", "warpage_um", "coplanarity_um") if k in summary["error"]},
        "materials": "adjoint on the solved mesh: E scales every modulus, CTE every axis's expansion, ν the "
                     "Poisson ratio(s); values at the load's temperature; the critical bump's stress (its submodel "
                     "has no adjoint) by central differences of single solves on the first graded mesh, step 0.001 "
                     "of each value",
        "dimensions": None if step is None else f"central differences of single solves on the first graded mesh, "
                                                f"step {step:g} of each value",
        "rows": [{**asdict(r), "derivative_unit": f"{unit_of(r.output)} per {unit_of(r.parameter)}",
                  "uncertain": r.uncertain} for r in rows],
        "skipped": skipped,
    }
