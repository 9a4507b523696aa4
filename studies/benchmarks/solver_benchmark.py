"""Speed and memory of warpfem's solve against CalculiX on the same mesh.

A quarter 40 mm FCBGA with underfill, die, TIM, copper ring stiffener and copper lid
(studies/fcbga_40mm.toml) is solved once (``--fast``) on its graded first mesh, at in-plane
sizes giving about 180 k, 250 k and 1.4 M dofs. Each warpfem case runs in a fresh process (so its
peak memory is its own), end to end from the model file to summary.json; CalculiX solves the
identical mesh exported by ``warpfem export`` where the size allows. Every case is run
``--repeat`` times and the fastest run is kept: on virtual machines whose host backs guest memory
lazily, the first touch of memory can cost seconds per GB and says nothing about the solver.

    python studies/benchmarks/solver_benchmark.py                 # all sizes, with ccx
    python studies/benchmarks/solver_benchmark.py --sizes 1.0     # one size

Writes studies/benchmarks/results.md and studies/benchmarks/time_vs_dofs.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "fcbga_40mm.toml"
#: in-plane sizes (mm) of the graded first mesh giving about 180 k, 250 k and 1.4 M dofs on the model
SIZES_MM = (2.0, 1.0, 0.33)
CCX_MAX_DOFS = 400_000


def run_warpfem(size_mm: float, method: str, repeat: int) -> dict:
    """Best of ``repeat`` end-to-end solves in fresh processes, one solve each on the mesh CalculiX
    gets (``--fast``: no refinement): the summary, plus the wall time."""
    best = None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "warpfem", "solve", str(MODEL), "-o", out, "-q",
                            "--size", str(size_mm), "--method", method, "--fast"], check=True)
            wall = time.perf_counter() - t0
            summary = json.loads((Path(out) / "summary.json").read_text())
        summary["process_wall_s"] = wall
        if best is None or summary["timings_s"]["total"] < best["timings_s"]["total"]:
            best = summary
    return best


def run_ccx(size_mm: float, repeat: int) -> dict:
    from warpfem.crosscheck import run_calculix
    from warpfem.pipeline import layout_and_mesh

    layout, mesh = layout_and_mesh(MODEL, size_mm=size_mm)
    runs = [run_calculix(layout, mesh) for _ in range(repeat)]
    r = min(runs, key=lambda r: r.wall_s)
    return {"wall_s": r.wall_s, "memory_mb": r.peak_memory_mb, "warpage_um": r.warpage_um}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table(rows: list[dict]) -> str:
    head = ("| dofs | solver | mesh s | assemble s | solve s | post s | **total s** | peak MB | warpage µm "
            "| ccx wall s | ccx MB | ccx warpage µm | ccx / warpfem | warpage rel. diff. |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        s, t = r["summary"], r["summary"]["timings_s"]
        solver = s["solver"]["method"] + (f" ({s['solver']['iterations']} it)" if "iterations" in s["solver"] else "")
        ccx = r.get("ccx")
        extra = ["–"] * 5
        if ccx:
            extra = [f"{ccx['wall_s']:.1f}", f"{ccx['memory_mb']:.0f}", f"{ccx['warpage_um']:.3f}",
                     f"{ccx['wall_s'] / t['total']:.1f}×",
                     f"{s['warpage_um'] / ccx['warpage_um'] - 1:+.1e}"]
        lines.append("| " + " | ".join([f"{s['mesh']['dofs']:,}", solver, f"{t['mesh']:.1f}", f"{t['assemble']:.1f}",
                                         f"{t['solve']:.1f}", f"{t['post']:.1f}", f"**{t['total']:.1f}**",
                                         f"{s['memory_mb']:.0f}", f"{s['warpage_um']:.3f}", *extra]) + " |")
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> float:
    """Log-log time against dofs with the fitted exponent; returns the exponent."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    auto = [r for r in rows if r["method"] == "iterative"]
    n = np.array([r["summary"]["mesh"]["dofs"] for r in auto], dtype=float)
    t = np.array([r["summary"]["timings_s"]["total"] for r in auto])
    slope, icpt = np.polyfit(np.log(n), np.log(t), 1)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.loglog(n, t, "o-", label=f"warpfem, iterative (default above 50 k dofs), time ∝ dofs^{slope:.2f}")
    for method, marker in (("direct", "s"),):
        sel = [r for r in rows if r["method"] == method]
        if sel:
            ax.loglog([r["summary"]["mesh"]["dofs"] for r in sel], [r["summary"]["timings_s"]["total"] for r in sel],
                      marker, label="warpfem, direct (Pardiso)")
    cc = [r for r in rows if r.get("ccx") and r["method"] == "iterative"]
    if cc:
        ax.loglog([r["summary"]["mesh"]["dofs"] for r in cc], [r["ccx"]["wall_s"] for r in cc], "^--",
                  label="CalculiX 2.20 (SPOOLES), same mesh")
    ax.set_xlabel("degrees of freedom")
    ax.set_ylabel("wall time, model file to results [s]")
    ax.set_title("40 mm FCBGA quarter model, 2 cores")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return float(slope)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=float, nargs="*", default=list(SIZES_MM))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-ccx", action="store_true")
    ap.add_argument("--direct-max-dofs", type=int, default=CCX_MAX_DOFS,
                    help="also run the direct solver up to this many dofs")
    args = ap.parse_args()
    from warpfem.crosscheck import ccx_available
    from warpfem.pipeline import layout_and_mesh

    rows = []
    for size in sorted(args.sizes, reverse=True):
        dofs = layout_and_mesh(MODEL, size_mm=size)[1].n_dofs
        methods = ["iterative"] + (["direct"] if dofs <= args.direct_max_dofs else [])
        ccx = run_ccx(size, args.repeat) if (not args.no_ccx and ccx_available() and dofs <= CCX_MAX_DOFS) else None
        for method in methods:
            summary = run_warpfem(size, method, args.repeat)
            row = {"size_mm": size, "method": method, "summary": summary, "ccx": ccx}
            rows.append(row)
            print(f"{dofs:>9,} dofs  {method:6s}  total {summary['timings_s']['total']:7.1f} s  "
                  f"peak {summary['memory_mb']:6.0f} MB  warpage {summary['warpage_um']:.4f} µm"
                  + (f"  | ccx {ccx['wall_s']:.1f} s {ccx['memory_mb']:.0f} MB {ccx['warpage_um']:.4f} µm" if ccx else ""),
                  flush=True)
    (HERE / "results.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    slope = plot(rows, HERE / "time_vs_dofs.png")
    text = (f"# Solver benchmark\n\n`python studies/benchmarks/solver_benchmark.py` on {time.strftime('%Y-%m-%d')}: "
            f"{os.cpu_count()} cores ({cpu_name()}), {platform.python_implementation()} {platform.python_version()}. "
            f"Model: `studies/fcbga_40mm.toml` (quarter symmetry); warpfem times are from the model file to "
            f"summary.json (`timings_s.total`), best of {args.repeat}; CalculiX 2.20 solves the identical mesh "
            f"(`warpfem export`, C3D20) with 2 threads.\n\n{table(rows)}\n\n"
            f"Time of the iterative solver (the default above 50 k dofs) grows as dofs^{slope:.2f} over these sizes "
            f"([time_vs_dofs.png](time_vs_dofs.png)).\n")
    (HERE / "results.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
