"""warpfem's default solve of each accuracy model against its converged reference.

For every model in references.json: ``warpfem solve`` with default settings in a fresh process
(wall time and peak memory its own), its warpage and error bar against the reference, and the
dofs and steps it took. Writes results.md and results.json next to this script.

    python studies/accuracy/references.py      # first: the references (long)
    python studies/accuracy/compare.py         # then: the default solves (a few minutes)
    python studies/accuracy/compare.py moulded # one model again; the other rows stay
    python studies/accuracy/compare.py --rescore  # the stored solves against new references
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from references import run_watched  # noqa: E402


def default_solve(name: str, extra: list[str]) -> dict:
    """summary.json of ``warpfem solve`` on the model, with wall time (s) and peak memory (MB)."""
    with tempfile.TemporaryDirectory(prefix="acc_") as tmp:
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "warpfem", "solve", str(HERE / f"{name}.toml"), "-o", str(out), *extra]
        code, wall, peak = run_watched(cmd, Path(tmp), None, Path(tmp) / "log")
        if code != 0:
            raise RuntimeError((Path(tmp) / "log").read_text()[-2000:])
        s = json.loads((out / "summary.json").read_text())
    return {"summary": s, "wall_s": wall, "peak_mb": peak}


def _provenance(ref: dict) -> str:
    """How a reference was built: the largest mesh, which integrations, CalculiX or not."""
    runs = ref["runs"]
    dofs = max(r["dofs"] for rs in runs.values() for r in rs)
    parts = [f"{len(rs)}× {e}" for e, rs in runs.items() if rs]
    if ref["ccx"]:
        parts.append("ccx " + "+".join(ref["ccx"]))
    return f"{', '.join(parts)}, to {dofs / 1e3:.0f} k dofs"


def scored(row: dict, ref: dict) -> dict:
    """``row`` (a default solve's figures) with its reference columns taken from ``ref``."""
    actual = abs(row["warpage_um"] - ref["warpage_um"])
    bar = row["bar_um"]
    return {**row, "reference_from": _provenance(ref),
            "reference_um": ref["warpage_um"], "reference_uncertainty_um": ref["warpage_uncertainty_um"],
            "actual_um": actual, "relative": actual / abs(ref["warpage_um"]),
            "bar_over_actual": None if bar is None else bar / max(actual, 1e-12),
            "coplanarity_reference_um": ref["coplanarity_um"]}


def main() -> None:
    refs = json.loads((HERE / "references.json").read_text())
    stored = json.loads((HERE / "results.json").read_text()) if (HERE / "results.json").exists() else {}
    if sys.argv[1:] == ["--rescore"]:
        write_tables({name: scored(row, refs[name]) for name, row in stored.items()})
        return
    names = sys.argv[1:] or list(refs)
    rows = {}
    for name in names:
        r = default_solve(name, [])
        s = r["summary"]
        err = s.get("error", {})
        rows[name] = scored({
            "warpage_um": s["warpage_um"], "bar_um": err.get("warpage_um"),
            "coplanarity_um": s["coplanarity_um"], "coplanarity_bar_um": err.get("coplanarity_um"),
            "critical_bump_avg_von_mises_mpa": s.get("bumps", {}).get("critical_avg_von_mises_mpa"),
            "critical_bump_bar_mpa": err.get("critical_avg_von_mises_mpa"),
            "critical_bump_global_mpa": s.get("bumps", {}).get("critical_avg_von_mises_global_mpa"),
            "dofs": s["mesh"]["dofs"], "steps": len(err.get("steps", [])) or 1, "step_list": err.get("steps", []),
            "stop": err.get("stop", err.get("why")), "wall_s": r["wall_s"], "peak_mb": r["peak_mb"]}, refs[name])
        print(name, rows[name], flush=True)
    if sys.argv[1:]:   # a few models: the others' rows stay
        rows = {**stored, **rows}
    write_tables(rows)


def write_tables(rows: dict) -> None:
    """results.json and results.md from the rows."""
    (HERE / "results.json").write_text(json.dumps(rows, indent=1))
    lines = ["| model | reference µm (built from) | default µm ± bar | actual error | bar / actual | coplanarity µm (ref) | dofs | steps | stop | wall s | peak MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, r in rows.items():
        bar = "—" if r["bar_um"] is None else f"{r['bar_um']:.3f}"
        ratio = "—" if r["bar_over_actual"] is None else f"{r['bar_over_actual']:.1f}"
        if r["bar_over_actual"] is not None and not resolved(r):   # only a lower bound is known
            ratio = f"≥ {r['bar_um'] / (r['actual_um'] + r['reference_uncertainty_um']):.1f} (error under the reference's ±)"
        lines.append(f"| {n} | {r['reference_um']:.3f} ± {r['reference_uncertainty_um']:.3f} ({r['reference_from']}) | {r['warpage_um']:.3f} ± {bar} | "
                     f"{100 * r['relative']:.2f} % | {ratio} | {r['coplanarity_um']:.2f} ({r['coplanarity_reference_um']:.2f}) | "
                     f"{r['dofs']:,} | {r['steps']} | {r['stop']} | {r['wall_s']:.1f} | {r['peak_mb']:.0f} |")
    (HERE / "results.md").write_text("\n".join(lines) + "\n\n" + counts(rows) + "\n")


def resolved(row: dict) -> bool:
    """Whether the reference tells the default's error apart from zero: the error is larger than
    the reference's own uncertainty (else only a lower bound of bar / actual is known: the bar over
    the error plus that uncertainty)."""
    return row["actual_um"] > row["reference_uncertainty_um"]


def counts(rows: dict) -> str:
    """One line: how many defaults are within 1 %, how many bars cover their error and how many
    are within 3x of it."""
    est = [r for r in rows.values() if r["bar_over_actual"] is not None]
    return (f"Within 1 %: {sum(r['relative'] <= 0.01 for r in rows.values())} of {len(rows)}. "
            f"Bar at least the actual error: {sum(r['bar_over_actual'] >= 1 for r in est)} of {len(est)}. "
            f"Bar at most 3x the actual error: {sum(r['bar_over_actual'] <= 3 for r in est)} of {len(est)}.")


if __name__ == "__main__":
    main()
