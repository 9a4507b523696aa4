"""Regenerate the geometry pictures of docs/families.md (off-screen; no display needed).

    python docs/make_family_pictures.py

Draws the exploded view of every family example in ``studies/families/`` (expanded, not solved)
and writes ``docs/families/NAME.png``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from warpfem.pictures import plot_parts, save_picture  # noqa: E402

EXAMPLES = REPO / "studies" / "families"
OUT = REPO / "docs" / "families"
SIZE = (1000, 620)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for model in sorted(EXAMPLES.glob("*.toml")):
        t0 = time.perf_counter()
        path = save_picture(plot_parts(model, off_screen=True, window_size=SIZE), OUT / f"{model.stem}.png")
        with Image.open(path) as img:
            img.convert("RGB").save(path, optimize=True)
        print(f"{path.relative_to(REPO)}: {time.perf_counter() - t0:.2f} s, {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
