#!/usr/bin/env python
"""The sensitivities read in docs/design.md: the molded flip-chip heat-sink family example with its
dimensions, and seed 002's stiffener + dual heat sink package (materials only: its first mesh has
300 k dofs, and each of its lengths would cost two or three solves of it).

    python studies/design/sensitivities.py            # both (~5 min on 2 cores)
    python studies/design/sensitivities.py molded     # one

Writes each one's sensitivity.csv, sensitivity.json and tornado.png to docs/design/<name>/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import warpfem

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "molded": (ROOT / "studies/families/molded_flip_chip_heat_sink.toml", True),
    "seed002": (ROOT / "studies/families/stiffener_dual_heat_sink.toml", False),
}


def main() -> None:
    for name in sys.argv[1:] or list(CASES):
        path, dimensions = CASES[name]
        report = warpfem.sensitivities(path, ROOT / "docs/design" / name, dimensions=dimensions,
                                       bump_materials=dimensions)
        t = report.timings_s
        print(f"{name}: {len(report.rows)} sensitivities, solve {t['solve']:.1f} s, adjoint {t['adjoint']:.1f} s, "
              f"dimensions {t['dimensions']:.1f} s, the critical bump's materials {t['bump_materials']:.1f} s; "
              f"skipped: {report.skipped or 'none'}")


if __name__ == "__main__":
    main()
