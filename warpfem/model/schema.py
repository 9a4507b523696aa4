"""The model contract as typed data: what a model file may say, with its units in the names.

Type and range checks live here (pydantic); checks that need the whole model, such as material
look-ups and the single carrier, live in :mod:`warpfem.model.validate`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from . import bump_shape


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ModelInfo(_Strict):
    name: str = "model"
    symmetry: Literal["full", "quarter"] = "full"
    family: str | None = None
    description: str | None = None
    process: Literal["family"] | None = Field(default=None, description='"family": bond the parts in the family\'s '
                                                                         "default assembly sequence (unless [[steps]] are given)")


class Load(_Strict):
    stress_free_c: float
    temperature_c: float
    material_properties: Literal["room_temperature", "temperature_dependent", "viscoelastic"] = Field(
        default="room_temperature",
        description="room_temperature: every material's constant values; temperature_dependent: E, nu at "
                    "temperature_c and the CTE integrated from stress_free_c, from the materials' temperature data; "
                    "viscoelastic: temperature-dependent, and the process solved in time (ramps, holds) with the "
                    "materials' relaxation (Prony series) and cure shrinkage")
    ramp_k_per_min: float = Field(default=10.0, gt=0, description="viscoelastic: rate from the last step's "
                                                                   "temperature to temperature_c, K/min")
    hold_s: float = Field(default=0.0, ge=0, description="viscoelastic: time held at temperature_c before the "
                                                          "result is read, s")

    @property
    def temperature_dependent(self) -> bool:
        return self.material_properties in ("temperature_dependent", "viscoelastic")

    @property
    def viscoelastic(self) -> bool:
        return self.material_properties == "viscoelastic"

    @property
    def delta_t_k(self) -> float:
        """Uniform temperature change from the stress-free state, in K."""
        return self.temperature_c - self.stress_free_c


class MeshSettings(_Strict):
    size_mm: float | None = Field(default=None, gt=0, description="target in-plane element size away from edges, mm")
    size_z_mm: float | None = Field(default=None, gt=0, description="target element height away from interfaces, mm (default 3 x size_mm)")
    min_layers: int = Field(default=1, ge=1, le=8, description="fewest elements through each slab")
    graded: bool = Field(default=True, description="grade the mesh toward material edges and refine to target_error; "
                                                   "false: uniform sizes and one solve")
    edge_ratio: float = Field(default=4.0, gt=0, le=100, description="element size at a material edge, in thicknesses "
                                                                      "of the thinnest part meeting there")
    growth: float = Field(default=2.0, gt=1, le=3, description="size ratio of neighbouring elements away from an edge")
    target_error: float = Field(default=0.01, ge=0, lt=1, description="refine until the warpage's estimated relative "
                                                                         "error is at most this (0: one solve, no estimate)")
    max_dofs: int = Field(default=600_000, ge=1000, description="refine no further than meshes of this many dofs")


class SolverSettings(_Strict):
    method: Literal["auto", "direct", "iterative"] = "auto"
    rtol: float = Field(default=1e-5, gt=0, lt=1e-2, description="iterative solver relative residual")


class TemperatureTable(_Strict):
    """``[materials.NAME.table]``: properties at listed temperatures, linear between them."""

    temperature_c: tuple[float, ...] = Field(min_length=2, description="increasing temperatures, °C")
    E_gpa: tuple[float, ...] | None = None
    nu: tuple[float, ...] | None = None
    cte_ppm: tuple[float, ...] | None = Field(default=None, description="instantaneous CTE, ppm/K")

    @model_validator(mode="after")
    def _columns(self) -> "TemperatureTable":
        t = self.temperature_c
        if any(b <= a for a, b in zip(t, t[1:])):
            raise ValueError(f"temperature_c {list(t)} must increase")
        columns = {k: getattr(self, k) for k in ("E_gpa", "nu", "cte_ppm") if getattr(self, k) is not None}
        if not columns:
            raise ValueError("give at least one of E_gpa, nu, cte_ppm against temperature_c")
        for key, col in columns.items():
            if len(col) != len(t):
                raise ValueError(f"{key} has {len(col)} values and temperature_c has {len(t)}")
        if "E_gpa" in columns and min(columns["E_gpa"]) <= 0:
            raise ValueError(f"E_gpa {list(columns['E_gpa'])} must be positive")
        if "nu" in columns and not all(-1.0 < v < 0.5 for v in columns["nu"]):
            raise ValueError(f"nu {list(columns['nu'])} must lie in (-1, 0.5)")
        return self


class ViscoelasticTable(_Strict):
    """``[materials.NAME.viscoelastic]``: relaxation as Prony series (weights relative to the
    glassy modulus of E_gpa and nu, times at the reference temperature) and the time-temperature
    shift."""

    shear_weights: tuple[float, ...] = Field(min_length=1, description="g_i = G_i / G0, each in (0, 1)")
    shear_times_s: tuple[float, ...] = Field(min_length=1, description="relaxation times at reference_c, s")
    bulk_weights: tuple[float, ...] = Field(default=(), description="k_i = K_i / K0 (none: bulk elastic)")
    bulk_times_s: tuple[float, ...] = ()
    shift: Literal["wlf", "arrhenius", "wlf_arrhenius", "none"] = "none"
    reference_c: float | None = Field(default=None, description="the shift's reference temperature, °C")
    wlf_c1: float | None = Field(default=None, gt=0)
    wlf_c2_k: float | None = Field(default=None, gt=0)
    activation_k: float | None = Field(default=None, gt=0, description="Arrhenius Ea / R, K")
    source: str | None = None

    @model_validator(mode="after")
    def _series(self) -> "ViscoelasticTable":
        for kind in ("shear", "bulk"):
            w, t = getattr(self, f"{kind}_weights"), getattr(self, f"{kind}_times_s")
            if len(w) != len(t):
                raise ValueError(f"{kind}_weights has {len(w)} values and {kind}_times_s has {len(t)}")
            if any(not 0 < v < 1 for v in w) or sum(w) >= 1:
                raise ValueError(f"{kind}_weights {list(w)} must each lie in (0, 1) and add up to less than 1 "
                                 "(the rest is the rubbery modulus)")
            if any(v <= 0 for v in t):
                raise ValueError(f"{kind}_times_s {list(t)} must be positive")
        need = {"wlf": ("reference_c", "wlf_c1", "wlf_c2_k"), "arrhenius": ("reference_c", "activation_k"),
                "wlf_arrhenius": ("reference_c", "wlf_c1", "wlf_c2_k", "activation_k"), "none": ()}[self.shift]
        for key in need:
            if getattr(self, key) is None:
                raise ValueError(f"shift = \"{self.shift}\" needs {', '.join(need)}; {key} is missing")
        return self


Triple = tuple[float, float, float]


class OrthotropicTable(_Strict):
    """``[materials.NAME.orthotropic]``: elasticity and expansion along the package's x, y, z."""

    E_gpa: Triple = Field(description="Young's moduli Ex, Ey, Ez, GPa")
    nu: Triple = Field(description="Poisson ratios ν_xy, ν_xz, ν_yz (ν_pq: contraction along q under stress along p)")
    G_gpa: Triple = Field(description="shear moduli Gxy, Gxz, Gyz, GPa")
    cte_ppm: Triple = Field(description="CTE along x, y, z, ppm/K")

    @model_validator(mode="after")
    def _positive(self) -> "OrthotropicTable":
        for key in ("E_gpa", "G_gpa"):
            if min(getattr(self, key)) <= 0:
                raise ValueError(f"{key} {list(getattr(self, key))} must be positive")
        return self


