"""Plain flip chips with an n x n bump array, as model dicts for the bump tests."""

from __future__ import annotations


def flip_chip(n: int = 10, pitch_mm: float = 0.5, bump_mm: float = 0.25, gap_mm: float = 0.1,
              substrate_mm: float = 11.0, size_mm: float | None = 0.125, bumps: dict | None = None,
              symmetry: str = "quarter", **part_keys) -> dict:
    """A silicon die (n x pitch wide, 0.3 mm) on an n x n bump array in underfill on a 0.5 mm BT
    substrate, cooled from 150 °C to 25 °C; ``part_keys`` go to the bump part."""
    die = n * pitch_mm
    h = 0.5 * die
    c0 = -h + 0.5 * pitch_mm
    b = 0.5 * bump_mm
    z0, z1 = 0.5, 0.5 + gap_mm
    model = {
        "model": {"name": f"flip_chip_{n}x{n}", "symmetry": symmetry},
        "load": {"stress_free_c": 150.0, "temperature_c": 25.0},
        # uniform meshes: these are the bump tests' own references, made before meshes were graded
        "mesh": {"graded": False, **({} if size_mm is None else {"size_mm": size_mm})},
        "parts": [
            {"name": "substrate", "material": "bt_laminate", "role": "carrier",
             "box": [-0.5 * substrate_mm, 0.5 * substrate_mm, -0.5 * substrate_mm, 0.5 * substrate_mm, 0.0, 0.5]},
            {"name": "underfill", "material": "underfill", "box": [-h, h, -h, h, z0, z1]},
            {"name": "bumps", "material": "sac305", "role": "bumps",
             "box": [c0 - b, c0 + b, c0 - b, c0 + b, z0, z1],
             "array": {"nx": n, "ny": n, "pitch_x_mm": pitch_mm, "pitch_y_mm": pitch_mm}, **part_keys},
            {"name": "die", "material": "silicon", "box": [-h, h, -h, h, z1, z1 + 0.3]},
        ],
    }
    if bumps is not None:
        model["bumps"] = bumps
    return model
