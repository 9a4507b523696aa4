"""Memory: the peak of this process, which every stage's summary reports; the memory this machine
has for a solve; and the peak a solve of a given size will reach, fitted to measured runs."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

#: peak resident memory of a global solve (MB), fitted to the measured peaks of 16 runs of four
#: models (72 k to 722 k dofs, 3 to 14 element boundaries through the thickness), checked on
#: models kept out of the fit (studies/benchmarks/size_estimate.py): BASE_MB + COLUMN_MB *
#: (z_lines / 10) ** 3 + the solver's share, PER_DOF_MB[solver] * (dofs / 1e5) ** EXPONENT[solver],
#: times REFINING[solver] in a refinement step (the coarser solution, the dual solutions and a mesh
#: of many brick sizes alive at once; measured for the iterative solver, which "auto" takes for
#: every mesh above 50 k dofs). The column term is the cost of the through-thickness lines.
BASE_MB = 128.0
COLUMN_MB = 200.0
PER_DOF_MB = {"iterative": 267.0, "direct": 1024.0}
EXPONENT = {"iterative": 1.0, "direct": 1.23}
REFINING = {"iterative": 2.07, "direct": 1.0}


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def solve_peak_mb(dofs: int, solver: str, z_lines: int, refining: bool = False) -> float:
    """Estimated peak resident memory (MB) of solving a mesh of ``dofs`` dofs and ``z_lines``
    element boundaries through the thickness with the "direct" or "iterative" solver;
    ``refining``: as a refinement step."""
    # capped where the figure means only "far too many" (a float power would overflow)
    grow = PER_DOF_MB[solver] * min(dofs / 1e5, 1e100) ** EXPONENT[solver]
    return BASE_MB + COLUMN_MB * (z_lines / 10) ** 3 + grow * (REFINING[solver] if refining else 1.0)


def _cgroup_room_mb() -> float:
    """Memory left under this process's cgroup (v2) limit, MB (infinite where there is none)."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
    except OSError:
        return float("inf")
    return float("inf") if limit == "max" else (int(limit) - int(used)) / 2**20


def available_memory_mb() -> float:
    """Memory a solve in this process may reach (MB): what the machine (and its cgroup) has free
    now, plus what this process already holds."""
    import psutil

    held = psutil.Process().memory_info().rss / 2**20
    return min(psutil.virtual_memory().available / 2**20, _cgroup_room_mb()) + held
