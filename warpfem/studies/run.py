"""Running a study: the cases not yet stored are solved in parallel, the table and plots written.

Locally each case runs in a worker process (spawned, so no solver threads are inherited through
fork) whose BLAS / MKL / OpenMP threads are capped so workers x threads = cores; with one worker
the cases run in this process with every core's threads. With a Dask scheduler the same function
runs on the cluster's workers. Either way a finished case is stored the moment it returns, so an
interrupted study loses only the cases in flight, and a failing case is recorded and the others
go on.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any, Callable

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .cases import Case, build_cases, describe, varied_keys
from .spec import StudyLike, load_study
from .store import CaseStore, exclusive
from .table import CASE_COLUMNS, StudyTable, metrics_row, order_columns, write_csv
from .worker import solve_case

#: what a worker process that dies mid-case (killed, out of memory, a crash) is reported as
WORKER_DIED = "the worker process died while solving (out of memory or a crash); rerun the study to retry"


def local_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def plan_workers(cases: int, workers: int | None = None, cores: int | None = None) -> tuple[int, int]:
    """(worker processes, threads per worker) for ``cases`` cases on ``cores`` cores.

    By default one single-threaded worker per core: the direct solver gains little from a
    second thread on package models (1.2x), a second case in parallel nearly doubles the
    throughput (measured in docs/study-format.md).
    """
    cores = cores or local_cores()
    n = workers or min(cores, max(cases, 1))
    return n, max(1, cores // n)


class _InProcess(cf.Executor):
    """Runs each case at once in this process (one worker: no process start-up, easy to debug)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # the case's failure is its result; the study goes on
            future.set_exception(err)
        return future


def _error_text(err: BaseException) -> str:
    return WORKER_DIED if isinstance(err, BrokenProcessPool) else describe(err)


@contextlib.contextmanager
def _stopping(executor: cf.Executor):
    """Use an executor; if the study is interrupted, drop its queued and running cases at once."""
    try:
        yield executor
    except BaseException:
        if isinstance(executor, cf.ProcessPoolExecutor):
            executor.shutdown(wait=False, cancel_futures=True)
        else:
            executor.shutdown(wait=False)
        raise
    executor.shutdown(wait=True)


#: fresh pools tried for one case whose pool keeps breaking before it is even submitted
SUBMIT_ATTEMPTS = 5


class CaseRunner:
    """Submits cases to an executor, at most ``slots`` at a time, and stores each as it ends.

    ``task(model, threads, fields_dir) -> summary`` solves one case (:func:`solve_case`).
    """

    def __init__(self, make_executor: Callable[[], cf.Executor], slots: int, threads: int | None,
                 store: CaseStore, fields: bool, stack: ExitStack, task: Callable = solve_case) -> None:
        self.make_executor, self.slots, self.threads = make_executor, slots, threads
        self.store, self.fields, self.stack, self.task = store, fields, stack, task
        self.executor = stack.enter_context(_stopping(make_executor()))

    def _submit(self, key: str, model: dict) -> cf.Future:
        fields_dir = str(self.store.folder(key)) if self.fields else None
        for attempt in range(SUBMIT_ATTEMPTS):
            try:
                return self.executor.submit(self.task, model, self.threads, fields_dir)
            except BrokenProcessPool:
                # a worker died between two submissions: this case never ran, so it is not a
                # suspect; it goes to a fresh pool (the cases still in the broken one come back
                # from it as lost and are handled as such)
                if attempt == SUBMIT_ATTEMPTS - 1:
                    raise
                self._renew()

    def _finish(self, key: str, future: cf.Future, done: Callable) -> bool:
        """Store or report one ended case; True if its worker died (the pool is broken)."""
        err = future.exception()
        if err is None:
            summary = future.result()
            self.store.save_summary(key, summary)
            done(key, summary, None)
            return False
        if isinstance(err, BrokenProcessPool):
            return True
        done(key, None, _error_text(err))
        return False

    def _renew(self) -> None:
        self.executor = self.stack.enter_context(_stopping(self.make_executor()))

    def run(self, todo: dict[str, dict], done: Callable[[str, dict | None, str | None], None]) -> None:
        """Solve every case; a worker death fails only the case that causes it.

        When a worker dies the whole pool breaks and every case in it is lost, the innocent with
        the guilty; each of them is run again alone in a fresh pool, and only a case that kills
        its worker by itself is reported as having done so.
        """
        queue = list(todo)
        suspects: list[str] = []
        inflight: dict[cf.Future, str] = {}
        while queue or inflight or suspects:
            if suspects and not inflight:
                key = suspects.pop(0)
                future = self._submit(key, todo[key])
                cf.wait([future])
                if self._finish(key, future, done):
                    done(key, None, WORKER_DIED)
                    self._renew()
                continue
            while queue and len(inflight) < self.slots:
                key = queue.pop(0)
                inflight[self._submit(key, todo[key])] = key
            finished, _ = cf.wait(inflight, return_when=cf.FIRST_COMPLETED)
            lost = []
            for future in finished:
                key = inflight.pop(future)
                if self._finish(key, future, done):
                    lost.append(key)
            if lost:  # the pool is unusable: everything still in it went down too
                lost += list(inflight.values())
                inflight.clear()
                if len(lost) == 1:  # it was alone: it is the one
                    done(lost[0], None, WORKER_DIED)
                else:
                    suspects += lost
                self._renew()


