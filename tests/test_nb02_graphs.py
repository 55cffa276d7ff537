"""course_utils.learn.graph_attention: the Keras crystal-graph attention network of notebook 02.

Invariances that can fail: the readout and the whole model must not depend on the order of the atoms, padding
must change nothing, merging equivalent periodic images must be exact, attention must be normalised, and the
layers must survive a get_config round trip. The shipped weights must reproduce their recorded metrics.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils import data  # noqa: E402
from course_utils.atoms import crystal_graphs  # noqa: E402
from course_utils.learn import graph_attention, stability  # noqa: E402


@pytest.fixture(scope="module")
def alloys():
    return data.load("alloys", progress=False)


@pytest.fixture(scope="module")
def sample(alloys):
    # a mix of 1-, 2-, 3-, 4-, 5- and 8-atom cells, binaries and ternaries
    rows = np.array([0, 1, 2, 30, 90, 161, 400, 901, 1100, 1330, 1337, 1600])
    return rows, crystal_graphs.alloy_graphs(alloys, indices=rows), crystal_graphs.alloy_graphs(alloys, indices=rows,
                                                                                      merge=False)


def _model(kind, example, seed=3):
    return graph_attention.build_model(kind, seed=seed, example_inputs=example, target_mean=0.05, target_std=0.08)


def _permute(inputs, b, perm):
    """Relabel the atoms of graph b: new atom k is old atom perm[k]."""
    out = {key: value.copy() for key, value in inputs.items()}
    n = int(inputs["node_mask"][b].sum())
    inverse = np.empty(n, int)
    inverse[perm] = np.arange(n)
    out["node_features"][b, :n] = inputs["node_features"][b, perm]
    for key in ("senders", "receivers"):
        real = inputs["edge_weight"][b] > 0
        out[key][b, real] = inverse[inputs[key][b, real]]
    # also shuffle the order of the edges
    rng = np.random.default_rng(b)
    order = rng.permutation(inputs["senders"].shape[1])
    for key in ("senders", "receivers", "edge_weight", "shells", "distances"):
        if key in out:
            out[key][b] = out[key][b, order]
    return out


@pytest.mark.parametrize("kind", ["shell", "distance"])
def test_model_is_invariant_to_atom_and_edge_order(sample, kind):
    _, merged, _ = sample
    x = graph_attention.model_inputs(merged, kind)
    model = _model(kind, x)
    before = np.asarray(model(x))
    changed = 0
    for b in range(len(before)):
        n = int(x["node_mask"][b].sum())
        if n < 2:
            continue
        species = x["node_features"][b, :n].argmax(1)
        # put an atom of another species first, if there is one, so that order-dependent code would notice
        first = int(np.flatnonzero(species != species[0])[0]) if np.any(species != species[0]) else n - 1
        perm = np.concatenate([[first], np.delete(np.arange(n), first)])
        permuted = _permute(x, b, perm)
        changed += not np.allclose(x["node_features"][b], permuted["node_features"][b])
        assert np.allclose(before, np.asarray(model(permuted)), atol=1e-6), b
    assert changed >= 6


def test_masked_mean_readout_is_permutation_invariant_and_ignores_padding():
    readout = graph_attention.MaskedMeanReadout()
    rng = np.random.default_rng(0)
    values = rng.normal(size=(3, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    out = np.asarray(readout(values, mask))
    assert np.allclose(out, [values[i][mask[i]].mean(0) for i in range(3)], atol=1e-6)
    garbage = values.copy()
    garbage[~mask] = 1e6
    assert np.allclose(np.asarray(readout(garbage, mask)), out, atol=1e-6)
    shuffled = values[:, [2, 0, 1, 3, 4]]
    assert np.allclose(np.asarray(readout(shuffled, mask[:, [2, 0, 1, 3, 4]])), out, atol=1e-6)


@pytest.mark.parametrize("kind", ["shell", "distance"])
def test_padding_changes_nothing(sample, kind):
    _, merged, _ = sample
    x = graph_attention.model_inputs(merged, kind)
    model = _model(kind, x)
    before = np.asarray(model(x))
    padded = {}
    for key, value in x.items():
        if value.ndim >= 2 and key in ("node_features", "node_mask"):
            extra = np.zeros((value.shape[0], 3, *value.shape[2:]), value.dtype)
            padded[key] = np.concatenate([value, extra], axis=1)
        elif key in ("senders", "receivers", "edge_weight", "shells", "distances"):
            padded[key] = np.concatenate([value, np.zeros((value.shape[0], 7), value.dtype)], axis=1)
    # garbage in every padding slot: features of padded nodes and edges, and indices of padded edges
    padded["node_features"][~padded["node_mask"]] = 5.0
    pad_edges = padded["edge_weight"] == 0
    padded["senders"][pad_edges] = 9
    padded["receivers"][pad_edges] = 10
    if kind == "shell":
        padded["shells"][pad_edges] = 2
    else:
        padded["distances"][pad_edges] = 2.5
    after = np.asarray(model(padded))
    assert np.allclose(before, after, atol=1e-6)


@pytest.mark.parametrize("kind, atol", [("shell", 1e-6), ("distance", 1e-4)])
def test_merged_images_equal_plain_graph(sample, kind, atol):
    _, merged, plain = sample
    xm, xp = graph_attention.model_inputs(merged, kind), graph_attention.model_inputs(plain, kind)
    model = _model(kind, xm)
    assert np.allclose(np.asarray(model(xm)), np.asarray(model(xp)), atol=atol)
    assert xp["senders"].shape[1] > xm["senders"].shape[1]


def test_attention_is_normalised_over_incoming_edges(sample):
    _, merged, _ = sample
    x = graph_attention.model_inputs(merged, "shell")
    model = _model("shell", x)
    _, attention = model(x, return_attention=True)
    assert len(attention) == model.n_layers
    alpha = np.asarray(attention[0])  # (B, E, heads)
    weight = x["edge_weight"]
    for b in range(len(weight)):
        real = weight[b] > 0
        for atom in np.flatnonzero(x["node_mask"][b]):
            incoming = real & (x["receivers"][b] == atom)
            assert np.allclose(alpha[b][incoming].sum(0), 1.0, atol=1e-5)
        assert np.all(alpha[b][~real] == 0)


def test_get_config_round_trip(sample):
    _, merged, _ = sample
    x = graph_attention.model_inputs(merged, "distance")
    model = _model("distance", x)
    config = model.get_config()
    clone = graph_attention.StabilityGNN.from_config(config)
    clone(x)
    clone.set_weights(model.get_weights())
    assert np.allclose(np.asarray(clone(x)), np.asarray(model(x)), atol=1e-6)
    for layer in (graph_attention.GraphAttention(8, 2), graph_attention.ShellEmbedding(4, 6),
                  graph_attention.GaussianExpansion(2.0, 4.0, 8),
                  graph_attention.MaskedMeanReadout()):
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(restored) is type(layer) and restored.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="multiple of heads"):
        graph_attention.GraphAttention(10, 3)
    with pytest.raises(ValueError, match="edge_kind"):
        graph_attention.StabilityGNN("angles")


@pytest.mark.slow
def test_model_is_small_and_learns(alloys):
    split = stability.standard_split(alloys["elements"])
    g = crystal_graphs.alloy_graphs(alloys, indices=split["train"][:300])
    x = graph_attention.model_inputs(g, "shell")
    y = alloys["formation_energy"][split["train"][:300]]
    model = graph_attention.build_model("shell", targets=y, seed=0, example_inputs=x)
    assert 1000 < model.count_params() < 5000
    start = np.abs(np.asarray(model(x)) - y).mean()
    graph_attention.fit(model, x, y, x, y, epochs=15, seed=0)
    assert np.abs(np.asarray(model(x)) - y).mean() < 0.7 * start


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["shell", "distance"])
def test_pretrained_weights_reproduce_their_record(alloys, kind):
    split = stability.standard_split(alloys["elements"])
    g = crystal_graphs.alloy_graphs(alloys)
    x = graph_attention.model_inputs(g, kind)
    model, record = graph_attention.load_pretrained(kind, x)
    predicted = model.predict(x, verbose=0, batch_size=512)
    y = alloys["formation_energy"]
    mae = np.abs(predicted - y)[split["test"]].mean() * 1000
    assert mae == pytest.approx(record["test_mae_mev"], abs=0.01)
    assert record["n_weights"] == model.count_params() < 5000
