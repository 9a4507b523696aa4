"""The tornado chart of sensitivities: per output, the inputs that move it most, as the % change
of the output per % change of the input, largest on top; materials and dimensions coloured apart,
and a difference whose error estimate exceeds half its value greyed.
Drawn with matplotlib's object interface on the Agg canvas (no display, no global state)."""

from __future__ import annotations

from pathlib import Path

from .sensitivity import LABELS, Sensitivity
from ..output import atomic_paths

#: bars per output
TOP = 12

_COLOURS = {"material": "C0", "dimension": "C1", "difference uncertain (error > half its value)": "0.75"}


def write_tornado(rows: list[Sensitivity], path: Path, title: str) -> Path:
    """One panel per output with its ``TOP`` largest normalised sensitivities; written atomically."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    outputs = list(dict.fromkeys(r.output for r in rows if r.normalised is not None))
    fig = Figure(figsize=(6.5 * min(2, len(outputs)), 0.32 * TOP * ((len(outputs) + 1) // 2) + 1.8),
                 layout="constrained")
    fig.suptitle(f"{title}: % change of each output per % change of an input")
    axes = fig.subplots((len(outputs) + 1) // 2, min(2, len(outputs)), squeeze=False).ravel()
    for ax in axes[len(outputs):]:
        ax.set_visible(False)
    for ax, output in zip(axes, outputs):
        mine = sorted((r for r in rows if r.output == output and r.normalised is not None),
                      key=lambda r: -abs(r.normalised))[:TOP][::-1]
        ax.barh(range(len(mine)), [r.normalised for r in mine],
                color=[_COLOURS["difference uncertain (error > half its value)" if r.uncertain else r.kind] for r in mine])
        ax.set_yticks(range(len(mine)), [r.parameter.removeprefix("family ") for r in mine], fontsize="small")
        ax.axvline(0.0, color="0.3", lw=0.8)
        # the solved mesh's value (a dimension row's is its first mesh's)
        value = next((r.output_value for r in rows if r.output == output and r.kind == "material"), mine[-1].output_value)
        ax.set_title(f"{LABELS.get(output, output)} ({value:.4g})")
        ax.grid(True, axis="x", alpha=0.3)
    fig.legend([Patch(color=c) for c in _COLOURS.values()], list(_COLOURS), loc="outside lower center", ncols=3,
               fontsize="small")
    with atomic_paths(path) as (tmp,):
        fig.savefig(tmp, dpi=110)
    return path
