"""SchNet, built from its parts in Keras 3 (notebook 07: neural-network potentials).

This module imports Keras (and so TensorFlow) when it is imported; ``import course_utils`` never imports it.

SchNet (K. T. Schütt, P.-J. Kindermans, H. E. Sauceda, S. Chmiela, A. Tkatchenko, K.-R. Müller, NeurIPS 30
(2017), arXiv:1706.08566; K. T. Schütt, H. E. Sauceda, P.-J. Kindermans, A. Tkatchenko, K.-R. Müller,
J. Chem. Phys. 148, 241722 (2018), doi:10.1063/1.5019779) predicts the energy of a molecule as a sum of atomic
contributions computed from the atom types and the interatomic distances only, so it is invariant under
rotations, translations and permutations of like atoms by construction. The parts, one layer each:

* :class:`AtomEmbedding` -- each atom starts from a learned vector of its element, ``x_i = A[Z_i]``;
* :class:`PairDistances` -- distances ``r_ij`` of every pair of real atoms and the neighbour mask;
* :class:`GaussianRBF` -- the distance expanded on Gaussians ``exp(-(r_ij - mu_k)^2 / (2 sigma^2))``;
* :class:`CosineCutoff` -- ``f_c(r) = (1 + cos(pi r / r_c)) / 2`` for ``r < r_c``, else 0: it and its
  derivative vanish at the cutoff, so the energy and the forces are continuous when an atom leaves it;
* :class:`FilterNetwork` -- a small dense network turns the expanded distance into a filter ``W(r_ij)``
  (one weight per feature), multiplied by the cutoff and the neighbour mask;
* :class:`ContinuousFilterConvolution` -- ``(x * W)_i = sum_j x_j W(r_ij)`` (element-wise in the features):
  a convolution whose filter is a continuous function of the position, not a table on a grid;
* :class:`Interaction` -- atom-wise dense layer, continuous-filter convolution, two atom-wise dense layers,
  added to the atom's features (a residual update ``x_i <- x_i + v_i``);
* :class:`AtomwiseOutput` -- a dense network per atom giving a scalar ``y_i``;
* :class:`SchNet` -- the model: ``E = sum_i (energy_scale * y_i + e_ref[Z_i])`` over real atoms (eV).

Inputs (a mapping or a pair ``[numbers, positions]``, the form :class:`course_utils.atoms.calculators.KerasCalculator`
passes): ``numbers`` (B, N) int atomic numbers, **0 for padding**, and ``positions`` (B, N, 3) in Angstrom. A batch
of ethanol frames has N = 9 and no padding; molecules of different sizes are padded to a common N with
``numbers = 0``. An optional ``neighbour_mask`` (B, N, N) bool restricts the pairs further (it is combined with the
one built from the padding). Pairs are all pairs of a molecule (dense N x N), which is right for small molecules;
the cutoff makes far pairs contribute nothing.

Forces are ``-dE/dR`` by ``tf.GradientTape`` (:func:`energy_and_forces`), exactly conservative.
:func:`fit` trains energies and forces together with a weighted loss, validation and early stopping;
:func:`load_pretrained` returns the model trained by ``scripts/train_schnet.py``.

Units: eV, Angstrom, eV/Angstrom (as in :mod:`course_utils.atoms`). The shifted softplus
``ssp(x) = ln(e^x / 2 + 1/2)`` is SchNet's activation (smooth, ``ssp(0) = 0``).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .._checks import _describe, as_int, as_number, as_real_array
from .training import load_weights, save_weights  # noqa: F401  (part of this module's API)

PACKAGE = "course_utils"
"""The package name under which every Keras class of the course is registered."""

__all__ = ["AtomEmbedding", "PairDistances", "GaussianRBF", "CosineCutoff", "FilterNetwork",
           "ContinuousFilterConvolution", "Interaction", "AtomwiseOutput", "interaction_features", "SchNet",
           "shifted_softplus",
           "split_inputs", "energy_and_forces", "predict", "output_statistics", "build_model", "fit", "evaluate",
           "ethanol_split", "frames", "ETHANOL_VALIDATION",
           "save_weights", "load_weights", "pretrained_paths", "load_pretrained", "DEFAULT_MODEL", "DEFAULT_FIT",
           "EV_TO_KCAL_PER_MOL"]

EV_TO_KCAL_PER_MOL = 23.060547830619026
"""1 eV in kcal/mol (CODATA 2018, from ``course_utils.units``: HARTREE_TO_KCAL_PER_MOL / HARTREE_TO_EV)."""

_LOG_HALF = math.log(0.5)


def shifted_softplus(x):
    """SchNet's activation ``ln(e^x / 2 + 1/2) = softplus(x) - ln 2``: smooth, 0 at 0."""
    return ops.softplus(x) + ops.cast(_LOG_HALF, x.dtype)


def _positive_int(value, name):
    return as_int(value, name, minimum=1)


def _positive_number(value, name):
    return as_number(value, name, minimum=0.0, strict_minimum=True)


def split_inputs(inputs):
    """``(numbers, positions, neighbour_mask or None)`` from a mapping or a pair/triple ``[numbers, positions]``.

    Raises ``TypeError`` for anything else.
    """
    if isinstance(inputs, Mapping):
        missing = [key for key in ("numbers", "positions") if key not in inputs]
        if missing:
            raise TypeError(f"SchNet inputs need the keys 'numbers' and 'positions'; missing {missing}")
        return inputs["numbers"], inputs["positions"], inputs.get("neighbour_mask")
    if isinstance(inputs, (list, tuple)) and len(inputs) in (2, 3):
        return inputs[0], inputs[1], (inputs[2] if len(inputs) == 3 else None)
    raise TypeError("SchNet inputs must be a mapping with 'numbers' and 'positions' or a pair [numbers, positions], "
                    f"got {_describe(inputs)}")


