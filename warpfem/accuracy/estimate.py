"""How much error a result carries, and where: the change between two nested meshes split corner
by corner, then extrapolated corner by corner.

**The change, split (dual-weighted residual).** Let ``u0`` be the solution on a mesh and ``u1``
on a finer mesh that contains it (the graded meshes are nested), and ``J`` a quantity linear in
the displacement (warpage; coplanarity with its peak and valley held). With ``z1`` the finer
mesh's solution under the load ``j`` that reads J (``J(v) = j · v``), the change is exactly the
out-of-balance work of the coarse solution on the dual:

    J(u1) - J(u0) = z1 · (f - K u0) = (z1 - I z1) · (f - K u0),

the second form because ``u0`` is balanced against every function of the coarse mesh, ``I z1``
being ``z1`` interpolated on it. Taken element by element, the last form is small where the
coarse mesh was already good and large at the corners it under-resolved, so summing it over the
elements nearest each singular corner says how much that corner's refinement moved J.

**Extrapolated.** At a singular corner the error of J falls by a fixed ratio ρ each time the
elements there are halved (ρ = 2^(-2λ) for a corner whose stress grows as r^(λ-1)); what remains
after a change Δ is then Δ ρ / (1 - ρ). That holds once the elements at the corner are well below
its scale (the thinnest part meeting there): at most half of it. Before, the corner's changes need
not fall geometrically: on the ten accuracy models' long sequences they fell by 0.17–0.96 per
halving, grew (1.2–1.7) or flipped, and a ratio measured there says nothing of what follows (a
lid's die-edge group fell 0.023 → 0.010 µm at 4 and 2 scales, a ratio whose tail is 0.007 µm, and
the warpage then moved on by 0.009 µm). So a group whose last change was made with elements larger
than half its scale is *pre-asymptotic*: what remains is taken as ``PRE_ASYMPTOTIC_TAIL`` = 2
changes (what the groups left on those sequences, 0.8–2.3, is covered with the spread below), more
when its elements were coarser than 4 scales. Once refined below half its scale, a group has
*settled* when its last two changes have one sign and a ratio between 0.3 and 0.8: ρ is then that
ratio, else 0.6. The groups' remaining errors add with their signs; the error bar adds to that sum
half the spread of the groups' estimates taken one by one, since each extrapolation is uncertain by
a factor (ρ from 0.5 to 0.7 gives Δ ρ / (1 - ρ) from 1 to 2.3 Δ).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..fem import Solution
from ..fem.assemble import element_work
from ..meshing.grading import Features
from ..post.probe import interpolation

#: error ratio per halving of a corner's elements until two changes measure it
RHO_DEFAULT = 0.6
#: the ratio measured from two changes is kept within these bounds; a change of sign takes the upper
RHO_BOUNDS = (0.3, 0.8)
#: a change made with elements at a group's corners larger than this many times its scale is
#: pre-asymptotic: it does not yet fall geometrically (from 1 to 0.5 scales the changes of the bare
#: and small FCBGAs' die edges and the ring stiffener's wall fell by only 0.92, 0.92 and grew 1.1)
RESOLVED = 0.5
#: what remains after a pre-asymptotic change made with elements at most ``COARSE`` times the
#: group's scale, in changes; with coarser elements, more halvings remain before the corner is
#: resolved, each able to move the warpage as much as the last: the tail grows with their number,
#: log2(p / RESOLVED) for elements p times the scale (the copper-plate FCBGA started at 16 scales
#: left 2.1 changes)
PRE_ASYMPTOTIC_TAIL = 2.0
COARSE = 4.0
#: relative uncertainty of each corner's extrapolated remainder, added in quadrature to the bar
SPREAD = 0.5


def element_owner(sol: Solution, feats: Features) -> np.ndarray:
    """The corner group nearest to each element's centre, measured in the section across each
    corner's line and beyond its ends."""
    mesh = sol.mesh
    centre = 0.5 * (mesh.nodes[mesh.elements[:, 0]] + mesh.nodes[mesh.elements[:, 6]])
    dist = np.full((mesh.n_elements, len(feats.corners)), np.inf)
    for i, c in enumerate(feats.corners):
        for axis, (lo, hi) in c.extent_mm.items():
            along = centre[:, 1 - axis]
            beyond = np.maximum(0.0, np.maximum(lo - along, along - hi))
            d = np.sqrt((centre[:, axis] - c.position_mm) ** 2 + (centre[:, 2] - c.z_mm) ** 2 + beyond ** 2)
            dist[:, i] = np.minimum(dist[:, i], d)
    return feats.group_of()[dist.argmin(axis=1)]


