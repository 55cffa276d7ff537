"""course_utils.learn.xc (notebook 06): the data set, the Keras functionals, the Kohn-Sham helpers, and the
exercise checks of notebook 06 (right answers pass, typical mistakes fail with a helpful message)."""

import contextlib
import io
import re

import numpy as np
import pytest

from course_utils import data, onedim
from course_utils.exercises import nb06
from course_utils.learn import xc, xc_networks
from course_utils.onedim import datasets
from tests._seeds import dataset_rng

pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def arrays():
    return datasets.load_xc_data(progress=False)


@pytest.fixture(scope="module")
def fresh_models(arrays):
    train = arrays["density"][:50]
    return {kind: xc_networks.build_model(kind, arrays["dx"], train_densities=train, seed=1)
            for kind in xc_networks.MODEL_KINDS}


# ----------------------------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------------------------


def test_cache_is_valid_and_a_random_sample_is_reproduced(arrays):
    assert data.cache_problem(datasets.XC_WELLS) is None
    sample = np.sort(dataset_rng("xc_wells_1d").choice(datasets.XC_WELLS.n_samples, size=2, replace=False))
    fresh = data.build(datasets.XC_WELLS, sample, progress=False)
    for key, value in fresh.items():
        if value.dtype.kind == "f":
            np.testing.assert_allclose(value, arrays[key][sample], rtol=1e-6, atol=1e-8, err_msg=f"{key} {sample}")
        else:
            np.testing.assert_array_equal(value, arrays[key][sample])


def test_families_and_sizes(arrays):
    counts = datasets.XC_PARAMS["counts"]
    assert list(arrays["family_names"]) == list(counts)
    for code, name in enumerate(counts):
        assert np.sum(arrays["family"] == code) == counts[name]
    assert [datasets.sample_family(i) for i in (0, 299, 300, 339, 340, 379)] == ["wells"] * 2 + ["double"] * 2 + \
        ["shallow"] * 2
    with pytest.raises(ValueError):
        datasets.sample_family(380)
    assert arrays["density"].shape == (380, 100) and np.max(arrays["inversion_error"]) < 1e-8


def test_reference_is_consistent():
    system = datasets.make_system(datasets.sample_potential(7))
    ref = datasets.xc_reference(system)
    total = ref["kinetic_energy_ks"] + ref["hartree_energy"] + ref["external_energy"] + ref["xc_energy"]
    assert total == pytest.approx(ref["energy"], abs=1e-12)
    np.testing.assert_allclose(ref["v_ks"], system.v_ext + ref["v_hartree"] + ref["v_xc"], atol=1e-12)
    # the Kohn-Sham system in v_ks has the exact density and its HOMO at -I
    ks = onedim.noninteracting.solve(system.with_potential(ref["v_ks"]))
    assert xc.density_error(ks.density, ref["density"], system.dx) < 1e-8
    assert ks.eigenvalues_up[0] == pytest.approx(-ref["ionisation_energy"], abs=1e-8)
    # for two electrons, exchange is -E_H/2, so E_c = E_xc + E_H/2 is negative and small
    e_c = ref["xc_energy"] + ref["hartree_energy"] / 2
    assert -0.1 < e_c < 0


def test_reflection_maps_solutions_to_solutions(arrays):
    mirror = datasets.xc_reference(datasets.make_system(arrays["v_ext"][11][::-1]))
    np.testing.assert_allclose(mirror["density"], arrays["density"][11][::-1], atol=1e-9)
    np.testing.assert_allclose(mirror["v_xc"], arrays["v_xc"][11][::-1], atol=1e-6)
    assert mirror["xc_energy"] == pytest.approx(arrays["xc_energy"][11], abs=1e-9)
    a, b = xc.reflect(np.arange(6.0).reshape(2, 3), np.ones(3))
    np.testing.assert_array_equal(a, [[2, 1, 0], [5, 4, 3]])
    assert b.shape == (3,)


