"""Which first mesh the refinement should start from: the default against coarser ones, on the
eleven accuracy models (studies/accuracy/references.json).

A coarser first mesh makes the early steps cheap, and the refinement then spends its dofs where
the error bar points; but the bar is extrapolated from the changes between steps, and from a mesh
far coarser than its corners' scale those changes can understate what is left. For each start,
each model is refined to its default target in this process, as ``warpfem solve`` does, and
scored against its converged reference: the error, whether the bar covers it, the bar over the
error, the steps' dofs and the time.

    python studies/benchmarks/first_mesh.py      # writes first_mesh.md (~12 min)
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from warpfem.accuracy import refine
from warpfem.geometry import build_layout
from warpfem.memory import settle_memory
from warpfem.meshing import initial_grading
from warpfem.meshing.build import default_size_mm
from warpfem.model import load_model

HERE = Path(__file__).resolve().parent
ACCURACY = HERE.parent / "accuracy"

#: (label, bulk size over the default, edge_ratio)
STARTS = [("default (size 1x, edge_ratio 4)", 1.0, 4.0), ("size 1x, edge_ratio 16", 1.0, 16.0),
          ("size 2x, edge_ratio 8", 2.0, 8.0), ("size 2x, edge_ratio 16", 2.0, 16.0)]


def refined(name: str, size_factor: float, edge_ratio: float) -> tuple[list[int], float, float | None, str, float]:
    """The refinement of one model from a start: (dofs per step, warpage µm, bar µm, stop, time s)."""
    model = load_model(ACCURACY / f"{name}.toml")
    keys = {"edge_ratio": edge_ratio, "size_mm": size_factor * (model.mesh.size_mm or default_size_mm(model))}
    model = model.model_copy(update={"mesh": model.mesh.model_copy(update=keys)})
    layout = build_layout(model)
    t = time.perf_counter()
    ref = refine(layout, initial_grading(layout), model.mesh.target_error, model.mesh.max_dofs)
    last = ref.steps[-1]
    return [s.dofs for s in ref.steps], last.warpage_um, last.warpage_error_um, ref.stop, time.perf_counter() - t


def main() -> None:
    settle_memory()
    refs = json.loads((ACCURACY / "references.json").read_text())
    lines = ["# The first mesh: the default start against coarser ones", "",
             f"`python studies/benchmarks/first_mesh.py` on {time.strftime('%Y-%m-%d')}, 2 cores. Each model refined "
             "to its default target (1 %) from each start, in one process; error against its converged reference "
             "(studies/accuracy/references.json). \"covers\": the bar is at least the error.", "",
             "| start | model | dofs per step | error % | bar / error | covers | stop | time s |",
             "|---|---|---|---|---|---|---|---|"]
    summary = ["", "| start | within 1 % | bars covering | bars within 3× | time s, all eleven | copper plate s |",
               "|---|---|---|---|---|---|"]
    for label, factor, edge in STARTS:
        within = covering = close = 0
        total = copper = 0.0
        for name, ref in refs.items():
            dofs, w, bar, stop, seconds = refined(name, factor, edge)
            err = abs(w - ref["warpage_um"])
            ratio = None if bar is None else bar / max(err, 1e-12)
            within += err <= 0.01 * abs(ref["warpage_um"])
            covering += bar is not None and bar >= err
            close += ratio is not None and 1.0 <= ratio <= 3.0
            total += seconds
            copper = seconds if name == "copper_plate" else copper
            lines.append(f"| {label} | {name} | {', '.join(f'{d:,}' for d in dofs)} | "
                         f"{100 * err / abs(ref['warpage_um']):.2f} | {'—' if ratio is None else f'{ratio:.1f}'} | "
                         f"{'yes' if bar is not None and bar >= err else '**no**'} | {stop.split(':')[0]} | {seconds:.1f} |")
            print(lines[-1], flush=True)
        summary.append(f"| {label} | {within} of {len(refs)} | {covering} of {len(refs)} | {close} of {len(refs)} | "
                       f"{total:.0f} | {copper:.1f} |")
    (HERE / "first_mesh.md").write_text("\n".join(lines + summary) + "\n")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
