"""Response properties from one energy in a field: a SchNet-based dipole and polarizability model (notebook 07).

A response property is a derivative of the energy with respect to a field. For a uniform electric field
``F`` (V/Angstrom) the model's field energy (eV) is

    E_F(R, F) = -F . mu(R) - 1/2 F . alpha(R) . F,

so that the dipole ``mu = -dE/dF`` (e*Angstrom) and the polarizability ``alpha = -d2E/dF dF`` (e*Angstrom^2/V)
come out of automatic differentiation (:func:`response`, two nested ``tf.GradientTape``). Both are built to rotate
with the molecule, from SchNet's invariant atomic features ``x_i`` (the layers of :mod:`.schnet`, reused through
:func:`~course_utils.learn.schnet.interaction_features`) and the unit vectors ``u_ij = (R_j - R_i) / r_ij``:

* latent charges ``q_i = y_i - mean(y) + Q / N`` (``y_i`` an atom-wise output): they sum to the total charge
  ``Q`` (0 for ethanol), so ``sum_i q_i R_i`` does not depend on the origin;
* atomic dipoles ``p_i = sum_j w(r_ij, x_j) u_ij`` with invariant weights ``w`` (a filter network of the distance
  times a linear map of the neighbour's features);
* ``mu(R) = sum_i q_i R_i + sum_i p_i``;
* ``alpha(R) = sum_i [a_i I + sum_k b_ik v_ik v_ik^T]``, ``v_ik = sum_j w_k(r_ij, x_j) u_ij``, ``a_i, b_ik >= 0``
  (softplus): symmetric and positive semi-definite by construction.

What it shares with FieldSchNet (M. Gastegger, K. T. Schütt, K.-R. Müller, Chem. Sci. 12, 11473 (2021),
doi:10.1039/D1SC02742E): the field is an input of the energy and every response is a derivative of that one
energy. What is simpler: in FieldSchNet the field enters the interaction layers through vector (dipole)
features, so the energy may depend on ``F`` to any order (hyperpolarizabilities, field-dependent forces); here
it is exactly quadratic in ``F`` and the SchNet features do not see the field.

Units: Angstrom, V/Angstrom, eV, e*Angstrom, e*Angstrom^2/V (times 14.40 for Angstrom^3).
"""

from __future__ import annotations

import json

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .._checks import _describe, as_int, as_number
from .schnet import (
    PACKAGE,
    AtomEmbedding,
    AtomwiseOutput,
    CosineCutoff,
    FilterNetwork,
    GaussianRBF,
    Interaction,
    PairDistances,
    interaction_features,
)
from .training import load_weights, save_weights  # noqa: F401  (part of this module's API)

__all__ = ["VectorHead", "FieldSchNet", "response", "predict_response", "dipole_ascent",
           "build_model", "load_pretrained",
           "DEFAULT_MODEL", "E_ANGSTROM_TO_DEBYE", "POLARIZABILITY_TO_ANGSTROM3"]

E_ANGSTROM_TO_DEBYE = 1.0 / 0.20819433622621247
"""1 e*Angstrom in Debye (``course_utils.units.DEBYE_TO_E_ANGSTROM`` inverted)."""

POLARIZABILITY_TO_ANGSTROM3 = 14.399645478425668
"""A polarizability in e*Angstrom^2/V times this is a polarizability volume in Angstrom^3 (``e^2/(4 pi eps_0)``)."""


