"""Keras models of the exchange-correlation energy of 1D two-electron systems (notebook 06).

:class:`XCFunctional` learns the xc energy per electron ``eps_xc(x)`` from features of the density,
``E_xc = integral n eps_xc dx``, and returns the potential as the functional derivative
``v_xc(x_i) = (dE_xc/dn_i) / dx`` computed by ``tf.GradientTape``: energy and potential are consistent by
construction. Feature maps: ``"local"`` (``n``) and ``"semilocal"`` (``n`` and ``(dn/dx)**2``, both
reflection-invariant: :func:`course_utils.learn.xc.derivative_features`) with a pointwise network, and
:func:`convolutional_network` for a non-local model; :func:`build_model` makes any of the three, :func:`fit` trains
it, :func:`load_pretrained` returns the models stored by ``scripts/train_xc_models.py``, and :func:`as_xc` turns a
model into the callable ``density -> (v_xc, E_xc)`` that :func:`course_utils.onedim.kohn_sham.solve` accepts.

Importing this module imports TensorFlow (about 7 s and 0.7 GB); the data, splits and Kohn-Sham evaluation of
any functional are in the light :mod:`course_utils.learn.xc`. Classes are defined at module level and registered
with Keras under the package name ``"course_utils"``, so ``keras.saving.load_model`` works after a plain import.
Hartree atomic units (Ha, bohr, electrons/bohr).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .. import data
from .._checks import as_int, as_number, one_of
from . import training
from .xc import (
    FEATURE_KINDS,
    MOLECULES_PRETRAINED,
    PRETRAINED,
    TRAINING,
    derivative_features,
    feature_scales,
    molecule_model_info,
    pretrained_info,
)

PACKAGE = "course_utils"
"""The package name under which every Keras class of the course is registered."""

__all__ = ["MODEL_KINDS", "XCFunctional", "as_xc", "build_model", "convolutional_network", "fit", "load_molecule_model",
           "load_pretrained", "pointwise_network"]


@keras.saving.register_keras_serializable(package=PACKAGE)
class XCFunctional(keras.Model):
    """An xc functional ``E_xc[n] = integral n(x) eps_xc(x) dx`` with ``eps_xc`` from a Keras network.

    ``network`` maps features ``(batch, N, F)`` to the xc energy per electron ``eps_xc`` ``(batch, N, 1)``
    (Ha): with ``features="local"`` F = 1 (the density), with ``"semilocal"`` F = 2
    (:func:`derivative_features`). The potential is the functional derivative, on the grid
    ``v_xc(x_i) = (1/dx) dE_xc/dn_i``, computed by ``tf.GradientTape``, so energy and potential always agree.

    Calling the model on densities ``(batch, N)`` (1/bohr) returns a dict: ``xc_energy`` (batch,) Ha,
    ``v_xc`` (batch, N) Ha, ``eps_xc`` (batch, N) Ha. Trained (:func:`fit`) with the loss
    ``<integral n (v - v_exact - c)^2 dx / integral n> + energy_weight <(E_xc - E_xc,exact)^2>`` (Ha^2), ``c`` the
    density-weighted mean of ``v - v_exact``: the potential error is weighted by the density, where it changes
    the Kohn-Sham density and energy, and a constant shift (which changes no density) is not penalised.
    """

    def __init__(self, network, dx: float, features: str = "local", scales=(1.0, 1.0),
                 energy_weight: float = 1.0, **kwargs):
        kwargs.setdefault("dtype", "float64")
        super().__init__(**kwargs)
        one_of(features, "features", FEATURE_KINDS)
        self.network = network
        self.dx = as_number(dx, "dx", minimum=0.0, strict_minimum=True)
        self.features = features
        self.scales = [float(s) for s in scales]
        self.energy_weight = as_number(energy_weight, "energy_weight", minimum=0.0)
        self.v_tracker = keras.metrics.Mean(name="v_loss")
        self.e_tracker = keras.metrics.Mean(name="e_loss")

    def density_features(self, density):
        if self.features == "local":
            return density[..., None]
        return derivative_features(density, self.dx, self.scales)

    def energy_per_electron(self, density):
        """``eps_xc`` (batch, N) (Ha) of densities (batch, N)."""
        out = self.network(self.density_features(density))
        return ops.cast(out[..., 0], "float64")

    def call(self, density, training=False):
        density = tf.cast(density, tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(density)
            eps = self.energy_per_electron(density)
            energy = ops.sum(density * eps, axis=-1) * self.dx
        v_xc = tape.gradient(energy, density) / self.dx
        return {"xc_energy": energy, "v_xc": v_xc, "eps_xc": eps}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        density = tf.cast(x, tf.float64)
        electrons = ops.sum(density, axis=-1, keepdims=True)
        error = y_pred["v_xc"] - tf.cast(y["v_xc"], tf.float64)
        # a constant added to v_xc changes no density: compare potentials up to their density-weighted mean
        error = error - ops.sum(density * error, axis=-1, keepdims=True) / electrons
        loss_v = ops.mean(ops.sum(density * error**2, axis=-1) / electrons[:, 0])
        loss_e = ops.mean((y_pred["xc_energy"] - tf.cast(y["xc_energy"], tf.float64)) ** 2)
        self.v_tracker.update_state(loss_v)
        self.e_tracker.update_state(loss_e)
        return loss_v + self.energy_weight * loss_e

    def get_config(self):
        return {**super().get_config(), "network": keras.saving.serialize_keras_object(self.network),
                "dx": self.dx, "features": self.features, "scales": self.scales,
                "energy_weight": self.energy_weight}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)


def pointwise_network(n_features: int = 1, hidden=(16, 16), activation: str = "tanh", seed: int = 0,
                      dtype: str = "float64"):
    """A perceptron applied at every grid point separately: ``(batch, N, F) -> (batch, N, 1)`` (Dense layers act on
    the last axis). Smooth activations only: ``v_xc`` is a derivative of the network."""
    n_features = as_int(n_features, "n_features", minimum=1)
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((None, n_features), dtype=dtype)]
    for width in hidden:
        layers.append(keras.layers.Dense(int(width), activation=activation, dtype=dtype))
    layers.append(keras.layers.Dense(1, dtype=dtype))
    return keras.Sequential(layers, name=f"pointwise_{n_features}")


def convolutional_network(width: int = 16, kernel: int = 5, dilations=(1, 2, 4, 8, 16), activation: str = "tanh",
                          seed: int = 0, dtype: str = "float64"):
    """A non-local network ``(batch, N, 1) -> (batch, N, 1)``: dilated 1D convolutions (zero padding, the density
    vanishes at the walls) whose receptive field, ``1 + (kernel - 1) * sum(dilations)`` points (125 by default),
    covers the whole box, then a pointwise read-out. Translation-equivariant, but not reflection-equivariant:
    augment the data by reflection."""
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((None, 1), dtype=dtype)]
    for rate in dilations:
        layers.append(keras.layers.Conv1D(int(width), int(kernel), padding="same", dilation_rate=int(rate),
                                          activation=activation, dtype=dtype))
    layers.append(keras.layers.Conv1D(1, 1, dtype=dtype))
    return keras.Sequential(layers, name="convolutional")


MODEL_KINDS = ("local", "semilocal", "nonlocal")


def build_model(kind: str, dx: float, *, train_densities=None, scales=None, seed: int = 0,
                energy_weight: float = 1.0, **network_options):
    """An :class:`XCFunctional` of one of three kinds, built with weights seeded by ``seed``:

    * ``"local"``: a pointwise network of ``n`` (:func:`pointwise_network`), an LDA-like functional;
    * ``"semilocal"``: a pointwise network of ``n`` and ``(dn/dx)**2`` (:func:`derivative_features`), GGA-like;
      the features are divided by their RMS over ``train_densities`` (or by ``scales``);
    * ``"nonlocal"``: a dilated 1D convolutional network over the whole density (:func:`convolutional_network`).

    ``network_options`` go to the network builder (``hidden``, ``width``, ``activation``, ...).
    """
    one_of(kind, "kind", MODEL_KINDS)
    cls = XCFunctional
    if kind == "local":
        return cls(pointwise_network(1, seed=seed, **network_options), dx, "local", energy_weight=energy_weight,
                   name="local")
    if kind == "semilocal":
        if scales is None:
            if train_densities is None:
                raise ValueError("the semilocal model needs train_densities (or scales) to scale its features")
            scales = feature_scales(train_densities, dx)
        return cls(pointwise_network(2, seed=seed, **network_options), dx, "semilocal", scales=scales,
                   energy_weight=energy_weight, name="semilocal")
    return cls(convolutional_network(seed=seed, **network_options), dx, "local", energy_weight=energy_weight,
               name="nonlocal")


def fit(model, train, validation, *, learning_rate: float = TRAINING["learning_rate"],
        batch_size: int = TRAINING["batch_size"], max_epochs: int = TRAINING["max_epochs"],
        patience: int = TRAINING["patience"], seed: int = TRAINING["seed"], verbose: int = 0) -> dict:
    """Train an :class:`XCFunctional` on ``v_xc`` and ``E_xc`` with :func:`course_utils.learn.training.fit`
    (Adam, validation data, early stopping with the best weights restored). ``train`` and ``validation`` are
    ``(densities, targets)`` pairs from :func:`course_utils.learn.xc.training_arrays`. Returns the history:
    ``loss``, ``v_loss``, ``e_loss`` and their ``val_`` counterparts per epoch (Ha^2)."""
    return training.fit(model, train[0], train[1], validation, epochs=max_epochs, batch_size=batch_size,
                        learning_rate=learning_rate, patience=patience, seed=seed, verbose=verbose)


def load_pretrained(kind: str):
    """A model of ``kind`` with the weights trained by ``scripts/train_xc_models.py``.

    The weights file must have the checksum recorded when it was written, and the cached ``xc_wells_1d`` the
    checksum of the data it was trained on; otherwise a ``ValueError`` names the script that re-creates them.
    """
    one_of(kind, "kind", MODEL_KINDS)
    record = pretrained_info()
    data.verify_trained(PRETRAINED.with_suffix(".npz"), record["weights_sha256"], record["data_set"]["name"],
                        record["data_set"]["sha256"], "python scripts/train_xc_models.py")
    return _stored_model(kind, record["models"][kind], PRETRAINED.with_suffix(".npz"), f"{kind}/")


def _stored_model(kind: str, info: dict, path, prefix: str):
    model = build_model(kind, info["dx"], scales=info.get("scales"))
    model(np.zeros((1, int(info["n_points"]))))  # build the weights
    with np.load(path, allow_pickle=False) as stored:
        weights = [stored[f"{prefix}{i:03d}"] for i in range(int(info["n_weights"]))]
    model.set_weights(weights)
    return model


def load_molecule_model():
    """The xc functional of the 1D molecules (notebook 03, part B), trained by ``scripts/train_xc_molecules.py`` on
    ``xc_molecules_1d``; checked against its recorded checksums like :func:`load_pretrained`."""
    record = molecule_model_info()
    path = MOLECULES_PRETRAINED.with_suffix(".npz")
    data.verify_trained(path, record["weights_sha256"], record["data_set"]["name"], record["data_set"]["sha256"],
                        "python scripts/train_xc_molecules.py")
    return _stored_model(record["model"]["kind"], record["model"], path, "")


def as_xc(model, n_points: int | None = None):
    """The callable ``density (N,) -> (v_xc (N,), E_xc)`` that :func:`course_utils.onedim.kohn_sham.solve`
    accepts, from a model returning ``{"v_xc", "xc_energy"}`` (an :class:`XCFunctional`). The model runs in a
    compiled ``tf.function`` (about a millisecond per call instead of tens in eager mode)."""
    shape = [None, None if n_points is None else as_int(n_points, "n_points", minimum=1)]

    @tf.function(input_signature=[tf.TensorSpec(shape, tf.float64)])
    def evaluate(density):
        out = model(density)
        return out["v_xc"], out["xc_energy"]

    def xc(density):
        v, e = evaluate(tf.constant(np.asarray(density, dtype=float)[None, :]))
        return v.numpy()[0], float(e.numpy()[0])

    xc.__name__ = getattr(model, "name", "learned")
    return xc
