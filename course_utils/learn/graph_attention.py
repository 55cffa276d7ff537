"""A small crystal-graph attention network in Keras 3 (notebook 02: machine learning thermodynamic stability).

This module imports Keras (and so TensorFlow) when it is imported; ``import course_utils`` never imports it.
Graphs come padded from :func:`course_utils.atoms.crystal_graphs.alloy_graphs`: ``B`` graphs of at most ``N`` nodes
and ``E`` directed edges, with a node mask and edge weights (0 on padding, else the edge's multiplicity).

The network, in the spirit of the crystal-graph attention networks (CGAT) of J. Schmidt, L. Pettersson,
C. Verdozzi, S. Botti and M. A. L. Marques, Sci. Adv. 7, eabi7948 (2021), doi:10.1126/sciadv.abi7948:

* each atom starts from an embedding of its element, ``h_i = W x_i``;
* each edge ``j -> i`` carries either an embedding of its neighbour-shell index on the unrelaxed prototype
  (:class:`ShellEmbedding`; a graph distance, no precise bond length: what CGAT uses) or a Gaussian expansion
  of its relaxed bond length (:class:`GaussianExpansion`; what CGCNN-like models use);
* :class:`GraphAttention` layers pass messages ``m_ij = MLP(h_i, h_j, e_ij)`` and weight them with attention
  coefficients ``alpha_ij = softmax_j(a_ij)``, normalised over the neighbours of atom ``i``, per head:
  ``h_i <- h_i + MLP(h_i, sum_j alpha_ij m_ij)``;
* every atom contributes an energy ``eps_i = MLP(h_i)`` and the formation energy per atom is their mean
  (:class:`MaskedMeanReadout`), which makes the prediction independent of the order of the atoms and of the
  choice of (super)cell.

All layers are subclassed Keras layers with ``get_config``, registered for serialisation under the package
``course_utils``; padded nodes and edges are masked so that they change nothing (``tests/test_nb02_graphs.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
from keras import ops

from . import training
from .training import load_weights, save_weights  # noqa: F401  (part of this module's API)

PACKAGE = "course_utils"


def _plain_python(function):
    """Tell TensorFlow's AutoGraph to leave ``function`` as it is: these calls have no tensor-dependent Python
    control flow, and skipping the conversion saves a few seconds when the first training step is traced."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.autograph.experimental.do_not_convert(function)
    return function


EDGE_KINDS = ("shell", "distance")
INPUT_KEYS = ("node_features", "node_mask", "senders", "receivers", "edge_weight", "shells", "distances")


@keras.saving.register_keras_serializable(package=PACKAGE)
class ShellEmbedding(keras.layers.Layer):
    """Embedding of the neighbour-shell index of each edge: (B, E) int -> (B, E, units).

    Index 0 is padding; indices above ``n_shells`` share the last row.
    """

    def __init__(self, n_shells: int = 3, units: int = 8, **kwargs):
        super().__init__(**kwargs)
        self.n_shells = int(n_shells)
        self.units = int(units)
        self.embedding = keras.layers.Embedding(self.n_shells + 1, self.units, name="table")

    @_plain_python
    def call(self, shells):
        return self.embedding(ops.clip(ops.cast(shells, "int32"), 0, self.n_shells))

    def get_config(self):
        return {**super().get_config(), "n_shells": self.n_shells, "units": self.units}


