"""course_utils.plots.network_diagram: draws one circle per neuron and every connection, and checks its input."""

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from course_utils.plots import check_labelled, network_diagram  # noqa: E402


def test_network_diagram_draws_neurons_and_connections():
    fig, ax = plt.subplots()
    network_diagram(ax, [1, 4, 3, 1], layer_names=["v", "h1", "h2", "E"], forward="forward", backward="backward")
    circles = sum(len(collection.get_offsets()) for collection in ax.collections)
    assert circles == 1 + 4 + 3 + 1
    assert len(ax.lines) == 1 * 4 + 4 * 3 + 3 * 1
    texts = {text.get_text() for text in ax.texts}
    assert {"v", "h1", "h2", "E", "forward", "backward"} <= texts
    assert not ax.axison
    assert check_labelled(fig) == []  # a diagram without axes needs no axis labels
    plt.close(fig)


def test_network_diagram_rejects_bad_input():
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="sequence of integers"):
        network_diagram(ax, 3)
    with pytest.raises(TypeError, match="layer size"):
        network_diagram(ax, [1, 2.5])
    with pytest.raises(ValueError, match="at least two layers"):
        network_diagram(ax, [3])
    with pytest.raises(ValueError, match="at most 12"):
        network_diagram(ax, [1, 40])
    with pytest.raises(ValueError, match="layer_names"):
        network_diagram(ax, [1, 2], layer_names=["only one"])
    plt.close(fig)
