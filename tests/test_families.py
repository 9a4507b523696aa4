"""Each family's expanded geometry against its parameters: positions, volumes, contacts, counts.

Expected values are worked out here from the parameters and the family's documented layout
(docs/families.md), not taken from the family code; volumes are measured on the resolved cell
grid, after later parts took their share ("later wins").
"""

from __future__ import annotations

import math

import pytest

import warpfem
from conftest import REPO
from family_layouts import count_copies, extent, family_model, layout, top_layer_owners, touch, volumes
from warpfem.geometry import build_layout
from warpfem.model.families import REGISTRY

BUMP_V = 0.1 * 0.1 * 0.08       # default bump: 0.1 mm square, 0.08 mm tall (mm³)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_defaults_expand_into_a_valid_quarter_symmetric_model(name):
    m = warpfem.expand(family_model(name, symmetry=None))
    assert m.model.symmetry == "quarter"
    build_layout(m)  # mirror symmetry is checked here
    assert sum(p.role == "carrier" for p in m.parts) == 1
    assert m.family is not None and m.model.family == name


VARIANTS = [
    ("molded_flip_chip_heat_sink", {"chip_set": "attached_die_with_flip_chip", "passives": True}),
    ("molded_flip_chip_heat_sink", {"chip_set": "three_die_stack", "solder_balls": True, "bump_layout": "full"}),
    ("molded_flip_chip_heat_sink", {"carrier": "lead_frame", "die_size_mm": 5.0}),
    ("molded_underfill", {"chip_set": "three_die_stack", "passives": True, "mould_cap_ratio": 2.0}),
    ("molded_underfill", {"carrier": "lead_frame", "lead_pitch_mm": 0.65, "lead_width_mm": 0.3}),
    ("stiffener_dual_heat_sink", {"integral_heat_sink": True, "fins": 4, "solder_balls": True}),
    ("dual_carrier_stack", {"carrier": "tab_tape", "solder_balls": True, "first_die_size_mm": 4.0}),
    ("carrier_size_heat_sink", {"carrier": "lead_frame", "attachment": "buffer_pad"}),
    ("carrier_size_heat_sink", {"chip_connection": "flip_chip", "attachment": "pedestal", "bump_layout": "full"}),
]


@pytest.mark.parametrize("name, params", VARIANTS, ids=lambda v: v if isinstance(v, str) else "-".join(map(str, v.values())))
def test_variants_are_mirror_symmetric(name, params):
    build_layout(warpfem.expand(family_model(name, symmetry="quarter", **params)))


def test_unnamed_family_model_takes_the_family_name():
    raw = family_model("molded_underfill")
    del raw["model"]["name"]
    assert warpfem.expand(raw).name == "molded_underfill"


# --- seed 000 ---------------------------------------------------------------------------------

def test_000_flip_chip_stack_gaps_and_volumes():
    lay = layout("molded_flip_chip_heat_sink")
    # carrier 0.4 | bumps 0.08 | die 0.3 | mould gap 0.1 | heat sink 0.3
    assert extent(lay, "substrate") == pytest.approx((-6, 6, -6, 6, 0.0, 0.4))
    assert extent(lay, "bumps")[4:] == pytest.approx((0.4, 0.48))
    assert extent(lay, "die") == pytest.approx((-3, 3, -3, 3, 0.48, 0.78))
    assert extent(lay, "heat_sink") == pytest.approx((-5, 5, -5, 5, 0.88, 1.18))
    v = volumes(lay)
    bumps = 4 * 3 * 3 * BUMP_V                      # a 3 x 3 patch in each die corner
    assert v["bumps"] == pytest.approx(bumps)
    assert v["die"] == pytest.approx(36 * 0.3)
    assert v["heat_sink"] == pytest.approx(100 * 0.3)
    assert v["mould"] == pytest.approx(144 * (1.18 - 0.4) - 36 * 0.3 - 100 * 0.3 - bumps)
    # one mould fills the bump gap and the heat-sink gap; the heat sink does not touch the die
    assert touch(lay, "mould", "substrate") and touch(lay, "mould", "die") and touch(lay, "mould", "heat_sink")
    assert not touch(lay, "die", "heat_sink")
    assert touch(lay, "bumps", "substrate") and touch(lay, "bumps", "die")
    # the heat-sink top is exposed, flush with the mould top
    assert top_layer_owners(lay) == {"mould", "heat_sink"}


