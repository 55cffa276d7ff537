"""Networks that predict photoemission-like spectra from molecular structure (notebook 08).

This module imports Keras (and so TensorFlow) when it is imported; ``import course_utils`` never imports it.

Two routes, after K. Ghosh et al., Adv. Sci. 6, 1801367 (2019) (whole spectra) and J. Westermayr, R. J. Maurer,
Chem. Sci. 12, 10755 (2021) (orbital energies first):

* **whole spectrum**: the network outputs the broadened spectrum on the fixed grid of
  :data:`course_utils.atoms.spectra.GRID` (200 points), trained with the mean squared error over the grid --
  :func:`build_mlp` (a dense network on the Coulomb matrix), :func:`build_conv` (the same input, and an output
  network of 1D convolutions that builds the spectrum from a coarse one, so neighbouring grid points are made
  together), :class:`SchNetSpectrum` (notebook 07's SchNet interaction layers as a learned representation, and an
  atom-wise head whose per-atom spectra are summed: a spectrum of more atoms has more levels);
* **discrete levels**: :func:`build_levels` outputs the binding energies of the occupied levels, lowest first,
  sorted by construction (:class:`SortedLevels`); only as many as the molecule has count in the loss
  (:func:`masked_mse`); the spectrum is broadened afterwards with the known number of levels.

:func:`split` makes the course's split of ``molecules_small``; :func:`inputs` the arrays each model takes;
:func:`predict_spectra` returns spectra for any of the four models; :func:`load_pretrained` the models trained by
``scripts/train_spectra.py``. Units: eV; spectra in 1/eV; positions in Angstrom.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import keras
import numpy as np
from keras import ops

from .._checks import _describe, as_int, one_of
from ..atoms import spectra as physics
from . import schnet
from .training import load_weights, save_weights

__all__ = ["MODEL_NAMES", "N_GRID", "N_LEVELS", "CM_SIZE", "HELD_OUT_GROUP", "build_mlp", "build_conv",
           "build_levels", "build", "adapt", "Standardize", "SortedLevels", "SchNetSpectrum", "masked_mse", "split",
           "inputs", "targets",
           "predict_spectra", "pretrained_paths", "load_pretrained", "save_weights", "load_weights"]

N_GRID = len(physics.GRID)
"""Points of the spectrum grid (200)."""
N_LEVELS = 27
"""The most occupied levels of any molecule of ``molecules_small`` (the levels model predicts this many)."""
CM_SIZE = 29
"""Atoms the Coulomb matrix is padded to (``molecules_small``'s ``max_atoms``), so larger molecules fit too."""
MODEL_NAMES = ("cm_mlp", "cm_conv", "schnet", "cm_levels")
"""The four models of notebook 08: Coulomb matrix + MLP, Coulomb matrix + 1D-convolutional output, SchNet layers
+ spectrum head, Coulomb matrix + MLP predicting the levels."""
HELD_OUT_GROUP = "nitrile"
"""The functional group kept out of training (:func:`split`): its molecules form the screening pool."""
PACKAGE = schnet.PACKAGE


def _dense_stack(x, hidden, name):
    for k, width in enumerate(hidden):
        x = keras.layers.Dense(as_int(width, "hidden width", minimum=1), activation="relu", name=f"{name}_{k}")(x)
    return x


@keras.saving.register_keras_serializable(package=PACKAGE)
class Standardize(keras.layers.Layer):
    """``(x - mean) / scale`` per feature, with ``mean`` and ``scale`` non-trainable weights set from training data
    by :meth:`adapt` (so they are saved with the model). ``scale`` is the standard deviation, but at least
    ``min_scale``: a Coulomb-matrix entry that is zero in every training molecule (padding of atoms no training
    molecule has) must not blow up when a larger molecule fills it."""

    def __init__(self, min_scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.min_scale = float(min_scale)

    def build(self, input_shape):
        n = int(input_shape[-1])
        self.mean = self.add_weight(shape=(n,), initializer="zeros", trainable=False, name="mean")
        self.scale = self.add_weight(shape=(n,), initializer="ones", trainable=False, name="scale")

    def adapt(self, x) -> None:
        """Set ``mean`` and ``scale`` from training inputs ``x`` (M, n)."""
        x = np.asarray(x, dtype=float)
        self.mean.assign(x.mean(axis=0).astype(self.mean.dtype))
        self.scale.assign(np.maximum(x.std(axis=0), self.min_scale).astype(self.scale.dtype))

    def call(self, x):
        return (ops.cast(x, self.compute_dtype) - self.mean) / self.scale

    def get_config(self):
        return {**super().get_config(), "min_scale": self.min_scale}


def _normalised_input(n_inputs, name):
    n_inputs = as_int(n_inputs, "n_inputs", minimum=1)
    x_in = keras.Input(shape=(n_inputs,), name=f"{name}_input")
    return x_in, Standardize(name=f"{name}_scale")(x_in)


def adapt(model, x) -> None:
    """Set the input standardisation of a Coulomb-matrix model from its training inputs (no-op for SchNet)."""
    for layer in model.layers:
        if isinstance(layer, Standardize):
            layer.adapt(x)


def build_mlp(n_inputs: int, n_outputs: int = N_GRID, *, hidden=(128, 128), seed: int = 0):
    """Dense network: descriptor (B, n_inputs) -> standardised -> ReLU layers ``hidden`` -> (B, n_outputs)."""
    keras.utils.set_random_seed(as_int(seed, "seed", minimum=0))
    x_in, x = _normalised_input(n_inputs, "mlp")
    x = _dense_stack(x, hidden, "mlp_dense")
    out = keras.layers.Dense(as_int(n_outputs, "n_outputs", minimum=1), name="mlp_out")(x)
    return keras.Model(x_in, out, name="cm_mlp")


def build_conv(n_inputs: int, n_outputs: int = N_GRID, *, hidden: int = 128, channels=(8, 8), kernel: int = 5,
               seed: int = 0):
    """Dense layer, then a 1D-convolutional output network: a coarse spectrum of ``n_outputs / 4`` points and
    ``channels[0]`` channels is upsampled twice (x2 each) with a convolution after each step, and a last convolution
    gives one channel: (B, n_inputs) -> (B, n_outputs). ``n_outputs`` must be divisible by 4."""
    keras.utils.set_random_seed(as_int(seed, "seed", minimum=0))
    n_outputs = as_int(n_outputs, "n_outputs", minimum=4)
    if n_outputs % 4:
        raise ValueError(f"n_outputs must be divisible by 4 (two upsamplings by 2), got {n_outputs}")
    if len(channels) != 2:
        raise ValueError(f"channels must be two numbers (coarse spectrum, after the first upsampling), got {channels}")
    kernel = as_int(kernel, "kernel", minimum=1)
    x_in, x = _normalised_input(n_inputs, "conv")
    x = keras.layers.Dense(as_int(hidden, "hidden", minimum=1), activation="relu", name="conv_dense")(x)
    coarse = n_outputs // 4
    x = keras.layers.Dense(coarse * channels[0], activation="relu", name="conv_coarse")(x)
    x = keras.layers.Reshape((coarse, channels[0]), name="conv_reshape")(x)
    x = keras.layers.UpSampling1D(2, name="conv_up_1")(x)
    x = keras.layers.Conv1D(channels[1], kernel, padding="same", activation="relu", name="conv_1")(x)
    x = keras.layers.UpSampling1D(2, name="conv_up_2")(x)
    x = keras.layers.Conv1D(1, kernel, padding="same", name="conv_2")(x)
    out = keras.layers.Reshape((n_outputs,), name="conv_out")(x)
    return keras.Model(x_in, out, name="cm_conv")


@keras.saving.register_keras_serializable(package=PACKAGE)
class SortedLevels(keras.layers.Layer):
    """Raw outputs (B, L) -> ascending binding energies (B, L), eV: ``E_1 = offset + scale u_1`` and
    ``E_k = E_{k-1} + softplus(u_k)`` (every spacing positive, so the levels come out sorted, HOMO first)."""

    def __init__(self, offset: float = 10.3, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.offset, self.scale = float(offset), float(scale)

    def call(self, raw):
        first = self.offset + self.scale * raw[:, :1]
        return ops.concatenate([first, first + ops.cumsum(ops.softplus(raw[:, 1:]), axis=1)], axis=1)

    def get_config(self):
        return {**super().get_config(), "offset": self.offset, "scale": self.scale}


def build_levels(n_inputs: int, n_levels: int = N_LEVELS, *, hidden=(128, 128), offset: float = 10.3,
                 seed: int = 0):
    """Dense network predicting ``n_levels`` sorted binding energies (eV, HOMO first) from a descriptor."""
    keras.utils.set_random_seed(as_int(seed, "seed", minimum=0))
    x_in, x = _normalised_input(n_inputs, "levels")
    x = _dense_stack(x, hidden, "levels_dense")
    raw = keras.layers.Dense(as_int(n_levels, "n_levels", minimum=1), name="levels_raw")(x)
    return keras.Model(x_in, SortedLevels(offset, name="levels_sorted")(raw), name="cm_levels")


def masked_mse(y_true, y_pred):
    """Mean squared error over the entries with ``y_true > 0`` (the molecule's real levels; padding is 0)."""
    mask = ops.cast(y_true > 0, y_pred.dtype)
    return ops.sum(mask * ops.square(y_true - y_pred)) / ops.maximum(ops.sum(mask), 1.0)


@keras.saving.register_keras_serializable(package=PACKAGE)
class SchNetSpectrum(keras.Model):
    """SchNet's representation (notebook 07's layers) with an atom-wise spectrum head.

    ``x_i`` after ``n_interactions`` interaction blocks -> ``s_i = Dense(ssp(Dense(x_i)))`` (n_grid values per atom)
    -> ``S = sum_i s_i`` over real atoms. Inputs as for :class:`course_utils.learn.schnet.SchNet`: a mapping with
    ``numbers`` (B, N) int (0 = padding) and ``positions`` (B, N, 3) Angstrom. Invariant under rotations,
    translations and permutations of like atoms, as SchNet is.
    """

    def __init__(self, n_features: int = 32, n_interactions: int = 2, n_rbf: int = 20, cutoff: float = 5.0,
                 n_grid: int = N_GRID, n_hidden: int = 64, max_z: int = 10, **kwargs):
        super().__init__(**kwargs)
        self.n_features = as_int(n_features, "n_features", minimum=1)
        self.n_interactions = as_int(n_interactions, "n_interactions", minimum=1)
        self.n_rbf = as_int(n_rbf, "n_rbf", minimum=2)
        self.cutoff = float(cutoff)
        self.n_grid = as_int(n_grid, "n_grid", minimum=1)
        self.n_hidden = as_int(n_hidden, "n_hidden", minimum=1)
        self.max_z = as_int(max_z, "max_z", minimum=1)
        self.embedding = schnet.AtomEmbedding(self.n_features, self.max_z, name="embedding")
        self.distances = schnet.PairDistances(self.cutoff, name="distances")
        self.rbf = schnet.GaussianRBF(self.n_rbf, self.cutoff, name="rbf")
        self.cutoff_function = schnet.CosineCutoff(self.cutoff, name="cutoff")
        self.interactions = [schnet.Interaction(self.n_features, self.n_features, name=f"interaction_{k}")
                             for k in range(self.n_interactions)]
        self.head_1 = keras.layers.Dense(self.n_hidden, name="head_1")
        self.head_2 = keras.layers.Dense(self.n_grid, name="head_2")

    def atom_spectra(self, inputs):
        """Each real atom's share of the spectrum (B, N, n_grid), zero on padding; they sum to :meth:`call`."""
        numbers, positions, neighbour_mask = schnet.split_inputs(inputs)
        features = schnet.interaction_features(self, numbers, positions, neighbour_mask)
        atom_mask = ops.cast(ops.cast(numbers, "int32") > 0, self.compute_dtype)
        return self.head_2(schnet.shifted_softplus(self.head_1(features))) * atom_mask[..., None]

    def call(self, inputs, training=False):
        return ops.sum(self.atom_spectra(inputs), axis=1)

    def get_config(self):
        return {"n_features": self.n_features, "n_interactions": self.n_interactions, "n_rbf": self.n_rbf,
                "cutoff": self.cutoff, "n_grid": self.n_grid, "n_hidden": self.n_hidden, "max_z": self.max_z,
                "name": self.name}


def build(name: str, *, seed: int = 0, **options):
    """A fresh model of notebook 08 by name (:data:`MODEL_NAMES`), weights created (seeded); ``options`` go to
    its builder. The Coulomb-matrix models take the sorted Coulomb matrix of :data:`CM_SIZE` atoms."""
    one_of(name, "name", MODEL_NAMES)
    n_cm = CM_SIZE * (CM_SIZE + 1) // 2
    if name == "cm_mlp":
        return build_mlp(n_cm, seed=seed, **options)
    if name == "cm_conv":
        return build_conv(n_cm, seed=seed, **options)
    if name == "cm_levels":
        return build_levels(n_cm, seed=seed, **options)
    keras.utils.set_random_seed(as_int(seed, "seed", minimum=0))
    model = SchNetSpectrum(**options)
    model({"numbers": np.ones((1, 2), np.int32), "positions": np.array([[[0.0, 0, 0], [0, 0, 1.0]]], np.float32)})
    return model


# ------------------------------------------------------------------------------------------------ data
def _check_arrays(arrays):
    if not isinstance(arrays, Mapping) or not {"split", "ok", "smiles", "numbers"} <= set(arrays):
        raise TypeError(f"arrays must be the molecules_small data set (data.load('molecules_small')), got "
                        f"{_describe(arrays)}")


def split(arrays, *, seed: int = 0, n_test: int = 400, n_validation: int = 200) -> dict[str, np.ndarray]:
    """Row indices into ``molecules_small`` for notebook 08.

    Among the main-split molecules that kept their connectivity, those with the group :data:`HELD_OUT_GROUP`
    (nitriles, C#N) are set aside as ``pool`` (chemistry the models never see: the screening pool). Of the others,
    a seeded permutation gives ``test`` (``n_test``), ``validation`` (``n_validation``, for early stopping) and
    ``train`` (the rest, in permuted order: a training set of size ``n`` is ``train[:n]``, so smaller sets are
    parts of larger ones). ``extrapolation``: the larger molecules (8 and 9 heavy atoms) of the extrapolation
    split. ``conformers``: the molecules of ``test`` with more than one stored conformer.
    """
    from ..atoms.chemspace import functional_groups

    _check_arrays(arrays)
    ok = np.asarray(arrays["ok"], dtype=bool)
    main = np.flatnonzero(ok & (np.asarray(arrays["split"]) == "main"))
    held = np.array([functional_groups(str(arrays["smiles"][i]))[HELD_OUT_GROUP] for i in main], dtype=bool)
    rest = main[~held]
    n_test = as_int(n_test, "n_test", minimum=1)
    n_validation = as_int(n_validation, "n_validation", minimum=1, maximum=len(rest) - n_test - 1)
    order = np.random.default_rng(as_int(seed, "seed", minimum=0)).permutation(rest)
    test = np.sort(order[:n_test])
    return {"train": order[n_test + n_validation:], "validation": np.sort(order[n_test:n_test + n_validation]),
            "test": test, "pool": main[held],
            "extrapolation": np.flatnonzero(ok & (np.asarray(arrays["split"]) == "extrapolation")),
            "conformers": test[np.asarray(arrays["n_conformers"])[test] > 1]}


def inputs(name: str, arrays, rows, *, start: bool = False, conformer: int | None = None):
    """What model ``name`` takes for molecules ``rows``: the sorted Coulomb matrix (M, 435) for the ``cm_*`` models,
    ``{"numbers", "positions"}`` (padded to the largest molecule of ``rows``) for ``schnet``.

    ``start=True`` uses the cheap ETKDG/MMFF geometries (``positions_start``) instead of the xTB minima;
    ``conformer=k`` the ``k``-th stored conformer (every row must have it).
    """
    from ..atoms.descriptors import coulomb_matrix

    one_of(name, "name", MODEL_NAMES)
    _check_arrays(arrays)
    rows = np.asarray(rows, dtype=int)
    if conformer is not None:
        conformer = as_int(conformer, "conformer", minimum=0)
        if np.any(np.asarray(arrays["n_conformers"])[rows] <= conformer):
            raise ValueError(f"not every molecule in rows has a conformer {conformer}")
        positions = np.asarray(arrays["conformer_positions"])[rows, conformer]
    else:
        positions = np.asarray(arrays["positions_start" if start else "positions"])[rows]
    numbers = np.asarray(arrays["numbers"])[rows]
    n = max(int(np.asarray(arrays["n_atoms"])[rows].max()), 2)
    numbers, positions = numbers[:, :n], positions[:, :n]
    if name == "schnet":
        return {"numbers": numbers.astype(np.int32), "positions": positions.astype(np.float32)}
    return coulomb_matrix(numbers, positions, size=CM_SIZE).astype(np.float32)


def targets(name: str, arrays, rows) -> np.ndarray:
    """The training targets of model ``name``: the reference spectra (M, 200) (1/eV) or, for ``cm_levels``, the
    binding energies of the occupied levels (M, 27) eV with 0 beyond each molecule's levels."""
    one_of(name, "name", MODEL_NAMES)
    _check_arrays(arrays)
    rows = np.asarray(rows, dtype=int)
    levels = physics.occupied_levels(np.asarray(arrays["orbital_energies"])[rows],
                                     np.asarray(arrays["occupations"])[rows], max_levels=N_LEVELS)
    if name == "cm_levels":
        return np.nan_to_num(levels, nan=0.0).astype(np.float32)
    return physics.broaden(levels).astype(np.float32)


def predict_spectra(name: str, model, x, numbers, *, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray | None]:
    """Spectra (M, 200) in 1/eV predicted by model ``name`` from its inputs ``x`` (:func:`inputs`), and for
    ``cm_levels`` the predicted levels (M, L) eV (NaN beyond each molecule's number of levels, which
    :func:`course_utils.atoms.spectra.valence_levels` gives from ``numbers`` (M, N)), else ``None``."""
    one_of(name, "name", MODEL_NAMES)
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    # direct calls, batch by batch: `model.predict` retraces (and warns) for every new input shape
    count = len(x["numbers"]) if isinstance(x, Mapping) else len(x)
    batches = []
    for start in range(0, count, batch_size):
        part = ({key: value[start:start + batch_size] for key, value in x.items()} if isinstance(x, Mapping)
                else x[start:start + batch_size])
        batches.append(np.asarray(model(part, training=False), dtype=float))
    out = np.concatenate(batches)
    if name != "cm_levels":
        return out, None
    count = physics.valence_levels(np.asarray(numbers))
    if count.max() > out.shape[1]:
        raise ValueError(f"a molecule has {int(count.max())} occupied levels; the model predicts {out.shape[1]}")
    levels = np.where(np.arange(out.shape[1])[None, :] < count[:, None], out, np.nan)
    return physics.broaden(levels), levels


# ------------------------------------------------------------------------------------------ shipped models
def pretrained_paths(name: str | None = None):
    """``(weights, record)``: ``course_utils/datasets/spectra_<name>.weights.npz`` and ``spectra_models.json``,
    written by ``scripts/train_spectra.py`` (``name=None``: the record only)."""
    from ..data import DATA_DIR

    record = DATA_DIR / "spectra_models.json"
    if name is None:
        return None, record
    return DATA_DIR / f"spectra_{one_of(name, 'name', MODEL_NAMES)}.weights.npz", record


def load_pretrained(name: str):
    """Model ``name`` as trained by ``scripts/train_spectra.py`` on the largest training set, and its record (a
    dict with the architecture, the recipe, the learning curve and the test errors). Checks the weights' and the
    data set's checksums (:func:`course_utils.data.verify_trained`)."""
    from .. import data

    weights, path = pretrained_paths(name)
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing in {path.parent}: run `python scripts/train_spectra.py`")
    full = json.loads(path.read_text())
    if name not in full["models"]:
        raise ValueError(f"no shipped model {name!r}; the record has {sorted(full['models'])}")
    record = full["models"][name]
    data.verify_trained(weights, record["weights_sha256"], full["data"]["name"], full["data"]["sha256"],
                        "python scripts/train_spectra.py")
    model = build(name, **record["options"])
    load_weights(model, weights)
    return model, {**record, "data": full["data"], "split": full["split"]}
