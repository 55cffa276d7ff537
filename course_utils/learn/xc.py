"""Learned exchange-correlation functionals of 1D two-electron systems (notebook 06), in Keras.

Two parts, in Hartree atomic units (energies in Ha, lengths in bohr, densities in electrons/bohr):

* **Data** (numpy only). Two electrons (a singlet, ``"ud"``) interacting by the soft-Coulomb
  ``1/sqrt(u**2 + 1)`` (Wagner et al. 2012) in seeded random potentials, solved exactly
  (:func:`course_utils.onedim.exact.solve`); the exact Kohn-Sham potential of each density by reverse engineering
  (:func:`course_utils.onedim.reverse.solve`, constant fixed by the exact ionisation energy, ``eps_HOMO = -I``), and
  from it the exact xc potential ``v_xc = v_KS - v_ext - v_H`` and xc energy
  ``E_xc = E - T_s - E_H - integral v_ext n`` with ``T_s`` from the Kohn-Sham orbital. :func:`reference` does this
  for one system; :data:`XC_WELLS` (name ``"xc_wells_1d"``) is the cached data set of three families of
  potentials (:data:`FAMILIES`): ``"wells"`` (1-3 Gaussian wells, for training and a held-out test),
  ``"double"`` (two wells far apart: a stretched "molecule") and ``"shallow"`` (one wide shallow well: diffuse
  densities); the last two are never used in training. :func:`reflect` augments by the symmetry ``x -> -x``.
* **Models** (Keras 3 on TensorFlow, imported inside the functions). :class:`XCFunctional` learns the xc energy
  per electron ``eps_xc(x)`` from features of the density, ``E_xc = integral n eps_xc dx``, and returns the
  potential as the functional derivative ``v_xc(x_i) = (dE_xc/dn_i) / dx`` computed by ``tf.GradientTape``: the
  energy and the potential are consistent by construction. Feature maps: ``"local"`` (``n``),
  ``"semilocal"`` (``n`` and ``(dn/dx)**2``, both reflection-invariant) with a pointwise network, and
  :func:`convolutional_network` for a non-local model (:func:`build_model` makes any of the three).
  :func:`standard_split` and :func:`training_arrays` prepare the data, :func:`fit` trains on ``v_xc``
  (density-weighted, up to a constant) and ``E_xc`` with validation and early stopping, :func:`potential_errors`
  scores a functional on exact densities, and :func:`load_pretrained` returns the models stored by
  ``scripts/train_xc_models.py``.
* **Kohn-Sham** (numpy, TensorFlow for the model calls). :func:`as_xc` turns a model into the callable
  ``density -> (v_xc, E_xc)`` that :func:`course_utils.onedim.kohn_sham.solve` accepts; :func:`self_consistent`
  and :func:`scf_errors` run it and report failures instead of raising; :class:`RecordingXC` follows the residual
  of each iteration.

TensorFlow is imported only when a model is built, so importing this module stays light.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .. import data
from .._checks import as_int, as_number, one_of

# --------------------------------------------------------------------------------------------------------------
# Data: families of potentials, exact references, the cached data set
# --------------------------------------------------------------------------------------------------------------

FAMILIES: dict[str, dict] = {
    # the training family: 1-3 Gaussian wells (onedim.systems.random_wells)
    "wells": {"kind": "wells", "n_wells": [1, 3], "depth": [1.0, 4.0], "width": [0.5, 1.5], "centre_spread": 3.0},
    # two wells far apart: a stretched two-electron "molecule" (strong correlation), never trained on
    "double": {"kind": "double", "separation": [3.5, 5.5], "depth": [1.5, 3.0], "asymmetry": [-0.4, 0.4],
               "width": [0.6, 1.0], "offset": 0.5},
    # one wide, shallow well: diffuse densities below the training range, never trained on
    "shallow": {"kind": "wells", "n_wells": [1, 1], "depth": [0.4, 0.9], "width": [1.5, 2.5], "centre_spread": 1.0},
}
"""Generators of the three families of potentials (Ha, bohr)."""

DEFAULT_PARAMS = {
    "n_points": 100,  # grid points on [-half_width, half_width]; hard walls one spacing outside
    "half_width": 8.0,  # bohr
    "stencil": 13,  # kinetic finite differences
    "softening": 1.0,  # soft-Coulomb 1/sqrt(u^2 + a^2): the interaction the 1D LDA is parameterised for
    "exact_tol": 1e-10,  # residual of the exact eigensolver (Ha)
    "counts": {"wells": 300, "double": 40, "shallow": 40},  # samples per family, in this order
    "families": FAMILIES,
    "seed": 606,
}
"""Generator parameters of the ``xc_wells_1d`` data set."""

FAMILY_NAMES = tuple(DEFAULT_PARAMS["counts"])
"""Family names in the order of the data set's samples (``family`` array holds their index)."""


