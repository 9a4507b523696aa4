"""The 40 x 40 bump array end to end: DOFs, time and peak memory, homogenised and explicit.

    python studies/bumps/array_40x40.py [--explicit] [--size MM]

Solves array_40x40.toml (homogenised bump layer, then a submodel of the critical bump in its
real barrel shape) in a fresh process, and with ``--explicit`` the same package with every bump
meshed (as its equal-volume prism), then prints the figures and the warpage difference. Each solve runs in its own process so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import tomli_w

HERE = Path(__file__).resolve().parent
MODEL = HERE / "array_40x40.toml"


def solve(model: dict, size_mm: float | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.toml"
        path.write_text(tomli_w.dumps(model))
        cmd = [sys.executable, "-m", "warpfem", "solve", str(path), "-o", str(Path(tmp) / "out"), "-q"]
        if size_mm is not None:
            cmd += ["--size", str(size_mm)]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        summary = json.loads((Path(tmp) / "out" / "summary.json").read_text())
    summary["process_wall_s"] = time.perf_counter() - t0
    return summary


def line(name: str, s: dict) -> str:
    b = s["bumps"]
    return (f"{name:12s} dofs {s['mesh']['dofs']:>9,d}  solve {s['timings_s']['total']:6.1f} s  process "
            f"{s['process_wall_s']:6.1f} s  peak {s['memory_mb']:7.0f} MB  warpage {s['warpage_um']:8.3f} µm  "
            f"bumps {b['count']}  critical {b['critical_bump_id']} at {b['critical_avg_bump_xy_mm']} "
            f"avg vM {b['critical_avg_von_mises_mpa']:.1f} MPa ({b.get('critical_avg_source', 'global model')})"
            + "".join(f"  submodel of bump {m['id']}: {m['n_dofs']:,d} dofs {m['timings_s']['total']:.1f} s"
                      for m in b.get("submodels", []))
            + (f"  min N_f {b['fatigue']['min_cycles_to_failure']:.3g}" if "fatigue" in b else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explicit", action="store_true", help="also solve the explicit array")
    ap.add_argument("--size", type=float, default=None, help="in-plane element size, mm")
    args = ap.parse_args()
    model = tomllib.loads(MODEL.read_text())
    results = {"homogenised": solve(model, args.size)}
    print(line("homogenised", results["homogenised"]), flush=True)
    if args.explicit:
        explicit = {**model, "bumps": {**model["bumps"], "global": "explicit"}}
        results["explicit"] = solve(explicit, args.size)
        print(line("explicit", results["explicit"]), flush=True)
        h, e = results["homogenised"]["warpage_um"], results["explicit"]["warpage_um"]
        print(f"homogenised warpage is {100 * (h / e - 1):+.2f} % of the explicit model's")


if __name__ == "__main__":
    main()