class StackupLayer(_Strict):
    """One layer of ``[materials.NAME.stackup]``."""

    material: str = Field(min_length=1, description="the layer's material (a built-in or [materials.*] name)")
    thickness_mm: float = Field(gt=0)
    coverage: float = Field(default=1.0, gt=0, le=1, description="fraction of the layer's area that is `material` "
                                                                  "(a copper layer's copper), the rest `fill`")
    fill: str | None = Field(default=None, description="the material over the rest of the area (the dielectric)")

    @model_validator(mode="after")
    def _fill(self) -> "StackupLayer":
        if self.coverage < 1 and self.fill is None:
            raise ValueError(f"layer of {self.material!r}: coverage {self.coverage:g} < 1 needs fill, the material "
                             "over the rest of the layer")
        if self.coverage == 1 and self.fill is not None:
            raise ValueError(f"layer of {self.material!r}: fill {self.fill!r} has no room at coverage 1")
        return self


class StackupTable(_Strict):
    """``[materials.NAME.stackup]``: a substrate's layers from the bottom (ball side) up."""

    layers: tuple[StackupLayer, ...] = Field(min_length=1)
    source: str | None = None


class AnandTable(_Strict):
    """``[materials.NAME.anand]``: Anand's nine viscoplastic constants (:mod:`.solder`)."""

    s0_mpa: float = Field(gt=0, description="initial deformation resistance, MPa")
    q_over_r_k: float = Field(gt=0, description="activation energy over the gas constant, K")
    a_per_s: float = Field(gt=0, description="pre-exponential factor, 1/s")
    xi: float = Field(gt=0, description="stress multiplier")
    m: float = Field(gt=0, le=1, description="strain-rate sensitivity")
    h0_mpa: float = Field(gt=0, description="hardening constant, MPa")
    s_hat_mpa: float = Field(gt=0, description="coefficient of the saturation resistance, MPa")
    n: float = Field(gt=0, description="strain-rate sensitivity of the saturation resistance")
    a: float = Field(ge=1, description="hardening exponent")
    source: str | None = None


