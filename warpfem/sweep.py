"""Warpage across a temperature profile: one mesh, a solve at each temperature.

The mesh is the one the model's own solve refines to at ``[load] temperature_c`` (with its error
estimate there); every other temperature is solved on it with the materials as they are at that
temperature (:meth:`~warpfem.model.Material.at`): elastic at each temperature, without history,
so heating and cooling through the same temperature give the same state. A temperature whose
stiffness equals the previous one's (constant E and ν) reuses that one's factorisation or
multigrid hierarchy.

Sign: warpfem's contract — warpage is the mean uz of the carrier bottom face's corners minus uz at
its centre, package upright: positive "smile" (corners up, concave up), negative "cry".
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import __version__
from .accuracy.refine import Step
from .fem import Solution, StiffnessSystem, viscoelastic
from .fem.assemble import element_classes, thermal_load
from .fem.history import bonding_shapes, final_state
from .model import Model, ModelLike, load_model, material_laws
from .model.schedule import schedule, then_through
from .output import atomic_paths, write_json
from .pipeline import (Result, at_temperature, global_layout, global_layouts, materials_used, process_sequence,
                       sized_layout,
                       solve_global)
from .post import element_fields, metrics

#: a shadow-moiré reflow profile's read points (°C), heating from room temperature to the
#: lead-free peak, as JESD22-B112 / JEITA ED-7306 measurements take them; cooling retraces them
HEATING_C = (25.0, 50.0, 75.0, 100.0, 125.0, 150.0, 183.0, 200.0, 217.0, 230.0, 245.0, 260.0)
DEFAULT_PROFILE_C = HEATING_C + HEATING_C[-2::-1]

SIGN = ("warpage = mean uz of the carrier bottom face's corners minus uz at its centre, package upright; "
        "positive: corners up (smile, concave up), negative: corners down (cry, convex up)")


@dataclass(frozen=True)
class SweepPoint:
    """The package at one temperature of the profile (µm, MPa)."""

    temperature_c: float
    branch: str            # "heating" or "cooling"
    warpage_um: float
    coplanarity_um: float
    shape: str
    die_max_von_mises_mpa: float | None
    result: Result = field(repr=False, compare=False)


@dataclass
class Sweep:
    """The profile's points, the error estimate of the temperature the mesh was refined at, and
    what it cost."""

    model: Model
    points: list[SweepPoint]
    reference_c: float
    error: dict
    timings_s: dict[str, float]
    systems: int   # stiffness systems built (one per distinct set of moduli)

    def summary(self) -> dict:
        m = self.points[0].result.mesh
        return {
            "model": self.model.name,
            "sign": SIGN,
            "stress_free_c": self.model.load.stress_free_c,
            "material_properties": self.model.load.material_properties,
            "points": [{"temperature_c": p.temperature_c, "branch": p.branch, "warpage_um": p.warpage_um,
                        "coplanarity_um": p.coplanarity_um, "shape": p.shape,
                        "die_max_von_mises_mpa": p.die_max_von_mises_mpa} for p in self.points],
            "error": {**self.error, "at_temperature_c": self.reference_c,
                      "note": "estimated at the temperature the mesh was refined at; the other temperatures "
                              "are solved on the same mesh"},
            "mesh": {"nodes": m.n_nodes, "elements": m.n_elements, "dofs": m.n_dofs},
            "systems": self.systems,
            "timings_s": {k: round(v, 4) for k, v in self.timings_s.items()},
            "materials": {f"{p.temperature_c:g}": materials_used(p.result.solution.layout) for p in self._distinct()},
            "warpfem_version": __version__,
        }

    def _distinct(self) -> list[SweepPoint]:
        seen: dict[float, SweepPoint] = {}
        for p in self.points:
            seen.setdefault(p.temperature_c, p)
        return list(seen.values())

    def csv_text(self, limits_um: tuple[float, float] | None = None) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        head = ["temperature_c", "branch", "warpage_um", "coplanarity_um", "shape", "die_max_von_mises_mpa"]
        w.writerow(head + (["within_limits"] if limits_um else []))
        for p in self.points:
            row = [f"{p.temperature_c:g}", p.branch, f"{p.warpage_um:.6g}", f"{p.coplanarity_um:.6g}", p.shape,
                   "" if p.die_max_von_mises_mpa is None else f"{p.die_max_von_mises_mpa:.6g}"]
            if limits_um:
                row.append(str(limits_um[0] <= p.warpage_um <= limits_um[1]).lower())
            w.writerow(row)
        return buf.getvalue()

    def zero_crossings_c(self) -> list[float]:
        """Temperatures (°C) where the heating branch's warpage changes sign, by linear
        interpolation between read points."""
        heat = sorted(self._distinct(), key=lambda p: p.temperature_c)
        out = []
        for a, b in zip(heat, heat[1:]):
            if a.warpage_um == 0.0:
                out.append(a.temperature_c)
            elif a.warpage_um * b.warpage_um < 0:
                out.append(a.temperature_c + (b.temperature_c - a.temperature_c) * a.warpage_um / (a.warpage_um - b.warpage_um))
        return out

    def write(self, outdir: str | Path, limits_um: tuple[float, float] | None = None,
              pictures: bool = True) -> list[Path]:
        """``sweep.csv``, ``sweep.json`` and ``sweep.png`` (the curve) into ``outdir``, with
        ``report.html`` (the curve and the moiré view at each temperature) when ``pictures``:
        all or none of them."""
        outdir = Path(outdir)
        names = ["sweep.csv", "sweep.json", "sweep.png"] + (["report.html"] if pictures else [])
        targets = [outdir / n for n in names]
        png = curve_png(self, limits_um)
        page = sweep_report(self, png, limits_um) if pictures else None
        with atomic_paths(*targets) as tmp:
            tmp[0].write_text(self.csv_text(limits_um), encoding="utf-8")
            summary = self.summary()
            if limits_um:
                summary["limits_um"] = list(limits_um)
            summary["zero_warpage_c"] = self.zero_crossings_c()
            write_json(summary, tmp[1])
            tmp[2].write_bytes(png)
            if page is not None:
                tmp[3].write_text(page, encoding="utf-8")
        return targets


def parse_temperatures(text: str) -> tuple[float, ...]:
    """"25,100,260" → (25.0, 100.0, 260.0); ValueError naming the bad entry."""
    out = []
    for item in text.split(","):
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"'{item.strip()}' is not a temperature in °C") from None
        if not np.isfinite(value) or not -273.15 < value < 1000.0:
            raise ValueError(f"{item.strip()} °C is outside -273.15 ... 1000 °C")
        out.append(value)
    if not out:
        raise ValueError("give at least one temperature")
    return tuple(out)


def _branches(temperatures: tuple[float, ...]) -> list[str]:
    peak = int(np.argmax(temperatures))
    return ["heating" if i <= peak else "cooling" for i in range(len(temperatures))]


def sweep_temperature(model: ModelLike, temperatures_c: tuple[float, ...] = DEFAULT_PROFILE_C, *,
                      target_error: float | None = None,
                      progress: Callable[[Step, str], None] | None = None,
                      on_point: Callable[[float], None] | None = None, force: bool = False) -> Sweep:
    """Solve ``model`` at each temperature (°C) of the profile on one mesh: the one its own solve
    refines to at ``[load] temperature_c`` (``target_error`` as in :func:`warpfem.solve`; a model
    that will not fit is refused unless ``force``)."""
    t0 = time.perf_counter()
    model = load_model(model)
    layout, _, _ = sized_layout(model, target_error=target_error, force=force)
    first, error, timings, _ = solve_global(layout, target_error=target_error, progress=progress)
    mesh = first.mesh
    solved: dict[float, Result] = {}
    system: StiffnessSystem | None = None
    moduli = None
    systems, previous = 0, None
    seq = process_sequence(layout)
    if model.load.viscoelastic:
        points = _in_time(model, layout, mesh, seq, temperatures_c, timings, on_point)
        timings["total"] = time.perf_counter() - t0
        return Sweep(model, points, model.load.temperature_c, error, timings, timings.pop("systems"))
    if seq is not None:   # the bonding history is the same at every final temperature: once
        layouts, laws = global_layouts(model), material_laws(layout.model)
        shapes, spent = bonding_shapes(layouts, mesh, seq, laws)
        systems += seq.n_steps - 1
        for k, v in spent.items():
            timings[k] = timings.get(k, 0.0) + v
    try:
        for t in dict.fromkeys(temperatures_c):
            if on_point:
                on_point(t)
            if seq is not None:
                sol = final_state(layouts, mesh, seq, laws, t, shapes)
                systems += 1
            else:
                sol, system, moduli, built = _elastic_state(model, mesh, t, system, moduli, previous)
                systems += built
                previous = sol
            for k in ("assemble", "solve"):
                timings[k] = timings.get(k, 0.0) + sol.timings_s.get(k, 0.0)
            solved[t] = _result(model, sol)
    finally:
        if system is not None:
            system.close()
    points = [_point(t, branch, solved[t]) for t, branch in zip(temperatures_c, _branches(temperatures_c))]
    timings["total"] = time.perf_counter() - t0
    return Sweep(model, points, model.load.temperature_c, error, timings, systems)


def _in_time(model: Model, layout, mesh, seq, temperatures_c, timings: dict, on_point) -> list[SweepPoint]:
    """The profile as time goes on after the process, at the load's ramp rate: relaxing parts make
    heating and cooling through one temperature differ."""
    sched, reads_s = then_through(schedule(model), temperatures_c, model.load.ramp_k_per_min)
    if on_point:
        on_point(temperatures_c[0])
    reads = viscoelastic.run(layout, mesh, seq, material_laws(model), sched, reads_s)
    for k in ("assemble", "solve"):
        timings[k] = timings.get(k, 0.0) + reads[-1].timings_s[k]
    timings["systems"] = reads[-1].timings_s["systems"]
    return [_point(t, branch, _result(model, r.solution))
            for t, branch, r in zip(temperatures_c, _branches(temperatures_c), reads)]


def _result(model: Model, sol: Solution) -> Result:
    """The package's state at one temperature with its stresses and metrics."""
    fields = element_fields(sol)
    return Result(sol, fields, {"model": model.name, **metrics(sol, fields)})


