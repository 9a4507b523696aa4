"""A refining solve with glibc's allocator as it comes against one told to keep freed memory
(``warpfem.memory.keep_freed_memory``, which every ``warpfem`` command calls first).

Each run is a fresh process that refines a model to its default target, exactly as ``warpfem
solve`` does, and reports its wall time, the refinement's own split (mesh, assemble, solve,
estimate), its user and system CPU time and its peak resident memory. The two allocators
alternate, ``REPEAT`` runs each, on the copper-plate FCBGA (studies/accuracy/copper_plate.toml)
and the README's 40 mm FCBGA (studies/fcbga_40mm.toml).

    python studies/benchmarks/kept_memory.py      # writes kept_memory.md (~5 min)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = {"copper plate": HERE.parent / "accuracy" / "copper_plate.toml",
          "fcbga_40mm (README)": HERE.parent / "fcbga_40mm.toml"}
REPEAT = 3

#: one refining solve in this process; prints its figures as JSON
RUN = """
import json, resource, sys, time
from warpfem.memory import keep_freed_memory
if sys.argv[2] == "kept":
    keep_freed_memory()
from warpfem.accuracy import refine
from warpfem.geometry import build_layout
from warpfem.meshing import initial_grading
from warpfem.model import load_model
model = load_model(sys.argv[1])
layout = build_layout(model)
t = time.perf_counter()
ref = refine(layout, initial_grading(layout), model.mesh.target_error, model.mesh.max_dofs)
wall = time.perf_counter() - t
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": wall, **ref.timings_s, "user_s": use.ru_utime, "sys_s": use.ru_stime,
                  "peak_mb": use.ru_maxrss / 1024, "dofs": ref.steps[-1].dofs, "warpage_um": ref.steps[-1].warpage_um}))
"""


def one_run(model: Path, allocator: str) -> dict:
    out = subprocess.run([sys.executable, "-c", RUN, str(model), allocator], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    lines = ["# Kept memory: glibc's allocator as it comes against one that keeps what it frees", "",
             f"`python studies/benchmarks/kept_memory.py` on {time.strftime('%Y-%m-%d')}, 2 cores, 24 GB. "
             f"Fresh process per run, {REPEAT} runs of each alternating; median (min-max). Times in s, the refinement's "
             "own (no import); CPU times of the whole process.", "",
             "| model | allocator | wall | mesh | assemble | solve | estimate | user CPU | system CPU | peak MB | dofs | warpage µm |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, model in MODELS.items():
        runs: dict[str, list[dict]] = {"as it comes": [], "kept": []}
        one_run(model, "kept")   # warm the compiled kernels' cache and the file cache
        for _ in range(REPEAT):
            for allocator in runs:
                runs[allocator].append(one_run(model, "default" if allocator == "as it comes" else allocator))
        for allocator, rs in runs.items():
            def cell(key, fmt="{:.2f}"):
                v = [r.get(key, 0.0) for r in rs]
                return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}-{fmt.format(max(v))})"
            lines.append(f"| {label} | {allocator} | {cell('wall_s')} | {cell('mesh')} | {cell('assemble')} | "
                         f"{cell('solve')} | {cell('estimate')} | {cell('user_s')} | {cell('sys_s')} | "
                         f"{cell('peak_mb', '{:.0f}')} | {rs[0]['dofs']:,} | {rs[0]['warpage_um']:.4f} |")
            print(lines[-1], flush=True)
    (HERE / "kept_memory.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
