"""The process in time: temperature against time through the steps' ramps and holds.

Step 0 bonds its parts at its temperature at t = 0 and holds there ``hold_s``; each later step
ramps from the previous temperature to its own at ``ramp_k_per_min``, bonds its parts on arrival
and holds; after the last step the package ramps to ``[load] temperature_c`` at the load's rate and
holds ``[load] hold_s``, when the result is read. Without ``[[steps]]`` every part bonds at
``stress_free_c`` and the package goes straight to the load's temperature.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import Model


@dataclass(frozen=True)
class Schedule:
    """Piecewise-linear temperature (°C) at knot times (s), each knot named for what ends there,
    and the time each step bonds its parts."""

    times_s: tuple[float, ...]
    temperatures_c: tuple[float, ...]
    events: tuple[str, ...]
    bond_s: tuple[float, ...]

    @property
    def end_s(self) -> float:
        return self.times_s[-1]

    def temperature_at(self, t_s: float) -> float:
        """The temperature (°C) at time ``t_s`` (s)."""
        for (t0, t1), (c0, c1) in zip(zip(self.times_s, self.times_s[1:]), zip(self.temperatures_c, self.temperatures_c[1:])):
            if t0 <= t_s <= t1:
                return c0 if t1 == t0 else c0 + (c1 - c0) * (t_s - t0) / (t1 - t0)
        return self.temperatures_c[-1]


def schedule(model: Model) -> Schedule:
    """The model's process as temperature against time."""
    load = model.load
    steps = [(s.name, t, s.ramp_k_per_min or load.ramp_k_per_min, s.hold_s, bool(s.parts))
             for s, t in zip(model.steps, model.step_temperatures_c())] or [("bond", load.stress_free_c, load.ramp_k_per_min, 0.0, True)]
    times, temps, events, bonds = [0.0], [steps[0][1]], [f"step '{steps[0][0]}' bonds"], []
    for i, (name, t_c, rate, hold, bonding) in enumerate(steps):
        if i > 0:
            _ramp(times, temps, events, t_c, rate, f"step '{name}' {'bonds' if bonding else 'reached'}")
        bonds.append(times[-1])
        if hold > 0:
            times.append(times[-1] + hold)
            temps.append(t_c)
            events.append(f"step '{name}' held {hold:g} s")
    _ramp(times, temps, events, load.temperature_c, load.ramp_k_per_min, "at the load's temperature")
    if load.hold_s > 0:
        times.append(times[-1] + load.hold_s)
        temps.append(load.temperature_c)
        events.append(f"held {load.hold_s:g} s")
    return Schedule(tuple(times), tuple(temps), tuple(events), tuple(bonds))


def _ramp(times: list, temps: list, events: list, to_c: float, rate_k_per_min: float, event: str) -> None:
    if to_c != temps[-1]:
        times.append(times[-1] + 60.0 * abs(to_c - temps[-1]) / rate_k_per_min)
        temps.append(to_c)
        events.append(event)


def then_through(sched: Schedule, temperatures_c: tuple[float, ...], rate_k_per_min: float) -> tuple[Schedule, list[float]]:
    """The schedule continued through a temperature profile at ``rate_k_per_min`` (K/min) after
    the process ends, and the time (s) it passes each of the profile's temperatures."""
    times, temps, events = list(sched.times_s), list(sched.temperatures_c), list(sched.events)
    reads = []
    for t_c in temperatures_c:
        _ramp(times, temps, events, t_c, rate_k_per_min, f"profile at {t_c:g} °C")
        reads.append(times[-1])
    return Schedule(tuple(times), tuple(temps), tuple(events), sched.bond_s), reads


def thermal_cycles(stress_free_c: float, min_c: float, max_c: float, ramp_min: float, dwell_min: float,
                   cycles: int) -> Schedule:
    """Temperature cycling after assembly: from ``stress_free_c`` (°C) down to ``min_c`` at the
    cycle's ramp rate, then ``cycles`` times up to ``max_c``, a dwell, down to ``min_c`` and a dwell
    (JESD22-A104 ramps and dwells in minutes). Events name where each cycle ends ("cycle k")."""
    rate = (max_c - min_c) / ramp_min
    times, temps, events = [0.0], [stress_free_c], ["stress-free"]
    _ramp(times, temps, events, min_c, rate, "cooled to the cycle's low")
    for k in range(1, cycles + 1):
        for to_c, what in ((max_c, "high"), (min_c, "low")):
            _ramp(times, temps, events, to_c, rate, f"cycle {k} at its {what}")
            times.append(times[-1] + 60.0 * dwell_min)
            temps.append(to_c)
            events.append(f"cycle {k}" if what == "low" else f"cycle {k} dwell at its high")
    return Schedule(tuple(times), tuple(temps), tuple(events), (0.0,))
