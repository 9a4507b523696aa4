"""Every study in studies/ in one command, with its table and figures.

    python studies/run_studies.py                  # all of them, into out/studies/NAME/
    python studies/run_studies.py stiffener gap_000 -o out/studies --docs
    python studies/run_studies.py stiffener --size-mm 0.5     # the same cases on a finer mesh

Each study writes OUTDIR/NAME/results.csv and a PNG per varied key (warpage, coplanarity, die and
bump stress against the key); this prints each study's table as Markdown and the wall time.
``--docs`` also copies the figures into docs/studies/NAME/, where docs/studies.md shows them.
Finished cases are stored under OUTDIR/NAME/cases/, so a rerun only solves what changed.
"""

from __future__ import annotations

import argparse
import shutil
import time
import tomllib
from pathlib import Path

import warpfem
from warpfem.studies import load_study

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "studies"


def study_files() -> dict[str, Path]:
    """The study files of studies/, studies/claims/ and studies/bumps/ (files with a [study] table), by name."""
    out = {}
    for path in sorted([*HERE.glob("*.toml"), *HERE.glob("claims/*.toml"), *HERE.glob("bumps/*.toml")]):
        if "study" in tomllib.loads(path.read_text(encoding="utf-8")):
            out[path.stem] = path
    return out


def run(name: str, path: Path, outdir: Path, docs: bool, workers: int | None, size_mm: float | None,
        fast: bool = False) -> float:
    """Run one study (every case at ``size_mm``, mm, when given; one solve per case without an
    error estimate when ``fast``); print its table; return its wall time in s."""
    t0 = time.perf_counter()
    spec = load_study(path)
    if size_mm is not None:
        name = f"{name}_size_{size_mm:g}mm"
        spec = spec.model_copy(update={"set": {**spec.set, "mesh.size_mm": size_mm}})
    if fast:
        spec = spec.model_copy(update={"set": {**spec.set, "mesh.target_error": 0.0}})
    table = warpfem.study(spec, outdir / name, workers=workers)
    wall = time.perf_counter() - t0
    print(f"\n## {name} ({len(table)} cases, {wall:.0f} s): {table.csv_path}\n")
    print(table.markdown())
    for row in table.failed:
        print(f"FAILED {row['case']}: {row['error']}")
    if docs:
        target = DOCS / name
        target.mkdir(parents=True, exist_ok=True)
        for plot in table.plots:
            shutil.copy2(plot, target / plot.name)
    return wall


def main() -> None:
    files = study_files()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"studies to run (default: all of {', '.join(files)})")
    parser.add_argument("-o", "--outdir", type=Path, default=Path("out/studies"))
    parser.add_argument("--docs", action="store_true", help="copy the figures into docs/studies/")
    parser.add_argument("--size-mm", type=float, default=None,
                        help="in-plane element size for every case, mm (default: each model's own)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--fast", action="store_true",
                        help="one solve per case on its first graded mesh, no refinement to the target error")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in files]
    if unknown:
        parser.error(f"no study called {', '.join(unknown)} (there are: {', '.join(files)})")
    t0 = time.perf_counter()
    for name in args.names or files:
        run(name, files[name], args.outdir, args.docs, args.workers, args.size_mm, args.fast)
    print(f"\nall studies: {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
