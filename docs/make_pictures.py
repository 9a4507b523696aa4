"""Regenerate the pictures shown in docs/pictures.md (off-screen; no display needed).

    python docs/make_pictures.py

Solves ``PACKAGE`` (a package with a stiffener and a lid) and draws every view of it, then solves
``BUMPED`` for the bump-stress views, and writes ``docs/pictures/*.png`` (each well under 300 KB;
a 256-colour palette would halve that but bands the colour maps).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import warpfem  # noqa: E402
from warpfem.pictures import plot, save_picture  # noqa: E402
from warpfem.pictures.bump_map import write_bump_map  # noqa: E402

#: the package every view is drawn for: seed 002, stiffener, lid and second heat sink
PACKAGE = REPO / "studies" / "families" / "stiffener_dual_heat_sink.toml"
#: the example file's mesh is coarse for CI; the pictures use the default size for a 40 mm package
PACKAGE_SIZE_MM = 1.0
#: a package with explicit solder bumps, for the bump views
BUMPED = REPO / "studies" / "examples" / "small_fcbga.toml"
OUT = REPO / "docs" / "pictures"
SIZE = (1100, 730)


def draw(source, name: str, view: str, **options) -> None:
    t0 = time.perf_counter()
    path = save_picture(plot(source, view, off_screen=True, window_size=SIZE, **options), OUT / f"{name}.png")
    with Image.open(path) as img:
        img.convert("RGB").save(path, optimize=True)
    print(f"{path.relative_to(REPO)}: {time.perf_counter() - t0:.2f} s, {path.stat().st_size / 1024:.0f} KB")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    package = warpfem.solve(PACKAGE, size_mm=PACKAGE_SIZE_MM)
    for view in ("deformed", "moire", "exploded", "section"):
        draw(package, f"package_{view}", view)
    draw(package, "package_stress", "stress", part="die")
    bumped = warpfem.solve(BUMPED)
    draw(bumped, "bumps_stress", "stress")
    draw(bumped, "bumps_section", "section", section_y_mm=bumped.summary["bumps"]["critical_bump_xy_mm"][1])
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = write_bump_map(bumped.write(tmp), "avg_shear_mpa", OUT / "bumps_map.png")
        print(f"{path.relative_to(REPO)}: {time.perf_counter() - t0:.2f} s, {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
