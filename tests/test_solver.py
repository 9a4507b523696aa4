"""The iterative solver against the direct one, and its multigrid pieces against their definitions."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
import scipy.sparse as sp

import warpfem
from conftest import REPO
from test_assembly import IRREGULAR
from test_estimate import PACKAGE
from warpfem.fem import StiffnessSystem, limited_threads, multigrid
from warpfem.fem.assemble import constrain, element_classes, element_matrices, stiffness, stiffness_bsr, thermal_load
from warpfem.fem.multigrid import _merged, coarsen, fine_grid, solve_cg, solve_cg_together
from warpfem.fem.parallel import beside, run_all
from warpfem.fem.system import _multiples, choose_method
from warpfem.geometry import build_layout
from warpfem.meshing import Grading, build_mesh, features, graded_mesh


def _both(raw: dict, **kw):
    """One solve each on the same (first graded) mesh: the solvers are compared, not refinements."""
    direct = warpfem.solve({**raw, "solver": {"method": "direct"}}, target_error=0, **kw)
    iterative = warpfem.solve({**raw, "solver": {"method": "iterative"}}, target_error=0, **kw)
    return direct, iterative


@pytest.mark.parametrize("symmetry", ["quarter", "full"])
def test_iterative_matches_direct(small_fcbga, symmetry):
    raw = tomllib.loads(small_fcbga.read_text())
    raw["model"]["symmetry"] = symmetry
    d, i = _both(raw)
    assert i.summary["solver"]["method"] == "iterative" and i.summary["solver"]["levels"] >= 2
    assert i.warpage_um == pytest.approx(d.warpage_um, rel=1e-4)
    assert i.coplanarity_um == pytest.approx(d.coplanarity_um, rel=1e-4)
    for name, p in d.summary["parts"].items():
        assert i.summary["parts"][name]["max_von_mises_mpa"] == pytest.approx(p["max_von_mises_mpa"], rel=1e-3)
    # the same displacement field, rigid-body motion removed alike
    assert np.abs(i.solution.u_mm - d.solution.u_mm).max() < 1e-4 * np.abs(d.solution.u_mm).max()


def test_iterative_matches_direct_on_a_lidded_fcbga():
    raw = tomllib.loads((REPO / "studies" / "fcbga_40mm.toml").read_text())
    d, i = _both(raw, size_mm=1.5)
    assert i.warpage_um == pytest.approx(d.warpage_um, rel=1e-4)


def _graded_mesh():
    layout = build_layout(warpfem.load_model(PACKAGE))
    return layout, graded_mesh(layout, features(layout), Grading(0.6, 1.2, edge_ratio=1.0))


def _levels(graded: bool = False):
    if graded:
        layout, mesh = _graded_mesh()
    else:
        layout = build_layout(warpfem.load_model(IRREGULAR))
        mesh = build_mesh(layout, size_mm=0.35)
    classes = element_classes(layout, mesh)
    fine = fine_grid(mesh, classes.of_element, element_matrices(classes))
    coarse, P = coarsen(fine)
    return mesh, fine, coarse, P, layout


def test_a_uniform_axis_coarsens_by_pairs_and_a_graded_one_where_it_is_short():
    uniform = np.linspace(0.0, 7.0, 8)
    boundaries, parent, place = _merged(uniform)
    assert np.array_equal(boundaries, uniform[[0, 2, 4, 6, 7]])
    assert np.array_equal(parent, [0, 0, 1, 1, 2, 2, 3]) and np.array_equal(place, [0, 1, 0, 1, 0, 1, 0])
    # graded toward both ends, as toward a corner: 0.1 0.2 0.4 1 1 1 0.4 0.2 0.1
    graded = np.cumsum([0.0, 0.1, 0.2, 0.4, 1.0, 1.0, 1.0, 0.4, 0.2, 0.1])
    boundaries, parent, place = _merged(graded)
    assert np.allclose(np.diff(boundaries), [0.3, 0.4, 1.0, 1.0, 1.0, 0.6, 0.1])
    assert np.array_equal(parent, [0, 0, 1, 2, 3, 4, 5, 5, 6])
    assert set(boundaries) <= set(graded)   # nested: the coarse space is a subspace
    # graded 4 : 1 only: the column smoother copes, and pairs coarsen fastest
    mild = np.cumsum([0.0, 0.25, 0.5, 1.0, 1.0, 0.5, 0.25])
    assert np.array_equal(_merged(mild)[0], mild[[0, 2, 4, 6]])


@pytest.mark.parametrize("graded", [False, True], ids=["uniform", "graded"])
def test_prolongation_is_exact_for_quadratic_fields(graded):
    mesh, fine, coarse, P, _ = _levels(graded)
    assert coarse.n_nodes < 0.75 * fine.n_nodes
    # coarse node coordinates from the coarse grid's axes and half steps
    def coords(g):
        out = np.empty((g.n_nodes, 3))
        for d in range(3):
            a = g.axes[d]
            i = g.IJK[:, d]
            out[:, d] = np.where(i % 2 == 0, a[np.minimum(i // 2, len(a) - 1)],
                                 0.5 * (a[np.minimum(i // 2, len(a) - 2)] + a[np.minimum(i // 2 + 1, len(a) - 1)]))
        return out

    xc, xf = coords(coarse), coords(fine)
    assert np.allclose(xf, mesh.nodes)
    field = lambda x: 1 + x[:, 0] - 2 * x[:, 1] ** 2 + 0.5 * x[:, 0] * x[:, 1] + x[:, 2] * x[:, 0] ** 2  # noqa: E731
    assert np.abs(P @ field(xc) - field(xf)).max() < 1e-12


@pytest.mark.parametrize("graded", [False, True], ids=["uniform", "graded"])
def test_elementwise_galerkin_equals_global_product(graded):
    mesh, fine, coarse, P, layout = _levels(graded)
    A = stiffness(mesh, element_classes(layout, mesh)).tocsr()
    Pd = sp.kron(P, sp.identity(3)).tocsr()
    galerkin = (Pd.T @ A @ Pd).tocsr()
    Ac = stiffness_bsr(coarse.elements, coarse.IJK, coarse.of_element, coarse.matrices).tocsr()
    # sparse all the way: the dense matrices and their temporaries took gigabytes
    assert abs(Ac - galerkin).max() < 1e-10 * abs(galerkin).max()


def test_coarsening_a_graded_mesh_where_it_is_short_first_takes_fewer_iterations(monkeypatch):
    # merging every pair keeps a graded mesh's aspect ratios on every level, which the column
    # smoother and the coarse levels then both leave to conjugate gradients
    layout, mesh = _graded_mesh()

    def iterations():
        with StiffnessSystem(layout, mesh) as system:
            f = np.where(system.fixed, 0.0, thermal_load(mesh, system.classes))
            return solve_cg(system._mg, f, 1e-8)[1]

    assert choose_method(layout, mesh) == "iterative"
    short_first = iterations()
    monkeypatch.setattr(multigrid, "FEWEST_MERGED", 1.0)   # every axis merged by pairs
    by_pairs = iterations()
    assert short_first < 0.8 * by_pairs


def test_constrain_keeps_symmetry_and_diagonal():
    mesh, fine, _, _, _ = _levels()
    K = stiffness_bsr(fine.elements, fine.IJK, fine.of_element, fine.matrices)
    fixed = np.zeros(mesh.n_dofs, dtype=bool)
    fixed[[0, 4, 500]] = True
    C = constrain(K, fixed).tocsr()
    assert abs(C - C.T).max() <= 1e-12 * abs(C).max()
    Kd = K.diagonal()
    for d in np.flatnonzero(fixed):
        row, col = C[[d], :].toarray().ravel(), C[:, [d]].toarray().ravel()
        assert row[d] == Kd[d] and np.count_nonzero(row) == 1 and np.count_nonzero(col) == 1
    # the free block is K's own
    free = np.flatnonzero(~fixed)
    assert abs(C[free][:, free] - K.tocsr()[free][:, free]).max() == 0


def test_direct_fallback_without_mkl_gives_the_same_answer(small_fcbga, monkeypatch):
    """Where MKL does not install (arm64), the direct solver falls back to SciPy's SuperLU."""
    import warpfem.fem.linear as linear

    raw = tomllib.loads(small_fcbga.read_text())
    raw["bumps"] = {"submodel": "none"}  # the global solve only: SuperLU is slow on a bump submodel
    pardiso = warpfem.solve(raw, method="direct", target_error=0)
    monkeypatch.setattr(linear, "pypardiso", None)
    superlu = warpfem.solve(raw, method="direct", target_error=0)
    assert superlu.warpage_um == pytest.approx(pardiso.warpage_um, rel=1e-9)
    assert np.abs(superlu.solution.u_mm - pardiso.solution.u_mm).max() < 1e-9 * np.abs(pardiso.solution.u_mm).max()
    assert superlu.summary["solver"]["library"] == "SciPy SuperLU"