def test_split_indices():
    parts = xc.split_indices(np.arange(100, 400), (0.7, 0.15, 0.15), seed=3)
    assert [p.size for p in parts] == [210, 45, 45]
    together = np.concatenate(parts)
    assert np.array_equal(np.sort(together), np.arange(100, 400))
    again = xc.split_indices(np.arange(100, 400), (0.7, 0.15, 0.15), seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(parts, again, strict=True))
    with pytest.raises(ValueError, match="sum to 1"):
        xc.split_indices(np.arange(10), (0.5, 0.2))


def test_standard_split_and_training_arrays(arrays):
    split = xc.standard_split(arrays)
    assert {k: len(v) for k, v in split.items()} == {"train": 210, "validation": 45, "test": 45, "double": 40,
                                                      "shallow": 40}
    assert np.all(arrays["family"][np.concatenate([split["train"], split["validation"], split["test"]])] == 0)
    n, y = xc.training_arrays(arrays, split["train"][:5], augment=True)
    assert n.shape == (10, 100) and y["v_xc"].shape == (10, 100) and y["xc_energy"].shape == (10,)
    np.testing.assert_array_equal(n[5:], n[:5, ::-1])
    np.testing.assert_array_equal(y["xc_energy"][5:], y["xc_energy"][:5])


# ----------------------------------------------------------------------------------------------------------------
# models
# ----------------------------------------------------------------------------------------------------------------


def test_derivative_features_numpy_and_tensorflow_agree(arrays):
    import tensorflow as tf

    n, dx = arrays["density"][:4], arrays["dx"]
    f_np = xc.derivative_features(n, dx, (2.0, 3.0))
    f_tf = xc.derivative_features(tf.constant(n), dx, (2.0, 3.0)).numpy()
    assert f_np.shape == (4, 100, 2)
    np.testing.assert_allclose(f_np, f_tf, rtol=1e-12, atol=1e-15)
    slope = np.gradient(n, dx, axis=-1)
    np.testing.assert_allclose(f_np[..., 1] * 3.0, slope**2, atol=1e-12)  # interior central differences
    np.testing.assert_allclose(xc.derivative_features(n[:, ::-1], dx), xc.derivative_features(n, dx)[:, ::-1])


