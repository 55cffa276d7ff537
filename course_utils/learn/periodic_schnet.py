"""SchNet for periodic crystals: notebook 07's layers on a neighbour list with periodic images (notebook 10).

This module imports Keras (and so TensorFlow) when it is imported; ``import course_utils`` never imports it.

:class:`course_utils.learn.schnet.SchNet` sums over all pairs of one molecule (a dense N x N array). In a crystal
whose cell is smaller than twice the cutoff (the 7.2 Angstrom copper cells of ``copper_md`` with a 5 Angstrom
cutoff) an atom also sees periodic images of its neighbours, and of itself, so the pairs must be listed with
their image: ``(i, j, n)`` with the pair vector ``d_p = R_j - R_i + n . cell`` (``n`` three integers). Here

* the pairs within the cutoff come from ASE's ``ase.neighborlist.neighbor_list`` (:func:`neighbour_inputs`,
  NumPy, outside TensorFlow); the pair vectors are computed inside TensorFlow from the positions and the cell,
  so ``-dE/dR`` by ``tf.GradientTape`` gives the forces;
* a homogeneous strain ``eps`` (3 x 3, zero by default) maps every pair vector to ``d_p (1 + eps)`` (positions
  and cell strained together), so the stress is ``sigma = (1/V) dE/d eps`` at ``eps = 0`` (eV/Angstrom^3, ASE's
  sign: positive when the crystal pulls inwards, i.e. under tension);
* the layers are SchNet's own (:class:`~course_utils.learn.schnet.AtomEmbedding`, ``GaussianRBF``,
  ``CosineCutoff``, ``Interaction`` with its ``FilterNetwork`` and ``ContinuousFilterConvolution``,
  ``AtomwiseOutput``), the convolution in its sparse form: a gather of the neighbours' features and a segment
  sum over the pairs of each atom.

A batch of crystals is one flat list of atoms: ``numbers`` (A,), ``positions`` (A, 3), ``structure`` (A,) the
crystal each atom belongs to, ``cells`` (B, 3, 3), and the pairs ``centres``, ``neighbours`` (P,) (indices into
the flat atoms) with their image ``shifts`` (P, 3) (integers, stored as floats). Crystals of different sizes
(a vacancy) need no padding.

Units: eV, Angstrom, eV/Angstrom, eV/Angstrom^3.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .._checks import _describe, as_int, as_number, as_real_array
from .schnet import (
    PACKAGE,
    AtomEmbedding,
    AtomwiseOutput,
    CosineCutoff,
    GaussianRBF,
    Interaction,
    _EpochBook,
    _positive_int,
    _positive_number,
    load_weights,
    save_weights,
)

__all__ = ["PeriodicSchNet", "neighbour_inputs", "energy_forces_stress", "predict", "build_model", "fit",
           "evaluate", "copper_split", "pretrained_paths", "load_pretrained", "records", "calculator", "DEFAULT_MODEL",
           "DEFAULT_FIT", "INPUT_KEYS", "save_weights", "load_weights"]

INPUT_KEYS = ("numbers", "positions", "structure", "cells", "centres", "neighbours", "shifts")
"""The keys of a batch of crystals (see the module docstring); ``strain`` (B, 3, 3) is optional."""


def neighbour_inputs(frames, cutoff: float) -> dict[str, np.ndarray]:
    """A batch of crystals (list of ``ase.Atoms``, or one) as the flat arrays :class:`PeriodicSchNet` takes.

    Pairs ``(i, j, n)`` with ``|R_j - R_i + n . cell| < cutoff`` (Angstrom), every image, both orders; the
    structure must be periodic in all three directions with a cell of non-zero volume (ASE's neighbour list
    handles cells smaller than the cutoff by listing several images).
    """
    from ase import Atoms
    from ase.neighborlist import neighbor_list

    if isinstance(frames, Atoms):
        frames = [frames]
    if not isinstance(frames, (list, tuple)) or not frames or not all(isinstance(a, Atoms) for a in frames):
        raise TypeError(f"frames must be an ase.Atoms or a non-empty list of them, got {_describe(frames)}")
    cutoff = _positive_number(cutoff, "cutoff")
    parts = {key: [] for key in INPUT_KEYS}
    offset = 0
    for b, atoms in enumerate(frames):
        if not all(atoms.pbc):
            raise ValueError(f"structure {b} ({atoms.get_chemical_formula()}) must be periodic in all three "
                             f"directions, got pbc={list(atoms.pbc)}")
        if abs(atoms.cell.volume) < 1e-9:
            raise ValueError(f"structure {b} has a cell of zero volume")
        if len(atoms) == 0:
            raise ValueError(f"structure {b} has no atoms")
        i, j, shifts = neighbor_list("ijS", atoms, cutoff)
        parts["numbers"].append(np.asarray(atoms.numbers, dtype=np.int32))
        parts["positions"].append(np.asarray(atoms.positions, dtype=float))
        parts["structure"].append(np.full(len(atoms), b, dtype=np.int32))
        parts["cells"].append(np.asarray(atoms.cell.array, dtype=float)[None])
        parts["centres"].append((i + offset).astype(np.int32))
        parts["neighbours"].append((j + offset).astype(np.int32))
        parts["shifts"].append(shifts.astype(float))
        offset += len(atoms)
    return {key: np.concatenate(value) for key, value in parts.items()}


def _check_inputs(inputs):
    if not isinstance(inputs, Mapping):
        raise TypeError(f"PeriodicSchNet inputs must be a mapping with the keys {INPUT_KEYS}, got {_describe(inputs)}")
    missing = [key for key in INPUT_KEYS if key not in inputs]
    if missing:
        raise TypeError(f"PeriodicSchNet inputs are missing {missing} (build them with neighbour_inputs)")


@keras.saving.register_keras_serializable(package=PACKAGE)
class PeriodicSchNet(keras.Model):
    """SchNet on periodic crystals: ``E_b = sum_{i in b} (energy_scale * y_i + atom_references[Z_i])`` (eV).

    The parameters are those of :class:`course_utils.learn.schnet.SchNet` (``max_z`` 29 covers copper).
    ``call(inputs)`` takes the mapping of :func:`neighbour_inputs` (optionally with ``strain`` (B, 3, 3)) and
    returns the energies (B,) in eV. ``dtype="float64"`` builds it in double precision (for derivative checks).
    """

    periodic = True
    """Marks a model that :class:`course_utils.atoms.calculators.KerasCalculator` feeds a neighbour list."""

    def __init__(self, n_features: int = 32, n_interactions: int = 2, n_rbf: int = 20, cutoff: float = 5.0,
                 n_filters: int | None = None, max_z: int = 29, atom_references=None, energy_scale: float = 1.0,
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
            raise ValueError(f"atom_references must have max_z + 1 = {self.max_z + 1} entries, got {len(references)}")
        self.atom_references = [float(v) for v in references]
        self.energy_scale = _positive_number(energy_scale, "energy_scale")
        policy = self.dtype_policy
        self.embedding = AtomEmbedding(self.n_features, self.max_z, dtype=policy, name="embedding")
        self.rbf = GaussianRBF(self.n_rbf, self.cutoff, dtype=policy, name="rbf")
        self.cutoff_function = CosineCutoff(self.cutoff, dtype=policy, name="cutoff")
        self.interactions = [Interaction(self.n_features, self.n_filters, dtype=policy, name=f"interaction_{k}")
                             for k in range(self.n_interactions)]
        self.output_network = AtomwiseOutput(max(self.n_features // 2, 1), dtype=policy, name="atomwise")

    def neighbour_inputs(self, frames):
        """:func:`neighbour_inputs` with this model's cutoff."""
        return neighbour_inputs(frames, self.cutoff)

    def pair_vectors(self, inputs):
        """Pair vectors ``(R_j - R_i + n . cell) (1 + strain)`` (P, 3) in Angstrom."""
        dtype = self.compute_dtype
        positions = ops.cast(inputs["positions"], dtype)
        cells = ops.cast(inputs["cells"], dtype)
        centres = ops.cast(inputs["centres"], "int32")
        neighbours = ops.cast(inputs["neighbours"], "int32")
        pair_structure = ops.take(ops.cast(inputs["structure"], "int32"), centres, axis=0)
        pair_cells = ops.take(cells, pair_structure, axis=0)
        shifts = ops.cast(inputs["shifts"], dtype)
        vectors = (ops.take(positions, neighbours, axis=0) - ops.take(positions, centres, axis=0)
                   + ops.einsum("pa,pab->pb", shifts, pair_cells))
        strain = inputs.get("strain")
        if strain is not None:
            deformation = ops.eye(3, dtype=dtype) + ops.cast(strain, dtype)
            vectors = ops.einsum("pa,pab->pb", vectors, ops.take(deformation, pair_structure, axis=0))
        return vectors

    def atom_energies(self, inputs):
        """Energy contributions of the atoms (A,) in eV; per crystal they sum to :meth:`call`."""
        _check_inputs(inputs)
        dtype = self.compute_dtype
        vectors = self.pair_vectors(inputs)
        # every listed pair has r > 0 (ASE drops an atom's own zero-shift image), so the square root is safe
        distances = ops.sqrt(ops.sum(vectors * vectors, axis=-1))
        rbf = self.rbf(distances)
        cutoff_values = self.cutoff_function(distances)
        numbers = ops.cast(inputs["numbers"], "int32")
        pairs = (ops.cast(inputs["centres"], "int32"), ops.cast(inputs["neighbours"], "int32"))
        ones_pairs = ops.ones_like(distances)
        atom_mask = ops.cast(numbers > 0, dtype)
        features = self.embedding(numbers)
        for block in self.interactions:
            features = block(features, rbf, cutoff_values, ones_pairs, atom_mask, pairs)
        y = self.output_network(features)
        index = ops.clip(numbers, 0, self.max_z)
        references = ops.take(ops.convert_to_tensor(self.atom_references, dtype=dtype), index)
        return (self.energy_scale * y + references) * atom_mask

    def call(self, inputs, training=False):
        energies = self.atom_energies(inputs)
        return ops.segment_sum(energies, ops.cast(inputs["structure"], "int32"),
                               num_segments=ops.shape(inputs["cells"])[0])

    def get_config(self):
        return {"n_features": self.n_features, "n_interactions": self.n_interactions, "n_rbf": self.n_rbf,
                "cutoff": self.cutoff, "n_filters": self.n_filters, "max_z": self.max_z,
                "atom_references": self.atom_references, "energy_scale": self.energy_scale, "name": self.name,
                "dtype": self.dtype_policy.name}