def grid(params: Mapping | None = None) -> np.ndarray:
    """The grid ``linspace(-half_width, half_width, n_points)`` (bohr), shape ``(N,)``; symmetric about 0, so
    ``array[::-1]`` is the reflection ``x -> -x``."""
    p = DEFAULT_PARAMS if params is None else params
    return np.linspace(-float(p["half_width"]), float(p["half_width"]), int(p["n_points"]))


def family_potential(family: str, rng, x=None, params: Mapping | None = None) -> np.ndarray:
    """One random potential (Ha), shape ``(N,)``, of a family of :data:`FAMILIES`, drawn with ``rng`` (a numpy
    ``Generator`` or an int seed)."""
    from ..onedim import systems

    p = DEFAULT_PARAMS if params is None else params
    families = p["families"]
    one_of(family, "family", tuple(families))
    spec = families[family]
    x = grid(p) if x is None else np.asarray(x, dtype=float)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(as_int(rng, "rng", minimum=0))
    if spec["kind"] == "wells":
        half_width = float(x[-1])
        pot = systems.random_wells(1, n_points=x.size, half_width=half_width, n_wells=tuple(spec["n_wells"]),
                                   depth=tuple(spec["depth"]), width=tuple(spec["width"]),
                                   centre_spread=float(spec["centre_spread"]), seed=rng)
        return np.array(pot.v_ext[0])
    separation = rng.uniform(*spec["separation"])
    depth = rng.uniform(*spec["depth"]) + np.array([-0.5, 0.5]) * rng.uniform(*spec["asymmetry"])
    width = rng.uniform(*spec["width"], size=2)
    centre = rng.uniform(-spec["offset"], spec["offset"]) + np.array([-0.5, 0.5]) * separation
    return gaussian_wells(x, depth, width, centre)


def gaussian_wells(x, depth, width, centre) -> np.ndarray:
    """``v(x) = -sum_k depth_k exp(-(x - centre_k)**2 / (2 width_k**2))`` (Ha) on the grid ``x`` (bohr)."""
    x = np.asarray(x, dtype=float)
    depth, width, centre = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (depth, width, centre))
    return -np.sum(depth[:, None] * np.exp(-((x - centre[:, None]) ** 2) / (2.0 * width[:, None] ** 2)), axis=0)


def make_system(v_ext, params: Mapping | None = None):
    """The two-electron singlet ``System`` of the data set's grid and interaction in the potential ``v_ext``."""
    from .. import onedim

    p = DEFAULT_PARAMS if params is None else params
    return onedim.System(grid(p), v_ext, onedim.interactions.soft_coulomb(float(p["softening"])), "ud",
                         stencil=int(p["stencil"]))