def test_000_corner_bumps_sit_at_the_full_arrays_corner_positions():
    lay = layout("molded_flip_chip_heat_sink")
    assert count_copies(lay, "bumps") == 36
    # 30 bumps per side at 0.2 mm pitch on a 6 mm die: outermost centre 2.9 mm, patch to 2.5 mm
    x0, x1, y0, y1, _, _ = extent(lay, "bumps")
    assert (x0, x1, y0, y1) == pytest.approx((-2.95, 2.95, -2.95, 2.95))
    full = layout("molded_flip_chip_heat_sink", bump_layout="full")
    assert count_copies(full, "bumps") == 30 * 30
    assert volumes(full)["bumps"] == pytest.approx(900 * BUMP_V)
    assert extent(full, "bumps")[:4] == pytest.approx((x0, x1, y0, y1))


def test_000_attached_die_with_flip_chip():
    lay = layout("molded_flip_chip_heat_sink", chip_set="attached_die_with_flip_chip", die_size_mm=6.0,
                 second_die_size_mm=4.0, die_attach_thickness_mm=0.025, second_die_thickness_mm=0.2)
    # carrier 0.4 | die attach 0.025 | first die 0.3 | bumps 0.08 | second die 0.2 | gap 0.1 | sink
    assert extent(lay, "die_attach") == pytest.approx((-3, 3, -3, 3, 0.4, 0.425))
    assert extent(lay, "first_die")[4:] == pytest.approx((0.425, 0.725))
    assert extent(lay, "bumps")[4:] == pytest.approx((0.725, 0.805))
    assert extent(lay, "second_die") == pytest.approx((-2, 2, -2, 2, 0.805, 1.005))
    assert extent(lay, "heat_sink")[4:] == pytest.approx((1.105, 1.405))
    assert touch(lay, "die_attach", "substrate") and touch(lay, "die_attach", "first_die")
    assert touch(lay, "bumps", "first_die") and touch(lay, "bumps", "second_die")
    assert not touch(lay, "first_die", "second_die")         # the bump gap is between them
    assert count_copies(lay, "bumps") == 36                   # 20 per side under the 4 mm die


def test_000_three_die_stack():
    lay = layout("molded_flip_chip_heat_sink", chip_set="three_die_stack", die_size_mm=6.0,
                 second_die_size_mm=5.0, third_die_size_mm=3.0, heat_sink_gap_mm=0.05)
    z = 0.4
    for name, dz in (("bumps", 0.08), ("first_die", 0.3), ("die_attach", 0.025), ("second_die", 0.2),
                     ("stack_bumps", 0.08), ("third_die", 0.2)):
        assert extent(lay, name)[4:] == pytest.approx((z, z + dz)), name
        z += dz
    assert extent(lay, "heat_sink")[4] == pytest.approx(z + 0.05)
    assert extent(lay, "die_attach")[:2] == pytest.approx((-2.5, 2.5))   # under the second die
    assert touch(lay, "stack_bumps", "second_die") and touch(lay, "stack_bumps", "third_die")
    assert touch(lay, "bumps", "substrate") and touch(lay, "bumps", "first_die")
    assert count_copies(lay, "stack_bumps") == 36


def test_000_lead_frame_pad_leads_and_mould_in_between():
    L, t, die, pad, lead_l, lead_w, pitch = 10.0, 0.2, 5.0, 6.0, 0.4, 0.25, 0.5
    lay = layout("molded_flip_chip_heat_sink", carrier="lead_frame", carrier_size_mm=L, die_size_mm=die,
                 heat_sink_size_mm=8.0)
    n = math.floor((L - 2 * lead_l - lead_w) / pitch) + 1        # leads per side between the corners
    copper = pad**2 + 4 * n * lead_l * lead_w
    v = volumes(lay)
    assert v["lead_frame"] == pytest.approx(copper * t)
    assert count_copies(lay, "lead_frame") == 1 + 4 * n            # the pad and every lead stand apart
    assert extent(lay, "lead_frame") == pytest.approx((-5, 5, -5, 5, 0.0, t))
    # the mould fills the lead frame's gaps: the package's bottom face is lead frame + mould
    mould_in_frame = v["mould"] - (L * L * (extent(lay, "heat_sink")[5] - t) - v["die"] - v["bumps"]
                                   - v["heat_sink"])
    assert mould_in_frame == pytest.approx((L * L - copper) * t)
    assert touch(lay, "bumps", "lead_frame")