class LifeTable(_Strict):
    """``[materials.NAME.life]``: an energy-based fatigue correlation (:mod:`.joint_life`)."""

    k1: float = Field(gt=0, description="initiation (or total life) coefficient, cycles per MPa^k2")
    k2: float = Field(lt=0, description="initiation (or total life) exponent")
    k3_mm: float = Field(default=0.0, ge=0, description="growth coefficient, mm per cycle per MPa^k4; "
                                                        "0: k1, k2 give the total life")
    k4: float = Field(default=1.0, gt=0, description="growth exponent")
    layer_mm: float = Field(gt=0, description="thickness of the pad layer the energy density was averaged over "
                                              "when the constants were fitted, mm")
    source: str | None = None


class MaterialTable(_Strict):
    E_gpa: float | None = Field(default=None, gt=0)
    nu: float | None = None
    cte_ppm: float | None = None
    k_w_mk: float | None = Field(default=None, gt=0)
    k_z_w_mk: float | None = Field(default=None, gt=0, description="through-thickness conductivity, W/(m·K) "
                                                                   "(default k_w_mk: isotropic)")
    source: str | None = None
    tg_c: float | None = Field(default=None, description="glass transition, °C (E_gpa and cte_ppm apply below it)")
    cte_above_tg_ppm: float | None = Field(default=None, description="instantaneous CTE above Tg (alpha2), ppm/K")
    E_above_tg_gpa: float | None = Field(default=None, gt=0, description="modulus above Tg, GPa")
    tg_width_k: float | None = Field(default=None, ge=0, description="half-width of a smooth (tanh) transition, K; "
                                                                      "0: a step at Tg")
    table: TemperatureTable | None = None
    orthotropic: OrthotropicTable | None = None
    stackup: StackupTable | None = None
    viscoelastic: ViscoelasticTable | None = None
    cure_shrinkage_pct: float | None = Field(default=None, ge=0, lt=20, description="volumetric chemical shrinkage "
                                                                                   "after gelation (bonding), %")
    cure_start_s: float | None = Field(default=None, ge=0, description="shrinkage starts this long after bonding, s")
    cure_end_s: float | None = Field(default=None, ge=0, description="and ends this long after bonding, s")
    anand: str | dict | None = Field(default=None, description="solder viscoplasticity for [cycle] solder = "
                                     "\"anand\": a built-in set's name or a table of the nine constants "
                                     "(AnandTable)")
    life: str | dict | None = Field(default=None, description="solder fatigue life from the cycled bump's energy "
                                    "density: a built-in correlation's name or its constants (LifeTable)")

    #: the keys that describe temperature dependence
    TEMPERATURE_KEYS: ClassVar[tuple[str, ...]] = ("tg_c", "cte_above_tg_ppm", "E_above_tg_gpa", "tg_width_k", "table")
    #: the keys of relaxation and cure, used along a process's time history
    HISTORY_KEYS: ClassVar[tuple[str, ...]] = ("viscoelastic", "cure_shrinkage_pct", "cure_start_s", "cure_end_s")
    #: keys read by analyses other than the elastic solve
    CREEP_KEYS: ClassVar[tuple[str, ...]] = ("anand", "life")