def reference(system, *, exact_tol: float = 1e-10) -> dict:
    """Exact ground state and exact Kohn-Sham quantities of a two-electron system.

    Returns a dict: ``energy`` E (Ha), ``density`` n (1/bohr, (N,)), ``ionisation_energy`` I = E(1e) - E(2e) (Ha),
    ``v_ks``, ``v_hartree``, ``v_xc`` (Ha, (N,)) with the constant fixed by ``eps_HOMO = -I``, ``kinetic_energy_ks``
    T_s, ``hartree_energy`` E_H, ``external_energy`` integral v_ext n, ``xc_energy``
    E_xc = E - T_s - E_H - integral v_ext n (all Ha), and ``inversion_error`` integral |n_KS - n| dx (electrons).
    """
    from .. import onedim

    exact = onedim.exact.solve(system, tol=exact_tol)
    ion = onedim.exact.solve(system.with_electrons("u"), tol=exact_tol)
    ionisation = ion.energy - exact.energy
    ks = onedim.reverse.solve(system, exact.density, ionisation_energy=ionisation)
    phi = ks.orbitals[:, 0]  # normalised: sum(phi**2) dx = 1; both electrons occupy it
    kinetic_ks = 2.0 * float(phi @ system.kinetic_matrix() @ phi) * system.dx
    e_h = onedim.kohn_sham.hartree_energy(system, exact.density)
    e_ext = float(system.v_ext @ exact.density) * system.dx
    return {"energy": exact.energy, "density": exact.density, "ionisation_energy": ionisation, "v_ks": ks.v_ks,
            "v_hartree": ks.v_hartree, "v_xc": ks.v_xc, "kinetic_energy_ks": kinetic_ks, "hartree_energy": e_h,
            "external_energy": e_ext, "xc_energy": exact.energy - kinetic_ks - e_h - e_ext,
            "inversion_error": ks.density_error}


def sample_family(index: int, params: Mapping | None = None) -> str:
    """The family of sample ``index`` of the data set (families follow each other in :data:`FAMILY_NAMES`)."""
    p = DEFAULT_PARAMS if params is None else params
    index = as_int(index, "index", minimum=0)
    start = 0
    for name, count in p["counts"].items():
        if index < start + int(count):
            return name
        start += int(count)
    raise ValueError(f"index {index} is beyond the {start} samples of the data set")


def sample_potential(index: int, params: Mapping | None = None) -> np.ndarray:
    """The external potential (Ha), shape ``(N,)``, of sample ``index``: drawn by
    ``numpy.random.default_rng([seed, index])``, so it depends on nothing but the parameters and the index."""
    p = DEFAULT_PARAMS if params is None else params
    rng = np.random.default_rng([int(p["seed"]), int(index)])
    return family_potential(sample_family(index, p), rng, params=p)


_FIELDS = ("energy", "ionisation_energy", "kinetic_energy_ks", "hartree_energy", "external_energy", "xc_energy",
           "inversion_error")


def _build(params: Mapping, indices) -> dict[str, np.ndarray]:
    names = list(params["counts"])
    rows = {key: [] for key in ("family", "v_ext", "density", "v_xc", *_FIELDS)}
    for index in np.atleast_1d(indices):
        v_ext = sample_potential(int(index), params)
        ref = reference(make_system(v_ext, params), exact_tol=float(params["exact_tol"]))
        rows["family"].append(names.index(sample_family(int(index), params)))
        rows["v_ext"].append(v_ext)
        for key in ("density", "v_xc", *_FIELDS):
            rows[key].append(ref[key])
    out = {key: np.array(value, dtype=float) for key, value in rows.items()}
    out["family"] = np.array(rows["family"], dtype=np.int64)
    return out


XC_WELLS = data.DatasetSpec(
    name="xc_wells_1d",
    build=_build,
    params=DEFAULT_PARAMS,
    n_samples=int(sum(DEFAULT_PARAMS["counts"].values())),
    version=1,
    description="Two soft-Coulomb electrons (singlet) in random 1D potentials of three families (wells: 1-3 "
                "Gaussian wells; double: two wells 4-7 bohr apart; shallow: one wide shallow well) on 100 points "
                "in [-8, 8] bohr: exact energies and densities, exact Kohn-Sham xc potentials by reverse "
                "engineering (eps_HOMO = -I) and exact xc energies (Ha).",
)
"""The data set of notebook 06; register as ``"xc_wells_1d": "course_utils.learn.xc:XC_WELLS"``."""


