"""The study's table: one row per case, its varied values and its summary flattened.

Column names are the summary's keys joined by dots (``bumps.max_von_mises_mpa``,
``parts.die.max_principal_mpa``, ``timings_s.total``), so their units are the summary's. Two
columns are the study's own: ``die.max_von_mises_mpa`` and ``die.max_principal_mpa``, the
largest over the parts the study names as the die (``[study] die``).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..output import atomic_paths

#: the columns every study has, in front of the summary's
CASE_COLUMNS = ["case", "kind", "status", "error", "model_hash"]

#: the headline metrics, first after the varied keys (the rest follow in the summary's order)
HEADLINE = ["warpage_um", "error.warpage_um", "coplanarity_um", "shape", "die.max_von_mises_mpa", "die.max_principal_mpa",
            "bumps.max_von_mises_mpa", "bumps.critical_avg_von_mises_mpa", "bumps.max_shear_mpa", "bumps.max_peel_mpa",
            "bumps.creep.life.energy_density_mpa", "bumps.creep.life.characteristic_life_cycles",
            "bumps.critical_bump_xy_mm", "bumps.part", "mesh.dofs", "timings_s.total"]


def flatten_summary(summary: dict, prefix: str = "") -> dict[str, Any]:
    """Nested summary keys joined by dots; lists kept whole."""
    out: dict[str, Any] = {}
    for k, v in summary.items():
        if isinstance(v, dict):
            out.update(flatten_summary(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def die_stress(summary: dict, die_parts: list[str]) -> dict[str, float]:
    """The largest von Mises and principal stress (MPa) over the die part(s) present."""
    parts = [summary["parts"][p] for p in die_parts if p in summary.get("parts", {})]
    if not parts:
        return {}
    return {f"die.{k}": max(p[k] for p in parts) for k in ("max_von_mises_mpa", "max_principal_mpa")}


def metrics_row(summary: dict, die_parts: list[str]) -> dict[str, Any]:
    return {**flatten_summary(summary), **die_stress(summary, die_parts)}


@dataclass
class StudyTable:
    """A finished study: a row per case (dicts keyed by ``columns``) and the files written."""

    columns: list[str]
    rows: list[dict[str, Any]]
    varied: list[str]
    outdir: Path
    plots: list[Path] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def row(self, case: str) -> dict[str, Any]:
        """The row of the case called ``case``."""
        for r in self.rows:
            if r["case"] == case:
                return r
        raise KeyError(case)

    def column(self, name: str) -> list[Any]:
        """One column, a value per case (None where the case has none)."""
        return [r.get(name) for r in self.rows]

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "failed"]

    @property
    def csv_path(self) -> Path:
        return self.outdir / "results.csv"

    def markdown(self, metrics: list[str] | None = None, digits: int = 1) -> str:
        """The table as Markdown: case, the varied keys and ``metrics`` (default: the headline
        numbers), numbers rounded to ``digits`` decimals."""
        metrics = metrics or [c for c in MARKDOWN_METRICS if any(r.get(c) is not None for r in self.rows)]
        columns = ["case", *self.varied, *metrics]
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for r in self.rows:
            cells = [r["case"], *(_markdown_cell(r.get(c), None) for c in self.varied),
                     *(_markdown_cell(r.get(c), digits) if r["status"] != "failed" else "failed" for c in metrics)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


#: the columns a Markdown table shows by default
MARKDOWN_METRICS = ["warpage_um", "coplanarity_um", "die.max_von_mises_mpa", "die.max_principal_mpa",
                    "bumps.max_von_mises_mpa", "bumps.critical_avg_von_mises_mpa",
                    "bumps.creep.life.energy_density_mpa", "bumps.creep.life.characteristic_life_cycles"]


def _markdown_cell(value: Any, digits: int | None) -> str:
    """A value as the table shows it: floats to ``digits`` decimals (None: as short as exact)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:g}" if digits is None else f"{value:.{digits}f}"
    return str(value) if not isinstance(value, (list, dict, bool)) else json.dumps(value)


def order_columns(varied: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """Case columns, varied keys, headline metrics, then every other summary key as first seen."""
    seen: dict[str, None] = dict.fromkeys(CASE_COLUMNS + varied)
    present = {k for r in rows for k in r}
    seen.update(dict.fromkeys(k for k in HEADLINE if k in present))
    for r in rows:
        seen.update(dict.fromkeys(r))
    return list(seen)


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple, dict, bool)):
        return json.dumps(value)
    return value


def write_csv(table: StudyTable) -> Path:
    """``results.csv``: a header of column names and a row per case, written atomically."""
    with atomic_paths(table.csv_path) as (tmp,):
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(table.columns)
            for r in table.rows:
                w.writerow([_cell(r.get(c)) for c in table.columns])
    return table.csv_path