def _tensors(model, inputs):
    dtype = tf.as_dtype(model.compute_dtype)
    out = {}
    for key in INPUT_KEYS:
        kind = dtype if key in ("positions", "cells", "shifts") else tf.int32
        out[key] = tf.cast(tf.convert_to_tensor(inputs[key]), kind)
    return out


def energy_forces_stress(model, inputs, *, training: bool = False):
    """Energies (B,) eV, forces ``-dE/dR`` (A, 3) eV/Angstrom and stresses ``(1/V) dE/d eps`` (B, 3, 3)
    eV/Angstrom^3 of ``model`` for a batch from :func:`neighbour_inputs`, by one ``tf.GradientTape`` pass."""
    _check_inputs(inputs)
    inputs = _tensors(model, inputs)
    positions = inputs["positions"]
    strain = tf.zeros_like(inputs["cells"])
    with tf.GradientTape() as tape:
        tape.watch(positions)
        tape.watch(strain)
        energy = model({**inputs, "positions": positions, "strain": strain}, training=training)
        total = tf.reduce_sum(energy)
    d_positions, d_strain = (tf.convert_to_tensor(g) for g in tape.gradient(total, [positions, strain]))
    volume = tf.abs(tf.linalg.det(inputs["cells"]))
    return energy, -d_positions, d_strain / volume[:, None, None]


