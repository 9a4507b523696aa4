"""Benchmark runs each in a fresh Python process, as `warpfem solve` would be, two per variant in
the order A B … B A so that no variant gains from the machine's drift over the minutes."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

from warpfem.accuracy import refine
from warpfem.fem import multigrid, system
from warpfem.memory import settle_memory
from warpfem.meshing import initial_grading
from warpfem.model import load_model
from warpfem.pipeline import global_layout

ACCURACY = Path(__file__).resolve().parent.parent / "accuracy"
MODELS = ("bump_array", "bare_fcbga", "ring_stiffener", "copper_plate", "matched_plate", "lid",
          "lid_on_adhesive_ring", "moulded", "stiffener_plate", "small_fcbga", "buffer_pad")


def run_apart(script: str, *args) -> dict:
    """The JSON object a benchmark ``script`` prints last when called with ``args``."""
    out = subprocess.run([sys.executable, script, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def interleaved(script: str, name: str, variants: int) -> dict[int, list[dict]]:
    """Two runs of ``script name v`` for each variant v, in the order 0 1 … 1 0."""
    runs: dict[int, list[dict]] = {v: [] for v in range(variants)}
    for v in [*range(variants), *reversed(range(variants))]:
        runs[v].append(run_apart(script, name, v))
    return runs


def mean(runs: list[dict], key: str) -> float:
    return sum(r[key] for r in runs) / len(runs)


def variants(runs: dict[int, list[dict]], labels: list[str], sums: dict[str, list[float]]) -> Iterator[tuple]:
    """Each variant of one model's ``runs``: (index, label, its first run, mean solve s, mean total
    s, its warpage's change from the first variant's, relative), its times added to ``sums[label]``."""
    base = runs[0][0]
    for v, label in enumerate(labels):
        r = runs[v][0]
        solve_s, total_s = mean(runs[v], "solve_s"), mean(runs[v], "total_s")
        sums[label][0] += solve_s
        sums[label][1] += total_s
        yield v, label, r, solve_s, total_s, abs(r["warpage_um"] - base["warpage_um"]) / abs(base["warpage_um"])


def write_report(path, title: str, intro: str, header: list[str], rows: list[str], sums: dict[str, list[float]],
                 sum_header: list[str]) -> None:
    """A markdown page: ``intro``, the per-model table, and the variants' sums over the models."""
    def table(head: list[str]) -> list[str]:
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    lines = [f"# {title}", "", intro, "", *table(header), *rows, "", *table(["variant", *sum_header]),
             *("| " + " | ".join([label, *(f"{v:.1f}" for v in values)]) + " |" for label, values in sums.items()), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


@contextlib.contextmanager
def counting_iterations(together=None) -> Iterator[list[int]]:
    """The iterations of every conjugate-gradient solve made inside, in turn (loads solved side by
    side: each load's); ``together`` stands in for the side-by-side solve when given."""
    iterations: list[int] = []
    solve_cg, solve_together = multigrid.solve_cg, multigrid.solve_cg_together

    def counted(*args, **kw):
        u, n = solve_cg(*args, **kw)
        iterations.append(n)
        return u, n

    def counted_together(*args, **kw):
        U, n = (together or solve_together)(*args, **kw)
        iterations.extend(int(i) for i in n)
        return U, n

    multigrid.solve_cg = system.solve_cg = counted
    system.solve_cg_together = counted_together
    try:
        yield iterations
    finally:
        multigrid.solve_cg = system.solve_cg = solve_cg
        system.solve_cg_together = solve_together


def refined(name: str):
    """An accuracy model refined to its default target as `warpfem solve` lays it out and with its
    memory settings, and the refinement's wall time (s)."""
    settle_memory()
    model = load_model(ACCURACY / f"{name}.toml")
    layout, _ = global_layout(model)
    t = time.perf_counter()
    ref = refine(layout, initial_grading(layout), model.mesh.target_error, model.mesh.max_dofs)
    return ref, time.perf_counter() - t
