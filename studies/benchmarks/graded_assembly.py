"""Assembly against solve on graded meshes: every interval its own brick size.

The shared stiffener + plate example (30 mm, ring stiffener and plate under the substrate) and
the 40 mm FCBGA with a copper plate under its substrate are meshed at their default grading and
with every singular corner refined once and twice (the meshes a default solve walks through).
For each mesh: the time to build it, to assemble the fine stiffness, to build the multigrid
hierarchy (coarse levels assembled by Galerkin products), and to solve the thermal load.

    python studies/benchmarks/graded_assembly.py            # writes graded_assembly.md

Each phase is timed once after a warm-up solve on the coarsest mesh (the set-up: the faster of two),
with freed memory kept for reuse as every ``warpfem`` command keeps it; run on an idle machine.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = {"stiffener_plate": HERE.parent / "accuracy" / "stiffener_plate.toml",
          "copper_plate": HERE.parent / "accuracy" / "copper_plate.toml"}
REFINEMENTS = (0, 1, 2)


def time_one(layout, feats, grading) -> dict:
    """Seconds per phase on one graded mesh, and its size."""
    from warpfem.fem import StiffnessSystem, solve_thermal
    from warpfem.fem.assemble import element_classes, element_matrices, stiffness_bsr
    from warpfem.meshing import graded_mesh

    t = time.perf_counter()
    mesh = graded_mesh(layout, feats, grading)
    t_mesh = time.perf_counter() - t
    classes = element_classes(layout, mesh)
    t = time.perf_counter()
    stiffness_bsr(mesh.elements, mesh.node_ijk, classes.of_element, element_matrices(classes))
    t_assemble = time.perf_counter() - t
    # the set-up twice, the faster counted: on a virtual machine the first touch of memory the
    # process has not used before can stall for seconds, which a refinement step (reusing the
    # memory of the step before) does not meet
    with StiffnessSystem(layout, mesh, classes) as first:
        first_setup_s = first.setup_s
    with StiffnessSystem(layout, mesh, classes) as system:
        solve_thermal(system)
        return {"dofs": mesh.n_dofs, "elements": mesh.n_elements,
                "sizes": int(sum(len(set((mesh.axes[d][1:] - mesh.axes[d][:-1]).round(9))) for d in range(3))),
                "mesh_s": t_mesh, "assemble_s": t_assemble,
                "setup_s": min(first_setup_s, system.setup_s), "solve_s": system.solve_s,
                "iterations": system.info.get("iterations")}


def main() -> None:
    from warpfem.memory import settle_memory
    from warpfem.meshing import features, initial_grading, refine_groups
    from warpfem.model import load_model
    from warpfem.pipeline import global_layout

    settle_memory()
    rows = []
    for name, path in MODELS.items():
        layout, _ = global_layout(load_model(path))
        feats = features(layout)
        grading = initial_grading(layout)
        everything = list(range(len(feats.groups)))
        for level in REFINEMENTS:
            if level == 0 and not rows:
                time_one(layout, feats, grading)  # warm-up: imports, caches
            r = time_one(layout, feats, grading)
            rows.append({"model": name, "refined": level, **r})
            print(rows[-1], flush=True)
            grading = refine_groups(layout, feats, grading, everything)
    lines = [
        "# Assembly against solve on graded meshes",
        "",
        f"`python studies/benchmarks/graded_assembly.py` on {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}. *assemble*: the fine stiffness alone; *setup*: assemble + "
        "multigrid hierarchy (smoothers, Galerkin coarse levels), the faster of two builds; *solve*: "
        "conjugate gradients to the default residual. *sizes*: distinct interval lengths over the three axes.",
        "",
        "| model | corners refined | dofs | elements | sizes | mesh s | assemble s | setup s | solve s | CG its |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['model']} | {r['refined']}× | {r['dofs']:,} | {r['elements']:,} | {r['sizes']} | "
                     f"{r['mesh_s']:.2f} | {r['assemble_s']:.2f} | {r['setup_s']:.2f} | {r['solve_s']:.2f} | "
                     f"{r['iterations']} |")
    (HERE / "graded_assembly.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
