"""How fast the 40 mm FCBGA with a copper plate under its substrate (studies/accuracy/copper_plate.toml)
can reach its target: the default refinement against coarser first meshes, each step's dofs,
warpage, error bar and error against the converged reference, and the cumulative time.

    python studies/benchmarks/copper_plate_starts.py     # writes copper_plate_starts.md (~3 min)

Its warpage is a 9 µm balance of the plate against the lid, so the 1 % target is 0.09 µm. Each
start runs in this process, one after another, on an idle machine; the refinement's own budget
(``max_dofs``) stops it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from warpfem.accuracy import refine
from warpfem.geometry import build_layout
from warpfem.meshing import initial_grading
from warpfem.model import load_model

HERE = Path(__file__).resolve().parent
ACCURACY = HERE.parent / "accuracy"
MODEL = ACCURACY / "copper_plate.toml"

#: (label, [mesh] keys over the model's)
STARTS = [("default (edge_ratio 4, size_mm 1)", {}),
          ("edge_ratio 8", {"edge_ratio": 8.0}),
          ("edge_ratio 16", {"edge_ratio": 16.0}),
          ("size_mm 2", {"size_mm": 2.0})]


def run(keys: dict) -> tuple[list, str]:
    """The refinement's steps (dofs, warpage µm, bar µm, time s) and why it stopped."""
    model = load_model(MODEL)
    model = model.model_copy(update={"mesh": model.mesh.model_copy(update=keys)})
    layout = build_layout(model)
    ref = refine(layout, initial_grading(layout), model.mesh.target_error, model.mesh.max_dofs)
    return [(s.dofs, s.warpage_um, s.warpage_error_um, s.time_s) for s in ref.steps], ref.stop


def main() -> None:
    reference = json.loads((ACCURACY / "references.json").read_text())["copper_plate"]["warpage_um"]
    lines = ["# The copper-plate FCBGA: how fast its target can be reached", "",
             f"`python studies/benchmarks/copper_plate_starts.py` on {time.strftime('%Y-%m-%d')}, 2 cores. "
             f"Reference {reference:.3f} µm (studies/accuracy/references.json); target 1 % "
             f"({0.01 * abs(reference):.3f} µm). Time: cumulative, mesh to estimate, no start-up.", "",
             "| start | step | dofs | warpage µm | bar µm | error µm | error % | time s | stop |",
             "|---|---|---|---|---|---|---|---|---|"]
    for label, keys in STARTS:
        steps, stop = run(keys)
        elapsed = 0.0
        for k, (dofs, w, bar, t) in enumerate(steps):
            elapsed += t
            err = w - reference
            lines.append(f"| {label if k == 0 else ''} | {k} | {dofs:,} | {w:.4f} | "
                         f"{'' if bar is None else f'{bar:.3f}'} | {err:+.4f} | {100 * abs(err / reference):.2f} | "
                         f"{elapsed:.1f} | {stop if k == len(steps) - 1 else ''} |")
        print(label, stop, flush=True)
    (HERE / "copper_plate_starts.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
