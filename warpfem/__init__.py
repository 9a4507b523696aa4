"""warpfem — warpage and solder-bump stress of semiconductor packages.

    >>> import warpfem
    >>> result = warpfem.solve("package.toml", "out/")
    >>> result.warpage_um

Stages, in the order data flows: :mod:`.model` → :mod:`.geometry` → :mod:`.meshing` → :mod:`.fem`
→ :mod:`.post` → :mod:`.output` → :mod:`.pipeline` → :mod:`.pictures`, :mod:`.sweep` (a temperature
profile on one mesh), :mod:`.studies` and :mod:`.cli`.
"""

__version__ = "0.1.0"

from .errors import ModelError  # noqa: E402
from .model import Model, load_model  # noqa: E402
from .pipeline import Result, expand, mesh, solve  # noqa: E402
from .pictures import plot, plot_parts, write_report  # noqa: E402
from .studies import StudyTable, study  # noqa: E402
from .sweep import Sweep, sweep_temperature  # noqa: E402

__all__ = ["Model", "ModelError", "Result", "StudyTable", "expand", "load_model", "mesh", "plot", "plot_parts",
           "solve", "study", "sweep_temperature", "Sweep", "write_report", "__version__"]
