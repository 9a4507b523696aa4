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


def _make_dirs(folder: Path, made: list[Path]) -> None:
    """Create ``folder`` and its missing parents, noting each one created (outermost first)."""
    missing = [d for d in (folder, *folder.parents) if not d.exists()][::-1]
    for d in missing:
        d.mkdir(exist_ok=True)
        made.append(d)


@contextlib.contextmanager
def atomic_paths(*targets: Path) -> Iterator[list[Path]]:
    """Temporary paths beside each target, moved onto the targets only if the block succeeds.

    Each temporary path keeps its target's suffix, so writers that choose a format by extension
    behave. On any error or interrupt every temporary file is removed, no target is touched, and
    the folders made for them are removed again if still empty (no empty OUTDIR is left).
    """
    targets = tuple(Path(t) for t in targets)
    temps: list[Path] = []
    made: list[Path] = []
    done = False
    try:
        for t in targets:
            _make_dirs(t.parent, made)
            fd, name = tempfile.mkstemp(prefix=f".{t.stem}.", suffix=t.suffix, dir=t.parent)
            os.close(fd)
            os.chmod(name, 0o666 & ~_umask())  # mkstemp makes 0600; results are ordinary files
            temps.append(Path(name))
        yield temps
        for tmp, t in zip(temps, targets):
            os.replace(tmp, t)
        done = True
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        if not done:
            for d in reversed(made):
                with contextlib.suppress(OSError):   # not empty: something else lives there now
                    d.rmdir()
