"""Each seed's default assembly sequence, for ``[model] process = "family"``.

Temperatures are the usual ones of the process step: lead-free flip-chip reflow and ball attach
at the SAC liquidus (217 °C), capillary underfill cure at 150 °C, stiffener and lid attach cures
at 125 °C, heat-sink (die) attach cure at 150 °C, transfer-mould cure at 175 °C. A step bonds the
parts it names that the family built; everything else is bonded in the first step.
"""

from __future__ import annotations

#: family → [(step name, bonding °C, parts it bonds)]; the first step takes every part not named
SEQUENCES: dict[str, list[tuple[str, float, tuple[str, ...]]]] = {
    "stiffener_dual_heat_sink": [
        ("flip-chip reflow", 217.0, ()),
        ("underfill cure", 150.0, ("underfill",)),
        ("stiffener and lid attach", 125.0, ("stiffener_adhesive", "stiffener", "tim", "first_heat_sink_adhesive",
                                             "first_heat_sink")),
        ("second heat sink attach", 125.0, ("second_heat_sink_adhesive", "second_heat_sink", "fins")),
    ],
    "molded_underfill": [
        ("flip-chip reflow", 217.0, ()),
        ("mould cure", 175.0, ("mould",)),
        ("ball attach", 217.0, ("solder_balls",)),
    ],
    "molded_flip_chip_heat_sink": [
        ("flip-chip reflow", 217.0, ()),
        ("mould cure", 175.0, ("mould", "heat_sink")),
    ],
    "carrier_size_heat_sink": [
        ("die attach", 150.0, ()),
        ("heat-sink attach", 150.0, ("pad_adhesive", "buffer_pad", "heat_sink_adhesive", "pedestal", "heat_sink")),
        ("mould cure", 175.0, ("mould",)),
    ],
}


def default_steps(family: str, parts: list[dict]) -> list[dict] | None:
    """The family's sequence as ``[[steps]]`` tables over the parts it built (None: the family
    has no default sequence)."""
    sequence = SEQUENCES.get(family)
    if sequence is None:
        return None
    names = {p["name"] for p in parts}
    out = []
    for i, (name, temperature, bonds) in enumerate(sequence):
        if i == 0 and family == "carrier_size_heat_sink" and "bumps" in names:
            name, temperature = "flip-chip reflow", 217.0     # the pedestal variant is flip chip
        present = [n for n in bonds if n in names]
        if i == 0 or present:
            out.append({"name": name, "temperature_c": temperature, "parts": present})
    return out
