"""The study's figures: warpage, coplanarity, die stress and the critical bump's volume-averaged
stress (the measure that converges) against each varied key; a quantity no case reports (the
bump panel of a package without bumps) is left out rather than drawn empty.

One PNG per swept key (``sweep_<key>.png``), one per key of each grid (``grid_<key>.png``, a
line per combination of the grid's other keys) and one bar chart of the named variants
(``variants.png``), each with the base case as a dashed line. Drawn with matplotlib's object
interface on the Agg canvas, so no display is needed and no global figure state is touched.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Sequence

from ..output import atomic_paths
from .cases import Case

#: the panels of every figure: (column, axis label)
PANELS = [
    ("warpage_um", "warpage [µm]"),
    ("coplanarity_um", "coplanarity [µm]"),
    ("die.max_von_mises_mpa", "die max von Mises [MPa]"),
    ("bumps.critical_avg_von_mises_mpa", "critical bump avg von Mises [MPa]"),
    ("bumps.creep.life.energy_density_mpa", "cycled bump's pad-layer ΔW [MPa per cycle]"),
    ("bumps.creep.life.characteristic_life_cycles", "solder joint life N63.2 [cycles]"),
]


def _label(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 28 else text[:25] + "..."


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _y(row: dict | None, column: str) -> float:
    v = None if row is None else row.get(column)
    return float(v) if isinstance(v, (int, float)) else math.nan


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)


def panels_with_data(rows: list[dict | None]) -> list[tuple[str, str]]:
    """The panels some row has a number for: a package without bumps gets no bump panel."""
    return [(c, label) for c, label in PANELS if any(not math.isnan(_y(r, c)) for r in rows)] or PANELS[:1]


def _figure(title: str, xlabel: str, series: list[tuple[str, list[Any], list[dict]]], base: dict | None,
            bars: bool = False):
    from matplotlib.figure import Figure

    panels = panels_with_data([base] + [r for _, _, rows in series for r in rows])
    rows_cols = (1, len(panels)) if len(panels) < 4 else (2, (len(panels) + 1) // 2)
    fig = Figure(figsize=(4.2 * rows_cols[1] + 1.6, 4.5 * rows_cols[0] - 1.5 * (rows_cols[0] - 1)),
                 layout="constrained")
    fig.suptitle(title)
    xs_all = [x for _, xs, _ in series for x in xs]
    numeric = _numeric(xs_all) and not bars
    ticks = list(dict.fromkeys(_label(x) for x in xs_all))
    axes = fig.subplots(*rows_cols, squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax, (column, ylabel) in zip(axes, panels):
        for i, (name, xs, rows) in enumerate(series):
            ys = [_y(r, column) for r in rows]
            pos = xs if numeric else [ticks.index(_label(x)) for x in xs]
            if bars:
                ax.bar(pos, ys, color=[f"C{j}" for j in range(len(ys))])
            else:
                ax.plot(pos, ys, "o-", label=name or None, color=f"C{i}")
        if base is not None and not math.isnan(_y(base, column)):
            ax.axhline(_y(base, column), color="0.4", ls="--", lw=1, label="base")
        if not numeric:
            ax.set_xticks(range(len(ticks)), ticks, rotation=30 if len(ticks) > 3 else 0, ha="right" if len(ticks) > 3 else "center")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    if labels:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(labels)), fontsize="small")
    return fig


def _save(fig, path: Path) -> Path:
    with atomic_paths(path) as (tmp,):
        fig.savefig(tmp, dpi=110)
    return path


def write_plots(cases: list[Case], rows: dict[str, dict], outdir: Path, study_name: str) -> list[Path]:
    """Draw every figure of the study into ``outdir/plots``; return their paths."""
    folder = outdir / "plots"
    base = rows.get("base")
    written = []
    variants = [c for c in cases if c.kind in ("base", "variant")]
    if any(c.kind == "variant" for c in variants):
        names = [c.name for c in variants]
        fig = _figure(f"{study_name}: variants", "case", [("", names, [rows.get(n) for n in names])], None, bars=True)
        written.append(_save(fig, folder / "variants.png"))
    sweeps: dict[str, list[Case]] = {}
    for c in cases:
        if c.kind == "sweep":
            sweeps.setdefault(next(iter(c.edits)), []).append(c)
    for key, group in sweeps.items():
        fig = _figure(f"{study_name}: {key}", key, [("", [c.edits[key] for c in group], [rows.get(c.name) for c in group])], base)
        written.append(_save(fig, folder / f"sweep_{_slug(key)}.png"))
    grids: dict[int, list[Case]] = {}
    for c in cases:
        if c.kind == "grid":
            grids.setdefault(c.group, []).append(c)
    for g, group in grids.items():
        axes = list(group[0].edits)
        for key in axes:
            others = [k for k in axes if k != key]
            series = []
            for combo in dict.fromkeys(tuple(json.dumps(c.edits[k]) for k in others) for c in group):
                members = [c for c in group if tuple(json.dumps(c.edits[k]) for k in others) == combo]
                label = ", ".join(f"{k}={_label(json.loads(v))}" for k, v in zip(others, combo))
                series.append((label, [c.edits[key] for c in members], [rows.get(c.name) for c in members]))
            suffix = "" if g == 0 else f"{g + 1}"
            fig = _figure(f"{study_name}: {key}", key, series, base)
            written.append(_save(fig, folder / f"grid{suffix}_{_slug(key)}.png"))
    return written


__all__ = ["PANELS", "write_plots"]