def local_executor(workers: int) -> Callable[[], cf.Executor]:
    """A maker of local executors: this process for one worker, else a pool of spawned processes."""
    if workers == 1:
        return _InProcess
    context = multiprocessing.get_context("spawn")
    return lambda: cf.ProcessPoolExecutor(max_workers=workers, mp_context=context)


def dask_executor(scheduler: Any, stack: ExitStack) -> Callable[[], cf.Executor]:
    """A maker of executors on a Dask cluster: a scheduler's address (connected for the life of
    ``stack``) or a ``distributed.Client``."""
    from distributed import Client

    client = scheduler if isinstance(scheduler, Client) else stack.enter_context(Client(scheduler))
    return client.get_executor


def _progress(enabled: bool, total: int, stored: int) -> tuple[Progress, Any]:
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"), TimeElapsedColumn(), TimeRemainingColumn(),
        disable=not enabled, transient=False,
    )
    label = "solving cases" + (f" ({stored} already stored)" if stored else "")
    return progress, progress.add_task(label, total=total, note="")


def run_study(source: StudyLike, outdir: str | Path, *, workers: int | None = None,
              scheduler: Any = None, fields: bool | None = None, progress: bool = True,
              force: bool = False) -> StudyTable:
    """Run a study; write ``outdir/results.csv`` and ``outdir/plots/*.png``; return the table.

    ``source`` is a study file, its TOML text, a dict or a :class:`StudySpec`. ``workers``:
    local worker processes (default one per core); ``scheduler``: a Dask scheduler address or a
    ``distributed.Client`` to run the cases on instead; ``fields``: also keep each case's
    ``result.vtu`` (default the study's ``[study] fields``); ``force``: solve cases the size
    guard would refuse. A bad study file or a key the base model does not have raises
    :class:`~warpfem.errors.ModelError` before anything runs, and so does an ``outdir`` another
    study is running in.
    """
    spec = load_study(source)
    cases = build_cases(spec)
    outdir = Path(outdir)
    with exclusive(outdir):
        return _run(spec, cases, outdir, workers, scheduler, fields, progress, force)


def _run(spec, cases: list[Case], outdir: Path, workers: int | None, scheduler: Any, fields: bool | None,
         progress: bool, force: bool) -> StudyTable:
    fields = spec.study.fields if fields is None else fields
    store = CaseStore(outdir / "cases")
    summaries: dict[str, dict] = {}
    errors: dict[str, str] = {}
    todo: dict[str, dict] = {}
    for case in cases:
        if case.key is None:
            continue
        store.save_model(case.key, case.model)
        if store.finished(case.key, fields):
            summaries[case.key] = store.summary(case.key)
        else:
            todo.setdefault(case.key, case.model)
    cached = set(summaries)

    bar, task = _progress(progress, len(todo), len(cached))

    def done(key: str, summary: dict | None, error: str | None) -> None:
        if summary is not None:
            summaries[key] = summary
        else:
            errors[key] = error or "unknown error"
        bar.update(task, advance=1, note=f"{len(errors)} failed" if errors else "")

    with ExitStack() as stack:
        if todo:
            if scheduler is not None:  # every case at once: the scheduler balances (and scales) the cluster
                make, slots, threads = dask_executor(scheduler, stack), len(todo), None
            else:
                slots, threads = plan_workers(len(todo), workers)
                make = local_executor(slots)
            stack.enter_context(bar)
            solver = partial(solve_case, force=True) if force else solve_case
            CaseRunner(make, slots, threads, store, fields, stack, solver).run(todo, done)

    table = _table(spec, cases, summaries, errors, cached, outdir)
    write_csv(table)
    from .plots import write_plots

    table.plots = write_plots(cases, {r["case"]: r for r in table.rows}, outdir, spec.study.name)
    return table


def _table(spec, cases: list[Case], summaries: dict[str, dict], errors: dict[str, str],
           cached: set[str], outdir: Path) -> StudyTable:
    varied = varied_keys(spec)
    rows = []
    for case in cases:
        row: dict[str, Any] = {"case": case.name, "kind": case.kind, "model_hash": case.key}
        if case.key in summaries:
            row["status"] = "cached" if case.key in cached else "solved"
            row.update(metrics_row(summaries[case.key], spec.study.die))
        else:
            row["status"] = "failed"
            row["error"] = case.error or errors.get(case.key) or "not run"
        row.update(case.values)  # the case's own values (a shared solve may name a material otherwise)
        rows.append(row)
    return StudyTable(order_columns(varied, rows), rows, varied, outdir)


__all__ = ["CASE_COLUMNS", "WORKER_DIED", "CaseRunner", "local_cores", "local_executor", "plan_workers", "run_study"]