def _point(t: float, branch: str, r: Result) -> SweepPoint:
    """The profile's point at ``t`` (°C) on ``branch``."""
    die = r.summary["parts"].get("die", {}).get("max_von_mises_mpa")
    return SweepPoint(t, branch, r.warpage_um, r.coplanarity_um, r.summary["shape"], die, r)


def _elastic_state(model: Model, mesh, t: float, system: StiffnessSystem | None, moduli, previous: Solution | None):
    """The package at ``t`` (°C) with every part bonded at once, reusing ``system`` when its
    moduli are those of ``t``; (solution, system, its moduli's key, 1 if a system was built)."""
    lay_t, _ = global_layout(at_temperature(model, t))
    classes = element_classes(lay_t, mesh)
    key = (classes.constants_mpa.tobytes(), classes.h_mm.tobytes())
    built = 0
    if key != moduli:
        if system is not None:
            system.close()
        system, moduli, built = StiffnessSystem(lay_t, mesh, classes), key, 1
    # the previous state, scaled by the thermal strain's change, starts the iterations
    guess = None if previous is None else previous.u_mm * _scale(previous.classes, classes)
    t0, s0 = system.setup_s if built else 0.0, system.solve_s
    u = system.solve(thermal_load(mesh, classes), guess)
    timings = {"assemble": t0, "solve": system.solve_s - s0}
    return Solution(lay_t, mesh, classes, system.face, u, timings, dict(system.info)), system, moduli, built


