"""One way to train the course's Keras models: validation data, early stopping, and the thread settings.

* :func:`quiet_tensorflow` -- call before the first ``import tensorflow`` to hide its start-up messages;
* :func:`fit` -- ``compile`` with Adam and ``model.fit`` with validation data, early stopping (best weights
  restored), an optional learning-rate halving on plateaus, and, for tiny networks, one compiled call per epoch
  (``steps_per_execution="epoch"`` with a reshuffled ``tf.data`` pipeline: about 4x cheaper on 2 cores than
  Keras's default of one Python round trip per batch, measured on notebook 01's dense network);
* :func:`descent_path` and :func:`early_stopping_epochs` -- the same ideas in plain NumPy (gradient descent,
  Adam, patience), small enough to watch step by step in notebook 01's deep-learning primer;
* :class:`CompiledTrainer` -- the one custom loop that stays: Adam and early stopping in a ``tf.function`` for
  the 1-RDM models of notebook 04, whose data sets are so small that ``model.fit`` spends ~0.1 s per epoch on
  bookkeeping against a few milliseconds per compiled step (measured on the course machines).

Every function returns the training history as a plain dict of arrays (one value per epoch or check).
"""

from __future__ import annotations

import os

import numpy as np

from .._checks import as_int, as_number, as_real_array, one_of

__all__ = ["CompiledTrainer", "descent_path", "early_stopping_epochs", "fit", "quiet_tensorflow"]