def decompose(coarse: Solution, fine: Solution, duals_mm: list[np.ndarray], feats: Features,
              embed: sp.csr_matrix | None = None) -> list[dict[int, float]]:
    """The change of each quantity J from ``coarse`` to ``fine`` (nested meshes), split by corner
    group: ``duals_mm`` holds, per quantity, the fine mesh's solution (N, 3) under J's load. In J's
    units per mm of displacement (multiply by 1e3 for a quantity read in µm). ``embed``: the coarse
    mesh's interpolation at the fine nodes, when already at hand."""
    if embed is None:
        embed = interpolation(coarse.mesh, fine.mesh.nodes)
    u0 = embed @ coarse.u_mm
    at_coarse = interpolation(fine.mesh, coarse.mesh.nodes)   # a dual's nodal interpolant on the coarse mesh
    tests = [dual - embed @ (at_coarse @ dual) for dual in duals_mm]
    work = element_work(fine.mesh, fine.classes, u0, np.array(tests))
    owner = element_owner(fine, feats)
    return [{g: float(v) for g, v in enumerate(np.bincount(owner, w, minlength=len(feats.groups)))} for w in work]


@dataclass
class CornerErrors:
    """Each corner group's changes of one quantity under its successive refinements, with the
    element size at its corners before each (in multiples of its scale), and what they leave: the
    remaining error per group, their sum and the error bar (the quantity's units)."""

    changes: dict[int, list[float]] = field(default_factory=dict)
    per_scale: dict[int, list[float]] = field(default_factory=dict)

    def add(self, changes: dict[int, float], refined, per_scale: dict[int, float] | None = None) -> None:
        """Record the changes of the groups ``refined`` in this step, and the element size at each
        one's corners before it over its scale (unknown: taken as resolved)."""
        for key in refined:
            self.changes.setdefault(key, []).append(changes.get(key, 0.0))
            self.per_scale.setdefault(key, []).append((per_scale or {}).get(key, RESOLVED))

    def resolved(self, key: int) -> bool:
        """Whether the group's last change was made with elements at most ``RESOLVED`` times its scale."""
        return self.per_scale[key][-1] <= RESOLVED

    def settled(self, key: int) -> bool:
        """Whether the group converges geometrically: resolved, its last two changes of one sign,
        the last smaller by a ratio within ``RHO_BOUNDS``."""
        d = self.changes.get(key, [])
        return (len(d) >= 2 and self.resolved(key) and d[-2] * d[-1] > 0
                and RHO_BOUNDS[0] <= d[-1] / d[-2] <= RHO_BOUNDS[1])

    def ratio(self, key: int) -> float:
        """The group's error ratio per refinement, measured once it has settled, else the default."""
        d = self.changes[key]
        return d[-1] / d[-2] if self.settled(key) else RHO_DEFAULT

    def tail(self, key: int) -> float:
        """What remains after the group's last change, in units of that change."""
        if not self.resolved(key):
            halvings = np.log2(self.per_scale[key][-1] / RESOLVED)   # until resolved
            return PRE_ASYMPTOTIC_TAIL * max(1.0, halvings / np.log2(COARSE / RESOLVED))
        rho = self.ratio(key)
        return rho / (1.0 - rho)

    def unsettled(self) -> list[int]:
        return [k for k in self.changes if not self.settled(k)]

    def remaining(self) -> dict[int, float]:
        """Each group's estimated remaining error (signed: what further refinement would add)."""
        return {k: d[-1] * self.tail(k) for k, d in self.changes.items() if d}

    def predicted(self) -> float:
        """The estimated error of the current value: the corners' remainders with their signs."""
        return float(sum(self.remaining().values()))

    def bar(self) -> float:
        """The error bar: the predicted error's size plus the spread of the corners' estimates."""
        r = np.array(list(self.remaining().values()))
        return float(abs(r.sum()) + SPREAD * np.sqrt((r ** 2).sum())) if len(r) else 0.0
