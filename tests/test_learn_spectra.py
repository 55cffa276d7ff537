"""Spectrum networks of notebook 08 (course_utils.learn.spectra): shapes, sorted levels, the masked loss, the
symmetries of the SchNet spectrum model, the standardisation, saving and reloading, the argument checks, and the
shipped models against their record (slow)."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils.learn import spectra  # noqa: E402

WATER_Z = np.array([8, 1, 1, 0])
WATER_R = np.array([[0.0, 0.0, 0.117], [0.0, 0.757, -0.467], [0.0, -0.757, -0.467], [0.0, 0.0, 0.0]])


def fake_arrays(n=6):
    """A tiny stand-in for molecules_small: water and methane, with made-up levels."""
    numbers = np.zeros((n, 5), dtype=np.int64)
    positions = np.zeros((n, 5, 3))
    eps = np.zeros((n, 8))
    occ = np.zeros((n, 8))
    for i in range(n):
        numbers[i, :3] = WATER_Z[:3]
        positions[i, :3] = WATER_R[:3] * (1 + 0.01 * i)
        eps[i, :4] = [-30.0 + i, -17.0, -14.0, -12.0 - 0.1 * i]
        occ[i, :4] = 2.0
    return {"numbers": numbers, "positions": positions, "positions_start": positions * 1.01, "n_atoms": np.full(n, 3),
            "orbital_energies": eps, "occupations": occ, "split": np.array(["main"] * n), "ok": np.ones(n, bool),
            "smiles": np.array(["O"] * n), "n_conformers": np.zeros(n, int),
            "conformer_positions": np.zeros((n, 6, 5, 3))}


def test_models_have_the_promised_shapes_and_the_levels_are_sorted():
    arrays = fake_arrays()
    rows = np.arange(4)
    for name in spectra.MODEL_NAMES:
        model = spectra.build(name, seed=1)
        x = spectra.inputs(name, arrays, rows)
        spectra.adapt(model, x)
        predicted, levels = spectra.predict_spectra(name, model, x, arrays["numbers"][rows])
        assert predicted.shape == (4, spectra.N_GRID), name
        if name == "cm_levels":
            assert levels.shape == (4, spectra.N_LEVELS)
            assert np.isfinite(levels[:, :4]).all() and np.isnan(levels[:, 4:]).all()  # water has 4 levels
            assert np.all(np.diff(levels[:, :4], axis=1) > 0)
            assert spectra.targets(name, arrays, rows).shape == (4, spectra.N_LEVELS)
        else:
            assert levels is None
            assert spectra.targets(name, arrays, rows).shape == (4, spectra.N_GRID)
    assert spectra.inputs("cm_mlp", arrays, rows).shape == (4, spectra.CM_SIZE * (spectra.CM_SIZE + 1) // 2)


def test_masked_mse_ignores_padding():
    y_true = np.array([[10.0, 12.0, 0.0], [11.0, 0.0, 0.0]], dtype="float32")
    y_pred = np.array([[11.0, 12.0, 99.0], [13.0, -5.0, 7.0]], dtype="float32")
    assert float(spectra.masked_mse(y_true, y_pred)) == pytest.approx((1 + 0 + 4) / 3)


def test_schnet_spectrum_is_invariant_and_extensive():
    model = spectra.build("schnet", seed=2, n_features=8, n_interactions=1, n_rbf=6, n_hidden=8)
    z = WATER_Z[None].astype("int32")
    r = WATER_R[None].astype("float32")
    s = np.asarray(model({"numbers": z, "positions": r}))
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    moved = (WATER_R @ q.T + 2.0).astype("float32")
    order = np.array([0, 2, 1, 3])
    s2 = np.asarray(model({"numbers": z[:, order], "positions": moved[None, order]}))
    np.testing.assert_allclose(s2, s, atol=1e-4)
    per_atom = np.asarray(model.atom_spectra({"numbers": z, "positions": r}))
    np.testing.assert_allclose(per_atom.sum(axis=1), s, atol=1e-5)
    assert np.all(per_atom[0, 3] == 0)  # the padding atom contributes nothing


def test_standardize_floors_the_scale_and_weights_round_trip(tmp_path):
    arrays = fake_arrays()
    x = spectra.inputs("cm_mlp", arrays, np.arange(6))
    model = spectra.build("cm_mlp", seed=0)
    spectra.adapt(model, x)
    layer = next(layer for layer in model.layers if isinstance(layer, spectra.Standardize))
    assert np.all(np.asarray(layer.scale) >= 1.0)
    np.testing.assert_allclose(np.asarray(layer.mean), x.mean(axis=0), rtol=1e-5, atol=1e-5)
    path = tmp_path / "m.weights.npz"
    spectra.save_weights(model, path)
    other = spectra.build("cm_mlp", seed=5)
    spectra.load_weights(other, path)
    np.testing.assert_allclose(other.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_argument_checks():
    arrays = fake_arrays()
    with pytest.raises(ValueError, match="name must be one of"):
        spectra.build("transformer")
    with pytest.raises(ValueError, match="divisible by 4"):
        spectra.build_conv(10, n_outputs=10)
    with pytest.raises(ValueError, match="channels must be two"):
        spectra.build_conv(10, channels=(4,))
    with pytest.raises(TypeError, match="molecules_small"):
        spectra.split({"a": 1})
    with pytest.raises(TypeError, match="molecules_small"):
        spectra.inputs("cm_mlp", [1, 2], [0])
    with pytest.raises(ValueError, match="conformer 0"):
        spectra.inputs("schnet", arrays, [0], conformer=0)
    with pytest.raises(ValueError, match="name must be one of"):
        spectra.load_pretrained("x")
    with pytest.raises(ValueError, match="n_validation must be at most"):
        spectra.split(arrays, n_test=2, n_validation=4)


@pytest.mark.slow
def test_shipped_models_match_their_record():
    from course_utils import data
    from course_utils.atoms import spectra as physics

    arrays = data.load("molecules_small")
    parts = spectra.split(arrays, seed=0)
    reference = spectra.targets("cm_mlp", arrays, parts["test"])
    for name in spectra.MODEL_NAMES:
        model, record = spectra.load_pretrained(name)
        assert model.count_params() == record["n_weights"]
        predicted, _ = spectra.predict_spectra(name, model, spectra.inputs(name, arrays, parts["test"]),
                                               arrays["numbers"][parts["test"]])
        result = physics.spectral_errors(predicted, reference)
        for key in ("mean_rmse", "mean_relative", "mean_first_peak"):
            assert result[key] == pytest.approx(record["test"][key], rel=1e-3, abs=1e-4), (name, key)
    assert record["split"]["n_test"] == len(parts["test"])
