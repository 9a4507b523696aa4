"""Threads for the solver's sparse products: SciPy releases the GIL inside them, so row blocks
of one matrix multiply side by side on the machine's cores."""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator, Sequence

_limit: int | None = None
_pool: ThreadPoolExecutor | None = None


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def thread_count() -> int:
    """Threads the solver may use now: the usable cores, or fewer inside :func:`limited_threads`."""
    return max(1, min(_limit or usable_cores(), usable_cores()))


@contextlib.contextmanager
def limited_threads(n: int | None) -> Iterator[None]:
    """Cap the solver's threads (None: no cap), e.g. when several solves share the cores."""
    global _limit
    previous, _limit = _limit, n
    try:
        yield
    finally:
        _limit = previous


def run_all(tasks: Sequence[Callable[[], object]]) -> list:
    """Run callables, side by side when there are threads to spare; their results in order."""
    if len(tasks) == 1 or thread_count() == 1:
        return [t() for t in tasks]
    global _pool
    if _pool is None or _pool._max_workers < thread_count():
        _pool = ThreadPoolExecutor(max_workers=usable_cores(), thread_name_prefix="warpfem")
    return [f.result() for f in [_pool.submit(t) for t in tasks]]


def split_points(indptr, parts: int):
    """Row boundaries cutting a sparse matrix into ``parts`` pieces of about equal work."""
    import numpy as np

    cuts = np.searchsorted(indptr, np.linspace(0, indptr[-1], parts + 1))
    cuts[0], cuts[-1] = 0, len(indptr) - 1
    return np.unique(cuts)
