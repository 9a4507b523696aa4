"""Solving one case where it runs: a local worker process, this process, or a Dask worker."""

from __future__ import annotations

import threading
from pathlib import Path

from .. import pipeline

#: Gmsh keeps one global state per process, so solves sharing a process run one at a time
#: (a Dask worker may run several tasks in threads)
_GMSH = threading.Lock()


def solve_case(model: dict, threads: int | None = None, fields_dir: str | None = None, force: bool = False) -> dict:
    """Solve a parts-only model; return its summary.

    ``threads`` caps the BLAS / MKL / OpenMP threads of the solve and the solver's own threads
    (None: leave them as the process has them, e.g. as a Dask worker sets them). With ``fields_dir`` the case's
    ``summary.json`` and ``result.vtu`` are also written there (on a cluster: a folder every
    worker and the client share). ``force``: solve even what the size guard would refuse.
    """
    from threadpoolctl import threadpool_limits

    from ..fem import limited_threads
    from ..memory import settle_memory

    settle_memory()   # a worker solves case after case: each reuses what the last freed
    with _GMSH, threadpool_limits(limits=threads), limited_threads(threads):
        result = pipeline.solve(model, force=force)
    if fields_dir is not None:
        result.write(Path(fields_dir))
    return result.summary
