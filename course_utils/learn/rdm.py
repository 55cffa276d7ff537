"""One-body reduced density matrices (notebook 04): Hubbard-dimer functionals and continuum 1-RDMs.

Two parts, both in the units of their foundations (the hopping t for the dimer, Hartree atomic units for 1D):

* **The Hubbard dimer as data.** :func:`dimer_samples` draws occupation differences and interactions and returns
  the exact off-diagonal element from ``course_utils.lattice`` (Carrascal, Ferrer, Smith and Burke, J. Phys.:
  Condens. Matter 27, 393001 (2015)). :func:`dimer_bound` is the N-representability bound of the spin-summed
  element, which is also the U = 0 (Kohn-Sham) curve; :func:`strong_coupling_gamma` the U -> infinity limit;
  :func:`interpolating_gamma` a one-parameter form that joins them (read off a network in the notebook);
  :func:`bond_bound` the same bound for a bond of a longer chain, whose sites need not hold two electrons.
* **Keras models.** :func:`dimer_network` (plain, or with site-exchange symmetry and the bound built in),
  :func:`rdm1_network` (a 1D convolutional network from the density to a 1-RDM whose diagonal *is* the
  density), and :class:`Trainer`, a compiled Adam loop with early stopping.
* **Continuum data.** :data:`RDM1_WELLS` (a :class:`course_utils.data.DatasetSpec`, name ``"rdm1_wells_1d"``): two
  electrons in random smooth wells, exact 1-RDMs; :func:`load_rdm1_wells` unpacks it.

TensorFlow and Keras are imported inside the functions that need them, so importing this module is light.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import data
from .._checks import as_int, as_number, as_real_array

# --------------------------------------------------------------------------------------------------------------
# The Hubbard dimer: exact data, bounds, limits, analytic form (numpy only)
# --------------------------------------------------------------------------------------------------------------

U_SCALE = 10.0
"""The networks see U / (U_SCALE t), so the inputs lie in [0, 1] for the range the course trains on."""


def dimer_samples(n_samples: int, *, u_max: float = 10.0, dn_max: float = 1.9, seed=0) -> dict[str, np.ndarray]:
    """Exact dimer points: ``delta_n`` uniform in [-dn_max, dn_max], ``U`` (units of t) uniform in [0, u_max].

    For each point the potential difference that produces ``delta_n`` is found by inverting the exact map
    (``lattice.dimer_potential_difference``), then the ground state gives the off-diagonal element.

    Returns
    -------
    dict with ``delta_n`` (n,), ``U`` (n,) (t = 1), ``delta_v`` (n,) and ``gamma_12`` (n,), the spin-summed
    off-diagonal element of the exact 1-RDM.
    """
    from .. import lattice

    n_samples = as_int(n_samples, "n_samples", minimum=1)
    u_max = as_number(u_max, "u_max", minimum=0.0)
    dn_max = as_number(dn_max, "dn_max", minimum=0.0, maximum=1.999)
    rng = np.random.default_rng(seed)
    delta_n = rng.uniform(-dn_max, dn_max, n_samples)
    U = rng.uniform(0.0, u_max, n_samples)
    delta_v = lattice.dimer_potential_difference(delta_n, U)
    state = lattice.dimer_ground_state(U, 1.0, delta_v)
    return {"delta_n": delta_n, "U": U, "delta_v": np.asarray(delta_v, float),
            "gamma_12": np.asarray(state.gamma_12, float)}


def exact_dimer_gamma(delta_n, U) -> np.ndarray:
    """The exact spin-summed gamma_12 of the dimer (t = 1) at occupation difference ``delta_n`` and ``U``.

    ``delta_n`` is clipped to |delta_n| <= 1.9999 (the inverse map needs |delta_n| < 2). Broadcasts.
    """
    from .. import lattice

    delta_n = np.clip(as_real_array(delta_n, "delta_n"), -1.9999, 1.9999)
    U = as_real_array(U, "U")
    delta_v = lattice.dimer_potential_difference(delta_n, U)
    return np.asarray(lattice.dimer_ground_state(U, 1.0, delta_v).gamma_12, float)


def dimer_bound(delta_n) -> np.ndarray:
    """The largest spin-summed |gamma_12| allowed by N-representability: sqrt(1 - (delta_n/2)^2) = sqrt(n_1 n_2).

    Per spin the 1-RDM is [[n_1/2, g/2], [g/2, n_2/2]]; its eigenvalues 1/2 +- sqrt((delta_n/4)^2 + (g/2)^2) lie
    in [0, 1] exactly when g^2 <= 1 - (delta_n/2)^2. The U = 0 (Kohn-Sham) dimer sits on this bound.
    """
    delta_n = as_real_array(delta_n, "delta_n")
    return np.sqrt(np.clip(1.0 - 0.25 * delta_n**2, 0.0, None))


def strong_coupling_gamma(delta_n) -> np.ndarray:
    """U -> infinity limit at fixed delta_n: sqrt(|delta_n| (1 - |delta_n|/2)) (spin-summed).

    With no double occupation on the emptier site, the singlet is a |20> + c |covalent> with a^2 = |delta_n|/2
    and c^2 = 1 - a^2, and gamma_12 = sqrt(2) a c.
    """
    a = np.abs(as_real_array(delta_n, "delta_n"))
    return np.sqrt(np.clip(a * (1.0 - 0.5 * a), 0.0, None))


def interpolating_gamma(delta_n, U, alpha: float = 32.0) -> np.ndarray:
    """One-parameter form gamma_0(dn) sqrt((2|dn| + c) / (2 + |dn| + c)), c = alpha t^2 / U^2.

    c -> infinity (U = 0) gives the Kohn-Sham curve gamma_0 = sqrt(1 - dn^2/4); c -> 0 (U -> infinity) the
    strong-coupling curve; at dn = 0 it gives 1 / sqrt(1 + 2 U^2 / alpha), which is the exact
    4t / sqrt(U^2 + 16 t^2) for alpha = 32. ``U`` in units of t; broadcasts.
    """
    delta_n = as_real_array(delta_n, "delta_n")
    U = np.abs(as_real_array(U, "U"))
    alpha = as_number(alpha, "alpha", minimum=0.0)
    a = np.abs(delta_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = alpha / U**2  # infinite at U = 0, where the ratio below is 1 (the Kohn-Sham curve)
        ratio = np.where(U == 0, 1.0, (2.0 * a + c) / (2.0 + a + c))
    return dimer_bound(delta_n) * np.sqrt(ratio)


def fit_alpha(delta_n, U, gamma_12) -> float:
    """Least-squares alpha of :func:`interpolating_gamma` for the points (delta_n, U, gamma_12); U > 0 only."""
    from scipy.optimize import least_squares

    delta_n, U, gamma_12 = (as_real_array(a, n) for a, n in ((delta_n, "delta_n"), (U, "U"), (gamma_12, "gamma_12")))
    keep = U > 0

    def residual(log_alpha):
        return interpolating_gamma(delta_n[keep], U[keep], float(np.exp(log_alpha[0]))) - gamma_12[keep]

    return float(np.exp(least_squares(residual, x0=[np.log(32.0)]).x[0]))


def bond_bound(n_i, n_j) -> np.ndarray:
    """N-representability bound of the spin-summed gamma_ij of a bond whose sites hold n_i, n_j electrons.

    Per spin (singlet-like, n_{i sigma} = n_i / 2) the 2x2 block of the 1-RDM must have eigenvalues in [0, 1]:
    |gamma_ij^sigma|^2 <= n_{i sigma} n_{j sigma} and <= (1 - n_{i sigma})(1 - n_{j sigma}). Spin-summed, that is
    2 min(sqrt(n_i n_j) / 2, sqrt((1 - n_i/2)(1 - n_j/2))). For a dimer with n_i + n_j = 2 both terms are equal
    and this is :func:`dimer_bound`.
    """
    a = as_real_array(n_i, "n_i") / 2.0
    b = as_real_array(n_j, "n_j") / 2.0
    return 2.0 * np.sqrt(np.clip(np.minimum(a * b, (1.0 - a) * (1.0 - b)), 0.0, None))


def dimer_inputs(delta_n, U) -> np.ndarray:
    """The (n, 2) float32 input of :func:`dimer_network`: columns delta_n and U (units of t)."""
    delta_n, U = np.broadcast_arrays(as_real_array(delta_n, "delta_n"), as_real_array(U, "U"))
    return np.stack([delta_n.ravel(), U.ravel()], axis=1).astype(np.float32)


# --------------------------------------------------------------------------------------------------------------
# Keras: layers and models (TensorFlow imported lazily)
# --------------------------------------------------------------------------------------------------------------

_LAYERS: dict = {}


def _layers() -> dict:
    """Define the custom Keras layers once, on first use (keeps TensorFlow out of ``import``)."""
    if _LAYERS:
        return _LAYERS
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="course_rdm")
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

    @keras.saving.register_keras_serializable(package="course_rdm")
    class BoundedGamma(keras.layers.Layer):
        """[inputs, logit] -> sqrt(1 - (delta_n/2)^2) * sigmoid(logit): 0 < gamma_12 < its N-representability
        bound, so both natural occupations of each spin stay in [0, 1] whatever the network does."""

        def call(self, inputs):
            x, logit = inputs
            bound = ops.sqrt(ops.maximum(1.0 - 0.25 * x[:, 0:1] ** 2, 0.0))
            return bound * ops.sigmoid(logit)

    @keras.saving.register_keras_serializable(package="course_rdm")
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

    _LAYERS.update(DimerFeatures=DimerFeatures, BoundedGamma=BoundedGamma, CoherentRDM1=CoherentRDM1)
    return _LAYERS


def dimer_network(*, constrained: bool = False, hidden=(32, 32), seed: int = 0):
    """A small Keras network for gamma_12(delta_n, U): input (batch, 2) = [delta_n, U/t], output (batch, 1).

    ``constrained=False``: a plain tanh perceptron with a linear output. ``constrained=True``: the same hidden
    layers, fed (delta_n/2)^2 (site-exchange symmetry) and closed by :class:`BoundedGamma` (N-representability).
    """
    import keras

    layers = _layers()
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((2,), name="delta_n_and_U")
    h = layers["DimerFeatures"](symmetric=constrained, name="features")(inputs)
    for i, width in enumerate(hidden):
        h = keras.layers.Dense(int(width), activation="tanh", name=f"hidden_{i}")(h)
    if constrained:
        logit = keras.layers.Dense(1, name="logit")(h)
        outputs = layers["BoundedGamma"](name="bounded_gamma")([inputs, logit])
        name = "constrained_dimer"
    else:
        outputs = keras.layers.Dense(1, name="gamma_12")(h)
        name = "plain_dimer"
    return keras.Model(inputs, outputs, name=name)


def predict(model, x, batch: int = 4096) -> np.ndarray:
    """Call ``model`` on ``x`` in batches and return float64 numpy (faster than ``model.predict`` for small
    inputs, which sets up a data pipeline on every call)."""
    x = np.asarray(x, dtype=np.float32)
    parts = [np.asarray(model(x[i:i + batch], training=False), dtype=float) for i in range(0, len(x), batch)]
    return np.concatenate(parts, axis=0)


def dimer_fraction(model, delta_n, U) -> np.ndarray:
    """gamma_12 / bound predicted by a dimer network: the fraction of the N-representability bound reached."""
    gamma = predict(model, dimer_inputs(delta_n, U))[:, 0]
    delta_n = np.broadcast_arrays(as_real_array(delta_n, "delta_n"), as_real_array(U, "U"))[0].ravel()
    return gamma / np.maximum(dimer_bound(delta_n), 1e-12)


class Trainer:
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


def rdm1_network(n_points: int, *, width: int = 16, features: int = 3, kernel: int = 5,
                 dilations=(1, 2, 4, 8), activation: str = "gelu", seed: int = 0):
    """Density (batch, n_points) -> 1-RDM (batch, n_points, n_points), diagonal equal to the density.

    A stack of dilated 1D convolutions turns the density into ``features`` channels f(x) per grid point (the
    receptive field, 1 + (kernel - 1) * sum(dilations) points, spans the box); :class:`CoherentRDM1` builds
    sqrt(n n') exp(-|f - f'|^2) from them. The density is fed as sqrt(n / max n) so that every sample's input
    lies in [0, 1].
    """
    import keras
    from keras import ops

    layers = _layers()
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
    rdm1 = layers["CoherentRDM1"](name="rdm1")([density, f])
    return keras.Model(density, rdm1, name="density_to_rdm1")


def rdm1_loss(kinetic_matrix, dx: float, *, kinetic_weight: float = 0.0):
    """Loss for :func:`rdm1_network`: mean squared error of the 1-RDM (bohr^-2) plus ``kinetic_weight`` times
    the squared error of the kinetic energy T = dx sum_ij K_ij gamma_ji (Ha^2), averaged over the batch."""
    import tensorflow as tf

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


def kinetic_energy(rdm1, kinetic_matrix, dx: float) -> np.ndarray:
    """T = dx sum_ij K_ij gamma_ji (Ha) of one 1-RDM (N, N) or a stack (..., N, N); K from ``system.kinetic_matrix``."""
    rdm1 = np.asarray(rdm1, dtype=float)
    return dx * np.einsum("ij,...ji->...", np.asarray(kinetic_matrix, float), rdm1)


def natural_occupations(rdm1, dx: float) -> np.ndarray:
    """Spin-summed natural occupations (decreasing) of one 1-RDM (N, N) or a stack (..., N, N) on a grid."""
    rdm1 = np.asarray(rdm1, dtype=float)
    return np.linalg.eigvalsh(0.5 * (rdm1 + np.swapaxes(rdm1, -1, -2)) * dx)[..., ::-1]


RDM1_PARAMS = {
    "n_points": 40,  # grid points on [-half_width, half_width]; hard walls one spacing outside
    "half_width": 8.0,  # bohr
    "n_wells": [1, 3],
    "depth": [1.0, 3.0],  # Ha
    "width": [0.5, 1.5],  # bohr
    "centre_spread": 4.0,  # bohr
    "softening": 1.0,  # soft-Coulomb 1 / sqrt(u^2 + a^2) between the electrons
    "stencil": 13,
    "seed": 404,
}
"""Generator parameters of the ``rdm1_wells_1d`` data set (Hartree atomic units)."""


def _rdm1_system(params: Mapping, index: int):
    from .. import onedim

    potentials = onedim.systems.random_wells(
        1, n_points=int(params["n_points"]), half_width=float(params["half_width"]),
        n_wells=tuple(params["n_wells"]), depth=tuple(params["depth"]), width=tuple(params["width"]),
        centre_spread=float(params["centre_spread"]), seed=np.random.default_rng([int(params["seed"]), int(index)]))
    interaction = onedim.interactions.soft_coulomb(float(params["softening"]))
    return potentials.system(0, "ud", interaction=interaction, stencil=int(params["stencil"]))


def _build_rdm1(params: Mapping, indices) -> dict[str, np.ndarray]:
    from .. import onedim

    n = int(params["n_points"])
    upper = np.triu_indices(n)
    out = {"v_ext": [], "density": [], "rdm1_upper": [], "energy": [], "kinetic_energy": []}
    for index in indices:
        system = _rdm1_system(params, int(index))
        result = onedim.exact.solve(system, spin="singlet")
        out["v_ext"].append(system.v_ext)
        out["density"].append(result.density)
        out["rdm1_upper"].append(result.rdm1[upper])
        out["energy"].append(result.energy)
        out["kinetic_energy"].append(result.kinetic_energy)
    return {"v_ext": np.array(out["v_ext"], np.float32), "density": np.array(out["density"], np.float32),
            "rdm1_upper": np.array(out["rdm1_upper"], np.float32), "energy": np.array(out["energy"]),
            "kinetic_energy": np.array(out["kinetic_energy"])}


RDM1_WELLS = data.DatasetSpec(
    name="rdm1_wells_1d",
    build=_build_rdm1,
    params=RDM1_PARAMS,
    n_samples=600,
    version=1,
    description="Two electrons (singlet, soft-Coulomb) in random 1-3 Gaussian wells on 40 points: exact densities "
                "and 1-RDMs (upper triangle, float32), energies and kinetic energies (Ha).",
)
"""The continuum data of notebook 04; register as ``"rdm1_wells_1d": "course_utils.learn.rdm:RDM1_WELLS"``."""


def load_rdm1_wells(*, progress: bool = False) -> dict[str, np.ndarray]:
    """The ``rdm1_wells_1d`` data set, unpacked: ``x`` (N,), ``dx``, ``kinetic_matrix`` (N, N) (Ha), ``v_ext``
    (M, N) (Ha), ``density`` (M, N) (1/bohr), ``rdm1`` (M, N, N) (1/bohr, full symmetric, float64),
    ``energy`` and ``kinetic_energy`` (M,) (Ha), ``natural_occupations`` (M, N), spin-summed, decreasing.

    Loads through :func:`course_utils.data.load` (building and caching it on first use, about 10 s).
    """
    arrays = data.load(RDM1_WELLS, progress=progress)
    params = RDM1_WELLS.params
    system = _rdm1_system(params, 0)
    n = int(params["n_points"])
    upper = arrays["rdm1_upper"].astype(float)
    rdm1 = np.zeros((len(upper), n, n))
    i, j = np.triu_indices(n)
    rdm1[:, i, j] = upper
    rdm1[:, j, i] = upper
    return {"x": np.array(system.x), "dx": float(system.dx), "kinetic_matrix": system.kinetic_matrix(),
            "v_ext": arrays["v_ext"].astype(float), "density": arrays["density"].astype(float), "rdm1": rdm1,
            "energy": arrays["energy"], "kinetic_energy": arrays["kinetic_energy"],
            "natural_occupations": natural_occupations(rdm1, float(system.dx))}