def test_000_solder_balls_and_passives():
    lay = layout("molded_flip_chip_heat_sink", solder_balls=True, ball_pitch_mm=0.8, ball_size_mm=0.4,
                 ball_height_mm=0.3, passives=True)
    n = math.floor(12 / 0.8)                                        # 15 balls per side
    assert count_copies(lay, "solder_balls") == n * n
    assert volumes(lay)["solder_balls"] == pytest.approx(n * n * 0.4 * 0.4 * 0.3)
    assert extent(lay, "solder_balls")[4:] == pytest.approx((-0.3, 0.0))
    assert touch(lay, "solder_balls", "substrate")
    # 0201 passives midway between die edge (3 mm) and carrier edge (6 mm), under the heat sink
    assert extent(lay, "passives_x") == pytest.approx((-4.65, 4.65, -0.3, 0.3, 0.4, 0.7))
    assert extent(lay, "passives_y") == pytest.approx((-0.3, 0.3, -4.65, 4.65, 0.4, 0.7))
    assert volumes(lay)["passives_x"] == pytest.approx(2 * 0.6 * 0.3 * 0.3)
    assert touch(lay, "passives_x", "substrate") and not touch(lay, "passives_x", "heat_sink")


# --- seed 001 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("cap", [{"mould_cap_ratio": 0.5}, {"mould_cap_ratio": 2.0}, {"mould_cap_mm": 0.13}])
def test_001_mould_cap_over_the_die(cap):
    lay = layout("molded_underfill", **cap)
    expected = cap.get("mould_cap_mm") or cap["mould_cap_ratio"] * 0.08
    die_top = extent(lay, "die")[5]
    assert die_top == pytest.approx(0.4 + 0.08 + 0.3)
    assert extent(lay, "mould") == pytest.approx((-6, 6, -6, 6, 0.4, die_top + expected))
    v = volumes(lay)
    assert v["mould"] == pytest.approx(144 * (die_top + expected - 0.4) - 36 * 0.3 - 36 * BUMP_V)
    assert touch(lay, "mould", "die") and touch(lay, "bumps", "die") and touch(lay, "bumps", "substrate")
    assert top_layer_owners(lay) == {"mould"}                     # the mould covers the die


def test_001_default_cap_is_the_bump_gap():
    assert extent(layout("molded_underfill"), "mould")[5] == pytest.approx(0.4 + 0.08 + 0.3 + 0.08)


def test_001_three_die_stack_cap_over_the_top_die():
    lay = layout("molded_underfill", chip_set="three_die_stack", mould_cap_ratio=1.5, corner_bumps=2)
    top = 0.4 + 0.08 + 0.3 + 0.025 + 0.2 + 0.08 + 0.2
    assert extent(lay, "third_die")[5] == pytest.approx(top)
    assert extent(lay, "mould")[5] == pytest.approx(top + 1.5 * 0.08)
    assert count_copies(lay, "bumps") == count_copies(lay, "stack_bumps") == 16


# --- seed 002 ---------------------------------------------------------------------------------