class ArraySpec(_Strict):
    nx: int = Field(ge=1)
    ny: int = Field(ge=1)
    pitch_x_mm: float = 0.0
    pitch_y_mm: float = 0.0
    rows: int | None = Field(default=None, ge=1, description="peripheral array: keep the sites this many rows from the edge")
    empty_centre: tuple[int, int] | None = Field(default=None, description="depopulated centre: [kx, ky] sites left out")

    @model_validator(mode="after")
    def _sites_left(self) -> "ArraySpec":
        if self.empty_centre is not None:
            kx, ky = self.empty_centre
            for k, n, axis in ((kx, self.nx, "x"), (ky, self.ny, "y")):
                if k < 0 or k > n:
                    raise ValueError(f"empty_centre {list(self.empty_centre)} leaves out {k} sites along {axis}, "
                                     f"and the array has {n}")
                if (n - k) % 2:
                    raise ValueError(f"empty_centre {list(self.empty_centre)}: {k} and n{axis} = {n} differ in parity, "
                                     "so the empty block cannot be centred")
        if not self.count():
            raise ValueError("rows and empty_centre together leave no site of the array")
        return self

    def count(self) -> int:
        """How many sites are kept (without listing them: an array may be too big to list)."""
        kx, ky = self.empty_centre or (0, 0)
        ex, ey = (self.nx - kx) // 2, (self.ny - ky) // 2
        r = self.rows
        inner = (0, self.nx, 0, self.ny) if r is None else (r, self.nx - r, r, self.ny - r)  # sites dropped by rows
        centre = (ex, ex + kx, ey, ey + ky)

        def area(x0: int, x1: int, y0: int, y1: int) -> int:
            return max(x1 - x0, 0) * max(y1 - y0, 0)

        dropped_inner = area(*inner) if r is not None else 0
        overlap = area(max(inner[0], centre[0]), min(inner[1], centre[1]),
                       max(inner[2], centre[2]), min(inner[3], centre[3])) if r is not None else 0
        return self.nx * self.ny - dropped_inner - area(*centre) + overlap

    def sites(self) -> list[tuple[int, int]]:
        """(i, j) of every kept site, row by row (i fastest), after ``rows`` and ``empty_centre``."""
        kx, ky = self.empty_centre or (0, 0)
        ex, ey = (self.nx - kx) // 2, (self.ny - ky) // 2

        def kept(i: int, j: int) -> bool:
            if self.rows is not None and min(i, j, self.nx - 1 - i, self.ny - 1 - j) >= self.rows:
                return False
            return not (ex <= i < ex + kx and ey <= j < ey + ky)

        return [(i, j) for j in range(self.ny) for i in range(self.nx) if kept(i, j)]


class Part(_Strict):
    name: str = Field(min_length=1)
    material: str
    box: tuple[float, float, float, float, float, float]
    holes: tuple[tuple[float, float, float, float], ...] = ()
    array: ArraySpec | None = None
    role: Literal["carrier", "bumps"] | None = None
    shape: Literal["box", "cylinder", "barrel"] | None = None
    pad_diameter_mm: float | None = Field(default=None, gt=0)
    max_diameter_mm: float | None = Field(default=None, gt=0)

    @field_validator("box")
    @classmethod
    def _positive_size(cls, box: tuple[float, ...]) -> tuple[float, ...]:
        for axis, (lo, hi) in zip("xyz", (box[0:2], box[2:4], box[4:6])):
            if not hi > lo:
                raise ValueError(f"its {axis} size is {hi - lo:g} mm; it must be positive ({axis}1 > {axis}0)")
        return box

    @property
    def bump_shape(self) -> str:
        """``shape``, "box" when not given."""
        return self.shape or "box"

    def bump_diameters_mm(self) -> tuple[float, float]:
        """(pad, widest) diameter of a round bump in mm: the pad defaults to the box's x size."""
        pad = self.pad_diameter_mm or (self.box[1] - self.box[0])
        return pad, (self.max_diameter_mm or pad)

    def sites(self) -> list[tuple[int, int]]:
        """(i, j) array index of every copy of the box, in copy order."""
        return [(0, 0)] if self.array is None else self.array.sites()

    def site_boxes(self) -> list[tuple[float, float, float, float, float, float]]:
        """Every copy of the box as given (for a bump: its bounding box), in mm."""
        x0, x1, y0, y1, z0, z1 = self.box
        a = self.array or ArraySpec(nx=1, ny=1)
        return [
            (x0 + i * a.pitch_x_mm, x1 + i * a.pitch_x_mm, y0 + j * a.pitch_y_mm, y1 + j * a.pitch_y_mm, z0, z1)
            for i, j in self.sites()
        ]

    def boxes(self) -> list[tuple[float, float, float, float, float, float]]:
        """Every copy as the brick mesh carries it, in mm: the box, or for a round bump the square
        prism of its volume and height centred on the site (the real shape is a submodel's)."""
        if self.bump_shape == "box":
            return self.site_boxes()
        pad, widest = self.bump_diameters_mm()
        h = 0.5 * bump_shape.equivalent_side_mm(self.bump_shape, pad, widest, self.box[5] - self.box[4])
        out = []
        for x0, x1, y0, y1, z0, z1 in self.site_boxes():
            cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
            out.append((cx - h, cx + h, cy - h, cy + h, z0, z1))
        return out

    def holes_of(self, copy: int) -> list[tuple[float, float, float, float]]:
        """The holes of one copy of the box, shifted with it, in mm."""
        if self.array is None or not self.holes:
            return list(self.holes)
        i, j = self.sites()[copy]
        dx, dy = i * self.array.pitch_x_mm, j * self.array.pitch_y_mm
        return [(h[0] + dx, h[1] + dx, h[2] + dy, h[3] + dy) for h in self.holes]