@pytest.mark.parametrize("kind", xc_networks.MODEL_KINDS)
def test_potential_is_the_gradient_of_the_energy(kind, fresh_models, arrays):
    model = fresh_models[kind]
    n, dx = arrays["density"][[3]], arrays["dx"]
    v = model(n)["v_xc"].numpy()[0]
    h = 1e-6
    for i in (20, 45, 52, 80):
        bump = np.zeros_like(n)
        bump[0, i] = h
        e_plus, e_minus = model(n + bump)["xc_energy"].numpy()[0], model(n - bump)["xc_energy"].numpy()[0]
        assert (e_plus - e_minus) / (2 * h * dx) == pytest.approx(v[i], rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("kind", xc_networks.MODEL_KINDS)
def test_shapes_and_energy_integral(kind, fresh_models, arrays):
    model = fresh_models[kind]
    out = model(arrays["density"][:3])
    assert out["xc_energy"].shape == (3,) and out["v_xc"].shape == (3, 100) and out["eps_xc"].shape == (3, 100)
    e = np.sum(arrays["density"][:3] * out["eps_xc"].numpy(), axis=1) * arrays["dx"]
    np.testing.assert_allclose(out["xc_energy"].numpy(), e, rtol=1e-12)
    assert out["v_xc"].dtype.name == "float64"


def test_reflection_equivariance(fresh_models, arrays):
    n = arrays["density"][:3]
    for kind in ("local", "semilocal"):
        model = fresh_models[kind]
        a, b = model(n), model(n[:, ::-1])
        np.testing.assert_allclose(b["v_xc"].numpy(), a["v_xc"].numpy()[:, ::-1], atol=1e-12)
        np.testing.assert_allclose(b["xc_energy"].numpy(), a["xc_energy"].numpy(), atol=1e-12)
    # the convolutional network is not symmetric by construction (hence the augmentation)
    model = fresh_models["nonlocal"]
    asymmetry = np.max(np.abs(model(n[:, ::-1])["v_xc"].numpy() - model(n)["v_xc"].numpy()[:, ::-1]))
    assert asymmetry > 1e-6


def test_build_model_arguments(arrays):
    with pytest.raises(ValueError, match="kind"):
        xc_networks.build_model("gga", arrays["dx"])
    with pytest.raises(ValueError, match="train_densities"):
        xc_networks.build_model("semilocal", arrays["dx"])
    model = xc_networks.build_model("semilocal", arrays["dx"], scales=[1.0, 2.0])
    assert model.scales == [1.0, 2.0] and model.get_config()["features"] == "semilocal"
    assert xc_networks.XCFunctional is type(model)


def test_loss_ignores_a_constant_in_the_potential(fresh_models, arrays):
    model = fresh_models["local"]
    n = arrays["density"][:4]
    pred = model(n)
    target = {"v_xc": pred["v_xc"].numpy() + 0.37, "xc_energy": pred["xc_energy"].numpy()}
    assert float(model.compute_loss(n, target, pred)) == pytest.approx(0.0, abs=1e-20)
    target["xc_energy"] = target["xc_energy"] + 0.01
    assert float(model.compute_loss(n, target, pred)) == pytest.approx(1e-4, rel=1e-9)
    err = xc.potential_errors(model, n, pred["v_xc"].numpy() - 0.2, pred["xc_energy"].numpy(), arrays["dx"])
    np.testing.assert_allclose(err.v_rms, 0, atol=1e-12)


def test_pretrained_models_reproduce_their_recorded_metrics(arrays):
    info = xc.pretrained_info()
    assert info["data_set"]["sha256"] == data.metadata(datasets.XC_WELLS)["sha256"]
    split = xc.standard_split(arrays, info["settings"])
    for kind in xc_networks.MODEL_KINDS:
        model = xc_networks.load_pretrained(kind)
        err = xc.potential_errors(model, arrays["density"][split["test"]], arrays["v_xc"][split["test"]],
                                  arrays["xc_energy"][split["test"]], arrays["dx"])
        recorded = info["models"][kind]["test"]
        assert np.mean(err.v_rms) == pytest.approx(recorded["v_rms_mean"], rel=1e-9)
        assert np.mean(np.abs(err.e_error)) == pytest.approx(recorded["e_mae"], rel=1e-9)


# ----------------------------------------------------------------------------------------------------------------
# Kohn-Sham helpers
# ----------------------------------------------------------------------------------------------------------------


def test_recording_xc_residuals_match_the_solver(arrays):
    system = datasets.make_system(arrays["v_ext"][21])
    recorder = xc.RecordingXC(xc.lda_xc(system.dx), system.dx)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = onedim.kohn_sham.solve(system, xc=recorder, verbose=True)
    printed = [float(v) for v in re.findall(r"density residual ([0-9.e+-]+)", buffer.getvalue())]
    residuals = recorder.residuals()
    assert len(printed) == result.iterations == residuals.size
    np.testing.assert_allclose(residuals, printed, rtol=2e-3)
    # the callable LDA gives the same answer as the solver's own LDA
    assert result.energy == pytest.approx(onedim.kohn_sham.solve(system, xc="lda").energy, abs=1e-8)
    with pytest.raises(TypeError):
        xc.RecordingXC(3, 0.1)


def test_learned_functional_runs_self_consistently(arrays):
    model = xc_networks.load_pretrained("semilocal")
    functional = xc_networks.as_xc(model, 100)
    n = arrays["density"][7]
    v, e = functional(n)
    out = model(n[None])
    np.testing.assert_allclose(v, out["v_xc"].numpy()[0], rtol=1e-12)
    assert e == pytest.approx(float(out["xc_energy"].numpy()[0]), rel=1e-12)
    system = datasets.make_system(arrays["v_ext"][7])
    run = xc.self_consistent(system, functional, tol=1e-7)
    assert run.converged and run.result.xc == "semilocal"
    assert xc.density_error(run.result.density, n, system.dx) < 0.1
    failed = xc.self_consistent(system, functional, max_iterations=1)
    assert not failed.converged and "ConvergenceError" in failed.message
    assert failed.iterations == 1 and failed.result is None


def test_a_bug_in_a_functional_is_not_reported_as_a_failed_scf(arrays):
    system = datasets.make_system(arrays["v_ext"][7])

    def broken(density):
        raise ValueError("a bug in the functional")

    with pytest.raises(ValueError, match="a bug in the functional"):
        xc.self_consistent(system, broken)

    def singular(density):
        raise np.linalg.LinAlgError("singular matrix")

    with pytest.raises(np.linalg.LinAlgError):
        xc.self_consistent(system, singular)


def test_scf_errors_table(arrays):
    idx = [7, 21]
    systems = [datasets.make_system(arrays["v_ext"][i]) for i in idx]
    out = xc.scf_errors(systems, arrays["density"][idx], arrays["energy"][idx], {"LDA": "lda"}, progress=False)
    r = out["LDA"]
    assert r.converged.all() and r.density.shape == (2, 100)
    assert np.all((r.density_error > 0) & (r.density_error < 0.5))
    assert np.all(np.abs(r.energy_error) < 0.2)
    short = xc.scf_errors(systems, arrays["density"][idx], arrays["energy"][idx], {"LDA": "lda"}, progress=False,
                          max_iterations=2)
    assert not short["LDA"].converged.any() and np.isnan(short["LDA"].density_error).all()
    with pytest.raises(ValueError, match="one exact density"):
        xc.scf_errors(systems, arrays["density"][:3], arrays["energy"][idx], {"LDA": "lda"}, progress=False)


# ----------------------------------------------------------------------------------------------------------------
# exercise checks
# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exercise1():
    system = datasets.make_system(datasets.sample_potential(0))
    exact = onedim.exact.solve(system)
    ion = onedim.exact.solve(system.with_electrons("u")).energy - exact.energy
    ks = onedim.reverse.solve(system, exact.density, ionisation_energy=ion)
    phi = ks.orbitals[:, 0]
    t_s = 2 * phi @ system.kinetic_matrix() @ phi * system.dx
    e_h = onedim.kohn_sham.hartree_energy(system, exact.density)
    e_ext = system.v_ext @ exact.density * system.dx
    return system, exact, t_s, e_h, e_ext


def test_check_xc_energy(exercise1):
    system, exact, t_s, e_h, e_ext = exercise1
    assert nb06.check_nb06_xc_energy(exact.energy - t_s - e_h - e_ext, system)
    cases = {
        "interacting kinetic energy": exact.energy - exact.kinetic_energy - e_h - e_ext,
        "half what it should be": exact.energy - t_s / 2 - e_h - e_ext,
        "twice the Hartree energy": exact.energy - t_s - 2 * e_h - e_ext,
        "wrong sign": exact.energy - t_s + e_h - e_ext,
    }
    for expected, answer in cases.items():
        feedback = nb06.check_nb06_xc_energy(answer, system)
        assert not feedback and expected in feedback.message, feedback
    assert "placeholder" in nb06.check_nb06_xc_energy(..., system).message
    assert "single number" in nb06.check_nb06_xc_energy(np.ones(3), system).message


def test_check_split(arrays):
    wells = np.flatnonzero(arrays["family"] == 0)
    order = np.random.default_rng(5).permutation(wells)
    train, val, test = order[:210], order[210:255], order[255:]
    good = np.concatenate([arrays["density"][train], arrays["density"][train][:, ::-1]])
    assert nb06.check_nb06_split(train, val, test, good, arrays)
    # augment first, then split: the mirror of a test potential lands in training
    mirrored = np.concatenate([arrays["density"][wells], arrays["density"][wells][:, ::-1]])
    shuffled = np.random.default_rng(0).permutation(len(mirrored))
    leaky = mirrored[shuffled[:420]]
    feedback = nb06.check_nb06_split(train, val, test, leaky, arrays)
    assert not feedback and "augmented before splitting" in feedback.message
    feedback = nb06.check_nb06_split(train, val, test, arrays["density"][train], arrays)
    assert not feedback and "mirror images" in feedback.message
    everything = np.random.default_rng(2).permutation(380)
    feedback = nb06.check_nb06_split(everything[:266], everything[266:323], everything[323:], good, arrays)
    assert not feedback and "not 'wells' potentials" in feedback.message
    feedback = nb06.check_nb06_split(train, train[:45], test, good, arrays)
    assert not feedback and "disjoint" in feedback.message
    assert "placeholder" in nb06.check_nb06_split(..., ..., ..., ..., arrays).message


def test_check_local_network():
    import keras

    def net(*layers, n_in=1):
        return keras.Sequential([keras.Input((None, n_in)), *layers])

    good = net(keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(16, activation="tanh"),
               keras.layers.Dense(1))
    assert nb06.check_nb06_local_network(good)
    relu = net(keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1))
    assert "piecewise linear" in nb06.check_nb06_local_network(relu).message
    conv = net(keras.layers.Conv1D(8, 3, padding="same", activation="tanh"), keras.layers.Dense(1))
    assert "mixes neighbouring points" in nb06.check_nb06_local_network(conv).message
    wide = net(keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(2))
    assert "(3, 100, 1)" in nb06.check_nb06_local_network(wide).message
    fixed = keras.Sequential([keras.Input((100,)), keras.layers.Dense(100)])
    assert not nb06.check_nb06_local_network(fixed)
    assert "placeholder" in nb06.check_nb06_local_network(...).message
    assert "callable" in nb06.check_nb06_local_network(3).message


