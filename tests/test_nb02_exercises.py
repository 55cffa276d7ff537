"""The exercise checks of notebook 02: right answers pass, typical mistakes fail with a helpful message,
placeholders and nonsense give feedback instead of exceptions."""

import numpy as np
import pytest

from course_utils import data, exercises
from course_utils.atoms.elements import ELEMENTS


@pytest.fixture(scope="module")
def alloys():
    return data.load("alloys", progress=False)


def _energy(alloys, prototype, formula):
    row = np.flatnonzero((alloys["prototype"] == prototype) & (alloys["formula"] == formula))[0]
    return alloys["energy_per_atom"][row]


# ----------------------------------------------------------------------------------------------- exercise 1
def test_formation_energy(alloys):
    e = _energy(alloys, "L1_2", "AuCu3")
    cu = {p: _energy(alloys, p, "Cu") for p in ("A1", "A2", "A3")}
    au = {p: _energy(alloys, p, "Au") for p in ("A1", "A2", "A3")}
    right = (e - 0.75 * min(cu.values()) - 0.25 * min(au.values())) * 1000
    check = exercises.check_alloy_formation_energy
    assert check(right)
    assert check(np.float64(right))
    assert right == pytest.approx(
        alloys["formation_energy"][(alloys["prototype"] == "L1_2") & (alloys["formula"] == "AuCu3")][0] * 1000)
    assert "meV" in check(right / 1000).message
    assert "sign" in check(-right).message
    assert "hcp" in check((e - 0.75 * cu["A1"] - 0.25 * au["A1"]) * 1000).message
    assert "swapped" in check((e - 0.25 * min(cu.values()) - 0.75 * min(au.values())) * 1000).message
    assert "energy per atom" in check(e * 1000).message
    assert not check(right + 1.0)
    for bad in (..., None, "-9.5", [1, 2], float("nan")):
        feedback = check(bad)
        assert not feedback and feedback.message


# ----------------------------------------------------------------------------------------------- exercise 2
def test_energy_above_hull(alloys):
    right = 1000 * alloys["energy_above_hull"][(alloys["prototype"] == "C11_b") & (alloys["formula"] == "AuCu2")][0]
    e_f = 1000 * alloys["formation_energy"][(alloys["prototype"] == "C11_b") & (alloys["formula"] == "AuCu2")][0]
    check = exercises.check_alloy_energy_above_hull
    assert check(right)
    assert "meV" in check(right / 1000).message
    assert "sign" in check(-right).message
    assert "formation energy itself" in check(e_f).message
    d019 = 1000 * alloys["formation_energy"][(alloys["prototype"] == "D0_19") & (alloys["formula"] == "AuCu3")][0]
    assert "single hull phase" in check(e_f - d019).message
    assert not check(right + 0.5)
    assert not check(...) and not check("20")


# ----------------------------------------------------------------------------------------------- exercise 3
def test_chemical_system_split(alloys):
    sets = [set(row) - {""} for row in alloys["elements"]]
    right = np.array([{"Ag", "Au"} <= s for s in sets])
    check = exercises.check_chemical_system_split
    assert check(right)
    assert check(right.astype(int))
    assert "binaries only" in check(np.array([s == {"Ag", "Au"} for s in sets])).message
    assert "too many" in check(np.array([bool({"Ag", "Au"} & s) for s in sets])).message
    wrong = right.copy()
    wrong[0] = True  # pure Al held out as well
    assert "others" in check(wrong).message
    missing = right.copy()
    missing[np.flatnonzero(right)[:3]] = False
    assert "not held out" in check(missing).message
    assert "shape" in check(right[:10]).message
    assert "boolean" in check(right.astype(float) * 0.5).message
    assert not check(...)


# ----------------------------------------------------------------------------------------------- exercise 4
def test_precision_recall(alloys):
    compounds = (alloys["elements"] != "").sum(axis=1) >= 2
    truth = alloys["energy_above_hull"][compounds] <= 0.005
    guess = alloys["formation_energy"][compounds] < 0
    tp = np.sum(truth & guess)
    precision, recall = tp / guess.sum(), tp / truth.sum()
    check = exercises.check_stability_precision_recall
    assert check(precision, recall)
    assert 0.3 < precision < 0.5 and recall > 0.9  # the lesson: high recall, low precision
    assert "swapped" in check(recall, precision).message
    assert "percentages" in check(100 * precision, 100 * recall).message
    assert "accuracy" in check(np.mean(truth == guess), recall).message
    on_hull = alloys["on_hull"][compounds]
    assert "exactly on the hull" in check(np.sum(on_hull & guess) / guess.sum(), 1.0).message
    everything = (alloys["elements"] != "").sum(axis=1) >= 1
    t_all = alloys["energy_above_hull"][everything] <= 0.005
    g_all = alloys["formation_energy"][everything] < 0
    assert "elements" in check(precision, np.sum(t_all & g_all) / t_all.sum()).message
    assert not check(..., recall) and not check(precision, None)
    assert not check("0.4", recall)


def test_check_names_are_unique_across_the_course():
    checks = exercises.all_checks()
    for name in ("check_alloy_formation_energy", "check_alloy_energy_above_hull", "check_chemical_system_split",
                 "check_stability_precision_recall"):
        assert name in checks
    assert ELEMENTS[0] == "Al"


# ----------------------------------------------------------------------------------------------- exercise 4 (attention)
def _attention_by_loop(graph):
    """An independent, loop-by-loop computation of one attention step (what a student writes by hand)."""
    h = graph["h"]
    alpha, aggregated = np.zeros(len(graph["senders"])), np.zeros_like(h)
    u = {}
    for k, (j, i) in enumerate(zip(graph["senders"], graph["receivers"], strict=True)):
        z = graph["A"] @ h[i] + graph["B"] @ h[j]
        u[k] = z / (1 + np.exp(-z))
    for i in range(len(h)):
        into = [k for k in range(len(alpha)) if graph["receivers"][k] == i]
        weights = [graph["multiplicity"][k] * np.exp(graph["S"] @ u[k]) for k in into]
        for k, wk in zip(into, weights, strict=True):
            alpha[k] = wk / sum(weights)
            aggregated[i] += alpha[k] * (graph["M"] @ u[k])
    return alpha, aggregated


def test_attention_step():
    from course_utils.exercises.nb02 import _attention_step, attention_exercise_graph

    graph = attention_exercise_graph()
    alpha, aggregated = _attention_by_loop(graph)
    check = exercises.check_attention_step
    assert check(alpha, aggregated)
    assert check(list(alpha), aggregated.tolist())
    sums = np.zeros(3)
    np.add.at(sums, graph["receivers"], alpha)
    assert np.allclose(sums, 1.0) and alpha[-1] == pytest.approx(1.0)
    assert "multiplicities" in check(*_attention_step(graph, use_multiplicity=False)).message
    assert "all five edges" in check(*_attention_step(graph, normalise="all")).message
    assert "plain mean" in check(*_attention_step(graph, normalise="mean")).message
    assert "swapped" in check(*_attention_step(graph, swap=True)).message
    assert "one periodic image" in check(alpha / graph["multiplicity"], aggregated).message
    assert "aggregated messages are not" in check(alpha, 2 * aggregated).message
    assert not check(alpha + 0.01, aggregated)
    for bad in ((..., aggregated), (alpha, None), ("0.5", aggregated), (alpha[:3], aggregated),
                (alpha, aggregated[:, 0]), (alpha * np.nan, aggregated), (alpha, [["a", "b"]] * 3)):
        feedback = check(*bad)
        assert not feedback and feedback.message