def _signature(model):
    dtype = tf.as_dtype(model.compute_dtype)
    shapes = {"numbers": [None], "positions": [None, 3], "structure": [None], "cells": [None, 3, 3],
              "centres": [None], "neighbours": [None], "shifts": [None, 3]}
    return [{key: tf.TensorSpec(shapes[key], dtype if key in ("positions", "cells", "shifts") else tf.int32)
             for key in INPUT_KEYS}]


def predict(model, inputs):
    """Energies (B,), forces (A, 3) and stresses (B, 3, 3) as NumPy arrays from a compiled
    :func:`energy_forces_stress` (traced once per model; reloading weights keeps the compiled function valid)."""
    if not isinstance(model, PeriodicSchNet):
        raise TypeError(f"model must be a PeriodicSchNet, got {_describe(model)}")
    function = getattr(model, "_course_predict", None)
    if function is None:
        function = tf.function(lambda x: energy_forces_stress(model, x), autograph=False,
                               input_signature=_signature(model))
        model._course_predict = function
    e, f, s = function(_tensors(model, inputs))
    return e.numpy().astype(float), f.numpy().astype(float), s.numpy().astype(float)


DEFAULT_MODEL = {"n_features": 32, "n_interactions": 2, "n_rbf": 20, "cutoff": 5.0, "max_z": 29}
"""Architecture of :func:`build_model` by default (``scripts/train_copper_schnet.py`` records the one it ships)."""