class BumpSettings(_Strict):
    """``[bumps]``: how the global model carries the bump layer, and which bumps get a submodel."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True,
                              serialize_by_alias=True)
    global_model: Literal["explicit", "homogenised"] = Field(default="explicit", alias="global")
    filler: str | None = Field(default=None, min_length=1, description="the part around the bumps in the gap")
    submodel: str | int = Field(default="critical", description='"none", "critical" or how many of the most critical bumps')
    submodel_size_mm: float | None = Field(default=None, gt=0)

    @field_validator("submodel", mode="before")
    @classmethod
    def _which(cls, v: object) -> str | int:
        if v in ("none", "critical") or (isinstance(v, int) and not isinstance(v, bool) and v >= 1):
            return v
        raise ValueError(f"{v!r}: give \"none\", \"critical\" or a count of at least 1")


class CycleSpec(_Strict):
    """``[cycle]``: a thermal cycle (°C, minutes): the elastic fatigue estimate's range and rate,
    and with ``solder = "anand"`` the cycling the critical bump's viscoplastic submodel is run
    through (JESD22-A104 condition G by default: −40/125 °C, 15-minute ramps and dwells)."""

    min_c: float = -40.0
    max_c: float = 125.0
    dwell_min: float | None = Field(default=None, gt=0, description="half-cycle dwell time, minutes")
    cycles_per_day: float | None = Field(default=None, gt=0)
    ramp_min: float = Field(default=15.0, gt=0, description="time of each ramp between min_c and max_c, minutes")
    cycles: int = Field(default=3, ge=2, le=20, description="anand: cycles run; the inelastic energy density of the "
                                                            "last is reported with its change from the one before")
    solder: Literal["elastic", "anand"] = Field(default="elastic", description="elastic: the Engelmaier estimate from "
                                                "the elastic shear strain; anand: also the critical bump's submodel "
                                                "cycled with its solder viscoplastic (Anand), Darveaux's energy and life")
    time_refine: int = Field(default=1, ge=1, le=8, description="anand: time steps per ramp and dwell, times the "
                                                                "default (5 K per ramp step, 4 per decade of a dwell)")

    @model_validator(mode="before")
    @classmethod
    def _anand_dwell(cls, data: object) -> object:
        # a viscoplastic run needs a dwell; JESD22-A104's 15 minutes when none is given
        if isinstance(data, dict) and data.get("solder") == "anand" and data.get("dwell_min") is None \
                and data.get("cycles_per_day") is None:
            return {**data, "dwell_min": 15.0}
        return data

    @field_validator("max_c")
    @classmethod
    def _above_min(cls, v: float, info) -> float:
        low = info.data.get("min_c", -40.0)
        if low is not None and not v > low:
            raise ValueError(f"max_c = {v:g} °C must be above min_c = {low:g} °C")
        return v

    @model_validator(mode="after")
    def _rate(self) -> "CycleSpec":
        if self.dwell_min is None and self.cycles_per_day is None:
            raise ValueError("give dwell_min or cycles_per_day: the fatigue exponent depends on the cycle's rate")
        if self.solder == "anand" and self.dwell_min is None:
            raise ValueError("solder = \"anand\" cycles the bump through ramps and dwells: give dwell_min "
                             "(cycles_per_day alone does not say how long the dwells are)")
        return self

    @property
    def range_k(self) -> float:
        return self.max_c - self.min_c

    @property
    def mean_c(self) -> float:
        return 0.5 * (self.max_c + self.min_c)


Side = Literal["top", "bottom"]


class PowerSource(_Strict):
    """``[[thermal.power]]``: heat dissipated in a part, in its volume or on one face."""

    part: str
    watts: float = Field(ge=0)
    face: Literal["volume", "top", "bottom"] = Field(default="volume", description="where the heat is made: the "
                                                     "part's volume or one face (a flip-chip die's active face is its bottom)")


class Convection(_Strict):
    """``[[thermal.convection]]``: heat carried off a part's exposed face to an ambient."""

    part: str
    face: Side
    h_w_m2k: float = Field(gt=0, description="heat-transfer coefficient, W/(m²·K)")
    ambient_c: float | None = Field(default=None, description="°C; default [thermal] ambient_c")


