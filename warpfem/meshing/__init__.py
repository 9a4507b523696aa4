"""Stage 2b — meshing the layout into 20-node bricks with Gmsh, graded toward material edges."""

from .build import Mesh, build_mesh, default_size_mm, graded_mesh, initial_grading, mesh_on_axes
from .grading import Features, Grading, features, refine_groups

__all__ = ["Features", "Grading", "Mesh", "build_mesh", "default_size_mm", "features", "graded_mesh",
           "initial_grading", "mesh_on_axes", "refine_groups"]
