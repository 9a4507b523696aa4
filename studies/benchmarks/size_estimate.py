"""The size guard against measured runs: dofs and peak memory estimated before meshing, against
the dofs meshed and the peak resident memory of the global solve (``size_estimate`` in
summary.json), over the runs the memory fit was made on and models kept out of it.

    python studies/benchmarks/size_estimate.py            # writes size_estimate.md
    python studies/benchmarks/size_estimate.py --quick    # four runs

Each run is a fresh process (the peak of a process is the peak of its one solve). The refusal of
a runaway model (``size_mm = 0.001`` on the 40 mm package) is timed as a user meets it: the whole
``warpfem solve`` command, start-up included.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "spec" / "examples"
FCBGA = REPO / "studies" / "fcbga_40mm.toml"
STIFFENER = SHARED / "stiffener_plate.toml"
BILAYER = REPO / "studies" / "examples" / "bilayer_plate.toml"

#: (model, size_mm or None, target_error, solver method, in the fit?)
RUNS = [
    (FCBGA, 2.0, 0.0, "iterative", True), (FCBGA, 1.0, 0.0, "iterative", True),
    (FCBGA, 0.6, 0.0, "iterative", True), (FCBGA, 2.0, 0.0, "direct", True),
    (FCBGA, 1.3, 0.0, "direct", True), (FCBGA, 1.0, 0.0, "direct", True),
    (STIFFENER, None, 0.0, "direct", True), (STIFFENER, 0.6, 0.0, "iterative", True),
    (STIFFENER, 0.4, 0.0, "iterative", True), (STIFFENER, 0.25, 0.0, "iterative", True),
    (STIFFENER, 0.3, 0.0, "direct", True),
    (BILAYER, 0.5, 0.0, "iterative", True), (BILAYER, 0.2, 0.0, "iterative", True),
    (FCBGA, None, 0.01, "auto", True), (STIFFENER, None, 0.01, "auto", True),
    (REPO / "studies" / "accuracy" / "bump_array.toml", None, 0.01, "auto", True),
    # kept out of the fit
    (REPO / "studies" / "accuracy" / "copper_plate.toml", None, 0.0, "iterative", False),
    (REPO / "studies" / "accuracy" / "copper_plate.toml", None, 0.01, "auto", False),
    (REPO / "studies" / "bumps" / "array_40x40.toml", None, 0.0, "auto", False),
    (REPO / "studies" / "accuracy" / "lid.toml", None, 0.01, "auto", False),
    (REPO / "studies" / "accuracy" / "moulded.toml", None, 0.01, "auto", False),
    (REPO / "studies" / "accuracy" / "matched_plate.toml", None, 0.0, "auto", False),
]
QUICK = [0, 11, 13, 16]

CHILD = """
import json, sys
from warpfem import pipeline
f, size, target, method = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
s = pipeline.solve(f, size_mm=None if size == "-" else float(size), target_error=target, method=method).summary
steps = [st["dofs"] for st in s["error"].get("steps", [])] or [s["mesh"]["dofs"]]
print(json.dumps({"steps": steps, "size": s["size_estimate"], "solver": s["solver"]["method"],
                  "total_s": s["timings_s"]["total"]}))
"""


def run(model: Path, size: float | None, target: float, method: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(model), "-" if size is None else str(size), str(target),
                          method], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def final_step_estimate(model: Path, size: float | None, dofs: int, solver: str, refining: bool) -> float:
    """The memory model at the dofs the last step had (what the refinement's memory stop uses)."""
    from warpfem.meshing import first_axes
    from warpfem.memory import solve_peak_mb
    from warpfem.model import load_model
    from warpfem.pipeline import global_layout

    layout, _ = global_layout(load_model(model))
    axes, _ = first_axes(layout, size)
    return solve_peak_mb(dofs, solver, len(axes[2]), refining)


def refusal_seconds() -> tuple[float, str]:
    text = FCBGA.read_text().replace("[[parts]]", "[mesh]\nsize_mm = 0.001\n\n[[parts]]", 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.toml"
        path.write_text(text)
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "warpfem", "solve", str(path), "-o", f"{tmp}/out"],
                             capture_output=True, text=True)
        return time.perf_counter() - t, res.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="four runs only")
    args = parser.parse_args()
    rows = []
    for i, (model, size, target, method, fitted) in enumerate(RUNS):
        if args.quick and i not in QUICK:
            continue
        if not model.is_file():
            continue
        r = run(model, size, target, method)
        est = r["size"]
        final = r["steps"][-1]
        at_final = final_step_estimate(model, size, final, r["solver"], len(r["steps"]) > 1)
        measured = est["measured_peak_memory_mb"]
        rows.append((model.stem, "-" if size is None else f"{size:g}", f"{target:g}", r["solver"], fitted,
                     est["dofs"], est["refined_dofs"], r["steps"], est["peak_memory_mb"], at_final, measured))
        print(rows[-1], flush=True)
    seconds, message = refusal_seconds()
    lines = [f"# Size estimate against measured runs ({platform.node()}, {platform.processor() or platform.machine()})",
             "", "Estimated before meshing vs measured: dofs of the first mesh and of the first refinement "
             "(counted, no mesh) and the peak resident memory of the global solve.", "",
             "| model | size mm | target | solver | in fit | dofs est. first / refined | dofs meshed (steps) "
             "| peak est. MB | est. at last step MB | measured MB | est./measured | at last step/measured |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, size, target, solver, fitted, d0, d1, steps, est, at_final, meas in rows:
        lines.append(f"| {name} | {size} | {target} | {solver} | {'yes' if fitted else 'no'} | {d0:,} / "
                     f"{'-' if d1 is None else f'{d1:,}'} | {', '.join(f'{s:,}' for s in steps)} | {est:.0f} | "
                     f"{at_final:.0f} | {meas:.0f} | {est / meas:.2f} | {at_final / meas:.2f} |")
    lines += ["", f"Refusal of `size_mm = 0.001` on the 40 mm package, whole command: {seconds:.2f} s.", "",
              f"> {message}", ""]
    (HERE / "size_estimate.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