@keras.saving.register_keras_serializable(package=PACKAGE)
class VectorHead(keras.layers.Layer):
    """``n_vectors`` vectors per atom, ``v_ik = sum_j w_k(r_ij, x_j) u_ij``: rotation-covariant by construction.

    ``call(features (B, N, F), rbf (B, N, N, n_rbf), cutoff_values (B, N, N), mask (B, N, N), unit (B, N, N, 3))``
    returns (B, N, n_vectors, 3). ``w_k(r_ij, x_j) = sum_c W_c(r_ij) (x_j A)_ck`` with ``W`` a
    :class:`~course_utils.learn.schnet.FilterNetwork` (zero beyond the cutoff and on masked pairs).
    """

    def __init__(self, n_vectors: int = 1, n_filters: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.n_vectors = as_int(n_vectors, "n_vectors", minimum=1)
        self.n_filters = as_int(n_filters, "n_filters", minimum=1)
        self.filters = FilterNetwork(self.n_filters * self.n_vectors, dtype=self.dtype_policy, name="filters")
        self.neighbour = keras.layers.Dense(self.n_filters * self.n_vectors, use_bias=False,
                                            dtype=self.dtype_policy, name="neighbour")

    def call(self, features, rbf, cutoff_values, mask, unit):
        b, n = ops.shape(features)[0], ops.shape(features)[1]
        w = self.filters(rbf, cutoff_values, mask) * self.neighbour(features)[:, None, :, :]
        w = ops.sum(ops.reshape(w, (b, n, n, self.n_vectors, self.n_filters)), axis=-1)
        return ops.einsum("bijk,bijx->bikx", w, unit)

    def get_config(self):
        return {**super().get_config(), "n_vectors": self.n_vectors, "n_filters": self.n_filters}


@keras.saving.register_keras_serializable(package=PACKAGE)
class FieldSchNet(keras.Model):
    """Field energy ``E_F(R, F) = -F.mu(R) - F.alpha(R).F / 2`` (eV) on SchNet's invariant features.

    ``call({"numbers": (B, N) int (0 = padding), "positions": (B, N, 3) Angstrom, "field": (B, 3) V/Angstrom})``
    returns ``E_F`` (B,). :meth:`dipole_and_polarizability` returns ``mu(R)`` (B, 3) and ``alpha(R)`` (B, 3, 3)
    directly (what :func:`response` recovers as derivatives). ``total_charge`` (e) is what the latent charges sum
    to; ``n_polarizability_vectors`` the ``K`` vectors per atom of the anisotropic part of ``alpha``.
    ``alpha_scale`` (e*Angstrom^2/V) and ``dipole_scale`` (e) set the size of the outputs at initialisation.
    """

    def __init__(self, n_features: int = 32, n_interactions: int = 2, n_rbf: int = 20, cutoff: float = 5.0,
                 max_z: int = 10, n_polarizability_vectors: int = 2, total_charge: float = 0.0,
                 dipole_scale: float = 0.1, alpha_scale: float = 0.02, **kwargs):
        super().__init__(**kwargs)
        self.n_features = as_int(n_features, "n_features", minimum=1)
        self.n_interactions = as_int(n_interactions, "n_interactions", minimum=0)
        self.n_rbf = as_int(n_rbf, "n_rbf", minimum=2)
        self.cutoff = as_number(cutoff, "cutoff", minimum=0.0, strict_minimum=True)
        self.max_z = as_int(max_z, "max_z", minimum=1)
        self.n_polarizability_vectors = as_int(n_polarizability_vectors, "n_polarizability_vectors", minimum=1)
        self.total_charge = as_number(total_charge, "total_charge")
        self.dipole_scale = as_number(dipole_scale, "dipole_scale", minimum=0.0, strict_minimum=True)
        self.alpha_scale = as_number(alpha_scale, "alpha_scale", minimum=0.0, strict_minimum=True)
        policy = self.dtype_policy
        # the attribute names interaction_features() expects: the same layers as SchNet's representation
        self.embedding = AtomEmbedding(self.n_features, self.max_z, dtype=policy, name="embedding")
        self.distances = PairDistances(self.cutoff, dtype=policy, name="distances")
        self.rbf = GaussianRBF(self.n_rbf, self.cutoff, dtype=policy, name="rbf")
        self.cutoff_function = CosineCutoff(self.cutoff, dtype=policy, name="cutoff")
        self.interactions = [Interaction(self.n_features, dtype=policy, name=f"interaction_{k}")
                             for k in range(self.n_interactions)]
        half = max(self.n_features // 2, 1)
        self.charge_head = AtomwiseOutput(half, dtype=policy, name="charges")
        self.dipole_head = VectorHead(1, half, dtype=policy, name="atomic_dipoles")
        self.isotropic_head = AtomwiseOutput(half, dtype=policy, name="isotropic")
        self.anisotropic_head = keras.layers.Dense(self.n_polarizability_vectors, dtype=policy, name="anisotropic")
        self.vector_head = VectorHead(self.n_polarizability_vectors, half, dtype=policy, name="polarizability_vectors")

    def check_inputs(self, numbers, positions, field=None) -> None:
        """Raise ``ValueError``/``TypeError`` unless the shapes, types and values are usable."""
        numbers, positions = np.asarray(numbers), np.asarray(positions)
        if numbers.ndim != 2:
            raise ValueError(f"numbers must have shape (batch, atoms), got {numbers.shape}")
        if not np.issubdtype(numbers.dtype, np.integer):
            raise TypeError(f"numbers must be integer atomic numbers, got dtype {numbers.dtype}")
        if positions.shape != (*numbers.shape, 3):
            raise ValueError(f"positions must have shape {(*numbers.shape, 3)} to match numbers, got {positions.shape}")
        if numbers.size and (numbers.min() < 0 or numbers.max() > self.max_z):
            raise ValueError(f"atomic numbers must lie in 0..max_z = {self.max_z} (0 is padding), got "
                             f"{numbers.min()}..{numbers.max()}")
        if not np.all(np.isfinite(positions)):
            raise ValueError("positions contain NaN or infinite values")
        if field is not None:
            field = np.asarray(field)
            if field.shape != (len(numbers), 3):
                raise ValueError(f"field must have shape {(len(numbers), 3)} (batch, 3) in V/Angstrom, "
                                 f"got {field.shape}")
            if not np.all(np.isfinite(field)):
                raise ValueError("field contains NaN or infinite values")

    def dipole_and_polarizability(self, numbers, positions):
        """``mu(R)`` (B, 3) e*Angstrom and ``alpha(R)`` (B, 3, 3) e*Angstrom^2/V, and the charges (B, N) e."""
        positions = ops.cast(positions, self.compute_dtype)
        features = interaction_features(self, numbers, positions)
        distances, mask = self.distances(numbers, positions)
        rbf, cutoff_values = self.rbf(distances), self.cutoff_function(distances)
        unit = (positions[:, None, :, :] - positions[:, :, None, :]) / distances[..., None] * mask[..., None]
        real = ops.cast(ops.cast(numbers, "int32") > 0, self.compute_dtype)
        n_real = ops.sum(real, axis=1, keepdims=True)
        y = self.charge_head(features) * real
        charges = (y - ops.sum(y, axis=1, keepdims=True) / n_real + self.total_charge / n_real) * real
        atomic = self.dipole_head(features, rbf, cutoff_values, mask, unit)[:, :, 0, :]
        dipole = self.dipole_scale * (ops.einsum("bi,bix->bx", charges, positions) + ops.sum(atomic, axis=1))
        a = ops.softplus(self.isotropic_head(features)) * real
        b = ops.softplus(self.anisotropic_head(features)) * real[..., None]
        v = self.vector_head(features, rbf, cutoff_values, mask, unit)
        eye = ops.eye(3, dtype=self.compute_dtype)
        alpha = ops.sum(a, axis=1)[:, None, None] * eye + ops.einsum("bik,bikx,biky->bxy", b, v, v)
        return dipole, self.alpha_scale * alpha, self.dipole_scale * charges

    def call(self, inputs, training=False):
        if not isinstance(inputs, dict) or not {"numbers", "positions", "field"} <= set(inputs):
            raise TypeError("FieldSchNet inputs must be a dict with 'numbers', 'positions' and 'field', got "
                            f"{_describe(inputs)}")
        field = ops.cast(inputs["field"], self.compute_dtype)
        dipole, alpha, _ = self.dipole_and_polarizability(inputs["numbers"], inputs["positions"])
        return -ops.sum(field * dipole, axis=1) - 0.5 * ops.einsum("bx,bxy,by->b", field, alpha, field)

    def get_config(self):
        return {"n_features": self.n_features, "n_interactions": self.n_interactions, "n_rbf": self.n_rbf,
                "cutoff": self.cutoff, "max_z": self.max_z, "n_polarizability_vectors": self.n_polarizability_vectors,
                "total_charge": self.total_charge, "dipole_scale": self.dipole_scale, "alpha_scale": self.alpha_scale,
                "name": self.name, "dtype": self.dtype_policy.name}


def response(model, numbers, positions, field=None):
    """Energy (B,) eV, dipole ``-dE/dF`` (B, 3) e*Angstrom and polarizability ``-d2E/dFdF`` (B, 3, 3)
    e*Angstrom^2/V of ``model`` at ``field`` (B, 3) V/Angstrom (default zero), by two nested ``tf.GradientTape``."""
    dtype = model.compute_dtype
    positions = tf.cast(tf.convert_to_tensor(positions), dtype)
    numbers = tf.cast(tf.convert_to_tensor(numbers), tf.int32)
    if field is None:
        field = tf.zeros((tf.shape(positions)[0], 3), dtype)
    field = tf.cast(tf.convert_to_tensor(field), dtype)
    with tf.GradientTape() as outer:
        outer.watch(field)
        with tf.GradientTape() as inner:
            inner.watch(field)
            energy = model({"numbers": numbers, "positions": positions, "field": field})
        dipole = -inner.gradient(energy, field)
    polarizability = outer.batch_jacobian(dipole, field)  # d(mu)/dF = -d2E/dF2
    return energy, dipole, polarizability


def predict_response(model, numbers, positions, field=None, *, check: bool = True):
    """:func:`response` as NumPy arrays, after :meth:`FieldSchNet.check_inputs` (``check=True``)."""
    if not isinstance(model, FieldSchNet):
        raise TypeError(f"model must be a FieldSchNet, got {_describe(model)}")
    numbers = np.asarray(numbers)
    if numbers.ndim == 1:
        raise ValueError(f"numbers must have shape (batch, atoms), got {numbers.shape}; add a batch axis")
    if check:
        model.check_inputs(numbers, positions, field)
    return tuple(np.asarray(t, dtype=float) for t in response(model, numbers, positions, field))


DEFAULT_MODEL = {"n_features": 32, "n_interactions": 2, "n_rbf": 20, "cutoff": 5.0, "n_polarizability_vectors": 2}
"""Architecture of :func:`build_model` by default."""


def build_model(*, seed: int = 0, dtype: str = "float32", **options) -> FieldSchNet:
    """A :class:`FieldSchNet` with weights created (seeded); ``options`` override :data:`DEFAULT_MODEL`."""
    keras.utils.set_random_seed(as_int(seed, "seed", minimum=0))
    model = FieldSchNet(dtype=dtype, **{**DEFAULT_MODEL, **options})
    _build(model)
    return model


def _build(model):
    model({"numbers": np.ones((1, 2), np.int32), "positions": np.array([[[0.0, 0, 0], [0, 0, 1.0]]]),
           "field": np.zeros((1, 3))})


def pretrained_paths():
    """``(weights, record)`` paths of the shipped model (``scripts/train_field_schnet.py`` writes them)."""
    from ..data import DATA_DIR

    return DATA_DIR / "field_schnet_ethanol.weights.npz", DATA_DIR / "field_schnet_ethanol.json"


def load_pretrained():
    """The FieldSchNet trained by ``scripts/train_field_schnet.py`` and its record (a dict); checks the weights'
    and the data set's checksums (:func:`course_utils.data.verify_trained`)."""
    from .. import data

    weights, path = pretrained_paths()
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing in {path.parent}: run `python scripts/train_field_schnet.py`")
    record = json.loads(path.read_text())
    data.verify_trained(weights, record["weights_sha256"], record["data"]["name"], record["data"]["sha256"],
                        "python scripts/train_field_schnet.py")
    model = FieldSchNet(**record["config"])
    _build(model)
    load_weights(model, weights)
    return model, record


def dipole_ascent(energy_model, field_model, numbers, positions, *, steps: int = 60, step_size: float = 0.01,
                  energy_max: float | None = None, penalty: float = 50.0, record_every: int = 10):
    """Gradient steps on the positions toward a larger ``|mu|``, optionally keeping the energy below a bound.

    Maximises ``|mu(R)|^2 - penalty * relu(E(R) - energy_max)^2`` (``mu`` of ``field_model`` in e*Angstrom,
    ``E`` of the SchNet ``energy_model`` in eV; ``energy_max=None``: no penalty) by steps
    ``R <- R + step_size * grad`` (Angstrom per unit gradient) for one molecule ``numbers`` (N,), ``positions``
    (N, 3). Returns a dict of the positions ``(K, N, 3)`` every ``record_every`` steps (first and last included),
    their ``step`` (K,), network ``energy`` (K,) eV and ``dipole`` (K, 3) e*Angstrom.
    """
    if not isinstance(field_model, FieldSchNet):
        raise TypeError(f"field_model must be a FieldSchNet, got {_describe(field_model)}")
    steps = as_int(steps, "steps", minimum=1)
    record_every = as_int(record_every, "record_every", minimum=1)
    step_size = as_number(step_size, "step_size", minimum=0.0, strict_minimum=True)
    penalty = as_number(penalty, "penalty", minimum=0.0)
    numbers = np.asarray(numbers)
    positions = np.asarray(positions, dtype=float)
    if numbers.ndim != 1 or positions.shape != (len(numbers), 3):
        raise ValueError(f"numbers (N,) and positions (N, 3) of one molecule expected, got {numbers.shape} and "
                         f"{positions.shape}")
    field_model.check_inputs(numbers[None], positions[None])
    z = tf.constant(numbers[None].astype(np.int32))
    bound = None if energy_max is None else tf.constant(as_number(energy_max, "energy_max"), tf.float32)

    @tf.function(autograph=False)
    def objective_and_gradient(r):
        with tf.GradientTape() as tape:
            tape.watch(r)
            energy = energy_model({"numbers": z, "positions": r})[0]
            mu = field_model.dipole_and_polarizability(z, r)[0][0]
            objective = tf.reduce_sum(mu * mu)
            if bound is not None:
                objective -= penalty * tf.square(tf.nn.relu(energy - bound))
        return energy, mu, tape.gradient(objective, r)

    r = tf.constant(positions[None], tf.float32)
    out = {"step": [], "positions": [], "energy": [], "dipole": []}
    for k in range(steps + 1):
        energy, mu, gradient = objective_and_gradient(r)
        if k % record_every == 0 or k == steps:
            for key, value in zip(("step", "positions", "energy", "dipole"),
                                  (k, r.numpy()[0].astype(float), float(energy), mu.numpy().astype(float)),
                                  strict=True):
                out[key].append(value)
        r = r + step_size * gradient
    return {key: np.asarray(value) for key, value in out.items()}
