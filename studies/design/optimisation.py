"""The seed-002 optimisation in docs/design.md: run it, solve the grid study around its best design,
and write both, with a map of the grid, to docs/design/optimise/; then the same search for the
smallest coplanarity (its record as coplanarity_optimise.json).

    python studies/design/optimisation.py [--work DIR]

``--work`` keeps the solves (default: a folder under the system's temporary directory); a second
run with the same folder reads every design back and only redraws.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBLEM = HERE / "seed002_stiffener_lid.toml"
COPLANARITY = HERE / "seed002_coplanarity.toml"
DOCS = HERE.parents[1] / "docs" / "design" / "optimise"


def write_grid_map(report, table, path: Path) -> None:
    """Warpage and the critical bump's stress over the check grid, the search's designs of the
    best branch on top, the best design marked."""
    import numpy as np
    from matplotlib.figure import Figure

    o = report.optimum
    branch = o.branches[o.best.branch]
    kx, ky = (v.key for v in branch.variables)
    rows = [r for r in table.rows if r["kind"] == "grid" and r["status"] != "failed"]
    xs, ys = sorted({r[kx] for r in rows}), sorted({r[ky] for r in rows})
    fig = Figure(figsize=(10.5, 4.2), layout="constrained")
    fig.suptitle("the grid around the best design (each point one solve, as the search solved it)")
    for ax, (name, label) in zip(fig.subplots(1, 2), (("warpage_um", "warpage [µm]"),
                                                       ("bumps.critical_avg_von_mises_mpa",
                                                        "critical bump avg von Mises [MPa]"))):
        z = np.array([[next(r[name] for r in rows if r[kx] == x and r[ky] == y) for x in xs] for y in ys])
        mesh = ax.pcolormesh(xs, ys, z, shading="nearest", cmap="coolwarm" if name == "warpage_um" else "viridis")
        if name == "warpage_um":
            mesh.set_clim(-abs(z).max(), abs(z).max())
            ax.contour(xs, ys, z, levels=[0.0], colors="k", linewidths=1)
        for (x, y), v in np.ndenumerate(z):
            ax.text(xs[y], ys[x], f"{v:.3g}", ha="center", va="center", fontsize=7)
        searched = [e for e in o.history if e.kind == "search" and e.branch == o.best.branch]
        ax.plot([e.values[kx] for e in searched], [e.values[ky] for e in searched], ".", color="0.3", ms=3,
                label="designs the search solved")
        ax.plot(o.best.values[kx], o.best.values[ky], "*", color="gold", mec="k", ms=14, label="best design")
        ax.set_xlim(xs[0] - 0.6 * (xs[1] - xs[0]), xs[-1] + 0.6 * (xs[1] - xs[0]))
        ax.set_ylim(ys[0] - 0.6 * (ys[1] - ys[0]), ys[-1] + 0.6 * (ys[1] - ys[0]))
        ax.set_xlabel(kx.removeprefix("family."))
        ax.set_ylabel(ky.removeprefix("family."))
        ax.set_title(label, fontsize="medium")
        fig.colorbar(mesh, ax=ax)
        ax.legend(fontsize="x-small", loc="lower right")
    fig.savefig(path, dpi=110)


def main() -> None:
    from warpfem.design.optimise_run import FILES, optimise
    from warpfem.studies import run_study

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "warpfem_seed002_optimise")
    work = parser.parse_args().work
    report = optimise(PROBLEM, work)
    table = run_study(work / "check_study.toml", work / "check", progress=False)
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(work / name, DOCS / name)
    shutil.copy(table.csv_path, DOCS / "check.csv")
    write_grid_map(report, table, DOCS / "check.png")
    flattest_surface = optimise(COPLANARITY, work / "coplanarity")
    shutil.copy(work / "coplanarity" / "optimise.json", DOCS / "coplanarity_optimise.json")
    o = report.optimum
    grid = [r for r in table.rows if r["kind"] == "grid" and r["status"] != "failed"]
    flattest = min(grid, key=lambda r: abs(r["warpage_um"]))
    print(f"best: {o.best.values}, |warpage| {abs(o.best.outputs['warpage_um']):.4g} µm (search), "
          f"{o.refined.outputs['warpage_um']:.4g} ± {o.refined.summary['error']['warpage_um']:.2g} µm refined; "
          f"grid's flattest |warpage| {abs(flattest['warpage_um']):.4g} µm of {len(grid)}; "
          f"all grid designs within the limit: {all(r['bumps.critical_avg_von_mises_mpa'] <= o.limits[0] for r in grid)}")
    c = flattest_surface.optimum
    print(f"smallest coplanarity: {c.best.values}, {c.refined.outputs['coplanarity_um']:.4g} ± "
          f"{c.refined.summary['error']['coplanarity_um']:.2g} µm refined, after {len(c.history) - 1} evaluations")


if __name__ == "__main__":
    main()
