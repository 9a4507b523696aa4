"""A Gmsh model of our own that leaves a caller's Gmsh session as it found it."""

from __future__ import annotations

import contextlib
from typing import Iterator

import gmsh


@contextlib.contextmanager
def gmsh_model(name: str) -> Iterator[None]:
    """Work in a fresh Gmsh model; initialise and finalise Gmsh only if nobody else has."""
    owner = not gmsh.isInitialized()
    if owner:
        gmsh.initialize(interruptible=False)
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
