"""warpfem — warpage and solder-bump stress of semiconductor packages.

    >>> import warpfem
    >>> result = warpfem.solve("package.toml", "out/")
    >>> result.warpage_um

Stages, in the order data flows: :mod:`.model` → :mod:`.geometry` → :mod:`.meshing` → :mod:`.fem`
→ :mod:`.post` → :mod:`.output` → :mod:`.guard` → :mod:`.pipeline` → :mod:`.pictures`, :mod:`.sweep` (a temperature
profile on one mesh), :mod:`.studies`, :mod:`.design` (sensitivities, tolerances, optimisation) and :mod:`.cli`.
"""

__version__ = "0.1.0"

from .errors import ModelError  # noqa: E402
from .model import Model, load_model  # noqa: E402

#: the rest of the public API, imported when first used: a command that refuses a model, or only
#: draws a picture, need not load the solver, the study runner and the pictures
_LAZY = {"Result": "pipeline", "expand": "pipeline", "mesh": "pipeline", "solve": "pipeline",
         "plot": "pictures", "plot_parts": "pictures", "write_report": "pictures",
         "StudyTable": "studies", "study": "studies", "Sweep": "sweep", "sweep_temperature": "sweep",
         "sensitivities": "design", "tolerance_analysis": "design", "optimise": "design"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'warpfem' has no attribute {name!r}")


__all__ = ["Model", "ModelError", "Result", "StudyTable", "expand", "load_model", "mesh", "plot", "plot_parts",
           "optimise", "sensitivities", "solve", "study", "tolerance_analysis", "sweep_temperature", "Sweep", "write_report", "__version__"]
