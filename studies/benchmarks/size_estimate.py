"""The size guard against measured runs: dofs and peak memory estimated before meshing, against
the dofs meshed and the peak resident memory of the global solve (``size_estimate`` in
summary.json), over the runs the memory fit was made on and models kept out of it.

    python studies/benchmarks/size_estimate.py            # runs; writes size_estimate.json and .md
    python studies/benchmarks/size_estimate.py --quick    # four runs
    python studies/benchmarks/size_estimate.py --fit      # refits the memory model to the .json's runs

The fit is a least-squares fit of the logarithm of estimate / measured peak over the runs marked
"in fit", with the form of ``warpfem.memory.PeakFit`` at each run's last step (the iterative solver's
exponent held at 1); it prints the constants, which memory.py's ``PEAK`` then takes by hand, and rewrites the table from the .json with them.

Each run is a fresh process (the peak of a process is the peak of its one solve) with its memory
settled as a ``warpfem`` command's is (``warpfem.memory.settle_memory``). The refusal of
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

import numpy as np

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
from warpfem.memory import settle_memory
settle_memory()   # as every warpfem command does
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


def table(rows: list[dict], seconds: float, message: str) -> str:
    """The markdown table of the runs, estimated with memory.py's constants as they stand (as the
    size guard does: the first mesh, and the first refinement as a refinement step)."""
    from warpfem.guard import peaks_mb
    from warpfem.memory import solve_peak_mb

    lines = [f"# Size estimate against measured runs ({platform.node()}, {platform.processor() or platform.machine()})",
             "", "Estimated before meshing vs measured: dofs of the first mesh and of the first refinement "
             "(counted, no mesh) and the peak resident memory of the global solve.", "",
             "| model | size mm | target | solver | in fit | dofs est. first / refined | dofs meshed (steps) "
             "| peak est. MB | est. at last step MB | measured MB | est./measured | at last step/measured |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        at_final = solve_peak_mb(r["steps"][-1], r["solver"], r["z_lines"], len(r["steps"]) > 1)
        d1 = r["refined_dofs"]
        estimate = peaks_mb(r["dofs"], d1, r["method"], r["z_lines"])[0]
        lines.append(f"| {r['model']} | {r['size']} | {r['target']} | {r['solver']} | {'yes' if r['fitted'] else 'no'} "
                     f"| {r['dofs']:,} / {'-' if d1 is None else f'{d1:,}'} | {', '.join(f'{s:,}' for s in r['steps'])} "
                     f"| {estimate:.0f} | {at_final:.0f} | {r['measured_mb']:.0f} | "
                     f"{estimate / r['measured_mb']:.2f} | {at_final / r['measured_mb']:.2f} |")
    return "\n".join(lines + ["", f"Refusal of `size_mm = 0.001` on the 40 mm package, whole command: {seconds:.2f} s.",
                              "", f"> {message}", ""])


def fit(rows: list[dict]) -> dict:
    """memory.py's constants refitted to the runs in the fit (see the module's docstring)."""
    from scipy.optimize import least_squares

    from warpfem.memory import PeakFit

    used = [r for r in rows if r["fitted"]]

    def peak_mb(p, r) -> float:
        base, column, it, direct, exponent, refining = p
        fit = PeakFit(base, column, {"iterative": it, "direct": direct}, {"iterative": 1.0, "direct": exponent},
                      {"iterative": refining, "direct": 1.0})
        return fit.peak_mb(r["steps"][-1], r["solver"], r["z_lines"], len(r["steps"]) > 1)

    res = least_squares(lambda p: [np.log(peak_mb(p, r) / r["measured_mb"]) for r in used],
                        [128.0, 200.0, 267.0, 1024.0, 1.23, 2.0], bounds=([0, 0, 1, 1, 0.5, 0.2], [2000, 2000, 5000, 20000, 2, 5]))
    names = ("base_mb", "column_mb", "per_dof_mb iterative", "per_dof_mb direct", "exponent direct", "refining iterative")
    ratios = {True: [], False: []}
    for r in rows:
        ratios[r["fitted"]].append(peak_mb(res.x, r) / r["measured_mb"])
    return {**dict(zip(names, res.x)), "fitted ratio range": (min(ratios[True]), max(ratios[True])),
            "kept-out ratio range": (min(ratios[False], default=None), max(ratios[False], default=None))}


def z_lines(model: Path, size: float | None) -> int:
    """Element boundaries through the thickness of the run's first mesh, as the memory model counts them."""
    from warpfem.meshing import first_axes
    from warpfem.model import load_model
    from warpfem.pipeline import global_layout

    layout, _ = global_layout(load_model(model))
    return len(first_axes(layout, size)[0][2])


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
    parser.add_argument("--fit", action="store_true", help="refit the memory model to the saved runs; no run")
    args = parser.parse_args()
    if args.fit:
        saved = json.loads((HERE / "size_estimate.json").read_text())
        for name, value in fit(saved["runs"]).items():
            print(f"{name}: {value}")
        (HERE / "size_estimate.md").write_text(table(saved["runs"], saved["refusal_s"], saved["refusal"]), encoding="utf-8")
        return
    rows = []
    for i, (model, size, target, method, fitted) in enumerate(RUNS):
        if (args.quick and i not in QUICK) or not model.is_file():
            continue
        r = run(model, size, target, method)
        est = r["size"]
        rows.append({"model": model.stem, "size": "-" if size is None else f"{size:g}", "target": f"{target:g}",
                     "method": method, "solver": r["solver"], "fitted": fitted, "dofs": est["dofs"], "refined_dofs": est["refined_dofs"],
                     "steps": r["steps"], "z_lines": z_lines(model, size), "estimate_mb": est["peak_memory_mb"],
                     "measured_mb": est["measured_peak_memory_mb"]})
        print(rows[-1], flush=True)
    seconds, message = refusal_seconds()
    (HERE / "size_estimate.json").write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "runs": rows,
                                                         "refusal_s": seconds, "refusal": message}, indent=1))
    text = table(rows, seconds, message)
    (HERE / "size_estimate.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
