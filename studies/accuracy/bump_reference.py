#!/usr/bin/env python
"""Converged volume-averaged von Mises of the 10 x 10 bump array's critical (corner) bump.

The global model is refined by warpfem's own refinement to a tighter target and a larger dof
budget than the default; the corner bump's submodel is then solved at its default element size
h and at h/√2 and h/2, all driven by that global solution, and extrapolated (Aitken over the
three). The uncertainty adds the extrapolation's (the last change times the measured ratio's
tail) to how much the same finest submodel moved between the global refinement's last two
meshes. Writes ``critical_bump`` into references.json's bump_array entry.

    python studies/accuracy/bump_reference.py          # about four minutes on 2 cores
"""

from __future__ import annotations

import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCES = HERE / "references.json"
#: the global refinement: ten times the default target, and the dofs that fit 24 GB
TARGET, MAX_DOFS = 0.001, 1_500_000
#: submodel element sizes, as fractions of the default one
STEPS = (1.0, 2 ** -0.5, 0.5)


def main() -> None:
    import warpfem
    from warpfem.output import atomic_paths
    from warpfem.pipeline import global_layout, solve_global
    from warpfem.post import bump_results, element_fields
    from warpfem.submodel.run import solve_submodel

    raw = warpfem.load_model(HERE / "bump_array.toml").model_dump()
    raw["mesh"].update(target_error=TARGET, max_dofs=MAX_DOFS)
    model = warpfem.load_model(raw)
    t0 = time.perf_counter()
    layout, layers = global_layout(model)
    sol, error, _, coarser = solve_global(layout)
    print(f"global: {sol.mesh.n_dofs} dofs, warpage ± {error['warpage_um']:.4f} um, {error['stop']}, "
          f"{time.perf_counter() - t0:.0f} s")
    _, bumps = bump_results(sol, element_fields(sol), model, layers)
    x, y = bumps["critical_bump_xy_mm"]
    first = solve_submodel(model, sol, x, y)
    h = first.size_mm
    values, dofs = [], []
    for f in STEPS:
        sub = first if f == 1.0 else solve_submodel(model, sol, x, y, size_mm=f * h)
        values.append(sub.measures["bump_average"]["von_mises_mpa"])
        dofs.append(sub.n_dofs)
        print(f"submodel h = {f * h:.4f} mm: {sub.n_dofs} dofs, bump average {values[-1]:.3f} MPa")
    d1, d2 = values[1] - values[0], values[2] - values[1]
    rho = d2 / d1
    if not (d1 * d2 > 0 and rho < 0.9):
        raise SystemExit(f"the submodel sequence does not converge geometrically: {values}")
    limit = values[2] + d2 * rho / (1 - rho)
    before = solve_submodel(model, coarser, x, y, size_mm=0.5 * h).measures["bump_average"]["von_mises_mpa"]
    global_change = abs(values[2] - before)
    uncertainty = abs(limit - values[2]) + global_change
    out = {"von_mises_mpa": limit, "uncertainty_mpa": uncertainty, "submodel_mpa": values, "submodel_dofs": dofs,
           "submodel_h_mm": [f * h for f in STEPS], "global_dofs": sol.mesh.n_dofs,
           "global_change_mpa": global_change, "xy_mm": [x, y],
           "from": f"warpfem global to {sol.mesh.n_dofs // 1000} k dofs (target {TARGET:g}), submodel at h, h/√2, "
                   f"h/2 extrapolated (ratio {rho:.2f})"}
    refs = json.loads(REFERENCES.read_text())
    refs["bump_array"]["critical_bump"] = out
    with atomic_paths(REFERENCES) as (tmp,):
        tmp.write_text(json.dumps(refs, indent=1))
    print(f"critical bump: {limit:.2f} ± {uncertainty:.2f} MPa (global change {global_change:.3f}); "
          f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
