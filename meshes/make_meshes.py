"""Regenerate the example meshes of this folder from their model files.

    python meshes/make_meshes.py

Each ``NAME.msh`` is ``warpfem mesh studies/examples/NAME.toml``: Gmsh 4 format, 20-node hexahedra,
one physical volume per part (named after it), lengths in mm. Open one in Gmsh or read it with
``meshio.read``; ``tests/test_example_meshes.py`` checks they match what warpfem builds today.
"""

from __future__ import annotations

from pathlib import Path

import warpfem

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "studies" / "examples"
NAMES = ["bilayer_plate", "small_fcbga"]


def main() -> None:
    for name in NAMES:
        mesh = warpfem.mesh(EXAMPLES / f"{name}.toml", HERE / f"{name}.msh")
        print(f"meshes/{name}.msh: {mesh.n_nodes} nodes, {mesh.n_elements} hex20 elements")


if __name__ == "__main__":
    main()
