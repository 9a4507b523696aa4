"""How much of a default solve's error lies through the thickness, where the corner split of the
error bar does not look on its own.

For every accuracy model, the default refinement (optionally with other ``[mesh]`` keys), then
one more solve on its last mesh with every interval along z cut in two (the mesh is nested: the
x-y lattice and the graded corners stay). The change this makes is the through-thickness share of
the remaining error, wherever it lies (bulk slabs and corners alike); it is set against the
default's actual error (references.json) and its error bar. Writes through_thickness.json and .md.

    python studies/accuracy/through_thickness.py                       # all models (~15 min)
    python studies/accuracy/through_thickness.py --min-layers 2 moulded # with other [mesh] keys
    python studies/accuracy/through_thickness.py --report   # the table again, against today's references
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from warpfem.accuracy import refine
from warpfem.fem import StiffnessSystem, solve_thermal
from warpfem.geometry import build_layout
from warpfem.meshing import initial_grading, mesh_on_axes
from warpfem.model import load_model
from warpfem.output import atomic_paths
from warpfem.post.warpage import warpage_um

HERE = Path(__file__).resolve().parent
OUT = HERE / "through_thickness.json"


def halved(axis_mm: np.ndarray) -> np.ndarray:
    """An axis's boundaries with the midpoint of every interval added (mm)."""
    a = np.asarray(axis_mm)
    return np.sort(np.r_[a, 0.5 * (a[1:] + a[:-1])])


def measure(name: str, keys: dict) -> dict:
    """The default refinement of one model under ``keys`` and the change of its warpage (µm) when
    its last mesh is halved through the thickness."""
    model = load_model(HERE / f"{name}.toml")
    model = model.model_copy(update={"mesh": model.mesh.model_copy(update=keys)})
    layout = build_layout(model)
    t0 = time.perf_counter()
    ref = refine(layout, initial_grading(layout), model.mesh.target_error, model.mesh.max_dofs)
    wall = time.perf_counter() - t0
    last = ref.steps[-1]
    x, y, z = ref.solution.mesh.axes
    mesh = mesh_on_axes(layout, (x, y, halved(z)), ref.grading.size_mm)
    with StiffnessSystem(layout, mesh) as system:
        thin = warpage_um(solve_thermal(system))
    return {"dofs": last.dofs, "steps": len(ref.steps), "stop": ref.stop, "time_s": wall,
            "warpage_um": last.warpage_um, "bar_um": last.warpage_error_um,
            "z_halved_dofs": mesh.n_dofs, "z_change_um": thin - last.warpage_um,
            "measured": time.strftime("%Y-%m-%d")}


def table(rows: dict, refs: dict) -> list[str]:
    lines = ["| model | [mesh] keys | dofs | steps | time s | default µm ± bar | error µm | z-halved change µm "
             "| change / error | change / bar |", "|---|---|---|---|---|---|---|---|---|---|"]
    for key, r in rows.items():
        name, keys = key.split(" ", 1)
        err = r["warpage_um"] - refs[name]["warpage_um"]
        bar = r["bar_um"] or float("nan")
        lines.append(f"| {name} | {keys} | {r['dofs']:,} | {r['steps']} | {r['time_s']:.1f} | "
                     f"{r['warpage_um']:.3f} ± {bar:.3f} | {err:+.3f} | {r['z_change_um']:+.3f} | "
                     f"{abs(r['z_change_um'] / err):.2f} | {abs(r['z_change_um']) / bar:.2f} |")
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="*")
    p.add_argument("--min-layers", type=int)
    p.add_argument("--report", action="store_true", help="only rewrite the table from the stored rows")
    a = p.parse_args()
    refs = json.loads((HERE / "references.json").read_text())
    keys = {} if a.min_layers is None else {"min_layers": a.min_layers}
    rows = json.loads(OUT.read_text()) if OUT.exists() else {}
    for name in [] if a.report else a.models or list(refs):
        row = rows[f"{name} {json.dumps(keys)}"] = measure(name, keys)
        # stored after every model, atomically: an interrupted run keeps the models it finished
        with atomic_paths(OUT) as (j,):
            j.write_text(json.dumps(rows, indent=1) + "\n")
        print(name, keys, row, flush=True)
    dates = ", ".join(sorted({r["measured"] for r in rows.values()}))
    md = ["# Through the thickness: what halving every z interval of the default's last mesh moves", "",
          f"`python studies/accuracy/through_thickness.py`, 2 cores, measured on {dates}; errors against "
          f"references.json as of {time.strftime('%Y-%m-%d')}. Time: the refinement alone, in this process.",
          "", *table(rows, refs)]
    with atomic_paths(HERE / "through_thickness.md") as (m,):
        m.write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