def _scale(previous_classes, classes) -> float:
    """How much the thermal strain grew from the previous temperature (its mean ratio)."""
    a, b = previous_classes.alpha_dt, classes.alpha_dt
    if a.shape != b.shape or not np.any(a):
        return 1.0
    return float(np.vdot(a, b) / np.vdot(a, a))


def curve_png(sweep: Sweep, limits_um: tuple[float, float] | None = None) -> bytes:
    """The warpage and coplanarity against temperature, heating and cooling, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.0, 4.8), dpi=120)
    for branch, style in (("heating", "o-"), ("cooling", "s--")):
        pts = [p for p in sweep.points if p.branch == branch]
        if pts:
            ax.plot([p.temperature_c for p in pts], [p.warpage_um for p in pts], style, label=f"warpage, {branch}",
                    color="#1f77b4" if branch == "heating" else "#6baed6", markersize=4)
    heat = sorted(sweep._distinct(), key=lambda p: p.temperature_c)
    ax.plot([p.temperature_c for p in heat], [p.coplanarity_um for p in heat], ":", color="#555",
            label="coplanarity")
    ax.axhline(0.0, color="#999", linewidth=0.8)
    if limits_um:
        for v in limits_um:
            ax.axhline(v, color="#d62728", linestyle="-.", linewidth=1.0)
        ax.plot([], [], "-.", color="#d62728", label=f"allowed {limits_um[0]:g} … {limits_um[1]:g} µm")
    for t in sweep.zero_crossings_c():
        ax.axvline(t, color="#2ca02c", linewidth=0.8, linestyle=":")
    ax.set_xlabel("temperature [°C]")
    ax.set_ylabel("warpage [µm]  (+ smile, − cry)")
    ax.set_title(f"{sweep.model.name}: warpage across the profile (stress-free at {sweep.model.load.stress_free_c:g} °C, "
                 f"{sweep.model.load.material_properties.replace('_', ' ')} properties)", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def sweep_report(sweep: Sweep, curve: bytes, limits_um: tuple[float, float] | None = None) -> str:
    """``report.html`` of a sweep: the curve, the table and the moiré view at each temperature."""
    from .pictures.report import curve_page

    s = sweep.summary()
    lines = [f"Stress-free at {s['stress_free_c']:g} °C; {s['material_properties'].replace('_', ' ')} material "
             f"properties; elastic at each temperature, so heating and cooling through a temperature give the same "
             f"state{' (after the bonding history of the process steps)' if sweep.model.steps else ''}.",
             f"Sign: {SIGN}.",
             f"Mesh: {s['mesh']['dofs']:,} dofs, refined at {sweep.reference_c:g} °C"
             + (f", where the warpage's estimated error is ±{sweep.error['warpage_um']:.3g} µm."
                if sweep.error.get("estimated") else f" ({sweep.error.get('why', 'no estimate')}).")]
    crossings = sweep.zero_crossings_c()
    if crossings:
        lines.append("Zero warpage near " + ", ".join(f"{t:.0f} °C" for t in crossings) + ".")
    if limits_um:
        lines.append(f"Allowed warpage {limits_um[0]:g} … {limits_um[1]:g} µm.")
    pictures = [(f"{p.temperature_c:g} °C: warpage {p.warpage_um:.4g} µm ({p.shape}), coplanarity "
                 f"{p.coplanarity_um:.4g} µm — moiré view of the carrier's bottom face", p.result)
                for p in sweep._distinct()]
    return curve_page(f"warpfem — {sweep.model.name} across temperature", lines, curve,
                      sweep.csv_text(limits_um), pictures)
