"""Stage 2b — meshing the layout into 20-node bricks with Gmsh."""

from .build import Mesh, build_mesh, default_size_mm

__all__ = ["Mesh", "build_mesh", "default_size_mm"]