def test_002_separate_stiffener_and_first_heat_sink():
    lay = layout("stiffener_dual_heat_sink")
    # substrate 1.0 | bumps 0.08 | die 0.775 | TIM 0.05 | lid 0.5; ring: adhesive 0.05 | stiffener | adhesive 0.05
    lid_bottom = 1.0 + 0.08 + 0.775 + 0.05
    assert extent(lay, "first_heat_sink") == pytest.approx((-20, 20, -20, 20, lid_bottom, lid_bottom + 0.5))
    assert extent(lay, "stiffener")[4:] == pytest.approx((1.05, lid_bottom - 0.05))
    v = volumes(lay)
    ring_area = 40**2 - 30**2
    assert v["stiffener"] == pytest.approx(ring_area * (lid_bottom - 0.05 - 1.05))
    assert v["stiffener_adhesive"] == pytest.approx(ring_area * 0.05)
    assert v["first_heat_sink_adhesive"] == pytest.approx(ring_area * 0.05)
    assert v["underfill"] == pytest.approx(21**2 * 0.08 - 36 * BUMP_V)
    # the lid rests on the die (through the TIM) and on the stiffener (through the adhesive)
    assert touch(lay, "tim", "die") and touch(lay, "tim", "first_heat_sink")
    assert touch(lay, "first_heat_sink_adhesive", "stiffener")
    assert touch(lay, "first_heat_sink_adhesive", "first_heat_sink")
    assert not touch(lay, "stiffener", "first_heat_sink")
    assert touch(lay, "stiffener_adhesive", "substrate") and touch(lay, "stiffener_adhesive", "stiffener")
    # the second heat sink under the die, smaller than it
    assert extent(lay, "second_heat_sink") == pytest.approx((-8, 8, -8, 8, -0.35, -0.05))
    assert touch(lay, "second_heat_sink_adhesive", "substrate")
    assert touch(lay, "second_heat_sink_adhesive", "second_heat_sink")


def test_002_integral_body_with_fins_and_balls_around():
    lay = layout("stiffener_dual_heat_sink", integral_heat_sink=True, fins=5, fin_thickness_mm=0.8,
                 fin_height_mm=1.0, solder_balls=True, ball_pitch_mm=1.27, ball_size_mm=0.6)
    names = {p.name for p in lay.parts}
    assert "first_heat_sink_adhesive" not in names
    lid_bottom = 1.0 + 0.08 + 0.775 + 0.05
    assert extent(lay, "stiffener")[4:] == pytest.approx((1.05, lid_bottom))
    assert touch(lay, "stiffener", "first_heat_sink")              # one body: no joint between
    assert lay.parts[[p.name for p in lay.parts].index("stiffener")].material == "copper"
    # five fins across the 16 mm base, 0.8 mm thick, 1 mm below it
    assert count_copies(lay, "fins") == 5
    assert volumes(lay)["fins"] == pytest.approx(5 * 0.8 * 16 * 1.0)
    assert extent(lay, "fins") == pytest.approx((-8, 8, -8, 8, -1.35, -0.35))
    assert touch(lay, "fins", "second_heat_sink")
    # balls: 31 x 31 at 1.27 mm, less those within 0.2 mm of the 16 mm heat sink
    centres = [(i - 15) * 1.27 for i in range(31)]
    inner = sum(abs(c) - 0.3 < 8.0 + 0.2 for c in centres)
    balls = count_copies(lay, "solder_balls_north_south") + count_copies(lay, "solder_balls_east_west")
    assert balls == 31 * 31 - inner * inner
    for part in ("solder_balls_north_south", "solder_balls_east_west"):
        assert not touch(lay, part, "second_heat_sink") and touch(lay, part, "substrate")


def test_002_without_heat_sinks_the_stiffener_stands_alone_at_its_own_height():
    lay = layout("stiffener_dual_heat_sink", first_heat_sink=False, second_heat_sink=False, stiffener_height_mm=1.2)
    names = {p.name for p in lay.parts}
    assert names == {"substrate", "underfill", "bumps", "die", "stiffener_adhesive", "stiffener"}
    assert extent(lay, "stiffener")[4:] == pytest.approx((1.05, 1.05 + 1.2))
    assert volumes(lay)["stiffener"] == pytest.approx((40**2 - 30**2) * 1.2)
    assert min(extent(lay, n)[4] for n in names) == pytest.approx(0.0)   # nothing under the substrate
    # without the key the ring keeps the height it has under a lid
    lay = layout("stiffener_dual_heat_sink", first_heat_sink=False)
    assert extent(lay, "stiffener")[4:] == pytest.approx((1.05, 1.0 + 0.08 + 0.775 + 0.05 - 0.05))