def test_loads_solved_together_take_the_iterates_each_would_alone():
    # one load's tolerance must not change another's iterates: each stops at its own, and a load
    # already balanced by its guess takes none
    layout, mesh = _graded_mesh()
    with StiffnessSystem(layout, mesh) as system:
        mg = system._mg
        f = np.where(system.fixed, 0.0, thermal_load(mesh, system.classes))
        corner = np.zeros_like(f)
        corner[np.flatnonzero(~system.fixed)[[-1, 7]]] = [1.0, -1.0]
        alone = [solve_cg(mg, f, 1e-8), solve_cg(mg, corner, 1e-2), solve_cg(mg, -2.0 * f, 1e-4)]
        F = np.column_stack([f, corner, -2.0 * f])
        U, iterations = solve_cg_together(mg, F, [1e-8, 1e-2, 1e-4])
        assert list(iterations) == [it for _, it in alone]
        assert iterations[1] < iterations[2] < iterations[0]

        def same(u, v, rtol):
            # as free bodies (conjugate gradients leave rigid-body motion undefined), and to a tenth
            # of the tolerance: the single-precision V-cycles of one vector and of three round
            # differently, and the iterates of a loose tolerance carry that further
            a, b = system._free_body(u.copy()), system._free_body(v.copy())
            return np.abs(a - b).max() < 0.1 * rtol * np.abs(b).max()

        assert all(same(U[:, c], u, rtol) for c, ((u, _), rtol) in enumerate(zip(alone, [1e-8, 1e-2, 1e-4])))
        # two loads (padded to three for the compiled products), one of them solved by its guess
        U2, it2 = solve_cg_together(mg, F[:, :2], [1e-8, 1e-2], X0=np.column_stack([np.zeros_like(f), U[:, 1]]))
        assert it2[1] == 0 and np.array_equal(U2[:, 1], U[:, 1])
        assert it2[0] == iterations[0] and same(U2[:, 0], U[:, 0], 1e-8)
        # no load: no displacement and no iteration, whatever the guess
        U3, it3 = solve_cg_together(mg, np.column_stack([corner, 0.0 * f]), 1e-2, X0=U[:, 1:])
        assert it3[1] == 0 and not U3[:, 1].any()


