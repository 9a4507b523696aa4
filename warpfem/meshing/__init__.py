"""Stage 2b — meshing the layout into 20-node bricks with Gmsh, graded toward material edges."""

from .build import Mesh, build_mesh, bulk_sizes_mm, default_size_mm, first_axes, graded_mesh, initial_grading, mesh_on_axes
from .grading import Features, Grading, features, refine_groups
from .size import mesh_dofs

__all__ = ["Features", "Grading", "Mesh", "build_mesh", "bulk_sizes_mm", "default_size_mm", "features", "first_axes",
           "graded_mesh",
           "initial_grading", "mesh_dofs", "mesh_on_axes", "refine_groups"]
