"""course_utils.learn.training.fit: bad arguments get clear errors before any training starts."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils.learn import training  # noqa: E402


def _model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])


def test_fit_rejects_bad_arguments():
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    common = {"epochs": 2, "batch_size": 4, "learning_rate": 1e-2, "patience": 1}
    with pytest.raises(TypeError, match="validation must be a tuple"):
        training.fit(_model(), x, y, [x, y], **common)
    with pytest.raises(ValueError, match="epochs"):
        training.fit(_model(), x, y, (x, y), **{**common, "epochs": 0})
    with pytest.raises(ValueError, match="learning_rate"):
        training.fit(_model(), x, y, (x, y), **{**common, "learning_rate": -1.0})
    with pytest.raises(ValueError, match="steps_per_execution"):
        training.fit(_model(), x, y, (x, y), **{**common, "steps_per_execution": 0})
    with pytest.raises(ValueError, match="level"):
        training.quiet_tensorflow(7)


def test_fit_trains_and_returns_a_history():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]])).astype("float32")
    history = training.fit(_model(), x[:48], y[:48], (x[48:], y[48:]), epochs=30, batch_size=16,
                           learning_rate=5e-2, patience=5, loss="mse", steps_per_execution="epoch")
    assert history["val_loss"][-1] < 0.5 * history["val_loss"][0]
