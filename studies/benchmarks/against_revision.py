"""`warpfem solve` of this working tree against an earlier revision's, on the same models and the
same machine: what a change to the solver bought in time and memory, and that it left the answers.

The revision is checked out into a temporary git worktree and each `warpfem solve` runs in a fresh
process from its tree's root (the package imported is that tree's). Runs alternate A B B A
(:mod:`fresh_runs`), each started right after another process touched and freed a few GB, so that
neither the machine's drift nor its cold memory favours one side (cold_memory.md). One unrecorded
run per tree first fills its compiled-kernel cache.

    python studies/benchmarks/against_revision.py 41367b9     # writes against_revision.md (~6 min)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from cold_memory import warm_the_machine
from fresh_runs import mean, write_report

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MODELS = {
    "copper plate (fcbga_40mm + plate)": REPO / "studies" / "accuracy" / "copper_plate.toml",
    "fcbga_40mm (README)": REPO / "studies" / "fcbga_40mm.toml",
    "stiffener + plate example": REPO / "studies" / "accuracy" / "stiffener_plate.toml",
    "ring stiffener": REPO / "studies" / "accuracy" / "ring_stiffener.toml",
}


def solve_in(tree: Path, model: Path) -> dict:
    """`warpfem solve` of ``model`` with ``tree``'s package, in a fresh process: the summary's
    times (s), peak memory (MB), warpage and its bar (µm), and the wall time seen from outside."""
    warm_the_machine()
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "warpfem", "solve", str(model), "-o", out], cwd=tree, check=True,
                       capture_output=True)
        wall = time.perf_counter() - t
        s = json.loads((Path(out) / "summary.json").read_text())
    return {**s["timings_s"], "wall_s": wall, "peak_mb": s["memory_mb"], "warpage_um": s["warpage_um"],
            "bar_um": (s.get("error") or {}).get("warpage_um"), "dofs": s["mesh"]["dofs"]}


def compare(revision: str) -> tuple[str, dict[str, dict[str, list[dict]]]]:
    """Two runs per model of the revision and of this tree, interleaved; the revision's short hash."""
    short = subprocess.run(["git", "rev-parse", "--short", revision], cwd=REPO, check=True, capture_output=True,
                           text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / short
        subprocess.run(["git", "worktree", "add", "--detach", str(old), revision], cwd=REPO, check=True,
                       capture_output=True)
        try:
            trees = {short: old, "this tree": REPO}
            for tree in trees.values():   # compiled kernels cached before anything is timed
                solve_in(tree, next(iter(MODELS.values())))
            runs: dict[str, dict[str, list[dict]]] = {}
            for name, model in MODELS.items():
                runs[name] = {label: [] for label in trees}
                for label in [*trees, *reversed(trees)]:
                    runs[name][label].append(solve_in(trees[label], model))
                    print(name, label, runs[name][label][-1], flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=REPO, check=True)
    return short, runs


def main() -> None:
    revision = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    short, runs = compare(revision)
    header = ["model", "code", "dofs", "total s (summary)", "wall s", "assemble s", "solve + estimate s",
              "peak MB", "warpage µm ± bar"]
    rows, sums = [], {label: [0.0, 0.0] for label in next(iter(runs.values()))}
    for name, by_code in runs.items():
        for label, rs in by_code.items():
            sums[label][0] += mean(rs, "total")
            sums[label][1] += mean(rs, "wall_s")
            r = rs[0]
            bar = "" if r["bar_um"] is None else f" ± {r['bar_um']:.3f}"
            rows.append(f"| {name} | {label} | {r['dofs']:,} | " + ", ".join(f"{x['total']:.2f}" for x in rs)
                        + " | " + ", ".join(f"{x['wall_s']:.1f}" for x in rs)
                        + " | " + ", ".join(f"{x['assemble']:.2f}" for x in rs)
                        + " | " + ", ".join(f"{x['solve'] + x['estimate']:.2f}" for x in rs)
                        + " | " + ", ".join(f"{x['peak_mb']:.0f}" for x in rs)
                        + f" | {r['warpage_um']:.6f}{bar} |")
    intro = (f"`python studies/benchmarks/against_revision.py {revision}` on {date.today()}: `warpfem solve` "
             f"with revision {short}'s package and with this tree's, default settings, fresh processes in the "
             "order A B B A per model, each right after another process touched and freed 3 GB. Two runs "
             "per cell where two figures are given.")
    write_report(HERE / "against_revision.md", "This tree against an earlier revision", intro, header, rows, sums,
                 ["total s (summary), sum of means", "wall s, sum of means"])
    print((HERE / "against_revision.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
