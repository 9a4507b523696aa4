"""Solve a model with CalculiX on warpfem's own mesh, for an independent check of warpfem.

The deck is :func:`warpfem.output.inp.write_inp`'s; CalculiX (``ccx``) solves it; its nodal
displacements go through warpfem's warpage definition, and its integration-point stresses are
volume-averaged per element (3 x 3 x 3 Gauss weights) for comparison with warpfem's
element-averaged stress.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .fem import Solution
from .fem.assemble import element_classes
from .fem.constraints import carrier_face, remove_rigid_motion
from .geometry import Layout
from .meshing import Mesh
from .model import ModelLike
from .output.inp import set_name, write_inp
from .post.stress import von_mises_mpa
from .post.warpage import coplanarity_um, warpage_um

_GAUSS3 = np.array([5.0, 8.0, 5.0]) / 18.0
#: weights of C3D20's 27 integration points, x fastest, then y, then z (CalculiX's order)
GAUSS_WEIGHTS_C3D20 = np.einsum("k,j,i->kji", _GAUSS3, _GAUSS3, _GAUSS3).ravel()
_NUMBER = r"[-+0-9.Ee]+"


@dataclass(frozen=True)
class CalculixResult:
    """What CalculiX gives for a model on warpfem's mesh (µm, MPa, s)."""

    warpage_um: float
    coplanarity_um: float
    part_max_von_mises_mpa: dict[str, float]
    wall_s: float
    peak_memory_mb: float
    dofs: int
    u_mm: np.ndarray = field(repr=False)
    element_stress_mpa: dict[str, np.ndarray] = field(repr=False, default_factory=dict)


def ccx_available() -> bool:
    return shutil.which("ccx") is not None


def _blocks(text: str, heading: str) -> list[str]:
    """The data lines under each ``heading`` section of a .dat file."""
    out = []
    for part in re.split(r"\n(?= \w)", text):
        if part.strip().startswith(heading):
            out.extend(line for line in part.splitlines()[1:] if line.strip())
    return out


def read_displacements(dat: str, n_nodes: int) -> np.ndarray:
    """Nodal displacements (N, 3) in mm from a CalculiX .dat file."""
    rows = np.array([line.split() for line in _blocks(dat, "displacements")], dtype=float)
    u = np.zeros((n_nodes, 3))
    u[rows[:, 0].astype(int) - 1] = rows[:, 1:4]
    return u


def read_element_stress(dat: str, part: str) -> dict[int, np.ndarray]:
    """Volume-averaged stress tensors (3, 3) in MPa per element (0-based id) of one ELSET."""
    heading = "stresses (elem, integ.pnt.,sxx,syy,szz,sxy,sxz,syz) for set " + set_name(part).upper()
    rows = np.array([line.split() for line in _blocks(dat, heading)], dtype=float)
    elements = rows[:, 0].astype(int) - 1
    out = {}
    for e in np.unique(elements):
        r = rows[elements == e]
        if len(r) != 27:
            raise ValueError("expected 27 integration points per C3D20 element")
        sxx, syy, szz, sxy, sxz, syz = (GAUSS_WEIGHTS_C3D20 @ r[:, 2:8]) / GAUSS_WEIGHTS_C3D20.sum()
        out[e] = np.array([[sxx, sxy, sxz], [sxy, syy, syz], [sxz, syz, szz]])
    return out


def run_calculix(layout: Layout, mesh: Mesh, stress_parts: tuple[str, ...] = (), threads: int = 2,
                 workdir: Path | None = None) -> CalculixResult:
    """Export, solve with ``ccx`` and read back; raises RuntimeError if ccx fails."""
    if not ccx_available():
        raise RuntimeError("CalculiX (ccx) is not installed; on Debian: apt-get install calculix-ccx")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(workdir or tmp)
        write_inp(layout, mesh, work / "model.inp", stress_parts=stress_parts)
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "CCX_NPROC_EQUATION_SOLVER": str(threads)}
        with open(work / "ccx.log", "w") as log:
            t0 = time.perf_counter()
            proc = subprocess.Popen(["ccx", "-i", "model"], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
        text = (work / "ccx.log").read_text()
        if proc.returncode != 0 or "*ERROR" in text:
            raise RuntimeError("ccx failed: " + (text.strip().splitlines() or ["no output"])[-1])
        dat = (work / "model.dat").read_text()
    face = carrier_face(layout, mesh)
    u = read_displacements(dat, mesh.n_nodes)
    if layout.quarter:
        u[:, 2] -= u[face.centre, 2]
    else:
        u = remove_rigid_motion(mesh.nodes, u, face.centre)
    sol = Solution(layout, mesh, element_classes(layout, mesh), face, u)
    stresses, peaks = {}, {}
    for name in stress_parts:
        per_element = read_element_stress(dat, name)
        stresses[name] = np.array([per_element[e] for e in sorted(per_element)])
        peaks[name] = float(von_mises_mpa(stresses[name]).max())
    return CalculixResult(warpage_um(sol), coplanarity_um(sol), peaks, wall, usage.ru_maxrss / 1024,
                          mesh.n_dofs, u, stresses)


def calculix(model: ModelLike, size_mm: float | None = None, stress_parts: tuple[str, ...] = (),
             threads: int = 2) -> CalculixResult:
    """Mesh a model as warpfem does and solve it with CalculiX."""
    from .pipeline import layout_and_mesh  # the global model warpfem solves, homogenised or not

    layout, mesh = layout_and_mesh(model, size_mm=size_mm)
    return run_calculix(layout, mesh, stress_parts, threads)
