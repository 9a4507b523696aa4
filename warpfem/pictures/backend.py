"""The rendering back end: PyVista imported on demand, and off-screen rendering with no display.

VTK's Linux wheels choose their OpenGL window at run time. With no X display they would try X
first (printing a warning) before falling back; naming the off-screen window up front skips that:
EGL where an EGL driver is installed (Mesa's software rasteriser on a machine with no GPU, Debian
packages ``libegl1 libegl-mesa0 libgl1-mesa-dri``), else OSMesa (``libosmesa6``).
"""

from __future__ import annotations

import ctypes.util
import glob
import os
import sys
from types import ModuleType

_EGL_VENDOR_DIRS = ("/usr/share/glvnd/egl_vendor.d", "/etc/glvnd/egl_vendor.d")
_WINDOW_VARIABLE = "VTK_DEFAULT_OPENGL_WINDOW"


def has_display() -> bool:
    """True where an interactive window can open (always on Windows and macOS)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def offscreen_window() -> str | None:
    """VTK's render-window class for rendering without a display, or None if neither EGL nor
    OSMesa is installed (VTK then makes its own choice)."""
    egl_vendor = any(glob.glob(os.path.join(d, "*.json")) for d in _EGL_VENDOR_DIRS)
    if egl_vendor and ctypes.util.find_library("EGL"):
        return "vtkEGLRenderWindow"
    if ctypes.util.find_library("OSMesa"):
        return "vtkOSOpenGLRenderWindow"
    return None


def pyvista() -> ModuleType:
    """The pyvista module, set up for off-screen rendering when there is no display. Raises
    OSError with what to install when there is neither a display nor an off-screen OpenGL."""
    if not has_display() and _WINDOW_VARIABLE not in os.environ:
        window = offscreen_window()
        if window is None:
            raise OSError("pictures need a display or an off-screen OpenGL library, and this machine has neither: "
                          "install EGL with Mesa (Debian: apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri) or "
                          f"OSMesa (libosmesa6), or name VTK's render window in {_WINDOW_VARIABLE}")
        os.environ[_WINDOW_VARIABLE] = window
    try:
        import pyvista as pv
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise ImportError("warpfem's pictures need PyVista, which warpfem installs: pip install warpfem") from e
    return pv
