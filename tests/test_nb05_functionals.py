"""Tests of notebook 05's model code (course_utils.learn.functionals) and of its exercise checks."""

import numpy as np
import pytest

from course_utils import exercises
from course_utils.learn import kernels
from course_utils.onedim import datasets, potentials, reverse, tddft
from course_utils.units import HARTREE_TO_KCAL_PER_MOL


@pytest.fixture(scope="module")
def box():
    return datasets.box_data(60, seed=3, max_electrons=2)


def test_box_data_matches_the_solver(box):
    from course_utils.onedim import noninteracting

    direct = noninteracting.solve_many(box["x"], box["v_ext"][:3], "uu")
    assert np.allclose(box["density"][1, :3], direct.density, atol=1e-10)
    assert np.allclose(box["kinetic"][1, :3], direct.kinetic_energy, atol=1e-9)
    assert np.allclose(np.sum(box["density"], axis=2) * box["dx"], [[1], [2]], atol=1e-9)
    v = potentials.gaussian_wells(box["x"], box["a"][0], box["c"][0], box["b"][0])  # depth, width, centre
    assert np.allclose(v, box["v_ext"][0])


def test_closed_form_leave_one_out_equals_refitting(box):
    x, y = box["density"][0, :25], box["kinetic"][0, :25]
    sigma, lam = 20.0, 1e-8
    closed = kernels.loo_mae(x, y, [sigma], [lam])[0, 0]
    residuals = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        model = kernels.KernelFunctional(sigma, lam).fit(x[keep], y[keep])
        residuals.append(model.predict(x[i]) - y[i])
    assert np.isclose(closed, np.mean(np.abs(residuals)), rtol=1e-5)


def test_gradient_matches_finite_differences(box):
    model = kernels.KernelFunctional(15.0, 1e-10).fit(box["density"][0, :40], box["kinetic"][0, :40])
    n = box["density"][0, 50]
    direction = np.random.default_rng(0).normal(size=n.size)
    # h = 1e-3: with lambda = 1e-10 the weights are large and cancel, so a smaller step loses digits to round-off
    # (1e-5 gives 2e-5 relative on some CPUs); the central difference's own error at 1e-3 is below 1e-6 relative.
    h = 1e-3
    numeric = (model.predict(n + h * direction) - model.predict(n - h * direction)) / (2 * h)
    assert np.isclose(model.gradient(n) @ direction, numeric, rtol=1e-5, atol=1e-8)


def test_local_pca_basis_is_orthonormal_and_conserves_electrons(box):
    basis = kernels.local_pca_basis(box["density"][0, 55], box["density"][0, :40], m=20, l=4)
    assert basis.shape == (box["x"].size, 4)
    assert np.allclose(basis.T @ basis, np.eye(4), atol=1e-8)
    assert np.allclose(basis.sum(axis=0), 0.0, atol=1e-8)


def test_minimisation_keeps_normalisation_and_lowers_the_energy(box):
    model = kernels.KernelFunctionalCV().fit(box["density"][0, :50], box["kinetic"][0, :50])
    result = kernels.minimise_on_manifold(model, box["v_ext"][55], box["dx"], m=20, l=4)
    assert np.isclose(np.sum(result.density) * box["dx"], 1.0, atol=1e-10)
    assert result.history[-1] <= result.history[0]
    assert np.all(np.diff(result.history) < 0)
    assert result.converged and result.gradient_norm < 1e-2
    # a step-size stop on a slope is not convergence: stop at once (huge tol) and the flag must say so
    early = kernels.minimise_on_manifold(model, box["v_ext"][55], box["dx"], m=20, l=4, tol=1e3)
    assert early.iterations == 1 and not early.converged and early.gradient_norm > 1e-2


def test_error_summary_is_in_kcal_per_mol():
    summary = kernels.error_summary([1.0, 1.002], [1.0, 1.0])
    assert np.isclose(summary["max"], 0.002 * HARTREE_TO_KCAL_PER_MOL)


def test_td_xc_potential_reduces_to_the_static_one_for_a_stationary_state():
    from course_utils.onedim import exact

    system = tddft.tddft_system({**tddft.TDDFT_PARAMS, "n_points": 60, "half_width": 10.0})
    density = exact.solve(system).density
    times = np.arange(0, 0.5, 0.1)
    dynamic = reverse.time_dependent_xc_potential(system, times, np.tile(density, (times.size, 1)))
    static = reverse.two_electron_xc_potential(system, density)
    assert np.allclose(dynamic - dynamic[:, :1], static - static[0], atol=1e-9)


def test_dipole_spectrum_finds_a_known_frequency():
    t = np.arange(0, 200, 0.1)
    omegas = np.linspace(0.1, 1.0, 901)
    spectrum = tddft.dipole_spectrum(t, 0.1 * np.sin(0.42 * t), omegas)
    assert abs(omegas[np.argmax(spectrum)] - 0.42) < 0.003


# ---------------------------------------------------------------- exercise checks