def quiet_tensorflow(level: int = 2) -> None:
    """Hide TensorFlow's C++ start-up messages (``TF_CPP_MIN_LOG_LEVEL``; 1 hides info, 2 also warnings).

    Has an effect only before TensorFlow is first imported, and never overrides a value the user has set.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", str(as_int(level, "level", minimum=0, maximum=3)))


def fit(model, x, y, validation, *, epochs: int, batch_size: int, learning_rate: float, patience: int,
        min_delta: float = 0.0, loss=None, halve_on_plateau: int | None = None, min_learning_rate: float = 0.0,
        steps_per_execution: int | str = 1, seed: int | None = 0, shuffle_seed: int | None = None,
        jit_compile="auto", verbose: int = 0,
        callbacks=()) -> dict[str, np.ndarray]:
    """Compile ``model`` with Adam and train it with validation data and early stopping.

    Parameters
    ----------
    model : keras.Model
    x, y : arrays (or dicts of arrays)
        Training inputs and targets. ``y`` may be a dict when the model computes its own loss.
    validation : tuple (x_val, y_val)
    epochs, batch_size : int
        At most ``epochs`` passes; mini-batches of ``batch_size`` (shuffled every epoch).
    learning_rate : float
        Adam's step.
    patience : int
        Epochs without a validation improvement of at least ``min_delta`` before stopping; the best weights are
        restored.
    loss : str or callable, optional
        Passed to ``compile``; ``None`` when the model defines ``compute_loss`` itself.
    halve_on_plateau : int, optional
        Halve the learning rate after this many epochs without improvement (down to ``min_learning_rate``).
    steps_per_execution : int or "epoch"
        ``"epoch"`` feeds a ``tf.data`` pipeline (reshuffled each epoch with ``seed``) and runs a whole epoch in
        one compiled call; an int is passed to ``compile`` with plain arrays (shuffled by Keras).
    seed : int or None
        Seeds Keras (Python, NumPy and TensorFlow) before compiling; ``None`` leaves the random state as it is
        (a notebook that seeds once and builds several models in turn keeps its stream).
    shuffle_seed : int, optional
        Seed of the ``tf.data`` shuffle (default ``seed``, or 0).
    jit_compile : bool or "auto"
        Passed to ``compile``.

    Returns
    -------
    dict
        The Keras history: ``loss``, ``val_loss`` and any metrics, one value per epoch.
    """
    import keras

    epochs = as_int(epochs, "epochs", minimum=1)
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    patience = as_int(patience, "patience", minimum=1)
    learning_rate = as_number(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    min_delta = as_number(min_delta, "min_delta", minimum=0.0)
    if not (isinstance(validation, tuple) and len(validation) == 2):
        raise TypeError(f"validation must be a tuple (x_val, y_val), got {type(validation).__name__}")
    if seed is not None:
        keras.utils.set_random_seed(as_int(seed, "seed", minimum=0))
    shuffle_seed = (0 if seed is None else seed) if shuffle_seed is None else as_int(shuffle_seed, "shuffle_seed",
                                                                                   minimum=0)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta,
                                         restore_best_weights=True)
    extra = [stop]
    if halve_on_plateau is not None:
        extra.append(keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=as_int(halve_on_plateau, "halve_on_plateau", minimum=1),
            min_lr=as_number(min_learning_rate, "min_learning_rate", minimum=0.0)))
    options = {"epochs": epochs, "verbose": verbose, "callbacks": [*extra, *callbacks]}
    if steps_per_execution == "epoch":
        import tensorflow as tf

        count = len(y) if not isinstance(y, dict) else len(next(iter(y.values())))
        train_data = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(count, seed=shuffle_seed).batch(batch_size)
        val_data = tf.data.Dataset.from_tensor_slices(validation).batch(len(validation[1])).cache()
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, jit_compile=jit_compile,
                      steps_per_execution=int(train_data.cardinality()))
        history = model.fit(train_data, validation_data=val_data, shuffle=False, **options)  # tf.data shuffles
    else:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, jit_compile=jit_compile,
                      steps_per_execution=as_int(steps_per_execution, "steps_per_execution", minimum=1))
        history = model.fit(x, y, validation_data=validation, batch_size=batch_size, shuffle=True, **options)
    return {key: np.asarray(value, dtype=float) for key, value in history.history.items()}


def descent_path(gradient, start, *, steps: int, learning_rate: float, method: str = "gd", beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7) -> np.ndarray:
    """Follow gradient descent or Adam from ``start`` and return every point visited (NumPy, no TensorFlow).

    Parameters
    ----------
    gradient : callable(params, step) -> array
        The gradient of the loss at ``params`` (shape ``(P,)``); ``step`` (0, 1, ...) lets the caller pick the
        mini-batch of that step. A full-batch gradient simply ignores it.
    start : array, shape (P,)
        The initial parameters.
    steps : int
        Number of updates.
    learning_rate : float
        The step size (``gd``: the factor in front of the gradient; ``adam``: the largest move of one parameter
        in one step, roughly).
    method : "gd" or "adam"
        ``"gd"``: ``p <- p - learning_rate * g``. ``"adam"``: Kingma & Ba (2015), Algorithm 1 with the bias
        correction folded into the step, as Keras implements it:
        ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g**2``,
        ``p <- p - learning_rate * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)``.
    beta_1, beta_2, epsilon : float
        Adam's decay rates of the first and second moments and its small constant (Keras's defaults).

    Returns
    -------
    array, shape (steps + 1, P)
        The parameters before the first update and after each update.
    """
    if not callable(gradient):
        raise TypeError(f"gradient must be a function (params, step) -> array, got {type(gradient).__name__}")
    params = as_real_array(start, "start", ndim=1).copy()
    steps = as_int(steps, "steps", minimum=1)
    learning_rate = as_number(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
    one_of(method, "method", ("gd", "adam"))
    beta_1 = as_number(beta_1, "beta_1", minimum=0.0, maximum=1.0)
    beta_2 = as_number(beta_2, "beta_2", minimum=0.0, maximum=1.0)
    epsilon = as_number(epsilon, "epsilon", minimum=0.0, strict_minimum=True)
    if method == "adam" and (beta_1 == 1.0 or beta_2 == 1.0):
        raise ValueError(f"Adam needs beta_1 and beta_2 below 1, got {beta_1} and {beta_2}")
    path = np.empty((steps + 1, params.size))
    path[0] = params
    first, second = np.zeros_like(params), np.zeros_like(params)
    for step in range(steps):
        g = np.asarray(gradient(params.copy(), step), dtype=float)
        if g.shape != params.shape:
            raise ValueError(f"gradient returned shape {g.shape} at step {step}, expected {params.shape}")
        if not np.all(np.isfinite(g)):
            raise ValueError(f"gradient returned NaN or infinite values at step {step}: lower the learning rate")
        if method == "gd":
            params = params - learning_rate * g
        else:
            t = step + 1
            first = beta_1 * first + (1 - beta_1) * g
            second = beta_2 * second + (1 - beta_2) * g**2
            size = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            params = params - size * first / (np.sqrt(second) + epsilon)
        path[step + 1] = params
    return path


def early_stopping_epochs(val_loss, patience: int) -> tuple[int, int]:
    """Where early stopping with ``patience`` ends a run whose validation losses were ``val_loss``.

    The rule of ``keras.callbacks.EarlyStopping(patience=..., restore_best_weights=True)`` with ``min_delta=0``:
    stop after ``patience`` epochs in a row without a new lowest validation loss, and keep the weights of the
    best epoch.

    Parameters
    ----------
    val_loss : array, shape (E,)
        One validation loss per epoch (epoch 1 first).
    patience : int

    Returns
    -------
    (best, stopped) : tuple of int
        1-based epochs: the one whose weights are kept, and the last one trained (``E`` if the rule never fires).
    """
    val_loss = as_real_array(val_loss, "val_loss", ndim=1)
    if val_loss.size == 0:
        raise ValueError("val_loss must hold at least one epoch")
    patience = as_int(patience, "patience", minimum=1)
    best, waited = 0, 0
    for epoch in range(1, val_loss.size):
        if val_loss[epoch] < val_loss[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return best + 1, epoch + 1
    return best + 1, val_loss.size


class CompiledTrainer:
    """Adam with early stopping for small Keras models, in a compiled loop.

    ``model.fit`` spends about 0.1 s per epoch on bookkeeping, which dominates for the course's tiny networks
    and data sets; this loop compiles one training step (``tf.function``) and calls it directly: the same
    optimiser and early stopping, a few milliseconds per step. The compiled step is kept, so :meth:`fit` can be
    called again (after :meth:`reset`) on data of another size without compiling anew.

    Parameters
    ----------
    model : keras.Model
    loss : callable(y_true, y_pred) -> scalar tensor, default mean squared error.
    learning_rate : float
    """

    def __init__(self, model, *, loss=None, learning_rate: float = 1e-2):
        import keras
        import tensorflow as tf

        self.model = model
        self.learning_rate = as_number(learning_rate, "learning_rate", minimum=0.0, strict_minimum=True)
        self.optimizer = keras.optimizers.Adam(self.learning_rate)
        self.optimizer.build(model.trainable_variables)
        self.loss = loss if loss is not None else (lambda y, p: tf.reduce_mean(tf.square(y - p)))
        self._initial = [w.copy() for w in model.get_weights()]
        spec_x = tf.TensorSpec([None, *model.input_shape[1:]], tf.float32)
        spec_y = tf.TensorSpec([None, *model.output_shape[1:]], tf.float32)

        def one_step(x, y):
            with tf.GradientTape() as tape:
                value = self.loss(y, self.model(x, training=True))
            gradients = tape.gradient(value, self.model.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.model.trainable_variables, strict=True))
            return value

        @tf.function(input_signature=[spec_x, spec_y])
        def step(x, y):
            return one_step(x, y)

        @tf.function(input_signature=[spec_x, spec_y, tf.TensorSpec([], tf.int32)])
        def many_steps(x, y, count):
            # Full batch: run `count` steps inside the graph, with no Python round trip between them.
            total = tf.constant(0.0)
            for _ in tf.range(count):
                total += one_step(x, y)
            return total / tf.cast(count, tf.float32)

        @tf.function(input_signature=[spec_x, spec_y])
        def evaluate(x, y):
            return self.loss(y, self.model(x, training=False))

        self._step, self._many_steps, self._evaluate = step, many_steps, evaluate

    def reset(self) -> None:
        """Back to the initial weights and a fresh optimiser state (for a learning curve)."""
        self.model.set_weights(self._initial)
        for variable in self.optimizer.variables:
            if variable.path.endswith(("_momentum", "_velocity", "/iteration")):
                variable.assign(np.zeros(variable.shape, dtype=variable.dtype))

    def fit(self, x, y, x_val, y_val, *, max_steps: int = 3000, batch_size: int | None = None,
            check_every: int = 50, patience: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
        """Train until the validation loss has not improved for ``patience`` checks (or ``max_steps``); keep the
        best weights. ``batch_size=None``: full batch. Returns the history: ``step``, ``loss``, ``val_loss``."""
        max_steps = as_int(max_steps, "max_steps", minimum=1)
        check_every = as_int(check_every, "check_every", minimum=1)
        patience = as_int(patience, "patience", minimum=1)
        x, y = np.asarray(x, np.float32), np.asarray(y, np.float32)
        x_val, y_val = np.asarray(x_val, np.float32), np.asarray(y_val, np.float32)
        if len(x) != len(y) or len(x_val) != len(y_val):
            raise ValueError(f"x and y must have the same length, got {len(x)}, {len(y)} (validation "
                             f"{len(x_val)}, {len(y_val)})")
        size = len(x) if batch_size is None else as_int(batch_size, "batch_size", minimum=1)
        rng = np.random.default_rng(seed)
        order, position = rng.permutation(len(x)), 0
        best, best_weights, waited = np.inf, self.model.get_weights(), 0
        history = {"step": [], "loss": [], "val_loss": []}
        step = 0
        while step < max_steps:
            chunk = min(check_every, max_steps - step)
            if size >= len(x):
                loss = float(self._many_steps(x, y, np.int32(chunk)))
            else:
                values = []
                for _ in range(chunk):
                    if position + size > len(x):
                        order, position = rng.permutation(len(x)), 0
                    batch = order[position:position + size]
                    position += size
                    values.append(float(self._step(x[batch], y[batch])))
                loss = float(np.mean(values))
            step += chunk
            value = float(self._evaluate(x_val, y_val))
            history["step"].append(step)
            history["loss"].append(loss)
            history["val_loss"].append(value)
            if value < best:
                best, best_weights, waited = value, self.model.get_weights(), 0
            else:
                waited += 1
                if waited >= patience:
                    break
        self.model.set_weights(best_weights)
        return {key: np.array(value) for key, value in history.items()}


def save_weights(model, path) -> None:
    """Save the weights of ``model`` to a ``.npz`` file (arrays ``w000``, ``w001``, ... in Keras's order).

    A plain ``.npz`` file rather than Keras's ``.weights.h5``: it ships with the package like the data sets and
    needs nothing but numpy to inspect.
    """
    np.savez(path, **{f"w{i:03d}": np.asarray(w) for i, w in enumerate(model.get_weights())})


def load_weights(model, path) -> None:
    """Load weights saved by :func:`save_weights` into a built ``model`` of the same architecture."""
    with np.load(path, allow_pickle=False) as stored:
        arrays = [stored[f"w{i:03d}"] for i in range(len(stored.files))]
    expected = [tuple(w.shape) for w in model.get_weights()]
    if [a.shape for a in arrays] != expected:
        raise ValueError(f"{path}: weight shapes {[a.shape for a in arrays]} do not match the model's {expected}")
    model.set_weights(arrays)