DEFAULT_FIT = {"force_weight": 0.99, "learning_rate": 2e-3, "batch_size": 8, "max_epochs": 200, "patience": 25,
               "decay_patience": 8, "min_learning_rate": 1e-5}
"""Training recipe of :func:`fit` by default."""


def build_model(frames, energies, forces, *, seed: int = 0, dtype: str = "float32", **options):
    """A :class:`PeriodicSchNet` with weights created (seeded), and its per-element reference energies and energy
    scale from the training data (:func:`course_utils.learn.schnet.output_statistics`: a least-squares energy per
    element, and the RMS force component times 1 Angstrom). ``options`` override :data:`DEFAULT_MODEL`."""
    from .schnet import output_statistics

    frames, energies, forces = _as_data(frames, energies, forces, "training data")
    keras.utils.set_random_seed(as_int(seed, "seed", minimum=0))
    options = {**DEFAULT_MODEL, **options}
    width = max(len(a) for a in frames)
    numbers = np.zeros((len(frames), width), dtype=np.int64)
    padded = np.zeros((len(frames), width, 3))
    for k, (atoms, f) in enumerate(zip(frames, forces, strict=True)):
        numbers[k, :len(atoms)] = atoms.numbers
        padded[k, :len(atoms)] = f
    for key, value in output_statistics(numbers, energies, padded, max_z=options["max_z"]).items():
        options.setdefault(key, value)
    model = PeriodicSchNet(dtype=dtype, **options)
    model(model.neighbour_inputs(frames[:1]))
    return model


def _as_data(frames, energies, forces, name):
    from ase import Atoms

    if not isinstance(frames, (list, tuple)) or not frames or not all(isinstance(a, Atoms) for a in frames):
        raise TypeError(f"{name}: frames must be a non-empty list of ase.Atoms, got {_describe(frames)}")
    energies = as_real_array(energies, f"{name}: energies", shape=(len(frames),))
    if not isinstance(forces, (list, tuple)) or len(forces) != len(frames):
        raise ValueError(f"{name}: forces must be a list of {len(frames)} arrays (N_k, 3), got {_describe(forces)}")
    forces = [as_real_array(f, f"{name}: forces[{k}]", shape=(len(a), 3))
              for k, (a, f) in enumerate(zip(frames, forces, strict=True))]
    return list(frames), energies, forces


class _Batches:
    """Neighbour inputs of every structure computed once; a batch is concatenated from them with offsets."""

    def __init__(self, model, frames, energies, forces):
        self.items = [model.neighbour_inputs([a]) for a in frames]
        self.energies, self.forces = np.asarray(energies, float), [np.asarray(f, float) for f in forces]

    def __len__(self):
        return len(self.items)

    def batch(self, indices):
        parts = {key: [] for key in INPUT_KEYS}
        offset = 0
        for b, k in enumerate(indices):
            item = self.items[k]
            for key in ("numbers", "positions", "cells", "shifts"):
                parts[key].append(item[key])
            parts["structure"].append(np.full(len(item["numbers"]), b, dtype=np.int32))
            parts["centres"].append(item["centres"] + offset)
            parts["neighbours"].append(item["neighbours"] + offset)
            offset += len(item["numbers"])
        inputs = {key: np.concatenate(value) for key, value in parts.items()}
        return inputs, self.energies[list(indices)], np.concatenate([self.forces[k] for k in indices])


