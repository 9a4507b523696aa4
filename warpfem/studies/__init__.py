"""Stage 7 — studies: many variants of one package, solved in parallel, tabulated and plotted.

    >>> import warpfem
    >>> table = warpfem.study("studies/examples/small_fcbga_study.toml", "out/small_fcbga_study")
    >>> table.row("base")["warpage_um"]

A study file names a base model and the cases to derive from it by dotted keys (named variants,
one-at-a-time sweeps, full grids); see docs/study-format.md. The engine uses earlier stages only
through their public faces: :func:`warpfem.load_model`, :func:`warpfem.expand` and
:func:`warpfem.pipeline.solve`, the contract's :class:`~warpfem.Model` and built-in material
library, and the atomic writers of :mod:`warpfem.output`.
"""

from .keys import UnknownKey
from .run import local_cores, plan_workers, run_study
from .spec import StudySpec, load_study
from .table import StudyTable

study = run_study

__all__ = ["StudySpec", "StudyTable", "UnknownKey", "load_study", "local_cores", "plan_workers", "run_study", "study"]
