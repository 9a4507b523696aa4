"""The case store: each solved case under ``OUTDIR/cases/<hash>/``, written atomically.

``model.toml`` is the case's parts-only model (``warpfem solve`` reruns it), ``summary.json`` its
results and, when asked, ``result.vtu`` its fields. ``summary.json`` is the last file a case
gets, so its presence means the case is finished; a study killed half way leaves either a whole
``summary.json`` or none, and the next run solves exactly the cases that have none.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Iterator

from .. import expand
from ..errors import ModelError
from ..output import atomic_paths, write_json


@contextlib.contextmanager
def exclusive(outdir: Path) -> Iterator[None]:
    """Hold ``outdir`` for one study at a time: a second study on it is refused in one sentence.

    The lock is the operating system's (``flock`` on ``outdir/.lock``), so it is released when the
    holder ends however it ends, a SIGKILL included: a stale lock file never blocks a rerun.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    fd = os.open(outdir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise ModelError(f"output directory '{outdir}' is in use by another warpfem study (process {holder}); "
                             "wait for it to end or give another -o.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)   # releases the lock


class CaseStore:
    """Finished cases of a study, by model hash."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def folder(self, key: str) -> Path:
        return self.root / key

    def finished(self, key: str, fields: bool = False) -> bool:
        """True when the case's summary (and, if ``fields``, its result.vtu) is stored."""
        folder = self.folder(key)
        return (folder / "summary.json").is_file() and (not fields or (folder / "result.vtu").is_file())

    def summary(self, key: str) -> dict:
        return json.loads((self.folder(key) / "summary.json").read_text(encoding="utf-8"))

    def save_model(self, key: str, model: dict) -> None:
        """Write the case's parts-only model once (it is the same for every run of the case)."""
        path = self.folder(key) / "model.toml"
        if not path.is_file():
            expand(model, path)

    def save_summary(self, key: str, summary: dict) -> None:
        with atomic_paths(self.folder(key) / "summary.json") as (tmp,):
            write_json(summary, tmp)
