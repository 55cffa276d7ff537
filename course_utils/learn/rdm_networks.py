"""Keras models of one-body reduced density matrices (notebook 04).

* :func:`dimer_network` -- gamma_12(delta_n, U) of the Hubbard dimer: plain, or with the site-exchange symmetry
  (:class:`DimerFeatures`) and the N-representability bound (:class:`BoundedGamma`) built in; the exact data,
  bounds and limits it is compared with are in :mod:`course_utils.lattice` (``dimer_samples``, ``dimer_bound``,
  ``interpolating_gamma``, ...);
* :func:`rdm1_network` -- a 1D convolutional network from a continuum density to a 1-RDM whose diagonal *is* the
  density (:class:`CoherentRDM1`), with :func:`rdm1_loss`; the data set is ``rdm1_wells_1d``
  (:mod:`course_utils.onedim.datasets`);
* :func:`predict`, :func:`dimer_inputs`, :func:`dimer_fraction` -- small helpers; training uses
  :class:`course_utils.learn.training.CompiledTrainer`.

Importing this module imports TensorFlow. The layers are defined at module level and registered with Keras under
the package name ``"course_utils"``, so ``keras.saving.load_model`` works after a plain import.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .._checks import as_int, as_number, as_real_array
from ..lattice.dimer import dimer_bound

PACKAGE = "course_utils"

U_SCALE = 10.0
"""The networks see U / (U_SCALE t), so the inputs lie in [0, 1] for the range the course trains on."""


def dimer_inputs(delta_n, U) -> np.ndarray:
    """The (n, 2) float32 input of :func:`dimer_network`: columns delta_n and U (units of t)."""
    delta_n, U = np.broadcast_arrays(as_real_array(delta_n, "delta_n"), as_real_array(U, "U"))
    return np.stack([delta_n.ravel(), U.ravel()], axis=1).astype(np.float32)


# --------------------------------------------------------------------------------------------------------------
# Layers (module level, registered with Keras) and models
# --------------------------------------------------------------------------------------------------------------

@keras.saving.register_keras_serializable(package=PACKAGE)
class DimerFeatures(keras.layers.Layer):
    """(delta_n, U) -> network features. ``symmetric=True`` passes (delta_n/2)^2 instead of delta_n, so
    whatever follows is even in delta_n: the site-exchange symmetry 1 <-> 2 by construction."""

    def __init__(self, symmetric: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.symmetric = bool(symmetric)

    def call(self, inputs):
        delta_n, U = inputs[:, 0:1], inputs[:, 1:2]
        first = 0.25 * delta_n**2 if self.symmetric else 0.5 * delta_n
        return ops.concatenate([first, U / U_SCALE], axis=-1)

    def get_config(self):
        return {**super().get_config(), "symmetric": self.symmetric}

@keras.saving.register_keras_serializable(package=PACKAGE)
class BoundedGamma(keras.layers.Layer):
    """[inputs, logit] -> sqrt(1 - (delta_n/2)^2) * sigmoid(logit): 0 < gamma_12 < its N-representability
    bound, so both natural occupations of each spin stay in [0, 1] whatever the network does."""

    def call(self, inputs):
        x, logit = inputs
        bound = ops.sqrt(ops.maximum(1.0 - 0.25 * x[:, 0:1] ** 2, 0.0))
        return bound * ops.sigmoid(logit)

@keras.saving.register_keras_serializable(package=PACKAGE)
class CoherentRDM1(keras.layers.Layer):
    """A 1-RDM from a density and per-point features f(x) (K channels):

        gamma(x, x') = sqrt(n(x) n(x')) * exp(-|f(x) - f(x')|^2).

    The diagonal is n(x) exactly; the matrix is symmetric; exp(-|f - f'|^2) is a Gaussian kernel, positive
    semi-definite, so gamma is too (natural occupations >= 0); and |gamma(x, x')| <= sqrt(n(x) n(x')), the
    continuum form of the dimer's bound. f = constant gives the one-orbital (Kohn-Sham) 1-RDM of two
    electrons in a singlet."""

    def call(self, inputs):
        density, features = inputs
        difference = features[:, :, None, :] - features[:, None, :, :]
        coherence = ops.exp(-ops.sum(difference**2, axis=-1))
        root = ops.sqrt(ops.maximum(density, 0.0))
        return root[:, :, None] * root[:, None, :] * coherence


def dimer_network(*, constrained: bool = False, symmetric: bool | None = None, bounded: bool | None = None,
                  hidden=(32, 32), seed: int = 0):
    """A small Keras network for gamma_12(delta_n, U): input (batch, 2) = [delta_n, U/t], output (batch, 1).

    ``constrained=False``: a plain tanh perceptron with a linear output. ``constrained=True``: the same hidden
    layers, fed (delta_n/2)^2 (site-exchange symmetry) and closed by :class:`BoundedGamma` (N-representability).
    ``symmetric`` and ``bounded`` switch the two constraints one at a time (for an ablation); each defaults to
    ``constrained``.
    """
    if not isinstance(constrained, (bool, np.bool_)):
        raise TypeError(f"constrained must be True or False, got {constrained!r}")
    flags = {}
    for name, value in (("symmetric", symmetric), ("bounded", bounded)):
        if value is None:
            value = constrained
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True, False or None (None: same as constrained), got {value!r}")
        flags[name] = bool(value)
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((2,), name="delta_n_and_U")
    h = DimerFeatures(symmetric=flags["symmetric"], name="features")(inputs)
    for i, width in enumerate(hidden):
        h = keras.layers.Dense(int(width), activation="tanh", name=f"hidden_{i}")(h)
    if flags["bounded"]:
        logit = keras.layers.Dense(1, name="logit")(h)
        outputs = BoundedGamma(name="bounded_gamma")([inputs, logit])
    else:
        outputs = keras.layers.Dense(1, name="gamma_12")(h)
    name = {(False, False): "plain_dimer", (True, True): "constrained_dimer", (True, False): "symmetric_dimer",
            (False, True): "bounded_dimer"}[(flags["symmetric"], flags["bounded"])]
    return keras.Model(inputs, outputs, name=name)


def predict(model, x, batch: int = 4096) -> np.ndarray:
    """Call ``model`` on ``x`` in batches and return float64 numpy (faster than ``model.predict`` for small
    inputs, which sets up a data pipeline on every call)."""
    x = np.asarray(x, dtype=np.float32)
    parts = [np.asarray(model(x[i:i + batch], training=False), dtype=float) for i in range(0, len(x), batch)]
    return np.concatenate(parts, axis=0)


def predict_gamma(model, delta_n, U) -> np.ndarray:
    """gamma_12 predicted by a dimer network at ``delta_n`` and ``U`` (units of t; broadcast, then flattened)."""
    return predict(model, dimer_inputs(delta_n, U))[:, 0]


def dimer_fraction(model, delta_n, U) -> np.ndarray:
    """gamma_12 / bound predicted by a dimer network: the fraction of the N-representability bound reached."""
    gamma = predict_gamma(model, delta_n, U)
    delta_n = np.broadcast_arrays(as_real_array(delta_n, "delta_n"), as_real_array(U, "U"))[0].ravel()
    return gamma / np.maximum(dimer_bound(delta_n), 1e-12)


def rdm1_network(n_points: int, *, width: int = 16, features: int = 3, kernel: int = 5,
                 dilations=(1, 2, 4, 8), activation: str = "gelu", seed: int = 0):
    """Density (batch, n_points) -> 1-RDM (batch, n_points, n_points), diagonal equal to the density.

    A stack of dilated 1D convolutions turns the density into ``features`` channels f(x) per grid point (the
    receptive field, 1 + (kernel - 1) * sum(dilations) points, spans the box); :class:`CoherentRDM1` builds
    sqrt(n n') exp(-|f - f'|^2) from them. The density is fed as sqrt(n / max n) so that every sample's input
    lies in [0, 1].
    """
    n_points = as_int(n_points, "n_points", minimum=2)
    keras.utils.set_random_seed(seed)
    density = keras.Input((n_points,), name="density")
    scaled = keras.layers.Lambda(lambda n: ops.sqrt(ops.maximum(n, 0.0) / ops.max(n, axis=-1, keepdims=True)),
                                 name="scaled_density")(density)
    h = keras.layers.Reshape((n_points, 1))(scaled)
    for i, rate in enumerate(dilations):
        h = keras.layers.Conv1D(int(width), int(kernel), padding="same", dilation_rate=int(rate), activation=activation,
                                name=f"conv_{i}")(h)
    f = keras.layers.Conv1D(int(features), 1, name="features")(h)
    rdm1 = CoherentRDM1(name="rdm1")([density, f])
    return keras.Model(density, rdm1, name="density_to_rdm1")


def rdm1_loss(kinetic_matrix, dx: float, *, kinetic_weight: float = 0.0):
    """Loss for :func:`rdm1_network`: mean squared error of the 1-RDM (bohr^-2) plus ``kinetic_weight`` times
    the squared error of the kinetic energy T = dx sum_ij K_ij gamma_ji (Ha^2), averaged over the batch."""
    K = tf.constant(np.asarray(kinetic_matrix, np.float32))
    dx = float(dx)
    weight = as_number(kinetic_weight, "kinetic_weight", minimum=0.0)

    def loss(y_true, y_pred):
        value = tf.reduce_mean(tf.square(y_true - y_pred))
        if weight > 0:
            t_true = dx * tf.einsum("ij,bji->b", K, y_true)
            t_pred = dx * tf.einsum("ij,bji->b", K, y_pred)
            value = value + weight * tf.reduce_mean(tf.square(t_true - t_pred))
        return value

    return loss


# --------------------------------------------------------------------------------------------------------------
# Continuum 1-RDMs: observables and the cached data set
# --------------------------------------------------------------------------------------------------------------


