"""A refining solve with the process's memory as it comes against the two settings every
``warpfem`` command makes first (``warpfem.memory.settle_memory``): glibc's allocator told to keep
freed memory (``keep_freed_memory``), and NumPy told not to ask for transparent huge pages
(``decline_huge_pages``); each alone and both.

Each run is a fresh process that refines a model to its default target, exactly as ``warpfem
solve`` does, and reports its wall time, the refinement's own split (mesh, assemble, solve,
estimate), its user and system CPU time and its peak resident memory. The settings alternate,
``REPEAT`` runs each, on the copper-plate FCBGA (studies/accuracy/copper_plate.toml) and the
README's 40 mm FCBGA (studies/fcbga_40mm.toml). The machine's transparent huge page policy is
printed with the table: NumPy's advice makes page faults wait for compaction where the defrag
policy is "madvise" (the kernel's default) or "always".

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
SETTINGS = ("as it comes", "kept", "no huge pages", "kept, no huge pages")

#: one refining solve in this process; prints its figures as JSON
RUN = """
import json, resource, sys, time
from warpfem.memory import decline_huge_pages, keep_freed_memory
if "kept" in sys.argv[2]:
    keep_freed_memory()
if "no huge pages" in sys.argv[2]:
    decline_huge_pages()
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


def one_run(model: Path, setting: str) -> dict:
    out = subprocess.run([sys.executable, "-c", RUN, str(model), setting], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def huge_page_policy() -> str:
    """The kernel's transparent huge page settings (enabled; defrag), or why they are unknown."""
    base = Path("/sys/kernel/mm/transparent_hugepage")
    try:
        return "; ".join(f"{f} {(base / f).read_text().strip()}" for f in ("enabled", "defrag"))
    except OSError:
        return "not reported by this system"


def main() -> None:
    lines = ["# Kept memory, no huge pages: the process's memory as it comes against the settings warpfem makes", "",
             f"`python studies/benchmarks/kept_memory.py` on {time.strftime('%Y-%m-%d')}, 2 cores, 24 GB; transparent "
             f"huge pages: {huge_page_policy()}. Fresh process per run, {REPEAT} runs of each setting alternating; "
             "median (min-max). Times in s, the refinement's own (no import); CPU times of the whole process.", "",
             "| model | setting | wall | mesh | assemble | solve | estimate | user CPU | system CPU | peak MB | dofs | warpage µm |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, model in MODELS.items():
        runs: dict[str, list[dict]] = {setting: [] for setting in SETTINGS}
        one_run(model, SETTINGS[-1])   # warm the compiled kernels' cache and the file cache
        for _ in range(REPEAT):
            for setting in runs:
                runs[setting].append(one_run(model, setting))
        for setting, rs in runs.items():
            def cell(key, fmt="{:.2f}"):
                v = [r.get(key, 0.0) for r in rs]
                return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}-{fmt.format(max(v))})"
            lines.append(f"| {label} | {setting} | {cell('wall_s')} | {cell('mesh')} | {cell('assemble')} | "
                         f"{cell('solve')} | {cell('estimate')} | {cell('user_s')} | {cell('sys_s')} | "
                         f"{cell('peak_mb', '{:.0f}')} | {rs[0]['dofs']:,} | {rs[0]['warpage_um']:.4f} |")
            print(lines[-1], flush=True)
    (HERE / "kept_memory.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
