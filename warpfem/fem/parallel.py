"""The solver's threads: row ranges of one product shared out over the cores (SciPy, LAPACK and
the compiled kernels release the GIL), a task started beside the caller's work, and sums over
fixed ranges that round alike whatever the number of threads."""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterator, Sequence

#: work whose sums must round alike on every machine is cut into this many fixed ranges, summed
#: apart and then added in order, whatever the number of threads
FIXED_PARTS = 2

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


_here = threading.local()


def _mark_pool_thread() -> None:
    _here.in_pool = True


def run_all(tasks: Sequence[Callable[[], object]]) -> list:
    """Run callables, side by side when there are threads to spare; their results in order.
    A task that calls this runs its own tasks itself (waiting on the pool from inside it could
    leave every worker waiting)."""
    if len(tasks) == 1 or thread_count() == 1 or getattr(_here, "in_pool", False):
        return [t() for t in tasks]
    global _pool
    if _pool is None or _pool._max_workers < thread_count():
        _pool = ThreadPoolExecutor(max_workers=usable_cores(), thread_name_prefix="warpfem",
                                   initializer=_mark_pool_thread)
    return [f.result() for f in [_pool.submit(t) for t in tasks]]


@contextlib.contextmanager
def beside() -> Iterator[Callable[..., Future]]:
    """``submit(fn, *args)``: fn(*args) started on a thread beside the caller's, one task after
    another in the order given, when the solver has threads to spare; else run at once. Every task
    has finished when the block ends."""
    if thread_count() == 1:
        def now(fn, *args) -> Future:
            done: Future = Future()
            done.set_result(fn(*args))
            return done

        yield now
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="warpfem_beside") as side:
        yield side.submit


def in_fixed_parts(n: int, task: Callable[[int, int], object]) -> list:
    """task(start, stop) over ``FIXED_PARTS`` equal ranges of range(n), side by side when there are
    threads to spare; their results in order."""
    cuts = [n * p // FIXED_PARTS for p in range(FIXED_PARTS + 1)]
    return run_all([lambda a=a, b=b: task(a, b) for a, b in zip(cuts[:-1], cuts[1:])])


def summed_in_fixed_parts(n: int, task: Callable[[int, int], object]):
    """:func:`in_fixed_parts`'s results added in order: a sum that rounds alike on every machine."""
    total, *others = in_fixed_parts(n, task)
    for other in others:
        total += other
    return total


def split_points(indptr, parts: int):
    """Row boundaries cutting a sparse matrix into ``parts`` pieces of about equal work."""
    import numpy as np

    cuts = np.searchsorted(indptr, np.linspace(0, indptr[-1], parts + 1))
    cuts[0], cuts[-1] = 0, len(indptr) - 1
    return np.unique(cuts)
