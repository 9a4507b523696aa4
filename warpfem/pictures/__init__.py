"""Stage 7 — pictures and reports of a result (or of a bare model), drawn with PyVista.

    >>> import warpfem
    >>> p = warpfem.plot("out/fcbga", "moire")      # a pyvista.Plotter: add to it, then show
    >>> p.show()
    >>> warpfem.plot_parts("studies/fcbga_40mm.toml").screenshot("parts.png")

Reads only what the earlier stages hand out: an output directory (``result.vtu`` and
``summary.json``), a :class:`~warpfem.pipeline.Result`, a mesh or a model. PyVista and matplotlib
are the ``plot`` extra; nothing here imports them until a picture is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..output import atomic_paths
from .backend import has_display, pyvista
from .scene import Scene, as_scene
from .style import WINDOW_SIZE
from .views import VIEWS, carrier_bottom

if TYPE_CHECKING:
    import pyvista as pv


def plot(source: Any, view: str = "deformed", *, part: str | None = None, scale: float | None = None,
         z_scale: float | None = None, others: str = "faded", section_y_mm: float | None = None,
         off_screen: bool | None = None, window_size: tuple[int, int] = WINDOW_SIZE) -> pv.Plotter:
    """A PyVista plotter holding one view of a package; call ``.show()`` or ``.screenshot()``.

    ``source``: a Result, an output directory, a result.vtu, a Mesh or a model (file, dict or
    Model; the ``exploded`` and ``section`` views need no solve). ``view``: one of
    ``deformed``, ``moire``, ``stress``, ``exploded``, ``section``. ``part``: the part the
    ``stress`` view colours (default: the bumps, else the most stressed part); ``others``:
    ``"faded"`` or ``"hidden"``. ``scale``: displacement exaggeration (default: a round number
    that makes the bow visible); ``z_scale``: thickness exaggeration (default: automatic for thin
    packages). Both are written on the picture. ``section_y_mm``: where the ``section`` view cuts
    (default: through the carrier's centre). ``off_screen`` defaults to True where there is no
    display.
    """
    if view not in VIEWS:
        raise ValueError(f"view '{view}': choose one of {', '.join(VIEWS)}.")
    scene = as_scene(source)
    pv = pyvista()
    if off_screen is None:
        off_screen = not has_display() or pv.OFF_SCREEN
    plotter = pv.Plotter(off_screen=off_screen, window_size=list(window_size), theme=pv.themes.DocumentTheme())
    plotter.enable_anti_aliasing("ssaa")
    # edges drawn on a face must win over it: pull faces back a little in depth
    from vtkmodules.vtkRenderingCore import vtkMapper

    vtkMapper.SetResolveCoincidentTopologyToPolygonOffset()
    VIEWS[view](plotter, scene, part=part, scale=scale, z_scale=z_scale, others=others, section_y_mm=section_y_mm)
    for bar in plotter.scalar_bars.values():
        bar.SetVerticalTitleSeparation(12)  # keep the title clear of the top label
    return plotter


def plot_parts(source: Any, **kwargs) -> pv.Plotter:
    """The exploded view of a model's (or mesh's, or result's) parts, coloured by part."""
    return plot(source, "exploded", **kwargs)


def save_picture(plotter: pv.Plotter, path: str | Path) -> Path:
    """Render the plotter to a PNG file, atomically, and close it."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"screenshot '{path}': pictures are written as PNG; name the file *.png.")
    try:
        with atomic_paths(path) as (tmp,):
            plotter.screenshot(str(tmp))
    finally:
        plotter.close()
    return path


from .report import write_report  # noqa: E402  (uses plot above)

__all__ = ["Scene", "VIEWS", "as_scene", "carrier_bottom", "has_display", "plot", "plot_parts", "save_picture",
           "write_report"]