@keras.saving.register_keras_serializable(package=PACKAGE)
class GaussianExpansion(keras.layers.Layer):
    """Gaussians of a bond length on a grid of centres: (B, E) Angstrom -> (B, E, n_centres).

    ``exp(-(d - mu_k)^2 / (2 width^2))`` with ``mu_k`` evenly spaced from ``start`` to ``stop`` (Angstrom).
    """

    def __init__(self, start: float = 2.2, stop: float = 4.6, n_centres: int = 16, width: float | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.start, self.stop, self.n_centres = float(start), float(stop), int(n_centres)
        self.width = float(width) if width is not None else (self.stop - self.start) / (self.n_centres - 1)
        self.centres = np.linspace(self.start, self.stop, self.n_centres).astype("float32")

    @_plain_python
    def call(self, distances):
        d = ops.expand_dims(ops.cast(distances, "float32"), -1)
        return ops.exp(-ops.square(d - self.centres) / (2.0 * self.width**2))

    def get_config(self):
        return {**super().get_config(), "start": self.start, "stop": self.stop, "n_centres": self.n_centres,
                "width": self.width}


@keras.saving.register_keras_serializable(package=PACKAGE)
class GraphAttention(keras.layers.Layer):
    """One attention message-passing step on padded graphs.

    ``call(nodes (B, N, units), edges (B, E, G), senders (B, E), receivers (B, E), edge_weight (B, E),
    node_mask (B, N))`` returns updated nodes (B, N, units). ``edge_weight`` is 0 on padding edges and otherwise
    the edge's multiplicity (the number of equivalent periodic images it stands for, 1 without merging): a
    weight-``c`` edge counts as ``c`` identical edges in the softmax. With ``return_attention=True`` the call
    also returns the attention coefficients (B, E, heads), which sum to one over the incoming edges of every
    real atom (counting multiplicities).

    Per edge ``j -> i``: ``u_ij = silu(A h_i + B h_j + C e_ij + b)``, message ``m_ij = M u_ij`` split into heads,
    score ``a_ij = S u_ij`` (one per head), ``alpha_ij = c_ij exp(a_ij) / sum_k c_ik exp(a_ik)``; then
    ``h_i <- h_i + silu(U [h_i, sum_j alpha_ij m_ij] + b')``. ``A h_i + B h_j + C e_ij`` is a dense layer on the
    concatenation ``[h_i, h_j, e_ij]``, computed per atom before gathering, which is cheaper.
    """

    def __init__(self, units: int = 16, heads: int = 2, **kwargs):
        super().__init__(**kwargs)
        if units % heads:
            raise ValueError(f"units ({units}) must be a multiple of heads ({heads})")
        self.units, self.heads = int(units), int(heads)
        self.receiver_part = keras.layers.Dense(self.units, name="receiver_part")
        self.sender_part = keras.layers.Dense(self.units, use_bias=False, name="sender_part")
        self.edge_part = keras.layers.Dense(self.units, use_bias=False, name="edge_part")
        self.message = keras.layers.Dense(self.units, name="message")
        self.score = keras.layers.Dense(self.heads, name="score")
        self.update_mlp = keras.layers.Dense(self.units, activation="silu", name="update")

    @_plain_python
    def call(self, nodes, edges, senders, receivers, edge_weight, node_mask, return_attention=False):
        n = ops.shape(nodes)[1]
        weight = ops.cast(edge_weight, nodes.dtype)
        to_sender = ops.one_hot(ops.cast(senders, "int32"), n, dtype=nodes.dtype)  # (B, E, N)
        to_receiver = ops.one_hot(ops.cast(receivers, "int32"), n, dtype=nodes.dtype) * ops.cast(
            weight > 0, nodes.dtype)[..., None]
        hidden = ops.silu(ops.einsum("ben,bnf->bef", to_receiver, self.receiver_part(nodes))
                          + ops.einsum("ben,bnf->bef", to_sender, self.sender_part(nodes)) + self.edge_part(edges))
        batch, n_edges = ops.shape(hidden)[0], ops.shape(hidden)[1]
        messages = ops.reshape(self.message(hidden), (batch, n_edges, self.heads, self.units // self.heads))
        logits = self.score(hidden)  # (B, E, H)
        # Softmax over the incoming edges of each atom. Shifting all logits of a graph by the same constant (the
        # largest over its real edges) changes nothing and keeps exp() finite; padding edges have weight 0.
        real = (weight > 0)[..., None]
        shift = ops.max(ops.where(real, logits, -1e9), axis=1, keepdims=True)
        expo = ops.exp(ops.where(real, logits - shift, -1e9)) * weight[..., None]  # (B, E, H)
        total = ops.einsum("ben,beh->bnh", to_receiver, expo)  # (B, N, H)
        alpha = expo / (ops.einsum("ben,bnh->beh", to_receiver, total) + 1e-12)
        aggregated = ops.einsum("ben,behd->bnhd", to_receiver, alpha[..., None] * messages)
        aggregated = ops.reshape(aggregated, (batch, n, self.units))
        updated = nodes + self.update_mlp(ops.concatenate([nodes, aggregated], axis=-1))
        updated = updated * ops.cast(node_mask, nodes.dtype)[..., None]
        if return_attention:
            return updated, alpha
        return updated

    def get_config(self):
        return {**super().get_config(), "units": self.units, "heads": self.heads}


@keras.saving.register_keras_serializable(package=PACKAGE)
class MaskedMeanReadout(keras.layers.Layer):
    """Mean over the real (unmasked) nodes: (B, N, F), (B, N) bool -> (B, F). Invariant to node order."""

    @_plain_python
    def call(self, values, node_mask):
        mask = ops.cast(node_mask, values.dtype)[..., None]
        return ops.sum(values * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)


@keras.saving.register_keras_serializable(package=PACKAGE)
class StabilityGNN(keras.Model):
    """Crystal-graph attention network for the formation energy per atom (eV/atom).

    Parameters
    ----------
    edge_kind : {"shell", "distance"}
        What the edges carry: the neighbour-shell index on the unrelaxed prototype (input ``shells``), or the
        bond length in Angstrom (input ``distances``, e.g. after relaxation).
    units, edge_units, heads, n_layers : int
        Width of the node states, of the edge embedding, number of attention heads and of message-passing steps.
    n_shells : int
        Shell indices above this share one embedding (``"shell"``).
    target_mean, target_std : float
        The output is ``target_mean + target_std * network``, so the network works on a standardised scale.

    ``call`` takes a mapping with ``node_features`` (B, N, f), ``node_mask``, ``senders``, ``receivers``,
    ``edge_weight`` and ``shells`` or ``distances`` (see :func:`model_inputs`) and returns (B,) eV/atom.
    """

    def __init__(self, edge_kind: str = "shell", units: int = 16, edge_units: int = 8, heads: int = 2,
                 n_layers: int = 2, n_shells: int = 3, target_mean: float = 0.0, target_std: float = 1.0,
                 **kwargs):
        super().__init__(**kwargs)
        if edge_kind not in EDGE_KINDS:
            raise ValueError(f"edge_kind must be one of {EDGE_KINDS}, got {edge_kind!r}")
        self.edge_kind, self.units, self.edge_units = edge_kind, int(units), int(edge_units)
        self.heads, self.n_layers, self.n_shells = int(heads), int(n_layers), int(n_shells)
        self.target_mean, self.target_std = float(target_mean), float(target_std)
        self.node_embedding = keras.layers.Dense(self.units, use_bias=False, name="node_embedding")
        if edge_kind == "shell":
            self.edge_embedding = ShellEmbedding(self.n_shells, self.edge_units, name="shell_embedding")
        else:
            self.expansion = GaussianExpansion(name="gaussians")
            self.edge_embedding = keras.layers.Dense(self.edge_units, activation="silu", name="distance_embedding")
        self.attention = [GraphAttention(self.units, self.heads, name=f"attention_{k}") for k in range(self.n_layers)]
        self.atom_mlp = keras.layers.Dense(self.units, activation="silu", name="atom_mlp")
        self.atom_energy = keras.layers.Dense(1, name="atom_energy")
        self.readout = MaskedMeanReadout(name="mean_over_atoms")

    def _edges(self, inputs):
        if self.edge_kind == "shell":
            return self.edge_embedding(inputs["shells"])
        return self.edge_embedding(self.expansion(inputs["distances"]))

    @_plain_python
    def call(self, inputs, return_attention=False):
        nodes = self.node_embedding(ops.cast(inputs["node_features"], "float32"))
        edges = self._edges(inputs)
        graph = (inputs["senders"], inputs["receivers"], inputs["edge_weight"], inputs["node_mask"])
        attention = []
        for layer in self.attention:
            if return_attention:
                nodes, alpha = layer(nodes, edges, *graph, return_attention=True)
                attention.append(alpha)
            else:
                nodes = layer(nodes, edges, *graph)
        per_atom = self.atom_energy(self.atom_mlp(nodes))
        energy = self.target_mean + self.target_std * self.readout(per_atom, inputs["node_mask"])[:, 0]
        return (energy, attention) if return_attention else energy

    def get_config(self):
        return {"edge_kind": self.edge_kind, "units": self.units, "edge_units": self.edge_units,
                "heads": self.heads, "n_layers": self.n_layers, "n_shells": self.n_shells,
                "target_mean": self.target_mean, "target_std": self.target_std, "name": self.name}


def model_inputs(graphs: Mapping[str, np.ndarray], edge_kind: str = "shell", indices=None) -> dict[str, np.ndarray]:
    """The inputs of :class:`StabilityGNN` from padded graphs (:func:`course_utils.atoms.crystal_graphs.alloy_graphs`).

    ``edge_kind="shell"`` passes the shells of the unrelaxed prototype; ``"distance"`` the relaxed bond lengths
    (``"distance_unrelaxed"`` passes the unrelaxed ones under the same key). ``edge_weight`` is the edge's
    multiplicity, 0 on padding. ``indices`` selects compounds.
    """
    select = slice(None) if indices is None else np.asarray(indices)
    out = {key: np.asarray(graphs[key])[select] for key in ("node_features", "node_mask", "senders", "receivers")}
    mask = np.asarray(graphs["edge_mask"])[select]
    count = np.asarray(graphs["multiplicity"])[select] if "multiplicity" in graphs else np.ones(mask.shape)
    out["edge_weight"] = np.where(mask, count, 0.0).astype("float32")
    if edge_kind == "shell":
        out["shells"] = np.asarray(graphs["shells"])[select]
    elif edge_kind in ("distance", "distance_unrelaxed"):
        key = "distances_relaxed" if edge_kind == "distance" else "distances_unrelaxed"
        out["distances"] = np.asarray(graphs[key])[select]
    else:
        raise ValueError(f"edge_kind must be 'shell', 'distance' or 'distance_unrelaxed', got {edge_kind!r}")
    return out


DEFAULT_MODEL = {"units": 16, "edge_units": 8, "heads": 2, "n_layers": 2, "n_shells": 3}
"""Architecture of the notebook's models (about 3.4 thousand weights)."""
DEFAULT_FIT = {"epochs": 800, "batch_size": 64, "learning_rate": 3e-3, "patience": 30, "min_delta": 5e-5}
"""Training recipe of the shipped weights (``scripts/train_stability_gnn.py``)."""


def build_model(edge_kind: str = "shell", *, targets=None, seed: int = 0, example_inputs=None, **options):
    """A :class:`StabilityGNN` with its output scaled to ``targets`` (eV/atom) and its weights created.

    ``options`` override :data:`DEFAULT_MODEL`; ``example_inputs`` (graphs from :func:`model_inputs`) builds the
    weights; ``seed`` seeds Keras (the initial weights).
    """
    keras.utils.set_random_seed(seed)
    options = {**DEFAULT_MODEL, **options}
    if targets is not None:
        targets = np.asarray(targets, dtype=float)
        options.setdefault("target_mean", float(targets.mean()))
        options.setdefault("target_std", float(targets.std()))
    model = StabilityGNN(edge_kind, **options)
    if example_inputs is not None:
        model({key: value[:2] for key, value in example_inputs.items()})
    return model


def fit(model, train_inputs, train_targets, val_inputs, val_targets, *, epochs: int = DEFAULT_FIT["epochs"],
        batch_size: int = DEFAULT_FIT["batch_size"], learning_rate: float = DEFAULT_FIT["learning_rate"],
        patience: int = DEFAULT_FIT["patience"], min_delta: float = DEFAULT_FIT["min_delta"], seed: int = 0,
        verbose: int = 0, callbacks=()):
    """Train with the mean absolute error (eV/atom) as loss, Adam, and early stopping on the validation MAE.

    The learning rate halves when the validation MAE has not improved for ``patience // 3`` epochs; training
    stops after ``patience`` epochs without an improvement of at least ``min_delta`` (eV/atom) and the best
    weights are restored. No XLA: on these small graphs compiling costs far more than it saves (measured: 50 s
    to compile against 0.5 s per epoch). Uses :func:`course_utils.learn.training.fit`; returns its history dict
    (``loss``, ``val_loss``, ``learning_rate`` per epoch).
    """
    return training.fit(model, train_inputs, np.asarray(train_targets, dtype="float32"),
                        (val_inputs, np.asarray(val_targets, dtype="float32")), epochs=epochs, batch_size=batch_size,
                        learning_rate=learning_rate, patience=patience, min_delta=min_delta, loss="mae",
                        halve_on_plateau=max(patience // 3, 1), min_learning_rate=learning_rate / 50, seed=seed,
                        jit_compile=False, verbose=verbose, callbacks=callbacks)


def pretrained_paths(edge_kind: str):
    """``(weights, metadata)`` paths of the shipped model for ``edge_kind``: ``course_utils/datasets/
    stability_gnn_<kind>.weights.npz`` and the JSON ``stability_gnn.json`` that records how they were trained."""
    from ..data import DATA_DIR

    if edge_kind not in EDGE_KINDS:
        raise ValueError(f"edge_kind must be one of {EDGE_KINDS}, got {edge_kind!r}")
    return DATA_DIR / f"stability_gnn_{edge_kind}.weights.npz", DATA_DIR / "stability_gnn.json"


def load_pretrained(edge_kind: str, example_inputs):
    """The model trained by ``scripts/train_stability_gnn.py``, and its record (a dict from the JSON file).

    ``example_inputs`` (from :func:`model_inputs` with the same ``edge_kind``) builds the weights before loading.
    """
    import json

    from .. import data

    weights, metadata = pretrained_paths(edge_kind)
    if not metadata.exists():
        raise FileNotFoundError(f"{metadata.name} is missing in {metadata.parent}: run "
                                "`python scripts/train_stability_gnn.py` to train and save the models")
    full = json.loads(metadata.read_text())
    data.verify_trained(weights, full["models"][edge_kind]["weights_sha256"], full["data"]["name"],
                        full["data"]["sha256"], "python scripts/train_stability_gnn.py")
    record = full["models"][edge_kind]
    model = StabilityGNN(**record["config"])
    model({key: value[:2] for key, value in example_inputs.items()})
    load_weights(model, weights)
    return model, record


__all__ = ["ShellEmbedding", "GaussianExpansion", "GraphAttention", "MaskedMeanReadout", "StabilityGNN",
           "model_inputs", "build_model", "fit", "save_weights", "load_weights", "pretrained_paths", "load_pretrained",
           "EDGE_KINDS",
           "DEFAULT_MODEL", "DEFAULT_FIT"]
