"""Memory: the peak of this process, which every stage's summary reports; the memory this machine
has for a solve; the peak a solve of a given size will reach, fitted to measured runs; and the C
allocator told to keep what the process frees."""

from __future__ import annotations

import ctypes
import platform
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


#: glibc ``mallopt`` parameters
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_MAX = -1, -2, -4
#: memory the heap grows by beyond each request, MB: one refinement step's matrices are a few
#: hundred MB, so the heap grows a few times per solve rather than once per array
_TOP_PAD_MB = 256


def keep_freed_memory() -> bool:
    """Have glibc's allocator keep the memory this process frees for its next arrays, instead of
    handing every large block back to the system (True if it could; elsewhere than glibc, nothing
    is changed).

    By default every large array (above a threshold glibc moves between 128 kB and 32 MB) is a
    mapping of its own, returned when freed; the next one is fresh memory, which the system hands
    over page by page on first touch. A refinement step frees the coarser mesh's matrices and
    builds the finer one's, so each step paid for its memory anew. On the 2-core, 24 GB VM of the
    benchmarks (studies/benchmarks/kept_memory.md, medians of three) the copper-plate FCBGA's
    default solve took 26.8 s with 11.9 s of system time, and 20.8 s with 5.3 s once freed memory
    was kept; the README's 40 mm FCBGA 24.4 and 18.7 s. The price is the heap's holes: peak
    resident memory 1643 -> 1772 MB and 1543 -> 1699 MB."""
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    accepted = [mallopt(param, value) == 1 for param, value in (
        (_M_MMAP_MAX, 0),                       # every block from the heap, which is kept
        (_M_TRIM_THRESHOLD, 2**31 - 1),         # never shrink the heap (the largest value mallopt takes)
        (_M_TOP_PAD, _TOP_PAD_MB << 20))]
    return all(accepted)
