"""How the machine's idle time changes a solve's time: memory the kernel has not handed out for a
while can cost far more to touch than memory freed a moment ago.

A virtual machine whose balloon driver reports free pages to its host (Linux's free page
reporting, as on Firecracker and other cloud sandboxes) gives those pages back within seconds of
their being freed; the next first touch of each 4 KB page then waits for the host to supply it
again. A solve touches all of its peak memory at least once, so on such a machine its time depends
on how long the machine sat idle before it. This benchmark measures both halves:

- the cost of a first touch per 4 KB page of 1 GB mapped afresh, right after the same amount
  was freed and after ``IDLE_S`` seconds of idling;
- `warpfem solve` on the copper-plate FCBGA (studies/accuracy/copper_plate.toml), each run a
  fresh process, alternately *warm* (started right after another process touched and freed
  ``WARMER_GB`` GB) and *idle* (started after ``IDLE_BEFORE_RUN_S`` s without work).

    python studies/benchmarks/cold_memory.py      # writes cold_memory.md (~4 min)
"""

from __future__ import annotations

import json
import mmap
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "accuracy" / "copper_plate.toml"
PAGE = 4096
TOUCHED_GB = 1.0
IDLE_S = (0, 1, 3, 10, 30)
WARMER_GB = 3.0
IDLE_BEFORE_RUN_S = 30
REPEAT = 2


def touch_us_per_page(gb: float) -> float:
    """Map ``gb`` GB afresh, write one byte in each page, unmap; µs per page."""
    size = int(gb * 2**30)
    m = mmap.mmap(-1, size)
    pages = np.frombuffer(m, dtype=np.uint8)
    t = time.perf_counter()
    pages[::PAGE] = 1
    dt = time.perf_counter() - t
    del pages
    m.close()
    return 1e6 * dt / (size // PAGE)


def first_touch() -> list[tuple[float, float]]:
    """(idle s, µs per page) of touching ``TOUCHED_GB`` after freeing as much and idling."""
    out = []
    for idle in IDLE_S:
        touch_us_per_page(TOUCHED_GB)   # the memory to free
        time.sleep(idle)
        out.append((idle, touch_us_per_page(TOUCHED_GB)))
    return out


def warm_the_machine() -> None:
    """Another process touches and frees ``WARMER_GB`` GB, as a just-finished solve would."""
    subprocess.run([sys.executable, "-c", f"import numpy; numpy.ones({int(WARMER_GB * 2**30 / 8)})"], check=True)


def solve_once() -> dict:
    """`warpfem solve` on the model in a fresh process: its summary's timings and peak memory."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "warpfem", "solve", str(MODEL), "-o", out], check=True,
                       capture_output=True)
        summary = json.loads((Path(out) / "summary.json").read_text())
    return {**summary["timings_s"], "peak_mb": summary["memory_mb"], "warpage_um": summary["warpage_um"]}


def solves() -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {"warm": [], "idle": []}
    for _ in range(REPEAT):
        warm_the_machine()
        runs["warm"].append(solve_once())
        time.sleep(IDLE_BEFORE_RUN_S)
        runs["idle"].append(solve_once())
    return runs


def report(touches: list[tuple[float, float]], runs: dict[str, list[dict]]) -> str:
    keys = ("mesh", "assemble", "solve", "estimate", "total")
    lines = [
        "# Cold memory: a solve's time against the machine's idle time", "",
        f"`python studies/benchmarks/cold_memory.py` on {date.today()}, 2 cores. "
        f"First touch of {TOUCHED_GB:g} GB mapped afresh, after freeing as much and idling:", "",
        "| idle s | µs per 4 KB page | s per GB |", "|---|---|---|",
        *(f"| {idle:g} | {us:.2f} | {us * 2**30 / PAGE / 1e6:.2f} |" for idle, us in touches), "",
        f"`warpfem solve` on the copper-plate FCBGA, fresh processes, *warm* (right after another process "
        f"touched and freed {WARMER_GB:g} GB) and *idle* ({IDLE_BEFORE_RUN_S} s without work before it), "
        "alternating; times in s from its summary:", "",
        "| start | " + " | ".join(keys) + " | peak MB | warpage µm |", "|---|" + "---|" * (len(keys) + 2),
    ]
    for label, rs in runs.items():
        for r in rs:
            lines.append(f"| {label} | " + " | ".join(f"{r[k]:.2f}" for k in keys)
                         + f" | {r['peak_mb']:.0f} | {r['warpage_um']:.4f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    text = report(first_touch(), solves())
    (HERE / "cold_memory.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
