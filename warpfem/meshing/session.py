"""A Gmsh model of our own that leaves a caller's Gmsh session, and the process, as it found them."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from typing import Iterator

import gmsh


#: signals whose handling Gmsh's initialise resets at the C level, behind Python's back
_RESET_BY_GMSH = tuple(getattr(signal, n) for n in ("SIGPIPE", "SIGINT", "SIGTERM") if hasattr(signal, n))


def _restore_signals() -> None:
    """Put SIGPIPE, SIGINT and SIGTERM back to what Python has for them, after Gmsh's initialise
    reset them to 'terminate'.

    Python ignores SIGPIPE so that a write to a closed pipe raises BrokenPipeError; left at
    Gmsh's setting, the first such write kills the process outright (a study whose worker died,
    or ``warpfem ... | head``). Ctrl-C and SIGTERM must reach the handlers that end a solve or a
    study with a sentence and no partial files, not kill it mid-write.
    """
    main = threading.current_thread() is threading.main_thread()
    for sig in _RESET_BY_GMSH:
        wanted = signal.getsignal(sig)
        if wanted is None:  # set outside Python (an embedding host): not ours to change
            continue
        if main:
            signal.signal(sig, wanted)
        elif wanted == signal.SIG_IGN:  # signal.signal refuses other threads; the disposition is per process
            libc_signal = ctypes.CDLL(None).signal
            libc_signal.restype = ctypes.c_void_p
            libc_signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
            libc_signal(int(sig), int(signal.SIG_IGN))


@contextlib.contextmanager
def gmsh_model(name: str, options: dict[str, float] | None = None) -> Iterator[None]:
    """Work in a fresh Gmsh model with the numeric ``options`` set; initialise and finalise Gmsh
    only if nobody else has, and otherwise put the options back as they were."""
    options = options or {}
    owner = not gmsh.isInitialized()
    if owner:
        gmsh.initialize(interruptible=False)
        _restore_signals()
        gmsh.option.setNumber("General.Terminal", 0)
    previous = None if owner else gmsh.model.getCurrent()
    before = {} if owner else {k: gmsh.option.getNumber(k) for k in options}   # finalising forgets them
    for k, v in options.items():
        gmsh.option.setNumber(k, v)
    gmsh.model.add(name)
    try:
        yield
    finally:
        if owner:
            gmsh.finalize()
        else:
            gmsh.model.remove()
            for k, v in before.items():
                gmsh.option.setNumber(k, v)
            if previous:
                gmsh.model.setCurrent(previous)
