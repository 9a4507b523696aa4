"""How every picture looks: scale factors in round numbers, colours, camera, titles.

A package is tens of millimetres wide and one or two thick, and warps by tens of micrometres, so
a true-scale picture shows neither the shape nor the layers. Pictures therefore exaggerate the
displacement (and, for thin stacks, the thickness) by round factors, and say so on the picture.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyvista as pv

#: colour maps: a rainbow for stress magnitude (hot = high, as Ansys users read it) and a
#: diverging map centred on zero for out-of-plane displacement, so its sign reads at a glance
STRESS_CMAP = "turbo"
DISPLACEMENT_CMAP = "RdBu_r"
PART_CMAP = "tab10"
OUTLINE_COLOUR = "black"
FADED_COLOUR = "lightgrey"

#: default picture size in pixels
WINDOW_SIZE = (1200, 800)
#: the bow of the deformed package is drawn this fraction of the package's width
WARP_TARGET = 0.12
#: default camera direction for a flat package: from the front left, about 40° above the board
VIEW_DIRECTION = (-0.55, -1.0, 0.9)


def nice_round(x: float) -> float:
    """The 1, 2 or 5 × 10^k nearest to ``x`` (x > 0) on a log scale."""
    k = math.floor(math.log10(x))
    candidates = [m * 10.0**j for j in (k, k + 1) for m in (1.0, 2.0, 5.0)]
    return min(candidates, key=lambda c: abs(math.log(c / x)))


def warp_factor(span_mm: float, bow_mm: float, target: float = WARP_TARGET) -> float:
    """Displacement exaggeration that draws a bow of ``bow_mm`` (out-of-plane peak-to-valley)
    as about ``target`` × the package's width ``span_mm``: a round number, at least 1."""
    if bow_mm <= 0:
        return 1.0
    return max(1.0, nice_round(target * span_mm / bow_mm))


def z_stretch(span_mm: float, thickness_mm: float, target: float) -> float:
    """Thickness exaggeration that draws a stack about ``target`` × its width thick: a round
    number, and 1 for a stack that already is that thick."""
    if thickness_mm >= target * span_mm:
        return 1.0
    return max(1.0, nice_round(target * span_mm / thickness_mm))


def span_mm(bounds) -> float:
    """The larger in-plane side of a bounding box (x0, x1, y0, y1, z0, z1), mm."""
    return max(bounds[1] - bounds[0], bounds[3] - bounds[2])


def scale_note(factor: float | None = None, stretch: float = 1.0) -> str:
    """The line that says how the picture departs from true scale."""
    notes = []
    if factor is not None:
        notes.append(f"displacement × {factor:g}")
    if stretch != 1.0:
        notes.append(f"thickness (z) × {stretch:g}")
    return ", ".join(notes) if notes else "true scale"


def part_colours(n: int) -> list[tuple[float, float, float]]:
    """One distinct colour per part."""
    import matplotlib

    cmap = matplotlib.colormaps[PART_CMAP if n <= 10 else "tab20"]
    return [tuple(cmap(i % cmap.N)[:3]) for i in range(n)]


def bar(title: str, lo: float, hi: float) -> dict:
    """Colour-bar settings: vertical, at the right, titled with the quantity and its unit, with
    as many decimals as the range between ``lo`` and ``hi`` needs."""
    step = (hi - lo) / 4 if hi > lo else max(abs(hi), 1.0)
    decimals = min(3, max(0, -math.floor(math.log10(step))))
    return {"title": title, "vertical": True, "position_x": 0.87, "position_y": 0.12, "width": 0.05,
            "height": 0.7, "fmt": f"%.{decimals}f", "title_font_size": 16, "label_font_size": 14,
            "n_labels": 5, "color": "black"}


def titles(plotter: pv.Plotter, title: str, subtitle: str) -> None:
    """The model and the quantity at the top left, what is drawn how just below it."""
    plotter.add_text(title, position="upper_left", font_size=13, color="black")
    plotter.add_text(subtitle, position="lower_left", font_size=10, color="black")


def look_at(plotter: pv.Plotter, bounds, direction=VIEW_DIRECTION, zoom: float = 1.0,
            shift: float = 0.06) -> None:
    """Point the camera at the box ``bounds`` from ``direction`` (z up), fit it in view, and move
    it ``shift`` × the view's width to the left, clear of the colour bar or legend."""
    centre = np.array([(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2])
    d = np.asarray(direction, dtype=float)
    cam = plotter.camera
    cam.focal_point = centre
    cam.position = centre + d / np.linalg.norm(d) * 10 * span_mm(bounds)
    cam.up = (0.0, 0.0, 1.0)
    plotter.reset_camera(bounds=bounds)
    cam.zoom(zoom)
    distance = np.linalg.norm(np.subtract(cam.position, cam.focal_point))
    width = 2 * distance * math.tan(math.radians(cam.view_angle) / 2) * plotter.window_size[0] / plotter.window_size[1]
    right = np.cross(cam.direction, cam.up)
    move = shift * width * right / np.linalg.norm(right)
    cam.focal_point = np.add(cam.focal_point, move)
    cam.position = np.add(cam.position, move)