def load_xc_data(*, progress: bool = True) -> dict[str, np.ndarray]:
    """The ``xc_wells_1d`` data set (built and cached on first use, about a minute), plus ``x`` (N,), ``dx`` and
    ``family_names``. Arrays (M samples): ``family`` (M,) index into ``family_names``; ``v_ext``, ``density``,
    ``v_xc`` (M, N); ``energy``, ``ionisation_energy``, ``kinetic_energy_ks``, ``hartree_energy``,
    ``external_energy``, ``xc_energy``, ``inversion_error`` (M,)."""
    arrays = dict(data.load(XC_WELLS, progress=progress))
    arrays["x"] = grid(XC_WELLS.params)
    arrays["dx"] = float(arrays["x"][1] - arrays["x"][0])
    arrays["family_names"] = np.array(list(XC_WELLS.params["counts"]))
    return arrays


def reflect(*arrays):
    """The mirror images ``x -> -x`` of arrays of grid functions (last axis the grid, symmetric about 0).

    ``reflect(density, v_xc)`` returns ``(density[..., ::-1], v_xc[..., ::-1])``; scalars per sample (energies)
    are unchanged by the reflection and need no call. One array in, one array out.
    """
    out = tuple(np.ascontiguousarray(np.asarray(a)[..., ::-1]) for a in arrays)
    return out[0] if len(out) == 1 else out


def split_indices(indices, fractions=(0.7, 0.15, 0.15), seed: int = 0) -> tuple[np.ndarray, ...]:
    """Shuffle ``indices`` (one per *potential*) with a seeded generator and cut them into disjoint parts with
    the given fractions (train, validation, test by default). Split potentials first, augment afterwards: a
    mirror image of a test potential must not be in the training set."""
    indices = np.asarray(indices)
    fractions = np.asarray(fractions, dtype=float)
    if fractions.ndim != 1 or np.any(fractions <= 0) or abs(fractions.sum() - 1.0) > 1e-9:
        raise ValueError(f"fractions must be positive and sum to 1, got {fractions.tolist()}")
    shuffled = np.random.default_rng(seed).permutation(indices)
    cuts = np.round(np.cumsum(fractions)[:-1] * len(shuffled)).astype(int)
    return tuple(np.sort(part) for part in np.split(shuffled, cuts))


def density_error(density, reference_density, dx: float) -> float:
    """``integral |n - n_ref| dx`` (electrons): the density error used throughout the notebook."""
    return float(np.sum(np.abs(np.asarray(density) - np.asarray(reference_density))) * as_number(dx, "dx"))


# --------------------------------------------------------------------------------------------------------------
# Keras models (TensorFlow imported lazily)
# --------------------------------------------------------------------------------------------------------------

PACKAGE = "course_xc"
FEATURE_KINDS = ("local", "semilocal")
_CLASSES: dict = {}


def derivative_features(density, dx: float, scales=(1.0, 1.0)):
    """Semi-local features of densities ``(..., N)``: ``[n, (dn/dx)**2]`` divided by ``scales``, shape
    ``(..., N, 2)``. The slope is a central difference with ``n = 0`` beyond the walls; both features are unchanged
    by the reflection ``x -> -x`` (the slope changes sign, its square does not), so a model built on them is
    reflection-symmetric by construction. Works on numpy arrays and on TensorFlow tensors (through ``keras.ops``)."""
    if isinstance(density, (np.ndarray, list, tuple)) or np.isscalar(density):
        ops, n = np, np.asarray(density, dtype=float)
        padded = np.pad(n, [(0, 0)] * (n.ndim - 1) + [(1, 1)])
    else:
        from keras import ops

        n = density
        padded = ops.pad(n, [[0, 0]] * (len(n.shape) - 1) + [[1, 1]])
    slope = (padded[..., 2:] - padded[..., :-2]) / (2.0 * dx)
    s = [float(v) for v in scales]
    return ops.stack([n / s[0], slope**2 / s[1]], axis=-1)


def feature_scales(densities, dx: float) -> list[float]:
    """Root-mean-square of each semi-local feature over a set of densities ``(M, N)``: pass it to the model so
    that its inputs are of order one (computed on the training set only)."""
    f = derivative_features(np.asarray(densities, dtype=float), dx)
    return [float(np.sqrt(np.mean(f[..., k] ** 2))) for k in range(f.shape[-1])]