def test_a_load_that_is_a_multiple_of_an_earlier_one_is_not_solved_again():
    a, b = np.array([1.0, 0.0, -2.0]), np.array([0.0, 3.0, 1.0])
    distinct, copy_of = _multiples([a, 2 * a, np.zeros(3), b, -b])   # no load is any load times 0
    assert distinct == [0, 3]
    assert [(d, pytest.approx(s)) for d, s in copy_of] == [(0, 1.0), (0, 2.0), (0, 0.0), (1, 1.0), (1, -1.0)]
    assert _multiples([np.zeros(3), a]) == ([0, 1], [(0, 1.0), (1, 1.0)])


def test_loads_solved_together_fall_back_to_a_factorisation_when_the_iterations_stall():
    layout = build_layout(warpfem.load_model(PACKAGE))
    mesh = graded_mesh(layout, features(layout), Grading(1.2, 2.4, edge_ratio=1.0))
    with StiffnessSystem(layout, mesh) as system:
        f = thermal_load(mesh, system.classes)
        corner = np.zeros_like(f)
        corner[np.flatnonzero(~system.fixed)[[-1, 7]]] = [1.0, -1.0]
        # a tolerance under round-off: the residual stops falling, and the stall is seen coming
        stalled = system.solve_many([f, corner], rtol=1e-30)
        assert system.method == "direct" and "did not converge" in system.info["fallback"]
        exact = [system.solve(f), system.solve(corner)]
    for u, v in zip(stalled, exact):   # the factorisation's own answer, to its threads' rounding
        assert np.abs(u - v).max() < 1e-12 * np.abs(v).max()