@keras.saving.register_keras_serializable(package=PACKAGE)
class AtomEmbedding(keras.layers.Layer):
    """A learned vector per element: ``numbers`` (B, N) int -> features (B, N, n_features).

    Row ``Z`` of a table of ``max_z + 1`` rows is the start vector of an atom of atomic number ``Z``; padding
    atoms (``Z = 0``) get zeros. Atomic numbers above ``max_z`` raise an error when checked with
    :meth:`SchNet.check_inputs` (inside a compiled graph they would be clipped).
    """

    def __init__(self, n_features: int = 64, max_z: int = 10, **kwargs):
        super().__init__(**kwargs)
        self.n_features = _positive_int(n_features, "n_features")
        self.max_z = _positive_int(max_z, "max_z")
        self.table = keras.layers.Embedding(self.max_z + 1, self.n_features, dtype=self.dtype_policy, name="table")

    def call(self, numbers):
        numbers = ops.clip(ops.cast(numbers, "int32"), 0, self.max_z)
        real = ops.cast(numbers > 0, self.compute_dtype)[..., None]
        return self.table(numbers) * real

    def get_config(self):
        return {**super().get_config(), "n_features": self.n_features, "max_z": self.max_z}


@keras.saving.register_keras_serializable(package=PACKAGE)
class PairDistances(keras.layers.Layer):
    """Distances of all pairs and the neighbour mask.

    ``call(numbers (B, N), positions (B, N, 3) Angstrom, neighbour_mask=None)`` returns ``(distances (B, N, N)
    Angstrom, mask (B, N, N) float)``. ``mask[b, i, j]`` is 1 when atoms ``i != j`` are both real (``Z > 0``) and,
    if given, ``neighbour_mask[b, i, j]`` is true. Masked distances are set to ``cutoff`` (any finite value
    would do): the square root is never taken of 0, so the gradient with respect to the positions stays finite.
    """

    def __init__(self, cutoff: float = 5.0, **kwargs):
        super().__init__(**kwargs)
        self.cutoff = _positive_number(cutoff, "cutoff")

    def call(self, numbers, positions, neighbour_mask=None):
        positions = ops.cast(positions, self.compute_dtype)
        real = ops.cast(ops.cast(numbers, "int32") > 0, self.compute_dtype)
        n = ops.shape(positions)[1]
        off_diagonal = 1.0 - ops.eye(n, dtype=self.compute_dtype)
        mask = real[:, :, None] * real[:, None, :] * off_diagonal
        if neighbour_mask is not None:
            mask = mask * ops.cast(neighbour_mask, self.compute_dtype)
        difference = positions[:, :, None, :] - positions[:, None, :, :]
        squared = ops.sum(difference * difference, axis=-1)
        squared = ops.where(mask > 0, squared, ops.cast(self.cutoff**2, self.compute_dtype))
        return ops.sqrt(squared), mask

    def get_config(self):
        return {**super().get_config(), "cutoff": self.cutoff}