def _classes() -> dict:
    """Define the Keras classes once, on first use (keeps TensorFlow out of ``import``)."""
    if _CLASSES:
        return _CLASSES
    import keras
    import tensorflow as tf
    from keras import ops

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

    _CLASSES.update(XCFunctional=XCFunctional)
    return _CLASSES


def pointwise_network(n_features: int = 1, hidden=(16, 16), activation: str = "tanh", seed: int = 0,
                      dtype: str = "float64"):
    """A perceptron applied at every grid point separately: ``(batch, N, F) -> (batch, N, 1)`` (Dense layers act on
    the last axis). Smooth activations only: ``v_xc`` is a derivative of the network."""
    import keras

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
    import keras

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
    cls = _classes()["XCFunctional"]
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


TRAINING = {
    "split_seed": 0,  # the split of the "wells" potentials into train / validation / test
    "fractions": [0.7, 0.15, 0.15],
    "augment": True,  # add the mirror images x -> -x of the training samples (after the split)
    "learning_rate": 3e-3,
    "batch_size": 32,
    "max_epochs": 600,
    "patience": 40,  # early stopping: epochs without a better validation loss
    "energy_weight": 1.0,
    "seed": 0,  # weights initialisation and shuffling
}
"""Training settings shared by ``scripts/train_xc_models.py`` and the notebook."""


def standard_split(arrays: Mapping, settings: Mapping | None = None) -> dict[str, np.ndarray]:
    """Indices of the data set for the notebook's experiments: ``train``, ``validation``, ``test`` (the "wells"
    family, split by potential) and the families never trained on, ``double`` and ``shallow``."""
    t = TRAINING if settings is None else settings
    names = [str(n) for n in arrays["family_names"]]
    family = np.asarray(arrays["family"])
    wells = np.flatnonzero(family == names.index("wells"))
    train, validation, test = split_indices(wells, t["fractions"], seed=int(t["split_seed"]))
    return {"train": train, "validation": validation, "test": test,
            "double": np.flatnonzero(family == names.index("double")),
            "shallow": np.flatnonzero(family == names.index("shallow"))}


def training_arrays(arrays: Mapping, indices, *, augment: bool = False):
    """``(densities (M, N), {"v_xc": (M, N), "xc_energy": (M,)})`` of the samples ``indices``, followed by their
    mirror images when ``augment`` (then M is twice the number of indices). Augment *after* splitting."""
    indices = np.asarray(indices)
    density, v_xc = arrays["density"][indices], arrays["v_xc"][indices]
    energy = arrays["xc_energy"][indices]
    if augment:
        mirror_density, mirror_v = reflect(density, v_xc)
        density = np.concatenate([density, mirror_density])
        v_xc = np.concatenate([v_xc, mirror_v])
        energy = np.concatenate([energy, energy])
    return density, {"v_xc": v_xc, "xc_energy": energy}


def fit(model, train, validation, *, learning_rate: float = TRAINING["learning_rate"],
        batch_size: int = TRAINING["batch_size"], max_epochs: int = TRAINING["max_epochs"],
        patience: int = TRAINING["patience"], seed: int = TRAINING["seed"], verbose: int = 0) -> dict:
    """``model.compile`` (Adam) and ``model.fit`` with validation data and early stopping (the best weights are
    restored). ``train`` and ``validation`` are ``(densities, targets)`` pairs from :func:`training_arrays`.
    Returns the history: ``loss``, ``v_loss``, ``e_loss`` and their ``val_`` counterparts per epoch (Ha^2)."""
    import keras

    keras.utils.set_random_seed(int(seed))
    model.compile(optimizer=keras.optimizers.Adam(as_number(learning_rate, "learning_rate", minimum=0.0,
                                                            strict_minimum=True)))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=as_int(patience, "patience", minimum=1),
                                         restore_best_weights=True)
    history = model.fit(train[0], train[1], validation_data=validation, epochs=as_int(max_epochs, "max_epochs"),
                        batch_size=as_int(batch_size, "batch_size", minimum=1), shuffle=True, verbose=verbose,
                        callbacks=[stop])
    return {key: np.asarray(value, dtype=float) for key, value in history.history.items()}