def test_002_either_heat_sink_alone():
    lid_only = {p.name for p in layout("stiffener_dual_heat_sink", second_heat_sink=False).parts}
    assert {"tim", "first_heat_sink", "first_heat_sink_adhesive"} <= lid_only
    assert not lid_only & {"second_heat_sink", "second_heat_sink_adhesive", "fins"}
    lay = layout("stiffener_dual_heat_sink", first_heat_sink=False, solder_balls=True)
    assert not {p.name for p in lay.parts} & {"tim", "first_heat_sink", "first_heat_sink_adhesive"}
    assert extent(lay, "second_heat_sink") == pytest.approx((-8, 8, -8, 8, -0.35, -0.05))


def test_round_bumps_in_a_full_array_keep_their_volume():
    model = warpfem.expand(family_model("molded_flip_chip_heat_sink", bump_layout="full", bump_pitch_mm=0.4,
                                        bump_pad_mm=0.2, bump_shape="cylinder"))
    bumps = next(p for p in model.parts if p.name == "bumps")
    assert (bumps.shape, bumps.pad_diameter_mm) == ("cylinder", 0.2)
    # 15 x 15 cylinders of 0.2 mm diameter, 0.08 mm high, carried as prisms of their volume
    assert volumes(build_layout(model))["bumps"] == pytest.approx(15 * 15 * math.pi * 0.1**2 * 0.08, rel=1e-9)
    barrel = warpfem.expand(family_model("molded_flip_chip_heat_sink", bump_layout="full", bump_pitch_mm=0.4,
                                         bump_pad_mm=0.2, bump_shape="barrel"))
    part = next(p for p in barrel.parts if p.name == "bumps")
    assert (part.shape, part.max_diameter_mm) == ("barrel", pytest.approx(0.24))
    assert part.box[1] - part.box[0] == pytest.approx(0.24)   # the bounding box holds the widest point


# --- seed 003 ---------------------------------------------------------------------------------

def test_003_back_to_back_stack():
    lay = layout("dual_carrier_stack", adhesive_modulus_gpa=0.02)
    z = 0.0
    for name, dz in (("second_carrier", 0.3), ("second_bumps", 0.08), ("second_die", 0.2),
                     ("die_adhesive", 0.03), ("first_die", 0.2), ("first_bumps", 0.08), ("first_carrier", 0.3)):
        assert extent(lay, name)[4:] == pytest.approx((z, z + dz)), name
        z += dz
    assert touch(lay, "die_adhesive", "first_die") and touch(lay, "die_adhesive", "second_die")
    assert touch(lay, "resin", "first_carrier") and touch(lay, "resin", "second_carrier")
    # 11 vias per side at 1 mm pitch on a 10 mm square ring: 40 copper columns through everything
    assert count_copies(lay, "vias_north_south") + count_copies(lay, "vias_east_west") == 40
    assert volumes(lay)["vias_north_south"] + volumes(lay)["vias_east_west"] == pytest.approx(40 * 0.09 * z)
    assert extent(lay, "vias_north_south") == pytest.approx((-5.15, 5.15, -5.15, 5.15, 0.0, z))
    assert touch(lay, "vias_north_south", "first_carrier") and touch(lay, "vias_north_south", "second_carrier")
    assert lay.parts[0].role == "carrier" and lay.parts[0].name == "second_carrier"
    adhesive = lay.materials["stack_adhesive"]
    assert (adhesive.E_gpa, adhesive.cte_ppm, adhesive.nu) == (0.02, 100.0, 0.4)


def test_003_tab_tape_carriers_and_stacking_bumps():
    lay = layout("dual_carrier_stack", carrier="tab_tape", solder_balls=True)
    assert extent(lay, "second_carrier")[4:] == pytest.approx((0.0, 0.075))
    assert lay.materials["polyimide"].E_gpa == pytest.approx(2.5)
    assert count_copies(lay, "solder_balls") == 24 * 24             # 0.5 mm pitch under 12 mm
    assert touch(lay, "solder_balls", "second_carrier")


# --- seed 004 ---------------------------------------------------------------------------------

def _sink_checks(lay, carrier_mm):
    h = 0.5 * carrier_mm
    x0, x1, y0, y1, z0, z1 = extent(lay, "heat_sink")
    assert (x0, x1, y0, y1) == pytest.approx((-h, h, -h, h))       # the carrier's area
    assert extent(lay, "mould")[:4] == pytest.approx((x0, x1, y0, y1))   # sides flush with the mould
    assert extent(lay, "mould")[5] == pytest.approx(z0)
    assert top_layer_owners(lay) == {"heat_sink"}


