"""course_utils.learn.training.descent_path and early_stopping_epochs: the NumPy optimisers of notebook 01's
deep-learning primer against closed forms and against Keras, and their argument checks."""

import numpy as np
import pytest

from course_utils.learn import training


def quadratic_gradient(curvatures):
    curvatures = np.asarray(curvatures, dtype=float)
    return lambda params, step: curvatures * params  # loss = sum(k p^2) / 2


def test_gradient_descent_on_a_quadratic_is_geometric():
    # p_t = (1 - eta k)^t p_0 exactly, and it diverges when eta k > 2
    path = training.descent_path(quadratic_gradient([1.0, 4.0]), [1.0, -2.0], steps=20, learning_rate=0.1)
    t = np.arange(21)[:, None]
    assert path.shape == (21, 2)
    assert np.allclose(path, np.array([1.0, -2.0]) * (1 - 0.1 * np.array([1.0, 4.0])) ** t)
    diverging = training.descent_path(quadratic_gradient([30.0]), [1.0], steps=5, learning_rate=0.1)
    assert abs(diverging[-1, 0]) == pytest.approx(2.0**5)


def test_adam_first_step_moves_every_parameter_by_the_learning_rate():
    # with bias correction, m/sqrt(v) = g/|g| on the first step, whatever the size of the gradient
    path = training.descent_path(quadratic_gradient([1e-3, 1.0, 1e3]), [1.0, 1.0, 1.0], steps=1,
                                 learning_rate=0.01, method="adam", epsilon=1e-12)
    assert np.allclose(path[1], 1.0 - 0.01)


def test_adam_converges_and_passes_the_step_to_the_gradient():
    seen = []

    def gradient(params, step):
        seen.append(step)
        return 2 * (params - np.array([3.0, -1.0]))

    path = training.descent_path(gradient, np.zeros(2), steps=2000, learning_rate=0.05, method="adam")
    assert seen == list(range(2000))
    assert np.allclose(path[-1], [3.0, -1.0], atol=1e-3)


def test_adam_matches_keras():
    keras = pytest.importorskip("keras")
    curvatures, start = np.array([0.5, 2.0, 8.0]), np.array([1.0, -1.0, 0.5])
    ours = training.descent_path(quadratic_gradient(curvatures), start, steps=10, learning_rate=0.1,
                                 method="adam")
    variable = keras.Variable(start.astype("float32"))
    optimizer = keras.optimizers.Adam(0.1)
    for _ in range(10):
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(curvatures.astype("float32")) * variable,
                                    variable)])
    assert np.allclose(keras.ops.convert_to_numpy(variable), ours[-1], atol=1e-5)


def test_descent_path_rejects_bad_arguments():
    grad = quadratic_gradient([1.0])
    with pytest.raises(TypeError, match="gradient must be a function"):
        training.descent_path(np.ones(1), [1.0], steps=1, learning_rate=0.1)
    with pytest.raises(ValueError, match="start"):
        training.descent_path(grad, [[1.0]], steps=1, learning_rate=0.1)
    with pytest.raises(ValueError, match="steps"):
        training.descent_path(grad, [1.0], steps=0, learning_rate=0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        training.descent_path(grad, [1.0], steps=1, learning_rate=0.0)
    with pytest.raises(ValueError, match="method"):
        training.descent_path(grad, [1.0], steps=1, learning_rate=0.1, method="sgd")
    with pytest.raises(ValueError, match="beta_1"):
        training.descent_path(grad, [1.0], steps=1, learning_rate=0.1, method="adam", beta_1=1.5)
    with pytest.raises(ValueError, match="below 1"):
        training.descent_path(grad, [1.0], steps=1, learning_rate=0.1, method="adam", beta_2=1.0)
    with pytest.raises(ValueError, match="epsilon"):
        training.descent_path(grad, [1.0], steps=1, learning_rate=0.1, epsilon=0.0)
    with pytest.raises(ValueError, match="expected"):
        training.descent_path(lambda p, s: np.ones(2), [1.0], steps=1, learning_rate=0.1)
    with pytest.raises(ValueError, match="NaN"):
        training.descent_path(lambda p, s: np.array([np.nan]), [1.0], steps=1, learning_rate=0.1)


def test_early_stopping_epochs_follows_the_keras_rule():
    losses = [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.9, 3.0, 3.0, 3.0]
    assert training.early_stopping_epochs(losses, patience=4) == (7, 10)
    assert training.early_stopping_epochs(losses, patience=3) == (3, 6)
    assert training.early_stopping_epochs(losses, patience=2) == (3, 5)
    assert training.early_stopping_epochs([1.0, 1.0], patience=1) == (1, 2)  # equal is no improvement
    assert training.early_stopping_epochs([3.0, 2.0, 1.0], patience=5) == (3, 3)  # never fires
    with pytest.raises(ValueError, match="at least one epoch"):
        training.early_stopping_epochs([], patience=1)
    with pytest.raises(ValueError, match="patience"):
        training.early_stopping_epochs([1.0], patience=0)
    with pytest.raises(ValueError, match="1-dimensional"):
        training.early_stopping_epochs([[1.0]], patience=1)
