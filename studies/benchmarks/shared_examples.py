"""Time and memory of the shared contract examples on their default meshes.

    python studies/benchmarks/shared_examples.py

Each example is solved end to end (``warpfem solve``) in a fresh process, ``--repeat`` times; the
fastest run is kept. Writes studies/benchmarks/shared_examples.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: the contract's shared examples beside the checkout when there (the hard one, stiffener_plate,
#: lives only there), else the copies in studies/examples/
SHARED = HERE.parents[2] / "shared" / "spec" / "examples"
EXAMPLES = (sorted(SHARED.glob("*.toml")) if SHARED.is_dir() else
            [HERE.parent / "examples" / name for name in ("bilayer_plate.toml", "small_fcbga.toml")])


def solve(model: Path) -> dict:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "warpfem", "solve", str(model), "-o", out, "-q"], check=True)
        summary = json.loads((Path(out) / "summary.json").read_text())
    summary["process_wall_s"] = time.perf_counter() - t0
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    lines = ["| example | dofs | steps | solver | mesh s | assemble s | solve s | estimate s | total s | process s "
             "| peak MB | warpage µm |", "|" + "---|" * 12]
    for model in EXAMPLES:
        s = min((solve(model) for _ in range(args.repeat)), key=lambda s: s["timings_s"]["total"])
        t = s["timings_s"]
        bar = s["error"].get("warpage_um")
        lines.append(f"| `{model.name}` | {s['mesh']['dofs']:,} | {s['mesh']['steps']} | {s['solver']['method']} "
                     f"| {t['mesh']:.2f} | {t['assemble']:.2f} | {t['solve']:.2f} | {t.get('estimate', 0.0):.2f} "
                     f"| {t['total']:.2f} | {s['process_wall_s']:.1f} | {s['memory_mb']:.0f} "
                     f"| {s['warpage_um']:.2f}{'' if bar is None else f' ± {bar:.2g}'} |")
        print(lines[-1], flush=True)
    text = (f"# Shared examples\n\n`python studies/benchmarks/shared_examples.py` on {time.strftime('%Y-%m-%d')}, "
            f"{os.cpu_count()} cores; best of {args.repeat}. `total` runs from the model file to summary.json; "
            "`process` adds Python's start-up and imports.\n\n" + "\n".join(lines) + "\n")
    (HERE / "shared_examples.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
