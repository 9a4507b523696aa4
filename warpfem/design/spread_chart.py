"""A tolerance analysis's files: the drawn packages (inputs and outputs, one row each) and the
chart of each output's sampled spread against its first-order normal and its limit."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from .sensitivity import LABELS
from .table import unit_of
from .tolerance import Spread


def write_samples_csv(drawn: list[dict[str, float]], samples: list[dict[str, float]], path: Path) -> None:
    """One row per drawn package: its inputs, then its outputs, 6 significant digits."""
    inputs = list(drawn[0]) if drawn else []
    outputs = list(samples[0]) if samples else []
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["sample", *inputs, *outputs])
        for i, (d, s) in enumerate(zip(drawn, samples)):
            w.writerow([i, *(f"{d[k]:.6g}" for k in inputs), *(f"{s[k]:.6g}" for k in outputs)])


def write_spread_chart(spreads: dict[str, Spread], samples: list[dict[str, float]], path: Path, title: str) -> None:
    """Per output: the samples' histogram, the first-order normal density and the limits."""
    from matplotlib.figure import Figure

    names = list(spreads)
    cols = min(2, len(names))
    fig = Figure(figsize=(5.5 * cols, 3.6 * math.ceil(len(names) / cols) + 0.6), layout="constrained")
    fig.suptitle(f"{title}: spread from the tolerances")
    axes = fig.subplots(math.ceil(len(names) / cols), cols, squeeze=False).ravel()
    for ax in axes[len(names):]:
        ax.set_visible(False)
    for ax, name in zip(axes, names):
        s = spreads[name]
        if samples:
            ax.hist([x[name] for x in samples], bins=40, density=True, color="0.75",
                    label=f"{len(samples)} sampled: σ = {s.sampled_sigma:.3g}")
        if s.sigma > 0:
            x = np.linspace(s.nominal - 4 * s.sigma, s.nominal + 4 * s.sigma, 200)
            ax.plot(x, np.exp(-0.5 * ((x - s.nominal) / s.sigma) ** 2) / (s.sigma * math.sqrt(2 * math.pi)), "C0",
                    label=f"first order: σ = {s.sigma:.3g}")
        if s.limit is not None:
            for v in (-s.limit, s.limit):
                if abs(v - s.nominal) < 6 * max(s.sigma, 1e-12):
                    ax.axvline(v, color="C3", ls="--", lw=1)
            y = f"yield {100 * s.yield_first_order:.2f} %" + (f" ({100 * s.yield_sampled:.2f} % sampled)"
                                                               if s.yield_sampled is not None else "")
            ax.set_title(f"|{name}| ≤ {s.limit:g}: {y}", fontsize="small")
        ax.set_xlabel(f"{LABELS.get(name, name)} [{unit_of(name)}]")
        ax.legend(fontsize="x-small")
    fig.savefig(path, dpi=110)
