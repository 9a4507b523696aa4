"""The model contract as typed data: what a model file may say, with its units in the names.

Type and range checks live here (pydantic); checks that need the whole model, such as material
look-ups and the single carrier, live in :mod:`warpfem.model.validate`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ModelInfo(_Strict):
    name: str = "model"
    symmetry: Literal["full", "quarter"] = "full"
    family: str | None = None
    description: str | None = None


class Load(_Strict):
    stress_free_c: float
    temperature_c: float

    @property
    def delta_t_k(self) -> float:
        """Uniform temperature change from the stress-free state, in K."""
        return self.temperature_c - self.stress_free_c


class MeshSettings(_Strict):
    size_mm: float | None = Field(default=None, gt=0, description="target in-plane element size, mm")
    size_z_mm: float | None = Field(default=None, gt=0, description="target element height, mm (default 3 x size_mm)")
    min_layers: int = Field(default=1, ge=1, le=8, description="fewest elements through each slab")


class SolverSettings(_Strict):
    method: Literal["auto", "direct", "iterative"] = "auto"
    rtol: float = Field(default=1e-6, gt=0, lt=1e-2, description="iterative solver relative residual")


class MaterialTable(_Strict):
    E_gpa: float | None = Field(default=None, gt=0)
    nu: float | None = None
    cte_ppm: float | None = None
    k_w_mk: float | None = Field(default=None, gt=0)
    source: str | None = None


class ArraySpec(_Strict):
    nx: int = Field(ge=1)
    ny: int = Field(ge=1)
    pitch_x_mm: float = 0.0
    pitch_y_mm: float = 0.0


class Part(_Strict):
    name: str = Field(min_length=1)
    material: str
    box: tuple[float, float, float, float, float, float]
    holes: tuple[tuple[float, float, float, float], ...] = ()
    array: ArraySpec | None = None
    role: Literal["carrier", "bumps"] | None = None

    @field_validator("box")
    @classmethod
    def _positive_size(cls, box: tuple[float, ...]) -> tuple[float, ...]:
        for axis, (lo, hi) in zip("xyz", (box[0:2], box[2:4], box[4:6])):
            if not hi > lo:
                raise ValueError(f"its {axis} size is {hi - lo:g} mm; it must be positive ({axis}1 > {axis}0)")
        return box

    def boxes(self) -> list[tuple[float, float, float, float, float, float]]:
        """Every copy of the box (one unless ``array`` is given), in mm."""
        if self.array is None:
            return [self.box]
        x0, x1, y0, y1, z0, z1 = self.box
        a = self.array
        return [
            (x0 + i * a.pitch_x_mm, x1 + i * a.pitch_x_mm, y0 + j * a.pitch_y_mm, y1 + j * a.pitch_y_mm, z0, z1)
            for j in range(a.ny)
            for i in range(a.nx)
        ]

    def holes_of(self, copy: int) -> list[tuple[float, float, float, float]]:
        """The holes of one copy of the box, shifted with it, in mm."""
        if self.array is None or not self.holes:
            return list(self.holes)
        i, j = copy % self.array.nx, copy // self.array.nx
        dx, dy = i * self.array.pitch_x_mm, j * self.array.pitch_y_mm
        return [(h[0] + dx, h[1] + dx, h[2] + dy, h[3] + dy) for h in self.holes]


class Model(_Strict):
    model: ModelInfo = ModelInfo()
    load: Load
    mesh: MeshSettings = MeshSettings()
    solver: SolverSettings = SolverSettings()
    materials: dict[str, MaterialTable] = {}
    parts: tuple[Part, ...] = ()
    family: dict | None = None

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def carrier(self) -> Part:
        return next(p for p in self.parts if p.role == "carrier")