def potential_errors(model_or_xc, densities, v_xc_exact, xc_energy_exact, dx: float) -> dict[str, np.ndarray]:
    """Errors of a functional evaluated *on the exact densities* (no self-consistency), per sample:
    ``v_rms`` = sqrt(integral n (v - v_exact - c)^2 dx / integral n dx), the density-weighted RMS potential error
    (Ha) up to the constant c that best aligns them (a constant changes no density), and ``e_error`` =
    E_xc - E_xc,exact (Ha).
    ``model_or_xc`` is an :class:`XCFunctional` (called in one batch) or a callable ``density -> (v, E)``."""
    densities = np.atleast_2d(np.asarray(densities, dtype=float))
    if hasattr(model_or_xc, "energy_per_electron"):
        out = model_or_xc(densities)
        v, e = np.asarray(out["v_xc"]), np.asarray(out["xc_energy"])
    else:
        pairs = [model_or_xc(n) for n in densities]
        v = np.array([p[0] for p in pairs])
        e = np.array([p[1] for p in pairs])
    error = v - np.asarray(v_xc_exact, dtype=float)
    electrons = densities.sum(axis=1) * dx
    error -= (np.sum(densities * error, axis=1) * dx / electrons)[:, None]
    v_rms = np.sqrt(np.sum(densities * error**2, axis=1) * dx / electrons)
    return {"v_rms": v_rms, "e_error": e - np.asarray(xc_energy_exact, dtype=float)}


PRETRAINED = Path(data.DATA_DIR) / "xc_models"
"""Stem of the stored models: ``xc_models.npz`` (weights) and ``xc_models.json`` (command, settings, metrics,
training histories), written by ``scripts/train_xc_models.py``."""


def pretrained_info() -> dict:
    """The JSON record of the stored models (how they were trained and what they scored)."""
    path = PRETRAINED.with_suffix(".json")
    if not path.exists():
        raise FileNotFoundError(f"no stored models at {path}; run scripts/train_xc_models.py")
    return json.loads(path.read_text())


def load_pretrained(kind: str):
    """A model of ``kind`` with the weights trained by ``scripts/train_xc_models.py``."""
    one_of(kind, "kind", MODEL_KINDS)
    info = pretrained_info()["models"][kind]
    model = build_model(kind, info["dx"], scales=info.get("scales"))
    model(np.zeros((1, int(info["n_points"]))))  # build the weights
    with np.load(PRETRAINED.with_suffix(".npz"), allow_pickle=False) as stored:
        weights = [stored[f"{kind}/{i:03d}"] for i in range(int(info["n_weights"]))]
    model.set_weights(weights)
    return model


# --------------------------------------------------------------------------------------------------------------
# Learned functionals inside the Kohn-Sham loop
# --------------------------------------------------------------------------------------------------------------


def as_xc(model, n_points: int | None = None):
    """The callable ``density (N,) -> (v_xc (N,), E_xc)`` that :func:`course_utils.onedim.kohn_sham.solve`
    accepts, from a model returning ``{"v_xc", "xc_energy"}`` (an :class:`XCFunctional`). The model runs in a
    compiled ``tf.function`` (about a millisecond per call instead of tens in eager mode)."""
    import tensorflow as tf

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


def lda_xc(dx: float):
    """The soft-Coulomb LDA (Helbig et al. 2011) as a callable ``density -> (v_xc, E_xc)`` on a grid of spacing
    ``dx`` (bohr), for side-by-side use with learned functionals."""
    from ..onedim import lda

    functional = lda.SoftCoulombLDA()
    dx = as_number(dx, "dx", minimum=0.0, strict_minimum=True)

    def xc(density):
        return functional(density, dx)

    xc.__name__ = "LDA"
    return xc