class FixedTemperature(_Strict):
    """``[[thermal.fixed]]``: a part's exposed face held at a temperature (a cold plate)."""

    part: str
    face: Side
    temperature_c: float


class Thermal(_Strict):
    """``[thermal]``: steady heat conduction — the powered package's temperature, θJC, θJB, θJA
    and its warpage when powered."""

    ambient_c: float = 25.0
    power: tuple[PowerSource, ...] = Field(min_length=1)
    convection: tuple[Convection, ...] = ()
    fixed: tuple[FixedTemperature, ...] = ()

    @model_validator(mode="after")
    def _cooled(self) -> "Thermal":
        if not self.convection and not self.fixed:
            raise ValueError("give at least one [[thermal.convection]] or [[thermal.fixed]] face: "
                             "otherwise the heat has nowhere to go")
        return self


class ProcessStep(_Strict):
    """``[[steps]]``: one assembly step — the parts it bonds, stress-free at its temperature in the
    shape the package has then; the package then goes to the next step's temperature (after the
    last, to ``[load] temperature_c``)."""

    name: str = Field(min_length=1)
    temperature_c: float | None = Field(default=None, description="bonding temperature, °C (the first step's "
                                                                   "defaults to [load] stress_free_c, which it replaces)")
    parts: tuple[str, ...] = Field(default=(), description="the parts this step bonds; parts no step names are "
                                                           "bonded in the first")
    ramp_k_per_min: float | None = Field(default=None, gt=0, description="viscoelastic: rate from the previous "
                                                                         "step's temperature to this one's, K/min "
                                                                         "(default [load] ramp_k_per_min)")
    hold_s: float = Field(default=0.0, ge=0, description="viscoelastic: time held at this step's temperature "
                                                          "after its parts bond, s")


class Model(_Strict):
    model: ModelInfo = ModelInfo()
    load: Load
    mesh: MeshSettings = MeshSettings()
    solver: SolverSettings = SolverSettings()
    materials: dict[str, MaterialTable] = {}
    parts: tuple[Part, ...] = ()
    family: dict | None = None
    bumps: BumpSettings | None = None
    cycle: CycleSpec | None = None
    steps: tuple[ProcessStep, ...] = ()
    thermal: Thermal | None = None

    @property
    def name(self) -> str:
        return self.model.name

    def step_temperatures_c(self) -> list[float]:
        """Each process step's bonding temperature, °C (none without steps)."""
        return [self.load.stress_free_c if i == 0 and s.temperature_c is None else s.temperature_c
                for i, s in enumerate(self.steps)]

    def part_steps(self) -> dict[str, int]:
        """The step that bonds each part (0 for parts no step names, and without steps)."""
        out = {p.name: 0 for p in self.parts}
        for i, step in enumerate(self.steps):
            for name in step.parts:
                out[name] = i
        return out

    @property
    def carrier(self) -> Part:
        return next(p for p in self.parts if p.role == "carrier")