def test_the_hierarchy_and_the_iterates_do_not_depend_on_the_number_of_threads():
    """Levels built beside one another and assembled in passes shared out over the threads, sums
    over fixed ranges: one thread gives every digit two give."""
    layout, mesh = _graded_mesh()

    def built():
        with StiffnessSystem(layout, mesh) as system:
            mg = system._mg
            f = np.where(system.fixed, 0.0, thermal_load(mesh, system.classes))
            corner = np.zeros_like(f)
            corner[np.flatnonzero(~system.fixed)[[-1, 7]]] = [1.0, -1.0]
            U, iterations = solve_cg_together(mg, np.column_stack([f, corner, 2 * f]), [1e-8, 1e-3, 1e-5])
            return [lv.smoother.data for lv in mg.levels], [lv.P.data for lv in mg.levels], U, iterations

    levels, prolongations, U, iterations = built()
    with limited_threads(1):
        levels1, prolongations1, U1, iterations1 = built()
    assert len(levels) > 1 and len(levels1) == len(levels)
    assert all(np.array_equal(a, b) for a, b in zip(levels, levels1))
    assert all(np.array_equal(a, b) for a, b in zip(prolongations, prolongations1))
    assert np.array_equal(iterations, iterations1) and np.array_equal(U, U1)


def test_work_shared_out_from_inside_a_shared_out_task_runs_where_it_is():
    # a pool worker waiting on the pool could leave every worker waiting: its own tasks run in it
    import threading

    done = []

    def outer(i):
        return lambda: sum(run_all([lambda j=j: i * 10 + j for j in range(3)]))

    def job():
        done.append(run_all([outer(i) for i in range(4)]))

    t = threading.Thread(target=job, daemon=True)
    t.start()
    t.join(30)
    assert done == [[3, 33, 63, 93]]


def test_tasks_beside_run_in_order_and_are_done_when_the_block_ends():
    import time

    order = []
    for threads in (None, 1):
        with limited_threads(threads), beside() as submit:
            first = submit(lambda: (time.sleep(0.05), order.append("a"))[1])
            second = submit(order.append, "b")
            order.append("caller")
        assert first.done() and second.done()
    assert order[3:] == ["a", "b", "caller"]          # one thread: each task runs when submitted
    assert order[:3].index("a") < order[:3].index("b")


def test_a_forward_sweep_from_zero_and_its_residual_read_only_their_part_of_each_row():
    """The sweep from zero reads the blocks of the colours before each row's and gives what the
    whole rows give (the rest multiply zeros); the residual it leaves, read from the blocks of the
    colours after, is b - A x to single-precision rounding."""
    layout, mesh = _graded_mesh()
    with StiffnessSystem(layout, mesh) as system:
        smoother = system._mg.levels[0].smoother
        b = np.random.default_rng(13).standard_normal((smoother.n, 3)).astype(np.float32)
        x = smoother.pre_from_zero(b)
        whole_rows = np.zeros_like(b)
        smoother._sweep(b, whole_rows, smoother.sweeps)
        assert np.array_equal(x, whole_rows)
        r = smoother.residual_after_pre(x)
        expected = b - smoother.matvec(x)
        assert np.abs(r - expected).max() < 1e-4 * np.abs(expected).max()
        assert np.abs(expected).max() > 1e-2 * np.abs(b).max()   # not a residual of nothing
        # the rows stored in parts are the level's stiffness, as assembled on its own
        K = constrain(stiffness(mesh, system.classes), system.fixed)
        assert np.abs(smoother.matvec(x) - K @ x.astype(float)).max() < 1e-5 * np.abs(K @ x.astype(float)).max()
