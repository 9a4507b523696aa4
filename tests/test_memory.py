"""The C allocator told to keep what the process frees: a large array's memory, once freed, stays
with the process for the next one instead of going back to the system."""

from __future__ import annotations

import platform
import sys

import numpy as np
import psutil
import pytest

from warpfem.memory import keep_freed_memory

GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"


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
