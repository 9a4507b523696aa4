"""A quarter model's bricks mirrored into the whole package, arrays and all.

A quarter solve holds x >= 0, y >= 0. Its mirror images across x = 0 and y = 0 are the rest of
the package: positions and vectors change sign in the mirrored axis, a stress tensor as
``s_i s_j σ_ij``, scalars (von Mises, part) not at all. Nodes on the symmetry planes are merged so
the planes leave no inner faces behind.
"""

from __future__ import annotations

import numpy as np

#: sign of x and y in each of the four images; image 0 is the solved quarter
IMAGE_SIGNS = ((1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0))
#: a brick mirrored in one axis is inside out; swapping its bottom and top faces turns it back
_REORIENT_HEX8 = np.array([4, 5, 6, 7, 0, 1, 2, 3])
_MERGE_DECIMALS = 9  # mm: nodes closer than 1 nm are one node


def mirror_quarter(nodes: np.ndarray, hexes: np.ndarray, point_data: dict[str, np.ndarray],
                   cell_data: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """Nodes (N, 3) mm and 8-node bricks (E, 8) of a quarter, with their arrays, mirrored whole.

    Point arrays of shape (N, 3) are vectors, cell arrays of shape (E, 9) row-major tensors; every
    other array is a scalar. The result's cell data gains ``image``: 0 for the solved quarter,
    1 mirrored in x, 2 in y, 3 in both.
    """
    n = len(nodes)
    all_nodes, all_hexes = [], []
    pd: dict[str, list] = {k: [] for k in point_data}
    cd: dict[str, list] = {k: [] for k in cell_data} | {"image": []}
    for image, (sx, sy) in enumerate(IMAGE_SIGNS):
        s = np.array([sx, sy, 1.0])
        all_nodes.append(nodes * s + 0.0)  # + 0.0 turns -0.0 into 0.0 so plane nodes merge
        all_hexes.append((hexes if sx * sy > 0 else hexes[:, _REORIENT_HEX8]) + image * n)
        for k, v in point_data.items():
            pd[k].append(v * s if v.ndim == 2 and v.shape[1] == 3 else v)
        for k, v in cell_data.items():
            cd[k].append(v * np.outer(s, s).ravel() if v.ndim == 2 and v.shape[1] == 9 else v)
        cd["image"].append(np.full(len(hexes), image, dtype=np.int8))
    stacked = np.concatenate(all_nodes)
    _, first, inverse = np.unique(np.round(stacked, _MERGE_DECIMALS), axis=0, return_index=True,
                                  return_inverse=True)
    inverse = inverse.ravel()
    return (
        stacked[first],
        inverse[np.concatenate(all_hexes)],
        {k: np.concatenate(v)[first] for k, v in pd.items()},
        {k: np.concatenate(v) for k, v in cd.items()},
    )
