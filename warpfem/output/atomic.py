"""Atomic file writes: a result file is either complete or absent, never half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_paths(*targets: Path) -> Iterator[list[Path]]:
    """Temporary paths beside each target, moved onto the targets only if the block succeeds.

    Each temporary path keeps its target's suffix, so writers that choose a format by extension
    behave. On any error every temporary file is removed and no target is touched.
    """
    targets = tuple(Path(t) for t in targets)
    temps: list[Path] = []
    try:
        for t in targets:
            t.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{t.stem}.", suffix=t.suffix, dir=t.parent)
            os.close(fd)
            os.chmod(name, 0o666 & ~_umask())  # mkstemp makes 0600; results are ordinary files
            temps.append(Path(name))
        yield temps
        for tmp, t in zip(temps, targets):
            os.replace(tmp, t)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
