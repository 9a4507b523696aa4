"""What a cycled bump costs and how settled its energy per cycle is: the corner bump of the 10 x 10
flip-chip array (studies/accuracy/bump_array.toml), SAC305 creeping (Anand) through JESD22-A104
condition G, driven by the one-solve global model, at the default submodel size and time steps,
with the time steps halved, and with the submodel's elements halved.

    python studies/benchmarks/creep_cycle.py [default|time|mesh ...]   # writes creep_cycle.json beside it

Each run prints a line per cycle as it goes; the runs listed are added to (or replace theirs in)
creep_cycle.json.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "accuracy" / "bump_array.toml"
CORNER_MM = (-2.25, -2.25)

#: run name -> (time steps per default step, submodel element size as a fraction of the bump height,
#: cycles): the halved mesh, eight times the dofs, runs two cycles (the default's third cycle
#: differs from its second by < 0.1 %), so it is compared with the default's second
RUNS = {"default": (1, 1.0 / 3.0, 3), "time": (2, 1.0 / 3.0, 3), "mesh": (1, 1.0 / 6.0, 2)}


def run(name: str) -> dict:
    import numpy as np

    from warpfem.model import load_model
    from warpfem.pipeline import global_at_temperature, global_layout, solve_global
    from warpfem.submodel.cycle import cycle_bump

    refine, size_per_height, cycles = RUNS[name]
    raw = load_model(MODEL).model_dump(exclude_none=True)
    raw["cycle"] = {"solder": "anand", "cycles": cycles, "time_refine": refine}
    model = load_model(raw)
    layout, _ = global_layout(model)
    sol = solve_global(layout, target_error=0.0)[0]
    height = 0.1   # the array's gap, mm
    t0 = time.perf_counter()
    last = [0]

    def progress(n, total):
        if n * 10 // total != last[0]:
            last[0] = n * 10 // total
            print(f"  {name}: {100 * n // total} % of the {total} time steps ({time.perf_counter() - t0:.0f} s)", flush=True)

    out = cycle_bump(model, global_at_temperature(model, sol), *CORNER_MM, size_mm=size_per_height * height,
                     progress=progress)
    for c in out.cycles:
        print(f"  {name}: cycle {c.cycle}: " + ", ".join(f"{g} {w:.4f}" for g, w in c.energy_density_mpa.items()),
              flush=True)
    return {"time_refine": refine, "size_mm": size_per_height * height, "n_dofs": out.n_dofs,
            "steps_per_cycle": out.steps_per_cycle, "newton_per_step": round(out.newton_per_step, 2),
            "per_cycle": [c.energy_density_mpa for c in out.cycles],
            "change_of_last": {g: out.change_of_last(g) for g in out.cycles[-1].energy_density_mpa},
            "layer_mm": out.where["layer_mm"], "life": out.life,
            "timings_s": {k: round(v, 1) for k, v in out.timings_s.items()}, "memory_mb": round(out.memory_mb),
            "wall_s": round(time.perf_counter() - t0, 1), "machine": platform.processor() or platform.machine(),
            "global_dofs": int(np.asarray(sol.u_mm).size)}


def main(names: list[str]) -> None:
    from warpfem.output import atomic_paths

    path = HERE / "creep_cycle.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for name in names or ["default"]:
        results[name] = run(name)
        with atomic_paths(path) as (tmp,):
            tmp.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