def _krr(train_x, train_y, test_x, sigma, lam, scale=2.0, ridge=True):
    d2 = lambda a, b: ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)  # noqa: E731
    k = np.exp(-d2(train_x, train_x) / (scale * sigma**2))
    alpha = np.linalg.solve(k + (lam if ridge else 0.0) * np.eye(len(train_y)), train_y)
    return np.exp(-d2(test_x, train_x) / (scale * sigma**2)) @ alpha


def test_check_krr_accepts_a_correct_function():
    assert exercises.check_krr_kinetic_predict(_krr)


@pytest.mark.parametrize("wrong, phrase", [
    (lambda *a: _krr(*a, scale=1.0), "2 sigma^2"),
    (lambda *a: _krr(*a, ridge=False), "lambda is missing"),
    (lambda *a: None, "returns nothing"),
])
def test_check_krr_explains_typical_mistakes(wrong, phrase):
    feedback = exercises.check_krr_kinetic_predict(wrong)
    assert not feedback and phrase in feedback.message


def test_check_krr_handles_placeholders_and_crashes():
    assert "placeholder" in exercises.check_krr_kinetic_predict(...).message
    feedback = exercises.check_krr_kinetic_predict(lambda *a: 1 / 0)
    assert not feedback and "ZeroDivisionError" in feedback.message


def test_check_projection_rank(box):
    from course_utils.exercises.nb05 import PROJECTION_RANKS, projection_errors

    model = kernels.KernelFunctionalCV().fit(box["density"][0, :50], box["kinetic"][0, :50])
    density = box["density"][0, 55]
    derivative = box["eigenvalues"][55, 0] - box["v_ext"][55]
    kwargs = {"model": model, "density": density, "exact_derivative": derivative, "dx": box["dx"], "m": 20}
    errors = projection_errors(model, density, derivative, box["dx"], m=20)
    assert errors.shape == (len(PROJECTION_RANKS),) and np.all(errors > 0)
    best = int(np.argmin(errors)) + 1
    above = np.flatnonzero(errors > 1)
    useless = int(above[0]) + 1 if above.size else None
    assert exercises.check_projection_rank(errors, best, useless, **kwargs)
    assert "smallest is at" in exercises.check_projection_rank(errors, best % 15 + 1, useless, **kwargs).message
    assert not exercises.check_projection_rank(errors * 1.1, best, useless, **kwargs)
    assert "expected 15" in exercises.check_projection_rank(errors[:5], best, useless, **kwargs).message
    assert "placeholder" in exercises.check_projection_rank(..., best, useless, **kwargs).message
    assert "kernel model" in exercises.check_projection_rank(errors, best, useless, **{**kwargs, "model": 3}).message


def test_check_xc_extrapolation_reach():
    from course_utils.exercises.nb05 import xc_extrapolation_reach

    reach = xc_extrapolation_reach()
    assert sorted(reach) == [3.0, 4.0, 5.0, 6.0] and all(reach[k] >= k for k in reach)
    assert exercises.check_xc_extrapolation_reach(reach)
    assert "FAILS" in exercises.check_xc_extrapolation_reach({k: v + 0.5 for k, v in reach.items()}).message
    assert "missing" in exercises.check_xc_extrapolation_reach({3.0: reach[3.0]}).message
    assert "dict" in exercises.check_xc_extrapolation_reach([1.0]).message
    assert "placeholder" in exercises.check_xc_extrapolation_reach(...).message


def test_check_single_pole():
    from course_utils.exercises.nb05 import single_pole_excitations

    ref = single_pole_excitations()
    assert ref["K_H"] > 0 > ref["K_xc"] and ref["gap"] < ref["sma"] < ref["spa"]  # SMA <= SPA for K > 0
    assert exercises.check_single_pole(ref["spa"], ref["sma"])
    assert "swapped" in exercises.check_single_pole(ref["sma"], ref["spa"]).message
    assert "K instead of 2K" in exercises.check_single_pole(ref["gap"] + ref["K_H"] + ref["K_xc"], 0.0).message
    assert "only the Hartree" in exercises.check_single_pole(ref["gap"] + 2 * ref["K_H"], 0.0).message
    assert "twice too large" in exercises.check_single_pole(
        ref["gap"] + 2 * (ref["K_H"] + 2 * ref["K_xc"]), 0.0).message
    assert "SPA is right" in exercises.check_single_pole(ref["spa"], ref["sma"] + 0.1).message
    assert "placeholder" in exercises.check_single_pole(..., 0.4).message


