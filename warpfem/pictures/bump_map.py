"""The bump map: one quantity of OUTDIR/bumps.csv over the bump array, critical bump marked.

Read from the output directory (``bumps.csv`` and ``summary.json``), so it is drawn on demand
after a solve, with matplotlib's object interface on the Agg canvas (no display, no global figure
state). A quarter-symmetric result is mirrored into the whole array: every measure in the table is
unchanged by the mirror, and the critical bump's mirror images are marked with it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ..output import atomic_paths
from ..post.bump_table import COLUMNS

#: the quantities the map may show, with their colour-bar labels
QUANTITIES = {
    "avg_von_mises_mpa": "volume-averaged von Mises [MPa]",
    "avg_shear_mpa": "volume-averaged shear √(σxz² + σyz²) [MPa]",
    "avg_peel_mpa": "volume-averaged peel σzz [MPa]",
    "max_von_mises_mpa": "raw peak von Mises [MPa] (mesh-dependent)",
    "max_shear_mpa": "raw peak shear [MPa] (mesh-dependent)",
    "max_peel_mpa": "raw peak peel σzz [MPa] (mesh-dependent)",
    "dnp_mm": "distance to the neutral point [mm]",
    "shear_strain_range": "elastic shear strain range of the cycle [-]",
    "cycles_to_failure": "cycles to failure, elastic Engelmaier estimate (log scale)",
}


def read_bumps_csv(path: Path) -> dict[str, np.ndarray]:
    """The numeric columns of a bumps.csv; an empty cell (a value not computed for that bump,
    such as a submodel column off the critical bump) reads as NaN."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"'{path}' lists no bumps.")
    return {k: np.array([float(r[k]) if r[k] else np.nan for r in rows]) for k in rows[0] if k != "part"}


def _mirrored(x: np.ndarray, y: np.ndarray, quarter: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of every bump and of its mirror images, with the row each came from."""
    if not quarter:
        return x, y, np.arange(len(x))
    xs, ys, rows = [x], [y], [np.arange(len(x))]
    for sx, sy in ((-1, 1), (1, -1), (-1, -1)):
        keep = ((x > 1e-9) if sx < 0 else True) & ((y > 1e-9) if sy < 0 else True)
        xs.append(sx * x[keep]), ys.append(sy * y[keep]), rows.append(np.flatnonzero(keep))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(rows)


def write_bump_map(outdir: str | Path, quantity: str = "avg_von_mises_mpa", path: str | Path | None = None) -> Path:
    """Draw ``quantity`` of OUTDIR/bumps.csv over the array into ``path`` (default
    OUTDIR/bumps_map.png), atomically; return the path."""
    outdir = Path(outdir)
    csv_path = outdir / "bumps.csv"
    if not csv_path.is_file():
        raise ValueError(f"'{outdir}' holds no bumps.csv: solve a model with a role = \"bumps\" part into it.")
    table = read_bumps_csv(csv_path)
    if quantity not in table:
        shown = [q for q in QUANTITIES if q in table]
        raise ValueError(f"quantity '{quantity}' is not in {csv_path}; choose one of {', '.join(shown)}.")
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    bumps = summary.get("bumps", {})
    x, y, rows = _mirrored(table["x_mm"], table["y_mm"], summary.get("symmetry") == "quarter")
    values = table[quantity][rows]

    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 6.5), layout="constrained")
    ax = fig.add_subplot()
    spacing = np.diff(np.unique(np.round(x, 6))).min() if len(np.unique(np.round(x, 6))) > 1 else 1.0
    span = max(np.ptp(x), np.ptp(y), spacing)
    # markers about 70 % of the pitch wide: points² from the axes' width in points
    size = (0.7 * spacing / (span + spacing) * 5.5 * 72) ** 2
    norm = LogNorm() if quantity == "cycles_to_failure" and np.all(values > 0) else None
    sc = ax.scatter(x, y, c=values, s=size, marker="s", cmap="viridis", norm=norm, edgecolors="none")
    fig.colorbar(sc, ax=ax, label=QUANTITIES.get(quantity, quantity))
    crit = bumps.get("critical_bump_id")
    if crit is not None:
        mine = table["id"][rows] == crit
        ax.scatter(x[mine], y[mine], s=size * 1.8, marker="o", facecolors="none", edgecolors="red", linewidths=1.8,
                   label=f"critical bump {crit} (largest volume-averaged von Mises)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False, markerscale=0.3)
    ax.set_aspect("equal")
    pad = 0.5 * spacing
    ax.set_xlim(x.min() - pad, x.max() + pad)
    ax.set_ylim(y.min() - pad, y.max() + pad)
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [mm]")
    ax.set_title(f"{summary.get('model', '')}: {quantity}, {len(table['id'])} bumps solved"
                 + (" (quarter, mirrored)" if summary.get("symmetry") == "quarter" else ""))
    path = Path(path) if path is not None else outdir / "bumps_map.png"
    with atomic_paths(path) as (tmp,):
        fig.savefig(tmp, dpi=110)
    return path


__all__ = ["COLUMNS", "QUANTITIES", "read_bumps_csv", "write_bump_map"]
