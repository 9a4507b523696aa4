"""``python -m warpfem`` is the ``warpfem`` command."""

from .cli import app

app(prog_name="warpfem")