@keras.saving.register_keras_serializable(package=PACKAGE)
class GaussianRBF(keras.layers.Layer):
    """Gaussian radial basis: distances (...) Angstrom -> (..., n_rbf).

    ``exp(-(r - mu_k)^2 / (2 width^2))`` with ``n_rbf`` centres ``mu_k`` evenly spaced from 0 to ``cutoff``
    (Angstrom); ``width`` defaults to the spacing of the centres. Smooth in ``r``, so the forces are too.
    """

    def __init__(self, n_rbf: int = 25, cutoff: float = 5.0, width: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.n_rbf = as_int(n_rbf, "n_rbf", minimum=2)
        self.cutoff = _positive_number(cutoff, "cutoff")
        spacing = self.cutoff / (self.n_rbf - 1)
        self.width = spacing if width is None else _positive_number(width, "width")
        self.centres = np.linspace(0.0, self.cutoff, self.n_rbf)

    def call(self, distances):
        distances = ops.cast(distances, self.compute_dtype)[..., None]
        centres = ops.cast(self.centres, self.compute_dtype)
        return ops.exp(-ops.square(distances - centres) / ops.cast(2.0 * self.width**2, self.compute_dtype))

    def get_config(self):
        return {**super().get_config(), "n_rbf": self.n_rbf, "cutoff": self.cutoff, "width": self.width}


@keras.saving.register_keras_serializable(package=PACKAGE)
class CosineCutoff(keras.layers.Layer):
    """Smooth cutoff ``f_c(r) = (1 + cos(pi r / cutoff)) / 2`` for ``r < cutoff``, else 0: (...) -> (...).

    ``f_c`` falls from 1 at ``r = 0`` to 0 at the cutoff with zero slope there, so a pair that crosses the cutoff
    changes neither the energy nor the forces abruptly.
    """

    def __init__(self, cutoff: float = 5.0, **kwargs):
        super().__init__(**kwargs)
        self.cutoff = _positive_number(cutoff, "cutoff")

    def call(self, distances):
        distances = ops.cast(distances, self.compute_dtype)
        inside = ops.cast(distances < self.cutoff, self.compute_dtype)
        return 0.5 * (ops.cos(distances * (math.pi / self.cutoff)) + 1.0) * inside

    def get_config(self):
        return {**super().get_config(), "cutoff": self.cutoff}


@keras.saving.register_keras_serializable(package=PACKAGE)
class FilterNetwork(keras.layers.Layer):
    """Filter-generating network: expanded distances (B, N, N, n_rbf) -> filters (B, N, N, n_filters).

    (Element-wise in the pairs, so a list of pairs (P, n_rbf) with (P,) cutoff values and mask works the same.)

    ``W(r_ij) = Dense(ssp(Dense(rbf(r_ij)))) * f_c(r_ij) * mask_ij``: ``call(rbf, cutoff_values (B, N, N),
    mask (B, N, N))``. The filter is zero for masked pairs and beyond the cutoff.
    """

    def __init__(self, n_filters: int = 64, **kwargs):
        super().__init__(**kwargs)
        self.n_filters = _positive_int(n_filters, "n_filters")
        self.dense_1 = keras.layers.Dense(self.n_filters, dtype=self.dtype_policy, name="dense_1")
        self.dense_2 = keras.layers.Dense(self.n_filters, dtype=self.dtype_policy, name="dense_2")

    def call(self, rbf, cutoff_values, mask):
        filters = self.dense_2(shifted_softplus(self.dense_1(rbf)))
        return filters * (cutoff_values * mask)[..., None]

    def get_config(self):
        return {**super().get_config(), "n_filters": self.n_filters}


@keras.saving.register_keras_serializable(package=PACKAGE)
class ContinuousFilterConvolution(keras.layers.Layer):
    """``(x * W)_i = sum_j x_j W_ij``: features (B, N, F) and filters (B, N, N, F) -> (B, N, F).

    The filter multiplies the neighbour's features element-wise (one weight per feature channel) and the sum
    runs over all neighbours ``j`` (masked pairs have ``W_ij = 0``). No weights of its own.

    Sparse form (periodic crystals, :mod:`course_utils.learn.periodic_schnet`): with ``pairs=(centres,
    neighbours)``, two int arrays (P,) listing each pair ``(i, j)`` once per periodic image, ``features`` are
    (N, F) for all atoms, ``filters`` (P, F) one per pair, and the sum over ``j`` is a gather and a segment sum:
    ``(x * W)_i = sum_{p: centres_p = i} x_{neighbours_p} W_p``.
    """

    def call(self, features, filters, pairs=None):
        features = ops.cast(features, self.compute_dtype)
        if pairs is None:
            return ops.einsum("bjf,bijf->bif", features, filters)
        centres, neighbours = pairs
        messages = ops.take(features, neighbours, axis=0) * filters
        return ops.segment_sum(messages, centres, num_segments=ops.shape(features)[0])


@keras.saving.register_keras_serializable(package=PACKAGE)
class Interaction(keras.layers.Layer):
    """One SchNet interaction block with a residual update: ``x_i <- x_i + v_i``.

    ``v = Dense(ssp(Dense(cfconv(Dense_nobias(x), W(r)))))``, where ``W`` comes from this block's own
    :class:`FilterNetwork`. ``call(features (B, N, n_features), rbf (B, N, N, n_rbf), cutoff_values (B, N, N),
    mask (B, N, N), atom_mask (B, N))`` returns the updated features (B, N, n_features), zero on padding atoms.
    In the sparse form (``pairs=(centres, neighbours)``, see :class:`ContinuousFilterConvolution`) the same weights
    act on features (N, n_features), pair arrays ``rbf`` (P, n_rbf), ``cutoff_values`` and ``mask`` (P,) and
    ``atom_mask`` (N,).
    """

    def __init__(self, n_features: int = 64, n_filters: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.n_features = _positive_int(n_features, "n_features")
        self.n_filters = self.n_features if n_filters is None else _positive_int(n_filters, "n_filters")
        policy = self.dtype_policy
        self.filter_network = FilterNetwork(self.n_filters, dtype=policy, name="filter_network")
        self.in_to_filters = keras.layers.Dense(self.n_filters, use_bias=False, dtype=policy, name="in_to_filters")
        self.convolution = ContinuousFilterConvolution(dtype=policy, name="cfconv")
        self.filters_to_out = keras.layers.Dense(self.n_features, dtype=policy, name="filters_to_out")
        self.dense = keras.layers.Dense(self.n_features, dtype=policy, name="dense")

    def call(self, features, rbf, cutoff_values, mask, atom_mask, pairs=None):
        filters = self.filter_network(rbf, cutoff_values, mask)
        convolved = self.convolution(self.in_to_filters(features), filters, pairs)
        update = self.dense(shifted_softplus(self.filters_to_out(convolved)))
        return (features + update) * ops.cast(atom_mask, self.compute_dtype)[..., None]

    def get_config(self):
        return {**super().get_config(), "n_features": self.n_features, "n_filters": self.n_filters}


@keras.saving.register_keras_serializable(package=PACKAGE)
class AtomwiseOutput(keras.layers.Layer):
    """A scalar per atom: features (B, N, F) -> ``y`` (B, N), by ``Dense(1, ssp(Dense(n_hidden)))``."""

    def __init__(self, n_hidden: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.n_hidden = _positive_int(n_hidden, "n_hidden")
        self.hidden = keras.layers.Dense(self.n_hidden, dtype=self.dtype_policy, name="hidden")
        self.out = keras.layers.Dense(1, dtype=self.dtype_policy, name="out")

    def call(self, features):
        return self.out(shifted_softplus(self.hidden(features)))[..., 0]

    def get_config(self):
        return {**super().get_config(), "n_hidden": self.n_hidden}


def interaction_features(model, numbers, positions, neighbour_mask=None):
    """SchNet's representation: embedding, then ``model.interactions`` over distances within the cutoff.

    ``model`` holds the layers ``embedding``, ``distances``, ``rbf``, ``cutoff_function`` and ``interactions``
    (:class:`SchNet`, or another model with a different head on the same representation). Returns the atomic
    features after the last interaction (B, N, n_features), zero-masked on padding by the interaction blocks.
    """
    distances, mask = model.distances(numbers, positions, neighbour_mask)
    rbf = model.rbf(distances)
    cutoff_values = model.cutoff_function(distances)
    atom_mask = ops.cast(ops.cast(numbers, "int32") > 0, model.compute_dtype)
    features = model.embedding(numbers)
    for block in model.interactions:
        features = block(features, rbf, cutoff_values, mask, atom_mask)
    return features


@keras.saving.register_keras_serializable(package=PACKAGE)
class SchNet(keras.Model):
    """SchNet energy model: ``E = sum_i (energy_scale * y_i + atom_references[Z_i])`` over real atoms (eV).

    Parameters
    ----------
    n_features : int
        Width of the atomic feature vectors (the embedding and every interaction).
    n_interactions : int
        Number of interaction blocks.
    n_rbf : int
        Number of Gaussians of the radial basis (centres from 0 to ``cutoff``).
    cutoff : float
        Cutoff radius (Angstrom) of the filters.
    n_filters : int, optional
        Width of the filters (default ``n_features``).
    max_z : int
        Largest atomic number the embedding knows (10 covers H to Ne).
    atom_references : sequence of float, optional
        ``max_z + 1`` energies per element (eV), ``atom_references[Z]``; default 0. Together with
        ``energy_scale`` they let the network work on numbers of order one (see :func:`output_statistics`).
    energy_scale : float
        Energy (eV) by which the network's per-atom output is multiplied.

    ``call(inputs)`` takes ``{"numbers": (B, N) int, "positions": (B, N, 3) Angstrom}`` (or the pair
    ``[numbers, positions]``; optionally ``"neighbour_mask"`` (B, N, N)) and returns the energies (B,) in eV.
    ``dtype="float64"`` builds the model in double precision (for derivative checks).
    """

    def __init__(self, n_features: int = 64, n_interactions: int = 3, n_rbf: int = 25, cutoff: float = 5.0,
                 n_filters: int | None = None, max_z: int = 10, atom_references=None, energy_scale: float = 1.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.n_features = _positive_int(n_features, "n_features")
        self.n_interactions = as_int(n_interactions, "n_interactions", minimum=0)
        self.n_rbf = as_int(n_rbf, "n_rbf", minimum=2)
        self.cutoff = _positive_number(cutoff, "cutoff")
        self.n_filters = self.n_features if n_filters is None else _positive_int(n_filters, "n_filters")
        self.max_z = _positive_int(max_z, "max_z")
        if atom_references is None:
            atom_references = np.zeros(self.max_z + 1)
        references = as_real_array(atom_references, "atom_references", ndim=1)
        if len(references) != self.max_z + 1:
            raise ValueError(f"atom_references must have max_z + 1 = {self.max_z + 1} entries (one per atomic number "
                             f"0..max_z), got {len(references)}")
        self.atom_references = [float(v) for v in references]
        self.energy_scale = _positive_number(energy_scale, "energy_scale")
        policy = self.dtype_policy
        self.embedding = AtomEmbedding(self.n_features, self.max_z, dtype=policy, name="embedding")
        self.distances = PairDistances(self.cutoff, dtype=policy, name="distances")
        self.rbf = GaussianRBF(self.n_rbf, self.cutoff, dtype=policy, name="rbf")
        self.cutoff_function = CosineCutoff(self.cutoff, dtype=policy, name="cutoff")
        self.interactions = [Interaction(self.n_features, self.n_filters, dtype=policy, name=f"interaction_{k}")
                             for k in range(self.n_interactions)]
        self.output_network = AtomwiseOutput(max(self.n_features // 2, 1), dtype=policy, name="atomwise")

    def check_inputs(self, numbers, positions) -> None:
        """Raise ``ValueError`` unless ``numbers`` (B, N) are integers in 0..max_z and ``positions`` (B, N, 3)."""
        numbers, positions = np.asarray(numbers), np.asarray(positions)
        if numbers.ndim != 2:
            raise ValueError(f"numbers must have shape (batch, atoms), got {numbers.shape}")
        if positions.shape != (*numbers.shape, 3):
            raise ValueError(f"positions must have shape {(*numbers.shape, 3)} (batch, atoms, 3) to match numbers, "
                             f"got {positions.shape}")
        if not np.issubdtype(numbers.dtype, np.integer):
            raise TypeError(f"numbers must be integer atomic numbers, got dtype {numbers.dtype}")
        if numbers.size and (numbers.min() < 0 or numbers.max() > self.max_z):
            raise ValueError(f"atomic numbers must lie in 0..max_z = {self.max_z} (0 is padding), got "
                             f"{numbers.min()}..{numbers.max()}")
        if not np.all(np.isfinite(positions)):
            raise ValueError("positions contain NaN or infinite values")

    def representation(self, numbers, positions, neighbour_mask=None):
        """Atomic features after the last interaction, (B, N, n_features)."""
        return interaction_features(self, numbers, positions, neighbour_mask)

    def atom_energies(self, inputs):
        """Energy contributions of the atoms (B, N) in eV (0 on padding); they sum to :meth:`call`."""
        numbers, positions, neighbour_mask = split_inputs(inputs)
        y = self.output_network(self.representation(numbers, positions, neighbour_mask))
        index = ops.clip(ops.cast(numbers, "int32"), 0, self.max_z)
        references = ops.take(ops.convert_to_tensor(self.atom_references, dtype=self.compute_dtype), index)
        atom_mask = ops.cast(index > 0, self.compute_dtype)
        return (self.energy_scale * y + references) * atom_mask

    def call(self, inputs, training=False):
        return ops.sum(self.atom_energies(inputs), axis=1)

    def get_config(self):
        return {"n_features": self.n_features, "n_interactions": self.n_interactions, "n_rbf": self.n_rbf,
                "cutoff": self.cutoff, "n_filters": self.n_filters, "max_z": self.max_z,
                "atom_references": self.atom_references, "energy_scale": self.energy_scale, "name": self.name,
                "dtype": self.dtype_policy.name}


def energy_and_forces(model, numbers, positions, *, training: bool = False):
    """Energies (B,) eV and forces ``-dE/dR`` (B, N, 3) eV/Angstrom of ``model`` by ``tf.GradientTape``.

    ``numbers`` (B, N) int, ``positions`` (B, N, 3) Angstrom (tensors or arrays; cast to the model's dtype).
    Each energy depends only on its own molecule's positions, so the gradient of the summed energy gives every
    molecule's forces in one backward pass.
    """
    positions = tf.cast(tf.convert_to_tensor(positions), model.compute_dtype)
    numbers = tf.cast(tf.convert_to_tensor(numbers), tf.int32)
    with tf.GradientTape() as tape:
        tape.watch(positions)
        energy = model({"numbers": numbers, "positions": positions}, training=training)
    return energy, -tape.gradient(energy, positions)


def output_statistics(numbers, energies, forces=None, max_z: int = 10) -> dict:
    """Per-element reference energies and an energy scale from training data, to start the network well.

    ``atom_references`` (max_z + 1,) eV: the least-squares fit ``E ~ sum_i e_ref[Z_i]`` over the molecules (the
    minimum-norm solution: for molecules of one composition, such as the frames of ethanol, only the sum over the
    composition is determined, and the fit gives each element its share of the mean energy). ``energy_scale``
    (eV): the RMS force component times 1 Angstrom when ``forces`` are given (what sets the size of the energy's
    gradients, which the network must produce), else the standard deviation of the residual energy per atom.

    Parameters
    ----------
    numbers : (M, N) int, 0 for padding
    energies : (M,) eV
    forces : (M, N, 3) eV/Angstrom, optional
    """
    numbers = np.asarray(numbers)
    if numbers.ndim != 2 or not np.issubdtype(numbers.dtype, np.integer):
        raise ValueError(f"numbers must be an integer array of shape (molecules, atoms), got {_describe(numbers)}")
    energies = as_real_array(energies, "energies", shape=(len(numbers),))
    max_z = _positive_int(max_z, "max_z")
    if numbers.min() < 0 or numbers.max() > max_z:
        raise ValueError(f"atomic numbers must lie in 0..max_z = {max_z}, got {numbers.min()}..{numbers.max()}")
    counts = np.stack([(numbers == z).sum(axis=1) for z in range(max_z + 1)], axis=1).astype(float)
    counts[:, 0] = 0.0  # padding carries no energy
    references = np.linalg.lstsq(counts, energies, rcond=None)[0]
    references[counts.sum(axis=0) == 0] = 0.0
    if forces is not None:
        forces = as_real_array(forces, "forces", shape=(*numbers.shape, 3))
        real = numbers > 0
        scale = float(np.sqrt(np.mean(forces[real] ** 2)))
    else:
        residual = (energies - counts @ references) / np.maximum((numbers > 0).sum(axis=1), 1)
        scale = float(residual.std())
    return {"atom_references": [float(v) for v in references], "energy_scale": scale if scale > 0 else 1.0}


DEFAULT_MODEL = {"n_features": 64, "n_interactions": 3, "n_rbf": 25, "cutoff": 5.0}
"""Architecture of :func:`build_model` by default (``scripts/train_schnet.py`` records the one it ships)."""

DEFAULT_FIT = {"force_weight": 0.99, "learning_rate": 1e-3, "batch_size": 32, "max_epochs": 200, "patience": 20,
               "decay_patience": 8, "min_learning_rate": 1e-5}
"""Training recipe of :func:`fit` by default."""


def build_model(numbers=None, energies=None, forces=None, *, seed: int = 0, dtype: str = "float32", **options):
    """A :class:`SchNet` with weights created (seeded by ``seed``) and, if data are given, its reference energies
    and scale from :func:`output_statistics`. ``options`` override :data:`DEFAULT_MODEL`."""
    keras.utils.set_random_seed(as_int(seed, "seed", minimum=0))
    options = {**DEFAULT_MODEL, **options}
    if energies is not None:
        if numbers is None:
            raise ValueError("build_model needs numbers together with energies")
        stats = output_statistics(numbers, energies, forces, max_z=options.get("max_z", 10))
        for key, value in stats.items():
            options.setdefault(key, value)
    model = SchNet(dtype=dtype, **options)
    example = np.ones((1, 2), dtype=np.int32) if numbers is None else np.asarray(numbers[:1], dtype=np.int32)
    model({"numbers": example, "positions": np.zeros((*example.shape, 3)) + np.arange(example.shape[1])[None, :, None]})
    return model


def _as_arrays(data, name, dtype):
    if not isinstance(data, Mapping):
        raise TypeError(f"{name} must be a mapping with numbers, positions, energy and forces, got {_describe(data)}")
    missing = [key for key in ("numbers", "positions", "energy", "forces") if key not in data]
    if missing:
        raise TypeError(f"{name} is missing {missing} (it needs numbers, positions, energy, forces)")
    numbers = np.asarray(data["numbers"])
    if numbers.ndim != 2 or not np.issubdtype(numbers.dtype, np.integer):
        raise ValueError(f"{name}['numbers'] must be integers of shape (molecules, atoms), got {_describe(numbers)}")
    m, n = numbers.shape
    positions = as_real_array(data["positions"], f"{name}['positions']", shape=(m, n, 3))
    energy = as_real_array(data["energy"], f"{name}['energy']", shape=(m,))
    forces = as_real_array(data["forces"], f"{name}['forces']", shape=(m, n, 3))
    if m == 0:
        raise ValueError(f"{name} holds no molecules")
    return (numbers.astype(np.int32), positions.astype(dtype), energy.astype(dtype), forces.astype(dtype))


def _batched(arrays, size):
    count = len(arrays[0])
    for start in range(0, count, size):
        yield tuple(a[start:start + size] for a in arrays)


def evaluate(model, data, *, batch_size: int = 256) -> dict:
    """Energy and force errors of ``model`` on ``data`` (mapping: numbers, positions, energy, forces).

    Returns ``energy_mae``, ``energy_rmse`` (eV per molecule), ``force_mae``, ``force_rmse`` (eV/Angstrom, per
    Cartesian component of the real atoms) and the predictions ``energy`` (M,) and ``forces`` (M, N, 3).
    """
    numbers, positions, energy, forces = _as_arrays(data, "data", np.float64)
    batch_size = _positive_int(batch_size, "batch_size")
    predicted_e, predicted_f = [], []
    for z, r in _batched((numbers, positions), batch_size):
        e, f = predict(model, z, r)
        predicted_e.append(e)
        predicted_f.append(f)
    e, f = np.concatenate(predicted_e), np.concatenate(predicted_f)
    real = numbers > 0
    de, df = e - energy, (f - forces)[real]
    return {"energy_mae": float(np.abs(de).mean()), "energy_rmse": float(np.sqrt((de**2).mean())),
            "force_mae": float(np.abs(df).mean()), "force_rmse": float(np.sqrt((df**2).mean())),
            "energy": e, "forces": f}


def predict(model, numbers, positions):
    """Energies (B,) eV and forces (B, N, 3) eV/Angstrom as NumPy arrays, from a compiled
    :func:`energy_and_forces` (traced once per model, reused for any batch and molecule size; a few
    milliseconds per call instead of tens in eager mode)."""
    numbers = np.asarray(numbers, dtype=np.int32)
    positions = np.asarray(positions)
    if numbers.ndim == 1:
        raise ValueError(f"numbers must have shape (batch, atoms), got {numbers.shape}; add a batch axis")
    function = getattr(model, "_course_predict", None)
    if function is None:
        float_type = tf.as_dtype(model.compute_dtype)

        function = tf.function(lambda z, r: energy_and_forces(model, z, r), autograph=False,
                               input_signature=[tf.TensorSpec([None, None], tf.int32),
                                                tf.TensorSpec([None, None, 3], float_type)])
        model._course_predict = function
    e, f = function(tf.constant(numbers), tf.constant(positions.astype(model.compute_dtype)))
    return e.numpy().astype(float), f.numpy().astype(float)


class _EpochBook:
    """The per-epoch bookkeeping of the energy-and-force fits (this module's and ``periodic_schnet``'s): history,
    best weights, learning-rate halving after ``decay_patience`` epochs without improvement, early stopping after
    ``patience``, and the restore of the best weights at the end."""

    KEYS = ("epoch", "loss", "val_loss", "val_energy_mae", "val_force_mae", "learning_rate", "seconds")

    def __init__(self, model, optimizer, *, patience: int, decay_patience: int | None, min_learning_rate: float):
        self.model, self.optimizer = model, optimizer
        self.patience, self.decay_patience, self.min_learning_rate = patience, decay_patience, min_learning_rate
        self.history = {key: [] for key in self.KEYS}
        self.best, self.best_weights, self.best_epoch = np.inf, model.get_weights(), 0
        self.waited = self.since_decay = self.steps = 0
        self.stopped = "max_epochs"
        self.start = time.perf_counter()

    def end_epoch(self, epoch: int, losses, val_loss: float, val_energy_mae: float, val_force_mae: float) -> bool:
        """Record one epoch (``losses``: its batch losses); True when early stopping ends the fit."""
        lr = float(ops.convert_to_numpy(self.optimizer.learning_rate))
        for key, value in zip(self.KEYS, (epoch, float(np.mean(losses)), val_loss, val_energy_mae, val_force_mae, lr,
                                          time.perf_counter() - self.start), strict=True):
            self.history[key].append(value)
        if not np.isfinite(val_loss):
            raise FloatingPointError(f"the validation loss became {val_loss} in epoch {epoch}; lower learning_rate")
        if val_loss < self.best:
            self.best, self.best_weights, self.best_epoch = val_loss, self.model.get_weights(), epoch
            self.waited = self.since_decay = 0
            return False
        self.waited += 1
        self.since_decay += 1
        if self.decay_patience is not None and self.since_decay >= self.decay_patience and lr > self.min_learning_rate:
            self.optimizer.learning_rate.assign(max(lr / 2, self.min_learning_rate))
            self.since_decay = 0
        if self.waited >= self.patience:
            self.stopped = "patience"
            return True
        return False

    def finish(self) -> dict:
        """Restore the best weights; the history as arrays with ``best_epoch``, ``steps`` and ``stopped``."""
        self.model.set_weights(self.best_weights)
        out = {key: np.asarray(value, dtype=float) for key, value in self.history.items()}
        out.update(best_epoch=self.best_epoch, steps=self.steps, stopped=self.stopped)
        return out


def fit(model, train, validation, *, force_weight: float = DEFAULT_FIT["force_weight"],
        learning_rate: float = DEFAULT_FIT["learning_rate"], batch_size: int = DEFAULT_FIT["batch_size"],
        max_epochs: int = DEFAULT_FIT["max_epochs"], patience: int = DEFAULT_FIT["patience"],
        decay_patience: int | None = DEFAULT_FIT["decay_patience"],
        min_learning_rate: float = DEFAULT_FIT["min_learning_rate"], max_seconds: float | None = None,
        seed: int = 0, progress: bool = False) -> dict:
    """Train ``model`` on energies and forces together, with validation and early stopping.

    The loss of a batch is ``(1 - w) <(E - E_ref)^2> / N + w <|F - F_ref|^2>`` (eV^2 per atom and eV^2/Angstrom^2 per
    component; ``w = force_weight``): the energy term is divided by the number of atoms ``N`` so that both terms
    are per-atom-sized. After every epoch the same loss is computed on ``validation``; when it has not improved
    for ``decay_patience`` epochs the learning rate is halved (down to ``min_learning_rate``), after ``patience``
    epochs training stops, and the best weights are restored.

    Parameters
    ----------
    model : SchNet
    train, validation : mapping
        ``numbers`` (M, N) int, ``positions`` (M, N, 3) Angstrom, ``energy`` (M,) eV, ``forces`` (M, N, 3) eV/A.
    force_weight : float in [0, 1]
    learning_rate, batch_size, max_epochs, patience, decay_patience, min_learning_rate
        Adam's step, mini-batch size, the stopping rule (see above); ``decay_patience=None`` keeps the step.
    max_seconds : float, optional
        Stop after the first epoch that ends later than this (wall time), keeping the best weights.
    seed : int
        Seeds the order of the mini-batches.
    progress : bool
        Show a progress bar over the epochs (``tqdm.auto``).

    Returns
    -------
    dict
        ``epoch``, ``loss`` (training, mean over the epoch's batches), ``val_loss``, ``val_energy_mae`` (eV),
        ``val_force_mae`` (eV/Angstrom), ``learning_rate``, ``seconds`` (wall time at the end of each epoch) --
        arrays, one value per epoch -- and ``best_epoch``, ``steps``, ``stopped`` (``"patience"``,
        ``"max_epochs"`` or ``"max_seconds"``), ``structures_per_second`` (training throughput, without the first
        epoch, which includes tracing the compiled step).
    """
    if not isinstance(model, SchNet):
        raise TypeError(f"model must be a SchNet, got {_describe(model)}")
    force_weight = as_number(force_weight, "force_weight", minimum=0.0, maximum=1.0)
    learning_rate = _positive_number(learning_rate, "learning_rate")
    batch_size = _positive_int(batch_size, "batch_size")
    max_epochs = _positive_int(max_epochs, "max_epochs")
    patience = _positive_int(patience, "patience")
    if decay_patience is not None:
        decay_patience = _positive_int(decay_patience, "decay_patience")
    min_learning_rate = as_number(min_learning_rate, "min_learning_rate", minimum=0.0)
    if max_seconds is not None:
        max_seconds = _positive_number(max_seconds, "max_seconds")
    dtype = model.compute_dtype
    train_arrays = _as_arrays(train, "train", dtype)
    val_arrays = _as_arrays(validation, "validation", dtype)
    float_type = tf.as_dtype(dtype)
    weight = tf.constant(force_weight, float_type)
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(model.trainable_variables)
    signature = [tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None, 3], float_type),
                 tf.TensorSpec([None], float_type), tf.TensorSpec([None, None, 3], float_type)]

    def losses(z, r, e, f, training):
        energy, forces = energy_and_forces(model, z, r, training=training)
        real = tf.cast(z > 0, float_type)
        n_atoms = tf.reduce_sum(real, axis=1)
        energy_loss = tf.reduce_mean(tf.square(energy - e) / n_atoms)
        force_loss = tf.reduce_sum(tf.square(forces - f) * real[..., None]) / (3.0 * tf.reduce_sum(real))
        return (1.0 - weight) * energy_loss + weight * force_loss, energy, forces

    @tf.function(input_signature=signature, autograph=False)
    def step(z, r, e, f):
        with tf.GradientTape() as tape:
            loss, _, _ = losses(z, r, e, f, True)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    @tf.function(input_signature=signature, autograph=False)
    def validate(z, r, e, f):
        loss, energy, forces = losses(z, r, e, f, False)
        real = tf.cast(z > 0, float_type)
        return (loss, tf.reduce_mean(tf.abs(energy - e)),
                tf.reduce_sum(tf.abs(forces - f) * real[..., None]) / (3.0 * tf.reduce_sum(real)))

    val_tensors = tuple(tf.constant(a) for a in val_arrays)
    rng = np.random.default_rng(as_int(seed, "seed", minimum=0))
    book = _EpochBook(model, optimizer, patience=patience, decay_patience=decay_patience,
                      min_learning_rate=min_learning_rate)
    epochs = range(1, max_epochs + 1)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="SchNet epochs")
    train_seconds, timed_epochs = 0.0, 0
    count = len(train_arrays[0])
    for epoch in epochs:
        order = rng.permutation(count)
        values = []
        tick = time.perf_counter()
        for begin in range(0, count, batch_size):
            batch = order[begin:begin + batch_size]
            values.append(float(step(*(tf.constant(a[batch]) for a in train_arrays))))
            book.steps += 1
        if epoch > 1 or max_epochs == 1:  # the first epoch also traces the compiled step
            train_seconds += time.perf_counter() - tick
            timed_epochs += 1
        if book.end_epoch(epoch, values, *(float(v) for v in validate(*val_tensors))):
            break
        if max_seconds is not None and time.perf_counter() - book.start > max_seconds:
            book.stopped = "max_seconds"
            break
    out = book.finish()
    out["structures_per_second"] = float(count * timed_epochs / train_seconds) if timed_epochs else float("nan")
    return out


ETHANOL_VALIDATION = 200
"""Frames of the training trajectories of ``ethanol_md`` held out for early stopping (:func:`ethanol_split`)."""


def ethanol_split(arrays, *, seed: int = 0, n_validation: int = ETHANOL_VALIDATION) -> dict[str, np.ndarray]:
    """Indices into ``ethanol_md`` (``arrays`` from ``data.load("ethanol_md")``) for training and testing.

    ``validation``: ``n_validation`` random frames of the training trajectories (for early stopping; frames 10 fs
    apart are correlated, so its error is optimistic); ``pool``: the other training frames in a seeded random
    order, a training set of size ``n`` being ``pool[:n]`` (a smaller set is part of a larger one); ``test``: every
    frame of the held-out trajectories (independent replicas), the honest test.
    """
    if not isinstance(arrays, Mapping) or "split" not in arrays:
        raise TypeError(f"arrays must be the ethanol_md data set (a mapping with 'split'), got {_describe(arrays)}")
    train = np.flatnonzero(np.asarray(arrays["split"]) == "train")
    n_validation = as_int(n_validation, "n_validation", minimum=1, maximum=len(train) - 1)
    order = np.random.default_rng(as_int(seed, "seed", minimum=0)).permutation(train)
    return {"validation": np.sort(order[:n_validation]), "pool": order[n_validation:],
            "test": np.flatnonzero(np.asarray(arrays["split"]) == "heldout")}


def frames(arrays, indices) -> dict[str, np.ndarray]:
    """``numbers``, ``positions``, ``energy``, ``forces`` of the frames ``indices`` (the input of :func:`fit`)."""
    return {key: np.asarray(arrays[key])[indices] for key in ("numbers", "positions", "energy", "forces")}


def pretrained_paths(n_train: int | None = None):
    """``(weights, record)`` paths of a shipped model: ``course_utils/datasets/schnet_ethanol_<n_train>.weights.npz``
    and ``schnet_ethanol.json``, written by ``scripts/train_schnet.py`` (``n_train=None``: the record only)."""
    from ..data import DATA_DIR

    record = DATA_DIR / "schnet_ethanol.json"
    if n_train is None:
        return None, record
    return DATA_DIR / f"schnet_ethanol_{as_int(n_train, 'n_train', minimum=1)}.weights.npz", record


def load_pretrained(n_train: int | None = None):
    """The SchNet trained by ``scripts/train_schnet.py`` on ``n_train`` ethanol frames (default: the largest
    shipped), and its record (a dict). Checks the weights' and the data set's checksums
    (:func:`course_utils.data.verify_trained`)."""
    from .. import data

    _, path = pretrained_paths()
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing in {path.parent}: run `python scripts/train_schnet.py`")
    full = json.loads(path.read_text())
    sizes = sorted(int(k) for k in full["models"])
    if n_train is None:
        n_train = sizes[-1]
    n_train = as_int(n_train, "n_train", minimum=1)
    if n_train not in sizes:
        raise ValueError(f"no shipped SchNet was trained on {n_train} frames; the shipped sizes are {sizes}")
    record = full["models"][str(n_train)]
    weights, _ = pretrained_paths(n_train)
    data.verify_trained(weights, record["weights_sha256"], full["data"]["name"], full["data"]["sha256"],
                        "python scripts/train_schnet.py")
    model = SchNet(**record["config"])
    model({"numbers": np.ones((1, 2), np.int32), "positions": np.array([[[0.0, 0, 0], [0, 0, 1.0]]])})
    load_weights(model, weights)
    return model, {**record, "data": full["data"], "split": full["split"], "fit": full["fit"]}


def load_nvt_distributions() -> tuple[dict[str, np.ndarray], dict]:
    """The NVT sample of ethanol with the shipped SchNet (1,000 frames) and its GFN2-xTB reference, written by
    ``scripts/sample_schnet_nvt.py``: histogram counts per replica of the C-O bond length and of the H-O-C-C
    dihedral (``schnet_*`` and ``xtb_*``), their bin edges (Angstrom, degrees), per-replica summaries, and the
    record of the settings (a dict)."""
    from ..data import DATA_DIR

    arrays_path, record_path = DATA_DIR / "schnet_ethanol_nvt.npz", DATA_DIR / "schnet_ethanol_nvt.json"
    for path in (arrays_path, record_path):
        if not path.exists():
            raise FileNotFoundError(f"{path.name} is missing in {path.parent}: run "
                                    "`python scripts/sample_schnet_nvt.py`")
    with np.load(arrays_path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    return arrays, json.loads(record_path.read_text())
