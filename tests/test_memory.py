"""The process's memory settled for solving: the C allocator told to keep what the process frees (a
large array's memory, once freed, stays with the process for the next one instead of going back
to the system), and NumPy told not to ask the kernel for huge pages."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import psutil
import pytest

from warpfem.memory import keep_freed_memory

GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"
SMAPS = Path("/proc/self/smaps")
HUGE_PAGES = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _freed_mb(size_mb: int) -> float:
    """Resident memory given back to the system by freeing a touched array of ``size_mb`` MB."""
    a = np.ones(size_mb << 17)   # 8-byte values
    held = psutil.Process().memory_info().rss
    del a
    return (held - psutil.Process().memory_info().rss) / 2**20


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_freed_memory_is_kept_for_the_next_arrays():
    assert keep_freed_memory()
    assert keep_freed_memory()   # again, as each command and study worker calls it
    assert _freed_mb(200) < 20
    b = np.ones(200 << 17)   # served from what was kept
    assert b.sum() == 200 << 17


#: run in a fresh process, whose threads have no allocator arenas of their own yet: prints the resident
#: MB an array takes when another thread has just freed as much
ACROSS_THREADS = """
import threading
import numpy as np, psutil
from warpfem.memory import keep_freed_memory

keep_freed_memory()
t = threading.Thread(target=lambda: np.ones(200 << 17).sum())   # 200 MB, touched and freed
t.start(); t.join()
held = psutil.Process().memory_info().rss
b = np.ones(200 << 17)
print((psutil.Process().memory_info().rss - held) / 2**20)
"""


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_memory_freed_by_one_thread_serves_another():
    # the solver's threads assemble and free arrays the main thread then needs: one arena for all
    grown = float(subprocess.run([sys.executable, "-c", ACROSS_THREADS], capture_output=True, text=True,
                                 check=True).stdout)
    assert grown < 20


#: run in a fresh process, whose heap holds no memory advised earlier (kept memory keeps its advice):
#: prints whether an array is advised for huge pages with NumPy's default, then after the call
ADVICE = """
import re, sys
import numpy as np
from warpfem.memory import decline_huge_pages, keep_freed_memory, numpy_huge_page_switch

def advised_huge(a):
    # whether the middle of a's data lies in a mapping marked for huge pages (VmFlags "hg")
    address, inside = a.ctypes.data + a.nbytes // 2, False
    for line in open("/proc/self/smaps"):
        head = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", line)
        if head:
            inside = int(head[1], 16) <= address < int(head[2], 16)
        elif inside and line.startswith("VmFlags:"):
            return "hg" in line.split()[1:]
    raise SystemExit("the array is in no mapping of /proc/self/smaps")

if sys.argv[1] == "kept":
    keep_freed_memory()
numpy_huge_page_switch()(True)   # NumPy's default on Linux
before = np.ones(8 << 20)     # 64 MB, kept alive so that the next array is fresh memory
declined = decline_huge_pages()
after = np.ones(8 << 20)
print(advised_huge(before), declined, advised_huge(after))
"""


@pytest.mark.skipif(not (SMAPS.exists() and HUGE_PAGES.exists()), reason="needs Linux with transparent huge pages")
@pytest.mark.parametrize("allocator", ["as it comes", "kept"])
def test_large_arrays_are_not_advised_for_huge_pages(allocator):
    out = subprocess.run([sys.executable, "-c", ADVICE, allocator], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "True", "False"]