def test_check_features(arrays):
    n, dx = arrays["density"][:5], arrays["dx"]

    def good(density, dx):
        padded = np.pad(density, [(0, 0)] * (density.ndim - 1) + [(1, 1)])
        return np.stack([density, ((padded[..., 2:] - padded[..., :-2]) / (2 * dx)) ** 2], axis=-1)

    assert nb06.check_nb06_features(good, n, dx)
    assert nb06.check_nb06_features(lambda d, h: np.stack([d, np.gradient(d, h, axis=-1) ** 2], -1), n, dx)

    def slope(density, dx):
        return np.stack([density, np.gradient(density, dx, axis=-1)], axis=-1)

    assert "use its square" in nb06.check_nb06_features(slope, n, dx).message
    def no_two(density, dx):
        padded = np.pad(density, [(0, 0)] * (density.ndim - 1) + [(1, 1)])
        return np.stack([density, ((padded[..., 2:] - padded[..., :-2]) / dx) ** 2], axis=-1)

    assert "instead of 2 dx" in nb06.check_nb06_features(no_two, n, dx).message
    assert "divide the difference by dx" in nb06.check_nb06_features(lambda d, h: good(d, 1.0), n, dx).message
    assert "last axis" in nb06.check_nb06_features(lambda d, h: np.moveaxis(good(d, h), -1, 0), n, dx).message

    def one_only(density, dx):
        assert density.ndim == 1
        return good(density, dx)

    assert "batch" in nb06.check_nb06_features(one_only, n, dx).message

    def placeholder(density, dx):
        ...

    assert "placeholder" in nb06.check_nb06_features(placeholder, n, dx).message


