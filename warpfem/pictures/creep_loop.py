"""The cycled bump's hysteresis loop: OUTDIR/creep_loop.csv drawn as shear stress against shear
strain, one colour per cycle, the energy per cycle written on it (matplotlib, Agg canvas)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ..output import atomic_paths


def read_loop_csv(path: Path) -> dict[str, np.ndarray]:
    """The columns of a creep_loop.csv as arrays."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"'{path}' holds no time steps.")
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def write_creep_loop(outdir: str | Path, path: str | Path | None = None) -> Path:
    """Draw OUTDIR/creep_loop.csv into ``path`` (default OUTDIR/creep_loop.png), atomically."""
    outdir = Path(outdir)
    csv_path = outdir / "creep_loop.csv"
    if not csv_path.is_file():
        raise ValueError(f"'{outdir}' holds no creep_loop.csv: solve a model with [cycle] solder = \"anand\" into it.")
    loop = read_loop_csv(csv_path)
    creep = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))["bumps"]["creep"]

    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    cycles = loop["cycle"].astype(int)
    colours = colormaps["viridis"](np.linspace(0.0, 0.85, max(cycles.max(), 1)))
    down = cycles == 0
    ax.plot(loop["shear_strain"][down] * 100, loop["shear_stress_mpa"][down], color="0.6", lw=1.2, ls="--",
            label="cool-down from stress-free")
    for k in range(1, cycles.max() + 1):
        # each cycle's curve starts where the previous one ended, so the loop is drawn closed
        take = np.flatnonzero(cycles == k)
        take = np.r_[take[0] - 1, take] if take[0] > 0 else take
        w = creep["per_cycle"][k - 1]["energy_density_mpa"]
        ax.plot(loop["shear_strain"][take] * 100, loop["shear_stress_mpa"][take], color=colours[k - 1], lw=1.6,
                label=f"cycle {k}: ΔW {w['bump']:.3g} MPa (bump), {max(w['lower_layer'], w['upper_layer']):.3g} MPa "
                      "(worst pad layer)")
    ax.axhline(0.0, color="0.8", lw=0.8)
    ax.axvline(0.0, color="0.8", lw=0.8)
    ax.set_xlabel("volume-averaged engineering shear strain, radial [%]")
    ax.set_ylabel("volume-averaged shear stress, radial [MPa]")
    c = creep["cycle"]
    ax.set_title(f"bump {creep['id']} at ({creep['x_mm']:.3g}, {creep['y_mm']:.3g}) mm: "
                 f"{c['min_c']:g}/{c['max_c']:g} °C, {c['ramp_min']:g} min ramps, {c['dwell_min']:g} min dwells")
    ax.legend(loc="best", fontsize=8, frameon=False)
    path = Path(path) if path is not None else outdir / "creep_loop.png"
    with atomic_paths(path) as (tmp,):
        fig.savefig(tmp, dpi=110)
    return path


__all__ = ["read_loop_csv", "write_creep_loop"]
