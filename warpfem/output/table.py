"""The summary as rich tables: what the terminal and the HTML report both show."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table


def accuracy_text(error: dict) -> str:
    """One line on the error estimate: what it says and why the refinement stopped."""
    if not error.get("estimated"):
        return f"not estimated: {error.get('why', 'one solve')}"
    rel = 100 * error["warpage_relative"]
    steps = len(error["steps"])
    if error["reached"]:
        return f"±{rel:.2g} % on warpage, under the {100 * error['target']:g} % target after {steps} solves"
    return f"±{rel:.2g} % on warpage after {steps} solves; target {100 * error['target']:g} % not reached ({error['stop']})"


def summary_table(summary: dict) -> Group:
    """The headline numbers of a summary, and a row per part, as rich tables."""
    head = Table(title=f"warpfem — {summary['model']}", show_header=False, title_justify="left")
    head.add_column("quantity", style="bold")
    head.add_column("value", justify="right")
    head.add_column("unit")
    error = summary.get("error", {})
    pm = (lambda key: f" ± {error[key]:.2g}") if error.get("estimated") else (lambda key: "")  # noqa: E731
    head.add_row("warpage", f"{summary['warpage_um']:.2f}{pm('warpage_um')}", f"µm ({summary['shape']})")
    head.add_row("coplanarity", f"{summary['coplanarity_um']:.2f}{pm('coplanarity_um')}", "µm")
    if "bumps" in summary:
        b = summary["bumps"]
        head.add_row("bump max von Mises", f"{b['max_von_mises_mpa']:.1f}", "MPa")
        head.add_row("bump max shear / peel", f"{b['max_shear_mpa']:.1f} / {b['max_peel_mpa']:.1f}", "MPa")
        head.add_row("critical bump at", f"({b['critical_bump_xy_mm'][0]:g}, {b['critical_bump_xy_mm'][1]:g})", "mm")
        if "critical_bump_id" in b:
            x, y = b["critical_avg_bump_xy_mm"]
            where = "submodel" if b.get("critical_avg_source") == "submodel" else "global model"
            bar = f" ± {error['critical_avg_von_mises_mpa']:.2g}" if "critical_avg_von_mises_mpa" in error else ""
            head.add_row("critical bump, volume-averaged", f"{b['critical_avg_von_mises_mpa']:.1f}{bar}",
                         f"MPa von Mises ({where}; bump {b['critical_bump_id']} at ({x:g}, {y:g}) mm, of {b['count']})")
        for sub in b.get("submodels", []):
            raw = sub["measures"]["raw_maximum"]["von_mises_mpa"]
            head.add_row(f"submodel of bump {sub['id']}", f"{sub['measures']['bump_average']['von_mises_mpa']:.1f}",
                         f"MPa volume-averaged von Mises (raw peak {raw:.0f}, mesh-dependent; "
                         f"{sub['n_dofs']} dofs, {sub['timings_s']['total']:.1f} s)")
        if "fatigue" in b:
            head.add_row("fewest cycles to failure", f"{b['fatigue']['min_cycles_to_failure']:.3g}",
                         f"(bump {b['fatigue']['min_cycles_bump_id']}; elastic Engelmaier estimate, ranks designs only)")
        creep = b.get("creep")
        if isinstance(creep, dict):
            w, change = creep["energy_density_mpa"], creep["change_from_previous_cycle"]
            c = creep["cycle"]
            head.add_row("inelastic energy per cycle", f"{w['upper_layer']:.3g} / {w['lower_layer']:.3g} / {w['bump']:.3g}",
                         f"MPa, upper pad layer / lower pad layer / whole bump (Anand, bump {creep['id']}, "
                         f"cycle {c['cycles']} of {c['min_c']:g}/{c['max_c']:g} °C; "
                         f"{100 * max(change.values()):.2g} % from the cycle before)")
            life = creep.get("life", {})
            if "characteristic_life_cycles" in life:
                head.add_row("solder joint life, N(63.2 %)", f"{life['characteristic_life_cycles']:.3g}",
                             f"cycles ({life['source'].split(',')[0]}'s energy correlation at the "
                             f"{life['layer'].replace('_', ' ')}, {1e3 * life['layer_mm']:.1f} µm thick)")
    if "process" in summary:
        steps = summary["process"]["steps"]
        head.add_row("process", " → ".join(f"{s['name']} {s['temperature_c']:g} °C" for s in steps),
                     "(each step's parts bonded stress-free at its temperature)")
        for knot in summary["process"].get("history", []):
            head.add_row(f"  {knot['event']}", f"{knot['warpage_um']:.2f}",
                         f"µm warpage at {knot['time_s']:.4g} s, {knot['temperature_c']:g} °C")
        if "time_steps" in summary["process"]:
            head.add_row("  time steps", f"{summary['process']['time_steps']}", "solves through the process in time")
    for name, law in summary.get("material_models", {}).items():
        if law != "elastic":
            head.add_row(f"material {name}", "", law)
    if "thermal" in summary:
        th = summary["thermal"]
        head.add_row("junction temperature", f"{th['junction_c']:.1f}", f"°C ({th['power_w']:g} W, ambient "
                                                                           f"{th['ambient_c']:g} °C)")
        if th.get("theta_jc_k_w") is not None:
            head.add_row("θJC / θJB / θJA", f"{th['theta_jc_k_w']:.3g} / {th['theta_jb_k_w']:.3g} / "
                                            f"{th['theta_ja_k_w']:.3g}", "K/W")
        on = th["power_on"]
        head.add_row("power-on warpage", f"{on['warpage_um']:.2f}", f"µm ({on['shape']}; coplanarity "
                                                                    f"{on['coplanarity_um']:.2f} µm)")
    m, ts = summary["mesh"], summary["timings_s"]
    head.add_row("accuracy", accuracy_text(error), "")
    head.add_row("mesh", f"{m['elements']} hex20, {m['dofs']} dofs",
                 f"{'graded, ' if m.get('graded') else ''}size {m['size_mm']:g} mm away from edges")
    head.add_row("time", f"{ts['total']:.2f}",
                 "s (" + ", ".join(f"{k} {v:.2f}" for k, v in ts.items() if k != "total") + ")")
    guess = summary.get("size_estimate", {}).get("last_step_peak_memory_mb")
    head.add_row("peak memory", f"{summary['memory_mb']:.0f}", "MB" if guess is None else f"MB ({guess:.0f} estimated before meshing)")
    parts = Table(show_header=True, header_style="bold", title_justify="left")
    parts.add_column("part")
    parts.add_column("material")
    parts.add_column("max von Mises [MPa]", justify="right")
    parts.add_column("max principal [MPa]", justify="right")
    for name, p in summary["parts"].items():
        parts.add_row(name, p["material"], f"{p['max_von_mises_mpa']:.1f}", f"{p['max_principal_mpa']:.1f}")
    return Group(head, parts)
