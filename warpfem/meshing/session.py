"""A Gmsh model of our own that leaves a caller's Gmsh session, and the process, as it found them."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from typing import Iterator

import gmsh


def _restore_sigpipe() -> None:
    """Put SIGPIPE back to what Python set, after Gmsh's initialise reset it to 'terminate'.

    Python ignores SIGPIPE so that a write to a closed pipe raises BrokenPipeError. Left at
    Gmsh's setting, the first such write kills the process outright: a study whose worker
    process died (its pool pipe is closed) or ``warpfem ... | head`` would die without a word.
    """
    if not hasattr(signal, "SIGPIPE"):
        return
    wanted = signal.getsignal(signal.SIGPIPE)
    if wanted is None:  # set outside Python (an embedding host): not ours to change
        return
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGPIPE, wanted)
    elif wanted == signal.SIG_IGN:  # signal.signal refuses other threads; the disposition is per process
        libc_signal = ctypes.CDLL(None).signal
        libc_signal.restype = ctypes.c_void_p
        libc_signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
        libc_signal(int(signal.SIGPIPE), int(signal.SIG_IGN))


@contextlib.contextmanager
def gmsh_model(name: str) -> Iterator[None]:
    """Work in a fresh Gmsh model; initialise and finalise Gmsh only if nobody else has."""
    owner = not gmsh.isInitialized()
    if owner:
        gmsh.initialize(interruptible=False)
        _restore_sigpipe()
        gmsh.option.setNumber("General.Terminal", 0)
    previous = None if owner else gmsh.model.getCurrent()
    gmsh.model.add(name)
    try:
        yield
    finally:
        if owner:
            gmsh.finalize()
        else:
            gmsh.model.remove()
            if previous:
                gmsh.model.setCurrent(previous)