def fit(model, train, validation, *, force_weight: float = DEFAULT_FIT["force_weight"],
        learning_rate: float = DEFAULT_FIT["learning_rate"], batch_size: int = DEFAULT_FIT["batch_size"],
        max_epochs: int = DEFAULT_FIT["max_epochs"], patience: int = DEFAULT_FIT["patience"],
        decay_patience: int | None = DEFAULT_FIT["decay_patience"],
        min_learning_rate: float = DEFAULT_FIT["min_learning_rate"], seed: int = 0) -> dict:
    """Train on energies and forces with validation and early stopping (the recipe of
    :func:`course_utils.learn.schnet.fit`, for crystals).

    ``train`` and ``validation`` are triples ``(frames, energies (M,) eV, forces [(N_k, 3)] eV/Angstrom)``. The
    loss of a batch is ``(1 - w) <((E - E_ref) / N)^2> + w <|F - F_ref|^2>`` (eV^2 per atom^2 and eV^2/Angstrom^2
    per component, ``w = force_weight``). After each epoch the same loss on ``validation`` decides: the learning
    rate is halved after ``decay_patience`` epochs without improvement, training stops after ``patience``, and the
    best weights are restored. Returns a dict of per-epoch arrays (``loss``, ``val_loss``, ``val_energy_mae``
    eV/atom, ``val_force_mae`` eV/Angstrom, ``learning_rate``, ``seconds``) and ``best_epoch``, ``steps``,
    ``stopped``.
    """
    if not isinstance(model, PeriodicSchNet):
        raise TypeError(f"model must be a PeriodicSchNet, got {_describe(model)}")
    for name, part in (("train", train), ("validation", validation)):
        if not isinstance(part, (list, tuple)) or len(part) != 3:
            raise TypeError(f"{name} must be a triple (frames, energies, forces), got {_describe(part)}")
    train = _Batches(model, *_as_data(*train, "train"))
    validation = _Batches(model, *_as_data(*validation, "validation"))
    force_weight = as_number(force_weight, "force_weight", minimum=0.0, maximum=1.0)
    learning_rate = _positive_number(learning_rate, "learning_rate")
    batch_size = _positive_int(batch_size, "batch_size")
    max_epochs = _positive_int(max_epochs, "max_epochs")
    patience = _positive_int(patience, "patience")
    if decay_patience is not None:
        decay_patience = _positive_int(decay_patience, "decay_patience")
    min_learning_rate = as_number(min_learning_rate, "min_learning_rate", minimum=0.0)
    float_type = tf.as_dtype(model.compute_dtype)
    weight = tf.constant(force_weight, float_type)
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(model.trainable_variables)
    signature = [*_signature(model), tf.TensorSpec([None], float_type), tf.TensorSpec([None, 3], float_type)]

    def losses(x, e, f, training):
        energy, forces = _energy_and_forces(model, x, training)
        n_atoms = tf.math.segment_sum(tf.ones_like(x["structure"], float_type), x["structure"])
        energy_error = (energy - e) / n_atoms
        loss = (1.0 - weight) * tf.reduce_mean(tf.square(energy_error)) + weight * tf.reduce_mean(
            tf.square(forces - f))
        return loss, energy_error, forces

    @tf.function(input_signature=signature, autograph=False)
    def step(x, e, f):
        with tf.GradientTape() as tape:
            loss, _, _ = losses(x, e, f, True)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    @tf.function(input_signature=signature, autograph=False)
    def validate(x, e, f):
        loss, energy_error, forces = losses(x, e, f, False)
        return loss, tf.reduce_mean(tf.abs(energy_error)), tf.reduce_mean(tf.abs(forces - f))

    def as_tensors(inputs, e, f):
        return _tensors(model, inputs), tf.constant(e, float_type), tf.constant(f, float_type)

    val_batch = as_tensors(*validation.batch(range(len(validation))))
    rng = np.random.default_rng(as_int(seed, "seed", minimum=0))
    book = _EpochBook(model, optimizer, patience=patience, decay_patience=decay_patience,
                      min_learning_rate=min_learning_rate)
    for epoch in range(1, max_epochs + 1):
        order = rng.permutation(len(train))
        values = []
        for begin in range(0, len(train), batch_size):
            values.append(float(step(*as_tensors(*train.batch(order[begin:begin + batch_size])))))
            book.steps += 1
        if book.end_epoch(epoch, values, *(float(v) for v in validate(*val_batch))):
            break
    return book.finish()


def _energy_and_forces(model, inputs, training):
    positions = inputs["positions"]
    with tf.GradientTape() as tape:
        tape.watch(positions)
        energy = model({**inputs, "positions": positions}, training=training)
        total = tf.reduce_sum(energy)
    return energy, -tf.convert_to_tensor(tape.gradient(total, positions))