def test_004_direct_attach():
    lay = layout("carrier_size_heat_sink")
    _sink_checks(lay, 10.0)
    # substrate 0.3 | die attach 0.025 | die 0.3 | adhesive 0.05 | heat sink 0.3
    assert extent(lay, "die")[4:] == pytest.approx((0.325, 0.625))
    assert extent(lay, "heat_sink")[4:] == pytest.approx((0.675, 0.975))
    assert touch(lay, "heat_sink_adhesive", "die") and touch(lay, "heat_sink_adhesive", "heat_sink")
    v = volumes(lay)
    assert v["mould"] == pytest.approx(100 * (0.675 - 0.3) - 25 * (0.025 + 0.3 + 0.05))


def test_004_buffer_pad():
    lay = layout("carrier_size_heat_sink", attachment="buffer_pad", buffer_pad_size_mm=4.0,
                 buffer_pad_thickness_mm=0.2)
    _sink_checks(lay, 10.0)
    assert extent(lay, "buffer_pad") == pytest.approx((-2, 2, -2, 2, 0.675, 0.875))
    assert extent(lay, "heat_sink")[4] == pytest.approx(0.925)
    assert touch(lay, "pad_adhesive", "die") and touch(lay, "pad_adhesive", "buffer_pad")
    assert touch(lay, "heat_sink_adhesive", "buffer_pad") and touch(lay, "heat_sink_adhesive", "heat_sink")
    assert not touch(lay, "die", "heat_sink")
    assert lay.parts[[p.name for p in lay.parts].index("buffer_pad")].material == "silicon"


def test_004_pedestal_on_a_flip_chip():
    lay = layout("carrier_size_heat_sink", attachment="pedestal", chip_connection="flip_chip",
                 pedestal_size_mm=4.0, pedestal_height_mm=0.2)
    _sink_checks(lay, 10.0)
    # substrate 0.3 | bumps 0.08 | die 0.3 | adhesive 0.05 | pedestal 0.2 | heat sink
    assert extent(lay, "pedestal") == pytest.approx((-2, 2, -2, 2, 0.73, 0.93))
    assert touch(lay, "pedestal", "heat_sink") and touch(lay, "heat_sink_adhesive", "die")
    assert touch(lay, "bumps", "die") and touch(lay, "bumps", "substrate")
    assert lay.parts[[p.name for p in lay.parts].index("pedestal")].material == "copper"
    # the heat sink's first surface other than the pedestal is spaced from the chip by mould
    assert touch(lay, "mould", "heat_sink")


def test_004_qfn_lead_frame():
    lay = layout("carrier_size_heat_sink", carrier="lead_frame")
    _sink_checks(lay, 10.0)
    assert extent(lay, "mould")[4] == pytest.approx(0.0)          # the mould fills the frame's gaps
    assert extent(lay, "lead_frame")[4:] == pytest.approx((0.0, 0.2))
    assert touch(lay, "die_attach", "lead_frame") and touch(lay, "mould", "lead_frame")


def test_004_smaller_heat_sink_on_a_substrate():
    lay = layout("carrier_size_heat_sink", heat_sink_size_mm=9.0)
    assert extent(lay, "heat_sink")[:4] == pytest.approx((-4.5, 4.5, -4.5, 4.5))
    assert extent(lay, "mould")[:4] == pytest.approx((-4.5, 4.5, -4.5, 4.5))
    assert extent(lay, "substrate")[:4] == pytest.approx((-5, 5, -5, 5))


# --- the documentation --------------------------------------------------------------------------

def test_docs_hold_every_family_parameter_table_as_the_code_defines_it():
    from warpfem.model.families import parameter_table
    from warpfem.model.families.materials import FAMILY_MATERIALS

    docs = (REPO / "docs" / "families.md").read_text()
    for name in REGISTRY:
        assert f"`{name}`" in docs
        assert parameter_table(name) in docs, f"docs/families.md: the parameter table of {name} is out of date"
    for name, t in FAMILY_MATERIALS.items():
        assert f"| `{name}` | {t['E_gpa']:g} | {t['nu']:g} | {t['cte_ppm']:g} | {t['k_w_mk']:g} |" in docs
