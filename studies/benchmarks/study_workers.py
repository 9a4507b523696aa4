"""How to spend the cores on a study: worker processes or solver threads?

Runs one temperature sweep of each model from scratch, as 2 single-threaded worker processes and
as 1 worker (this process) with 2 solver threads, alternating the two ``--repeat`` times, and
prints the median wall time and cases per minute (process start-up included).

    python studies/benchmarks/study_workers.py [--cases N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tomllib
from pathlib import Path

import warpfem

HERE = Path(__file__).resolve().parent
MODELS = {
    "small_fcbga (0.25 mm)": HERE.parent / "examples" / "small_fcbga.toml",
    "fcbga_40mm (1 mm)": HERE.parent / "fcbga_40mm.toml",
}


def sweep(model: Path, cases: int) -> dict:
    base = tomllib.loads(model.read_text())
    temps = [round(-40.0 + i * 165.0 / max(cases - 1, 1), 3) for i in range(cases)]
    return {"study": {"name": model.stem, "baseline": False}, "base": base, "sweep": {"load.temperature_c": temps}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'model':24} {'workers x threads':>18} {'dofs':>7} {'wall [s] (each run)':>26} {'cases/min':>10}")
    for label, model in MODELS.items():
        spec = sweep(model, args.cases)
        walls: dict[int, list[float]] = {2: [], 1: []}
        for _ in range(args.repeat):
            for workers in walls:
                with tempfile.TemporaryDirectory() as out:
                    t0 = time.perf_counter()
                    table = warpfem.study(spec, out, workers=workers, progress=False)
                    walls[workers].append(time.perf_counter() - t0)
                assert not table.failed
        for workers, w in walls.items():
            threads = warpfem.studies.plan_workers(args.cases, workers)[1]
            runs = " ".join(f"{x:.1f}" for x in w)
            print(f"{label:24} {f'{workers} x {threads}':>18} {table.rows[0]['mesh.dofs']:>7} {runs:>26} "
                  f"{60 * args.cases / statistics.median(w):10.1f}", flush=True)


if __name__ == "__main__":
    main()
