"""Memory: the peak of this process, which every stage's summary reports; the memory this machine
has for a solve; the peak a solve of a given size will reach, fitted to measured runs; and the
process's memory settled for solving: the C allocator told to keep what the process frees, NumPy
told not to ask for transparent huge pages."""

from __future__ import annotations

import ctypes
import platform
import resource
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class PeakFit:
    """A peak-memory model: ``base_mb + column_mb * (z_lines / 10) ** 3`` plus the solver's
    share, ``per_dof_mb[solver] * (dofs / 1e5) ** exponent[solver]``, times ``refining[solver]``
    in a refinement step. The column term is the cost of the through-thickness lines."""

    base_mb: float
    column_mb: float
    per_dof_mb: dict[str, float]
    exponent: dict[str, float]
    refining: dict[str, float]

    def peak_mb(self, dofs: int, solver: str, z_lines: int, refining: bool = False) -> float:
        """Estimated peak resident memory (MB) of solving ``dofs`` dofs and ``z_lines`` element
        boundaries through the thickness with the "direct" or "iterative" solver."""
        # capped where the figure means only "far too many" (a float power would overflow)
        grow = self.per_dof_mb[solver] * min(dofs / 1e5, 1e100) ** self.exponent[solver]
        return self.base_mb + self.column_mb * (z_lines / 10) ** 3 + grow * (self.refining[solver] if refining else 1.0)


#: peak resident memory of a global solve, fitted (least squares of the logarithm of the ratio) to
#: the measured peaks of 16 runs of four models (25 k to 722 k dofs, 3 to 14 element boundaries
#: through the thickness), with the process's memory settled as every command's is, and checked on
#: models kept out of the fit (studies/benchmarks/size_estimate.py --fit; fitted runs within 0.77 to
#: 1.30 of their peak, those kept out 0.98 to 1.16). The iterative solver's share is 151 MB per
#: 100 k dofs: its exact operator is applied element by element (258 with an assembled
#: double-precision matrix), and a fresh hierarchy builds each level's smoother beside the
#: coarsening of that level (114 when one followed the other). A refinement step's peak is higher
#: per dof than a single solve's (fitted 1.13): it builds its finest level beside the hierarchy of
#: the step before, which it keeps.
PEAK = PeakFit(base_mb=309.0, column_mb=77.0, per_dof_mb={"iterative": 151.0, "direct": 1189.0},
               exponent={"iterative": 1.0, "direct": 1.16}, refining={"iterative": 1.13, "direct": 1.0})


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def solve_peak_mb(dofs: int, solver: str, z_lines: int, refining: bool = False) -> float:
    """Estimated peak resident memory (MB) of solving a mesh of ``dofs`` dofs and ``z_lines``
    element boundaries through the thickness with the "direct" or "iterative" solver;
    ``refining``: as a refinement step."""
    return PEAK.peak_mb(dofs, solver, z_lines, refining)


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
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_MAX, _M_ARENA_MAX = -1, -2, -4, -8
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
    benchmarks (studies/benchmarks/kept_memory.md, medians of three, NumPy's huge-page advice
    declined in both) the copper-plate FCBGA's default solve took 19.8 s, and 18.1 s once freed
    memory was kept; the README's 40 mm FCBGA 17.3 and 15.1 s. The price is the heap's holes: peak
    resident memory 1638 -> 1769 MB and 1537 -> 1696 MB.

    The solver's threads allocate from the same heap (one arena): with an arena per thread, as
    glibc gives by default, memory freed on one thread stayed out of reach of the next and the
    copper-plate FCBGA's peak rose by 150 MB once its set-up ran on two threads."""
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    accepted = [mallopt(param, value) == 1 for param, value in (
        (_M_MMAP_MAX, 0),                       # every block from the heap, which is kept
        (_M_TRIM_THRESHOLD, 2**31 - 1),         # never shrink the heap (the largest value mallopt takes)
        (_M_TOP_PAD, _TOP_PAD_MB << 20),
        (_M_ARENA_MAX, 1))]                     # the solver's threads too: what one frees, another reuses
    return all(accepted)


def decline_huge_pages() -> bool:
    """Stop NumPy from advising the kernel to back its large arrays with transparent huge pages
    (True if NumPy has the switch; its advice is given on Linux only).

    NumPy asks for huge pages (``madvise(MADV_HUGEPAGE)``) on every array of 4 MB or more. Under
    the kernel's default huge page defrag policy ("madvise"), a page fault in such an array makes
    the kernel find or assemble a free 2 MB page there and then, compacting memory to do so. On
    the 2-core, 24 GB VM of the benchmarks (studies/benchmarks/kept_memory.md, medians of three)
    this is what made the first touch of fresh memory slow and erratic: with freed memory kept,
    the copper-plate FCBGA's default solve took 19.9 s (3.5 s of it system time, 6.8 s to set up
    its hierarchies) and 18.1 s without the advice (1.2 s, 4.5 s); with neither setting, 32.9 s
    (16.1 s, 18.7 s). The solve's arithmetic without huge pages, user time, was 4 % more."""
    switch = numpy_huge_page_switch()
    if switch is None:
        return False
    switch(False)
    return True


def numpy_huge_page_switch() -> Callable[[bool], None] | None:
    """NumPy's switch of its huge-page advice (``_set_madvise_hugepage``, named in NumPy 1.20's
    release notes), or None if this NumPy has none."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:   # NumPy before 2.0
        try:
            from numpy.core.multiarray import _set_madvise_hugepage
        except ImportError:
            return None
    return _set_madvise_hugepage


def settle_memory() -> None:
    """The memory settings every command and study worker makes before it solves: freed memory
    kept (:func:`keep_freed_memory`), no huge-page advice (:func:`decline_huge_pages`)."""
    keep_freed_memory()
    decline_huge_pages()
