"""OUTDIR/bumps.csv: the per-bump table, one row per bump, plain comma-separated values."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..post.bump_table import BumpTable


def write_bumps_csv(table: BumpTable, path: Path) -> None:
    """Write the table's columns (``id`` first, then ``part`` last) with a header row.

    Figures keep 6 significant digits: far below any stress or strain's modelling error, and a
    file of thousands of bumps stays readable. A value a bump does not have (a ``submodel_*``
    column of a bump without a submodel) is left empty.
    """
    names = list(table.columns)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*names, "part"])
        for r in range(table.count):
            row = []
            for name in names:
                v = table.columns[name][r]
                row.append(int(v) if name == "id" else _number(float(v)))
            w.writerow([*row, table.part[r]])


def _number(v: float) -> str:
    if np.isnan(v):
        return ""
    return "inf" if np.isinf(v) else f"{v:.6g}"
