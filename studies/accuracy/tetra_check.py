#!/usr/bin/env python
"""A second discretisation of a quarter-symmetric accuracy model: unstructured P2 tetrahedra.

The references of this folder are quadratic bricks on structured lattices; a lattice carries
every refinement line across the whole model, so a corner graded finely leaves long thin cells
far from it. This check shares neither the element nor the mesh: Gmsh meshes the model's cells
(OpenCASCADE boxes fragmented together) into tetrahedra whose size grows linearly, by ``rate``
per mm, from ``corner_mm`` on every singular line (where a material interface ends, found by
references.singular_corners) to ``bulk_mm``, and never above 1.5 times a thin slab's thickness;
scikit-fem assembles 10-node (P2) elements chunk by chunk and PARDISO solves. Symmetry planes
hold the normal displacement, the carrier's bottom centre holds uz.

    python studies/accuracy/tetra_check.py stiffener_plate --corner-mm 0.04 0.02

Each run appends its warpage and coplanarity to tetra_check.json. Only models without arrayed
parts (bumps, balls): their copies would need their own solids.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import resource
import sys
import time
from pathlib import Path

import gmsh
import numpy as np
import scipy.sparse as sp
from skfem import Basis, ElementTetP2, ElementVector, MeshTet1, asm

from warpfem.fem.linear import solve_direct
from warpfem.meshing.session import gmsh_model
from warpfem.model.elasticity import thermal_stress_mpa
from warpfem.output import atomic_paths
from warpfem.submodel.mesh import volume_elements
from warpfem.submodel.elements import stiffness_matrix
from warpfem.submodel.solve import _thermal

HERE = Path(__file__).resolve().parent
#: elements per assembly chunk: scikit-fem holds 900 entries per P2 element while assembling
CHUNK = 40_000
#: a slab thinner than the bulk size gets elements at most this many times its thickness
THIN_SLAB_RATIO = 1.5
TOL_MM = 1e-6
#: Gmsh's element type number for the 4-node tetrahedron
GMSH_TET4 = 4


@functools.cache
def _references():
    """This folder's references.py, loaded once by path: the test suite has a module of that name too."""
    spec = importlib.util.spec_from_file_location("accuracy_references", HERE / "references.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def singular_lines(layout) -> list[tuple[int, float, int, float]]:
    """Every line where stresses are singular, as (axis a, coordinate on a, axis b, coordinate on b) mm."""
    refs = _references()
    _, grid = refs.material_grids(layout)
    bps = (layout.xs, layout.ys, layout.zs)
    return [(a, float(bps[a][ia]), b, float(bps[b][ib])) for a, b, ia, ib in refs.singular_corners(layout, grid)]


def tet_mesh(layout, corner_mm: float, bulk_mm: float, rate: float) -> tuple[MeshTet1, np.ndarray]:
    """The model's cells meshed into tetrahedra graded toward every singular line; (mesh, part per element)."""
    with gmsh_model("tetra-check"):
        occ = gmsh.model.occ
        cells, owner, thin = [], [], {}
        for i, j, k in zip(*np.nonzero(layout.cells >= 0)):
            x0, x1 = layout.xs[i:i + 2]
            y0, y1 = layout.ys[j:j + 2]
            z0, z1 = layout.zs[k:k + 2]
            cells.append((3, occ.addBox(x0, y0, z0, x1 - x0, y1 - y0, z1 - z0)))
            owner.append((int(layout.cells[i, j, k]), z1 - z0))
        _, children = occ.fragment(cells, [])
        occ.synchronize()
        part_of = {}
        for (part, t), kids in zip(owner, children):
            for _, tag in kids:
                part_of[tag] = part
                if THIN_SLAB_RATIO * t < bulk_mm:
                    thin.setdefault(THIN_SLAB_RATIO * t, []).append(tag)
        lines = singular_lines(layout)
        curves = []
        for _, c in gmsh.model.getEntities(1):
            lo, hi = np.reshape(gmsh.model.getBoundingBox(1, c), (2, 3))
            if any(abs(lo[a] - pa) < 1e-5 and abs(hi[a] - pa) < 1e-5 and abs(lo[b] - pb) < 1e-5
                   and abs(hi[b] - pb) < 1e-5 for a, pa, b, pb in lines):
                curves.append(c)
        field = gmsh.model.mesh.field
        bulk = field.add("Constant")
        field.setNumber(bulk, "VIn", bulk_mm)
        sizes = [bulk]
        if curves:
            dist = field.add("Distance")
            field.setNumbers(dist, "CurvesList", curves)
            field.setNumber(dist, "Sampling", 200)
            graded = field.add("MathEval")
            field.setString(graded, "F", f"{corner_mm} + {rate} * F{dist}")
            sizes.append(graded)
        for h, vols in thin.items():
            s = field.add("Constant")
            field.setNumber(s, "VIn", h)
            field.setNumber(s, "VOut", 1e9)
            field.setNumbers(s, "VolumesList", vols)
            sizes.append(s)
        smallest = field.add("Min")
        field.setNumbers(smallest, "FieldsList", sizes)
        field.setAsBackgroundMesh(smallest)
        for opt in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints", "MeshSizeFromCurvature"):
            gmsh.option.setNumber(f"Mesh.{opt}", 0)
        gmsh.option.setNumber("Mesh.Algorithm3D", 10)
        gmsh.model.mesh.generate(3)
        p, t, label = volume_elements(GMSH_TET4, part_of)
    used, t = np.unique(t, return_inverse=True)
    return MeshTet1(np.ascontiguousarray(p[used].T), np.ascontiguousarray(t.reshape(-1, 4).T)), label


def solve(layout, mesh: MeshTet1, part: np.ndarray) -> dict:
    """Warpage and coplanarity (µm) of the quarter model on this mesh, with its size and cost."""
    t0 = time.perf_counter()
    element = ElementVector(ElementTetP2())
    basis = Basis(mesh, element, intorder=2)
    dt = layout.model.load.delta_t_k
    n_parts = len(layout.parts)
    C = np.array([layout.part_material(i).constants_mpa for i in range(n_parts)])
    A = np.array([layout.part_material(i).cte_axes_ppm * 1e-6 * dt for i in range(n_parts)])
    K, f = None, np.zeros(basis.N)
    for start in range(0, mesh.t.shape[1], CHUNK):
        els = np.arange(start, min(start + CHUNK, mesh.t.shape[1]))
        b = Basis(mesh, element, intorder=2, elements=els)
        nq = b.dx.shape[1]
        c = C[part[els]]
        s = thermal_stress_mpa(c, A[part[els]])
        Kc = stiffness_matrix(b, c)
        K = Kc if K is None else K + Kc
        f += asm(_thermal, b, **{f"s{q}": np.repeat(s[:, q, None], nq, axis=1) for q in range(3)})
    carrier = layout.model.carrier.box
    centre = int(np.argmin(np.linalg.norm(mesh.p.T - [0.0, 0.0, carrier[4]], axis=1)))
    corner = int(np.argmin(np.linalg.norm(mesh.p.T - [carrier[1], carrier[3], carrier[4]], axis=1)))
    uz = basis.nodal_dofs[2]
    fixed = np.unique(np.concatenate([
        basis.get_dofs(lambda x: np.abs(x[0]) < TOL_MM).all("u^1"),
        basis.get_dofs(lambda x: np.abs(x[1]) < TOL_MM).all("u^2"), [uz[centre]]]))
    free = np.setdiff1d(np.arange(basis.N), fixed)
    t1 = time.perf_counter()
    u = np.zeros(basis.N)
    u[free] = solve_direct(sp.triu(K[free][:, free], format="csr"), f[free])
    t2 = time.perf_counter()
    z_dofs = np.concatenate([basis.nodal_dofs[2], basis.edge_dofs[2]])
    bottom = z_dofs[np.abs(basis.doflocs[2, z_dofs] - carrier[4]) < TOL_MM]
    # quarter symmetry: the least-squares plane of the whole face is level, so peak-to-valley
    return {"warpage_um": float(u[uz[corner]] - u[uz[centre]]) * 1e3,
            "coplanarity_um": float(u[bottom].max() - u[bottom].min()) * 1e3,
            "dofs": int(basis.N), "tets": int(mesh.t.shape[1]), "assemble_s": t1 - t0, "solve_s": t2 - t1,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--corner-mm", type=float, nargs="+", default=[0.04, 0.02])
    ap.add_argument("--bulk-mm", type=float, default=0.3)
    ap.add_argument("--rate", type=float, default=0.5, help="growth of the element size per mm from a singular line")
    args = ap.parse_args()
    layout = _references().load_layout(args.model)
    if not layout.quarter or any(p.array is not None for p in layout.parts):
        sys.exit(f"{args.model}: the tetrahedral check takes quarter-symmetric models without arrayed parts")
    path = HERE / "tetra_check.json"
    for corner in args.corner_mm:
        mesh, part = tet_mesh(layout, corner, args.bulk_mm, args.rate)
        r = {"model": args.model, "corner_mm": corner, "bulk_mm": args.bulk_mm, "rate_per_mm": args.rate,
             **solve(layout, mesh, part)}
        print(f"{args.model} corner {corner:g} mm, bulk {args.bulk_mm:g} mm, rate {args.rate:g}: "
              f"warpage {r['warpage_um']:.4f} um, coplanarity {r['coplanarity_um']:.4f} um, "
              f"{r['dofs']} dofs, {r['assemble_s']:.0f} + {r['solve_s']:.0f} s, {r['peak_mb']:.0f} MB", flush=True)
        runs = json.loads(path.read_text()) if path.exists() else []
        runs.append(r)
        with atomic_paths(path) as (tmp,):
            tmp.write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