def evaluate(model, frames, energies, forces, *, batch_size: int = 64) -> dict:
    """Errors of ``model`` on crystals: ``energy_mae``, ``energy_rmse`` (eV per atom), ``force_mae``,
    ``force_rmse`` (eV/Angstrom, per Cartesian component), the predicted ``energy`` (M,) eV and ``stress`` (M, 6)
    eV/Angstrom^3 (Voigt order xx, yy, zz, yz, xz, xy, ASE's sign)."""
    frames, energies, forces = _as_data(frames, energies, forces, "data")
    batch_size = _positive_int(batch_size, "batch_size")
    predicted, stresses, de, df = [], [], [], []
    for begin in range(0, len(frames), batch_size):
        chunk = frames[begin:begin + batch_size]
        e, f, stress = predict(model, model.neighbour_inputs(chunk))
        predicted.append(e)
        stresses.append(0.5 * (stress + np.swapaxes(stress, 1, 2)).reshape(-1, 9)[:, [0, 4, 8, 5, 2, 1]])
        de.append((e - energies[begin:begin + batch_size]) / np.array([len(a) for a in chunk]))
        df.append((f - np.concatenate(forces[begin:begin + batch_size])).ravel())
    de, df = np.concatenate(de), np.concatenate(df)
    return {"energy_mae": float(np.abs(de).mean()), "energy_rmse": float(np.sqrt((de**2).mean())),
            "force_mae": float(np.abs(df).mean()), "force_rmse": float(np.sqrt((df**2).mean())),
            "energy": np.concatenate(predicted), "stress": np.concatenate(stresses)}


def copper_split(n_frames: int, *, seed: int = 0, n_test: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """``(test, train)`` indices of ``copper_md``: a seeded permutation, the first ``n_test`` held out and the rest
    in order for training (a training set of size ``n`` is ``train[:n]``), as notebook 10 splits it."""
    n_frames = as_int(n_frames, "n_frames", minimum=2)
    n_test = as_int(n_test, "n_test", minimum=1, maximum=n_frames - 1)
    order = np.random.default_rng(as_int(seed, "seed", minimum=0)).permutation(n_frames)
    return order[:n_test], order[n_test:]


def pretrained_paths(n_train: int | None = None):
    """``(weights, record)``: ``course_utils/datasets/schnet_copper_<n_train>.weights.npz`` and
    ``schnet_copper.json``, written by ``scripts/train_copper_schnet.py`` (``n_train=None``: the record only)."""
    from ..data import DATA_DIR

    record = DATA_DIR / "schnet_copper.json"
    if n_train is None:
        return None, record
    return DATA_DIR / f"schnet_copper_{as_int(n_train, 'n_train', minimum=1)}.weights.npz", record


def load_pretrained(n_train: int | None = None):
    """The periodic SchNet trained by ``scripts/train_copper_schnet.py`` on ``n_train`` copper snapshots (default:
    the largest shipped) and its record (a dict), after checking the weights' and the data set's checksums."""
    from ase.build import bulk

    from .. import data

    _, path = pretrained_paths()
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing in {path.parent}: run "
                                "`python scripts/train_copper_schnet.py`")
    full = json.loads(path.read_text())
    sizes = sorted(int(k) for k in full["models"])
    n_train = sizes[-1] if n_train is None else as_int(n_train, "n_train", minimum=1)
    if n_train not in sizes:
        raise ValueError(f"no shipped copper SchNet was trained on {n_train} snapshots; the shipped sizes are {sizes}")
    record = full["models"][str(n_train)]
    weights, _ = pretrained_paths(n_train)
    data.verify_trained(weights, record["weights_sha256"], full["data"]["name"], full["data"]["sha256"],
                        "python scripts/train_copper_schnet.py")
    model = PeriodicSchNet(**record["config"])
    model(model.neighbour_inputs(bulk("Cu", "fcc", a=3.6, cubic=True)))
    load_weights(model, weights)
    return model, {**record, "data": full["data"], "split": full["split"], "fit": full["fit"]}


def records() -> dict[int, dict]:
    """The shipped record of every training-set size (``n_train -> record``, as in ``schnet_copper.json``):
    architecture, training time and convergence, validation curve, validation and test errors (meV/atom,
    meV/Angstrom) measured by the training script."""
    _, path = pretrained_paths()
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing in {path.parent}: run "
                                "`python scripts/train_copper_schnet.py`")
    return {int(k): v for k, v in json.loads(path.read_text())["models"].items()}


def calculator(model, **kwargs):
    """An ASE calculator (energy, forces, stress) for ``model``:
    :class:`course_utils.atoms.calculators.KerasCalculator`, which feeds a periodic model its neighbour list."""
    from ..atoms.calculators import KerasCalculator

    if not isinstance(model, PeriodicSchNet):
        raise TypeError(f"model must be a PeriodicSchNet, got {_describe(model)}")
    return KerasCalculator(model, dtype=model.compute_dtype, **kwargs)