def _local_model(dx, activation="tanh"):
    import keras

    keras.utils.set_random_seed(0)
    network = keras.Sequential([keras.Input((None, 1)), keras.layers.Dense(16, activation=activation),
                                keras.layers.Dense(16, activation=activation), keras.layers.Dense(1)])
    return xc_networks.XCFunctional(network, dx, "local")


@pytest.mark.slow
def test_check_trained_local(arrays):
    dx = arrays["dx"]
    split = xc.standard_split(arrays)
    train = xc.training_arrays(arrays, split["train"], augment=True)
    validation = xc.training_arrays(arrays, split["validation"])
    model = _local_model(dx)
    history = xc_networks.fit(model, train, validation, max_epochs=20, patience=10)

    def median_error(indices):
        n, t = xc.training_arrays(arrays, indices)
        return 1000 * np.median(np.abs(xc.potential_errors(model, n, t["v_xc"], t["xc_energy"], dx).e_error))

    errors = xc.potential_errors(model, validation[0], validation[1]["v_xc"], validation[1]["xc_energy"], dx)
    good = median_error(split["validation"])
    assert nb06.check_nb06_trained_local(model, history, good, arrays)
    check = nb06.check_nb06_trained_local
    assert "in Ha" in check(model, history, good / 1000, arrays).message
    assert "mean" in check(model, history, 1000 * np.mean(np.abs(errors.e_error)), arrays).message
    assert "test set" in check(model, history, median_error(split["test"]), arrays).message
    assert "train set" in check(model, history, median_error(split["train"]), arrays).message
    assert "no val_loss" in check(model, {"loss": history["loss"]}, good, arrays).message
    assert "none of the values" in check(model, {"loss": [1.0], "val_loss": [1.0]}, good, arrays).message
    assert "expected" in check(model, history, good + 1.0, arrays).message
    assert "placeholder" in check(model, history, ..., arrays).message
    assert "placeholder" in check(..., ..., ..., arrays).message
    # models that are not what the exercise asks for
    barely = _local_model(dx)
    short = xc_networks.fit(barely, train, validation, max_epochs=1, patience=1, learning_rate=1e-6)
    assert "train longer" in check(barely, short, good, arrays).message
    assert "piecewise linear" in check(_local_model(dx, "relu"), history, good, arrays).message
    assert "XCFunctional" in check(model.network, history, good, arrays).message
    semilocal = xc_networks.build_model("semilocal", dx, train_densities=train[0])
    assert "features='semilocal'" in check(semilocal, history, good, arrays).message
    stored = xc_networks.load_pretrained("local")
    assert "stored local model" in check(stored, stored_history(), good, arrays).message


