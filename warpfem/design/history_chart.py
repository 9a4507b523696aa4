"""An optimisation's files: every evaluation as a CSV row, and the history chart (the objective,
each constrained output against its limit, and where the variables went, evaluation by
evaluation)."""

from __future__ import annotations

import csv
from pathlib import Path

from .search import Evaluation, Optimum, describe_values, goal_value
from .sensitivity import LABELS
from .table import unit_of


def variable_keys(optimum: Optimum) -> list[str]:
    """Every variable's key, discrete ones first, in the file's order."""
    discrete = [v.key for v in optimum.spec.variable if not v.continuous]
    return discrete + [v.key for v in optimum.spec.variable if v.continuous]


def write_history_csv(optimum: Optimum, path: Path) -> None:
    """One row per evaluation: kind, branch, status, the variables, the outputs, each constraint's
    relative margin, feasibility, the case's hash and any error."""
    names = variable_keys(optimum)
    outputs = sorted({k for e in optimum.history for k in e.outputs})
    margins = [f"constraint {i + 1}" for i in range(len(optimum.spec.constraint))]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["evaluation", "kind", "branch", "status", *names, *outputs,
                    *(f"{m} margin" for m in margins), "feasible", "model_hash", "error"])
        for e in optimum.history:
            w.writerow([e.index + 1, e.kind, "" if e.branch is None else e.branch + 1, e.status,
                        *(_cell(e.values.get(k)) for k in names), *(_cell(e.outputs.get(k)) for k in outputs),
                        *(_cell(e.margins.get(m)) for m in margins), e.feasible, e.key or "", e.error or ""])


def _cell(v) -> str:
    if v is None:
        return ""
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def write_history_chart(optimum: Optimum, path: Path) -> None:
    """The objective per evaluation (filled where feasible) with the best so far, each constrained
    output against its limit, and each continuous variable's place between its bounds."""
    from matplotlib.figure import Figure

    spec = optimum.spec
    searched = [e for e in optimum.history if e.kind == "search"]
    panels = 2 + len(spec.constraint)
    fig = Figure(figsize=(8.0, 2.6 * panels + 0.6), layout="constrained")
    fig.suptitle(f"{spec.optimise.name}: {len(searched)} designs searched ({spec.optimise.method})")
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    name, goal = spec.optimise.objective, spec.optimise.goal
    labels = {b.index: describe_values(b.choices) or "search" for b in optimum.branches}
    _scatter(axes[0], searched, lambda e: e.outputs.get(name), labels)
    best, running = None, []
    for e in searched:
        if e.feasible and name in e.outputs and (best is None or goal_value(goal, e.outputs[name]) < goal_value(goal, best)):
            best = e.outputs[name]
        running.append(best)
    axes[0].step([e.index + 1 for e in searched], running, "k-", where="post", lw=1, label="best feasible so far")
    if goal == "magnitude":  # how near zero the search came, and the first swings, on one axis
        axes[0].axhline(0.0, color="0.6", lw=0.8)
        axes[0].set_yscale("symlog", linthresh=max(1e-3, min((abs(e.outputs[name]) for e in searched
                                                              if name in e.outputs), default=1.0)))
    axes[0].set_ylabel(f"{LABELS.get(name, name)} [{unit_of(name)}]")
    axes[0].legend(fontsize="x-small", ncols=2)
    for ax, c, limit in zip(axes[1:], spec.constraint, optimum.limits):
        _scatter(ax, searched, lambda e, o=c.column: e.outputs.get(o), labels)
        for line in ((-limit, limit) if c.kind == "within" else (limit,)):
            ax.axhline(line, color="C3", ls="--", lw=1)
        ax.plot([], [], color="C3", ls="--", lw=1,
                label=f"{c.relation} {limit:.4g}" + (f" ({c.bound})" if isinstance(c.bound, str) else ""))
        ax.set_ylabel(f"{c.label} [{unit_of(c.output)}]")
        ax.legend(fontsize="x-small")
    ax = axes[-1]
    for i, v in enumerate(x for x in spec.variable if x.continuous):
        low, high = v.bounds
        pts = [(e.index + 1, (e.values[v.key] - low) / (high - low)) for e in searched if v.key in e.values]
        if pts:
            ax.plot(*zip(*pts), ".-", color=f"C{i}", lw=0.6, ms=4,
                    label=f"{v.key.rsplit('.', 1)[-1]} ({low:g} to {high:g})")
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("variable, 0 = lower bound")
    ax.set_xlabel("evaluation")
    ax.legend(fontsize="x-small", ncols=2)
    fig.savefig(path, dpi=110)


def _scatter(ax, evaluations: list[Evaluation], value, labels: dict[int, str]) -> None:
    """The evaluations' values, one colour per branch, filled where feasible."""
    branches = sorted({e.branch for e in evaluations})
    for b in branches:
        pts = [(e.index + 1, value(e), e.feasible) for e in evaluations if e.branch == b and value(e) is not None]
        for feasible in (True, False):
            sel = [(i, y) for i, y, f in pts if f == feasible]
            if sel:
                ax.plot(*zip(*sel), "o", ms=4, color=f"C{b}", mfc=f"C{b}" if feasible else "none",
                        label=labels[b] + ("" if feasible else ", infeasible"))