class RecordingXC:
    """Wrap an xc callable and record every density it is evaluated at, to follow a Kohn-Sham SCF.

    ``onedim.kohn_sham.solve`` evaluates the functional twice per iteration: at the input density ``n_in`` (for
    the potential) and at the output density ``n_out`` (for the energy), so :meth:`residuals` returns
    ``integral |n_out - n_in| dx`` per iteration, the residual the solver tests for convergence.
    """

    def __init__(self, xc, dx: float):
        if not callable(xc):
            raise TypeError(f"xc must be a callable density -> (v_xc, E_xc), got {type(xc).__name__}")
        self.xc, self.dx = xc, as_number(dx, "dx", minimum=0.0, strict_minimum=True)
        self.__name__ = getattr(xc, "__name__", "xc")
        self.densities: list[np.ndarray] = []

    def __call__(self, density):
        self.densities.append(np.array(density, dtype=float))
        return self.xc(density)

    def residuals(self) -> np.ndarray:
        """``integral |n_out - n_in| dx`` (electrons) of each completed iteration."""
        pairs = len(self.densities) // 2
        return np.array([np.sum(np.abs(self.densities[2 * k + 1] - self.densities[2 * k])) * self.dx
                         for k in range(pairs)])


def self_consistent(system, xc, **options) -> dict:
    """Run :func:`course_utils.onedim.kohn_sham.solve` and report instead of raising: a dict with ``converged``,
    ``result`` (the ``KohnShamResult`` or ``None``), ``iterations`` and ``message`` (the error when it failed)."""
    from .._checks import ConvergenceError
    from ..onedim import kohn_sham

    try:
        result = kohn_sham.solve(system, xc=xc, **options)
    except (ConvergenceError, FloatingPointError, np.linalg.LinAlgError, ValueError) as error:
        return {"converged": False, "result": None, "iterations": options.get("max_iterations", 300),
                "message": f"{type(error).__name__}: {error}"}
    return {"converged": True, "result": result, "iterations": result.iterations, "message": ""}


def scf_errors(systems, exact_densities, exact_energies, functionals: Mapping, *, progress: bool = True,
               **options) -> dict:
    """Self-consistent density and energy errors of several functionals on several systems.

    Args:
        systems: list of ``onedim.System``.
        exact_densities, exact_energies: the exact answers, shapes ``(M, N)`` (1/bohr) and ``(M,)`` (Ha).
        functionals: ``{name: xc}`` with anything ``kohn_sham.solve`` accepts (``"lda"``, ``"exx"``, callables).
        options: passed to ``kohn_sham.solve`` (``mixing``, ``max_iterations``, ...).

    Returns:
        ``{name: {"density_error" (M,) electrons, "energy_error" (M,) Ha (E - E_exact), "iterations" (M,),
        "converged" (M,) bool, "density" (M, N)}}``; failed runs have ``nan`` errors.
    """
    systems = list(systems)
    exact_densities = np.asarray(exact_densities, dtype=float)
    exact_energies = np.asarray(exact_energies, dtype=float)
    if exact_densities.shape[0] != len(systems) or exact_energies.shape != (len(systems),):
        raise ValueError(f"need one exact density and energy per system: {len(systems)} systems, densities "
                         f"{exact_densities.shape}, energies {exact_energies.shape}")
    out = {}
    jobs = [(name, i) for name in functionals for i in range(len(systems))]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="self-consistent runs", unit="run")
    for name in functionals:
        m, n = len(systems), exact_densities.shape[1]
        out[name] = {"density_error": np.full(m, np.nan), "energy_error": np.full(m, np.nan),
                     "iterations": np.zeros(m, dtype=int), "converged": np.zeros(m, dtype=bool),
                     "density": np.full((m, n), np.nan)}
    for name, i in jobs:
        run = self_consistent(systems[i], functionals[name], **options)
        row = out[name]
        row["iterations"][i] = run["iterations"]
        row["converged"][i] = run["converged"]
        if run["converged"]:
            result = run["result"]
            row["density"][i] = result.density
            row["density_error"][i] = density_error(result.density, exact_densities[i], systems[i].dx)
            row["energy_error"][i] = result.energy - exact_energies[i]
    return out


def __getattr__(name: str):
    # The Keras classes are created on first use (TensorFlow is imported then): xc.XCFunctional
    if name == "XCFunctional":
        return _classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