def test_h2_curve_is_a_read_only_result_with_optional_lda():
    from course_utils.onedim import curves

    bare = curves.h2_curve([1.6, 4.0], lda=False, n_points=60, half_width=10.0)
    assert bare.lda_energy is None and bare.lda_density is None and bare.lda_xc_on_exact is None
    assert bare.density.shape == (2, 60) and bare.R.tolist() == [1.6, 4.0]
    np.testing.assert_allclose(bare.kinetic_s + bare.external + bare.hartree + bare.xc, bare.energy, atol=1e-12)
    assert np.all(bare.natural_occupations[:, 0] > bare.natural_occupations[:, 1])  # 4 bohr: more correlated
    assert bare.natural_occupations[1, 1] > bare.natural_occupations[0, 1]
    with pytest.raises(ValueError):
        bare.energy[0] = 0.0
    full = curves.h2_curve([1.6], n_points=60, half_width=10.0)
    assert full.lda_density.shape == (1, 60) and full.lda_energy[0] > full.energy[0]  # LDA above exact here


def test_kernel_functional_is_a_scikit_learn_estimator(box):
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    x, y = box["density"][0, :60], box["kinetic"][0, :60]
    model = kernels.KernelFunctional(sigma=20.0, lam=1e-10)
    assert clone(model).get_params() == {"sigma": 20.0, "lam": 1e-10}
    with pytest.raises(RuntimeError, match="not fitted"):
        model.predict(x)
    model.fit(x, y)
    assert model.dual_coef_.shape == (60,) and model.X_fit_.shape == x.shape and not hasattr(model, "alpha")
    assert model.predict(x[0]).shape == (1,) and model.predict(x[:5]).shape == (5,)  # always an array
    np.testing.assert_allclose(make_pipeline(kernels.KernelFunctional(20.0, 1e-10)).fit(x, y).predict(x),
                               model.predict(x))
    search = GridSearchCV(kernels.KernelFunctional(), {"sigma": [5.0, 20.0], "lam": [1e-12, 1e-8]}, cv=3,
                          scoring="neg_mean_absolute_error").fit(x, y)
    assert search.best_params_["sigma"] in (5.0, 20.0)
    cv = kernels.KernelFunctionalCV(sigmas=[5.0, 20.0, 40.0], lams=[1e-12, 1e-8]).fit(x, y)
    assert cv.cv_mae_.shape == (3, 2) and cv.loo_error_ == cv.cv_mae_.min()
    assert (cv.sigma_, cv.lam_) in [(s, lam) for s in (5.0, 20.0, 40.0) for lam in (1e-12, 1e-8)]
    with pytest.raises(ValueError, match="sigma"):
        kernels.KernelFunctional(sigma=-1.0).fit(x, y)
    with pytest.raises(ValueError, match="shape"):
        model.predict(np.ones((2, 7)))
    np.testing.assert_allclose(model.projected_gradient(x[0], m=20, l=4).sum(), 0.0, atol=1e-8)


def test_solve_box_rejects_bad_input():
    with pytest.raises(ValueError, match="n_points"):
        datasets.solve_box([[5.0]], [[0.5]], [[0.05]], n_points=5)
    with pytest.raises(ValueError, match="max_electrons"):
        datasets.solve_box([[5.0]], [[0.5]], [[0.05]], max_electrons=0)
    with pytest.raises(ValueError, match="widths must be positive"):
        datasets.solve_box([[5.0]], [[0.5]], [[0.0]], max_electrons=1, n_points=50)


def test_lda_error_split_adds_up_and_its_density_part_is_variational():
    from course_utils.onedim import curves, kohn_sham, lda, systems
    from course_utils.onedim.observables import von_weizsaecker

    curve = curves.h2_curve([1.6, 6.0], n_points=60, half_width=10.0)
    split = curves.lda_error_split(curve)
    np.testing.assert_allclose(split.functional + split.density, split.total, atol=1e-14)
    np.testing.assert_allclose(split.total, curve.lda_energy - curve.energy, atol=1e-14)
    # the self-consistent LDA density minimises the LDA functional: the density-driven part cannot be positive
    assert np.all(split.density <= 1e-10) and np.all(split.functional > 0)
    # independent route: the LDA energy functional evaluated directly on the exact and on the LDA densities
    functional = lda.SoftCoulombLDA()
    for i, r in enumerate(curve.R):
        system = systems.hydrogen_molecule(float(r), n_points=60, half_width=10.0)

        def lda_functional(n, system=system):
            return (von_weizsaecker(system, n) + float(system.v_ext @ n) * system.dx
                    + kohn_sham.hartree_energy(system, n) + functional.evaluate(n / 2, n / 2, system.dx)[2])

        on_exact, on_lda = lda_functional(curve.density[i]), lda_functional(curve.lda_density[i])
        assert abs(on_lda - curve.lda_energy[i]) < 1e-6  # one doubly occupied orbital: T_s is von Weizsaecker's
        assert abs((on_exact - curve.energy[i]) - split.functional[i]) < 1e-6
        assert abs((on_lda - on_exact) - split.density[i]) < 1e-6
    with pytest.raises(ValueError, match="no LDA"):
        curves.lda_error_split(curves.h2_curve([1.6], lda=False, n_points=40, half_width=8.0))
    with pytest.raises(TypeError, match="BindingCurve"):
        curves.lda_error_split({"energy": 1.0})
    with pytest.raises(ValueError):
        split.total[0] = 0.0
