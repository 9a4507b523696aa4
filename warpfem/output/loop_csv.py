"""OUTDIR/creep_loop.csv: the cycled bump's hysteresis loop, one row per time step."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .bumps_csv import _number

#: the columns, in order, as the cycle's loop names them
COLUMNS = ("time_s", "temperature_c", "cycle", "shear_stress_mpa", "shear_strain", "inelastic_shear_strain")


def write_loop_csv(loop: dict[str, np.ndarray], path: Path) -> None:
    """Write the loop's columns with a header row (cycle 0 is the cool-down from stress-free)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in range(len(loop["time_s"])):
            w.writerow([int(loop[c][r]) if c == "cycle" else _number(float(loop[c][r])) for c in COLUMNS])