def stored_history():
    return xc.pretrained_info()["models"]["local"]["history"]


@pytest.mark.slow
def test_check_scf(arrays):
    model = xc_networks.load_pretrained("semilocal")
    index = xc.standard_split(arrays)["test"][3]
    system = datasets.make_system(arrays["v_ext"][index])
    n_exact, e_exact = arrays["density"][index], arrays["energy"][index]
    result = onedim.kohn_sham.solve(system, xc=xc_networks.as_xc(model), tol=1e-7, energy_tol=1e-8)
    dn = np.sum(np.abs(result.density - n_exact)) * system.dx
    de = result.energy - e_exact
    assert nb06.check_nb06_scf(dn, de, model, index, arrays)
    assert "grid spacing" in nb06.check_nb06_scf(dn / system.dx, de, model, index, arrays).message
    assert "itself" in nb06.check_nb06_scf(0.0, de, model, index, arrays).message
    assert "wrong sign" in nb06.check_nb06_scf(dn, -de, model, index, arrays).message
    assert "mHa" in nb06.check_nb06_scf(dn, 1000 * de, model, index, arrays).message
    # one Kohn-Sham step in the potential of the exact density is not self-consistent
    v_ks = system.v_ext + onedim.kohn_sham.hartree_potential(system, n_exact) + xc_networks.as_xc(model)(n_exact)[0]
    one_shot = 2 * system.one_body_solver().lowest(v_ks, 1)[1][:, 0] ** 2 / system.dx
    message = nb06.check_nb06_scf(xc.density_error(one_shot, n_exact, system.dx), de, model, index, arrays).message
    assert "single Kohn-Sham step" in message
    assert "placeholder" in nb06.check_nb06_scf(..., ..., model, index, arrays).message
