"""Checks for notebook 02 (machine learning thermodynamic stability of materials).

The expected answers are computed from the cached ``alloys`` data set (``course_utils.data.load("alloys")``), so
they follow the data if it is ever rebuilt. Energies are asked in meV/atom.
"""

from __future__ import annotations

import math

import numpy as np

from ._feedback import checker, is_placeholder

STABLE_TOL_MEV = 5.0  # the notebook's definition of "stable": within 5 meV/atom of the hull


def _alloys():
    from .. import data

    return data.load("alloys", progress=False)


def _row(arrays, prototype: str, formula: str) -> int:
    rows = np.flatnonzero((arrays["prototype"] == prototype) & (arrays["formula"] == formula))
    if len(rows) != 1:
        raise RuntimeError(f"the alloys data set has {len(rows)} entries {formula} on {prototype}, expected one")
    return int(rows[0])


def _elemental(arrays, symbol: str) -> dict[str, float]:
    """Energy per atom (eV) of ``symbol`` on each elemental prototype (A1 fcc, A2 bcc, A3 hcp)."""
    rows = np.flatnonzero((arrays["elements"][:, 0] == symbol) & (arrays["elements"][:, 1] == ""))
    return {str(arrays["prototype"][i]): float(arrays["energy_per_atom"][i]) for i in rows}


def _as_number(value, what: str):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, np.ndarray) and value.size == 1:
            return float(value.ravel()[0]), None
        return None, f"expected one number ({what}), got {type(value).__name__}."
    if not math.isfinite(float(value)):
        return None, f"expected a finite number ({what}), got {value}."
    return float(value), None


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol


# ----------------------------------------------------------------------------------------------- exercise 1
@checker("formation energy of Cu3Au (L1_2) by hand")
def check_alloy_formation_energy(formation_energy_mev):
    """E_f = E(Cu3Au) - 3/4 E(Cu ground state) - 1/4 E(Au ground state), in meV/atom."""
    if is_placeholder(formation_energy_mev):
        raise NotImplementedError
    value, problem = _as_number(formation_energy_mev, "the formation energy in meV/atom")
    if problem:
        return False, problem
    arrays = _alloys()
    energy = float(arrays["energy_per_atom"][_row(arrays, "L1_2", "AuCu3")])
    cu, au = _elemental(arrays, "Cu"), _elemental(arrays, "Au")
    expected = (energy - 0.75 * min(cu.values()) - 0.25 * min(au.values())) * 1000
    if _close(value, expected, 0.05):
        return True, (f"E_f = {value:.2f} meV/atom: slightly below zero, so Cu3Au is stable against separating "
                      "into pure Cu and Au -- but that alone does not put it on the hull (section 2).")
    if _close(value, expected / 1000, 5e-5):
        return False, "that is the right number in eV/atom; the question asks for meV/atom (multiply by 1000)."
    if _close(value, -expected, 0.05):
        return False, "the sign is flipped: E_f = E(compound) - sum_i x_i E_i, the compound minus the references."
    fcc = (energy - 0.75 * cu["A1"] - 0.25 * au["A1"]) * 1000
    if _close(value, fcc, 0.05):
        return False, ("you used the fcc (A1) energies as references. The reference of each element is its lowest-"
                       "energy structure among A1, A2 and A3: in EMT that is hcp (A3) for Cu, not fcc.")
    swapped = (energy - 0.25 * min(cu.values()) - 0.75 * min(au.values())) * 1000
    if _close(value, swapped, 0.05):
        return False, "the fractions are swapped: Cu3Au has x_Cu = 3/4 and x_Au = 1/4."
    if _close(value, energy * 1000, 0.05):
        return False, "that is the energy per atom of the compound; subtract the elemental references."
    return False, (f"got {value:.3f} meV/atom. Use E_f = E(Cu3Au) - 3/4 E_Cu - 1/4 E_Au with E_X the lowest energy "
                   "per atom of element X among A1, A2, A3, all in eV/atom, then convert to meV/atom.")


# ----------------------------------------------------------------------------------------------- exercise 2
@checker("energy above the hull of Cu2Au (C11_b)")
def check_alloy_energy_above_hull(e_hull_mev):
    """Vertical distance from C11_b Cu2Au to the lower convex hull of the Cu-Au system, in meV/atom."""
    if is_placeholder(e_hull_mev):
        raise NotImplementedError
    value, problem = _as_number(e_hull_mev, "the energy above the hull in meV/atom")
    if problem:
        return False, problem
    from ..atoms.hull import energy_above_hull

    arrays = _alloys()
    row = _row(arrays, "C11_b", "AuCu2")
    from ..atoms.elements import ELEMENTS

    cu, au = ELEMENTS.index("Cu"), ELEMENTS.index("Au")
    system = np.flatnonzero(np.isclose(arrays["fractions"][:, cu] + arrays["fractions"][:, au], 1.0))
    x = arrays["fractions"][system][:, [cu, au]]
    e_f = arrays["formation_energy"][system]
    expected = float(energy_above_hull(x, e_f)[list(system).index(row)]) * 1000
    e_row = float(arrays["formation_energy"][row]) * 1000
    if _close(value, expected, 0.05):
        return True, (f"E_hull = {value:.2f} meV/atom: the hull at x_Au = 1/3 lies on the tie line between the "
                      "two hull phases on either side, so Cu2Au would decompose into them.")
    if _close(value, expected / 1000, 5e-5):
        return False, "that is the right number in eV/atom; the question asks for meV/atom."
    if _close(value, -expected, 0.05):
        return False, "the sign is flipped: E_hull = E_f(compound) - E_hull_line(x), which is >= 0 for every compound."
    if _close(value, e_row, 0.05) or _close(value, -e_row, 0.05):
        return False, ("that is the formation energy itself, the distance to the line joining the pure elements. "
                       "The hull of Cu-Au dips below zero: measure from the tie line between the hull phases "
                       "on either side of x_Au = 1/3.")
    on_hull = np.flatnonzero(energy_above_hull(x, e_f) < 1e-6)
    for i in on_hull:
        if _close(value, e_row - e_f[i] * 1000, 0.05):
            return False, ("you measured from a single hull phase. At x_Au = 1/3 the hull is the straight line "
                           "between the hull phases on either side: interpolate linearly in x_Au.")
    return False, (f"got {value:.3f} meV/atom. Find the hull phases of Cu-Au just below and above x_Au = 1/3 (the "
                   "compounds with energy on the hull), interpolate their formation energies linearly to "
                   "x_Au = 1/3 and subtract that from the formation energy of C11_b Cu2Au.")


# ----------------------------------------------------------------------------------------------- exercise 5
@checker("precision and recall of the rule 'E_f < 0 means stable'")
def check_stability_precision_recall(precision, recall):
    """Precision and recall (fractions) of predicting 'stable' (within 5 meV/atom of the hull) from E_f < 0,
    over the binary and ternary compounds of the alloys data set."""
    if is_placeholder(precision) or is_placeholder(recall):
        raise NotImplementedError
    p, problem = _as_number(precision, "the precision as a fraction")
    if problem:
        return False, "precision: " + problem
    r, problem = _as_number(recall, "the recall as a fraction")
    if problem:
        return False, "recall: " + problem
    arrays = _alloys()
    compounds = (arrays["elements"] != "").sum(axis=1) > 1
    truth = arrays["energy_above_hull"][compounds] <= STABLE_TOL_MEV / 1000
    guess = arrays["formation_energy"][compounds] < 0
    tp = np.sum(truth & guess)
    exp_p, exp_r = tp / guess.sum(), tp / truth.sum()
    if _close(p, exp_p, 1e-3) and _close(r, exp_r, 1e-3):
        return True, (f"precision {p:.3f}, recall {r:.3f}: a negative formation energy catches almost every stable "
                      "compound, but most compounds it flags are not stable -- they lose to another phase.")
    if _close(p, exp_r, 1e-3) and _close(r, exp_p, 1e-3):
        return False, ("precision and recall are swapped. Precision = TP / (TP + FP): of the compounds flagged "
                       "stable, how many are. Recall = TP / (TP + FN): of the stable ones, how many are flagged.")
    if _close(p, 100 * exp_p, 0.1) and _close(r, 100 * exp_r, 0.1):
        return False, "those are percentages; give fractions between 0 and 1."
    accuracy = np.mean(truth == guess)
    if _close(p, accuracy, 1e-3) or _close(r, accuracy, 1e-3):
        return False, "that is the accuracy (the fraction classified correctly), not precision or recall."
    on_hull = arrays["on_hull"][compounds]
    if _close(p, np.sum(on_hull & guess) / guess.sum(), 1e-3):
        return False, ("you counted only compounds exactly on the hull as stable; this notebook calls a compound "
                       "stable when it is within 5 meV/atom (0.005 eV/atom) of the hull.")
    everything = (arrays["elements"] != "").sum(axis=1) >= 1
    truth_all = arrays["energy_above_hull"][everything] <= STABLE_TOL_MEV / 1000
    guess_all = arrays["formation_energy"][everything] < 0
    if _close(r, np.sum(truth_all & guess_all) / truth_all.sum(), 1e-3) and not _close(r, exp_r, 1e-3):
        return False, "leave out the 21 pure elements (their E_f is zero by definition); use binaries and ternaries."
    return False, (f"got precision {p:.4g} and recall {r:.4g}. Truth: energy_above_hull <= 0.005 eV/atom; "
                   "prediction: formation_energy < 0; over the compounds with two or three elements.")


# ----------------------------------------------------------------------------------------------- exercise 3
@checker("a test set that holds out the Ag-Au chemistry")
def check_chemical_system_split(test_mask):
    """Boolean mask over the alloys data set: every compound that contains both Ag and Au."""
    if is_placeholder(test_mask):
        raise NotImplementedError
    arrays = _alloys()
    n = len(arrays["formation_energy"])
    mask = np.asarray(test_mask)
    if mask.shape != (n,):
        return False, f"expected one entry per compound, shape ({n},), got shape {mask.shape}."
    if mask.dtype != bool:
        if mask.dtype.kind in "iu" and set(np.unique(mask)) <= {0, 1}:
            mask = mask.astype(bool)
        else:
            return False, f"expected a boolean mask (True = held out), got dtype {mask.dtype}."
    sets = [set(row) - {""} for row in arrays["elements"]]
    expected = np.array([{"Ag", "Au"} <= s for s in sets])
    if np.array_equal(mask, expected):
        return True, (f"{mask.sum()} compounds held out: the 62 Ag-Au binaries and the ternaries that contain "
                      "both elements, so no training compound has Ag and Au side by side.")
    binaries = np.array([s == {"Ag", "Au"} for s in sets])
    if np.array_equal(mask, binaries):
        return False, ("that holds out the Ag-Au binaries only. The ternaries Ag-Au-X also contain Ag next to Au: "
                       "leave them in training and the model has seen the chemistry it is tested on.")
    union = np.array([bool({"Ag", "Au"} & s) for s in sets])
    if np.array_equal(mask, union):
        return False, (f"too many compounds ({mask.sum()}): hold out those that contain Ag *and* Au, not every "
                       "compound with either of them (the models need Ag and Au in other systems to learn them).")
    if np.all(mask[expected]):
        return False, (f"your mask holds out every Ag-Au compound but also {int(mask.sum() - expected.sum())} "
                       "others; keep only those that contain both Ag and Au.")
    missing, extra = int(np.sum(expected & ~mask)), int(np.sum(mask & ~expected))
    return False, (f"{missing} compounds that contain both Ag and Au are not held out (and {extra} are held out "
                   "that should not be). Test each row of alloys['elements'] for both symbols.")


# ----------------------------------------------------------------------------------------------- exercise 4
def attention_exercise_graph() -> dict[str, np.ndarray]:
    """The small graph of exercise 4: three atoms with two features each, five directed edges, one head.

    ``senders[k] -> receivers[k]`` is edge ``k`` (``j -> i``) and ``multiplicity[k]`` the number of equivalent
    periodic images it stands for. The learned matrices (made-up numbers, as after some training) act on
    column vectors: ``u_k = silu(A @ h[i] + B @ h[j])``, message ``m_k = M @ u_k``, score ``a_k = S @ u_k``.
    There are no edge features and no biases.
    """
    return {
        "h": np.array([[1.0, 0.0], [0.0, 1.0], [0.5, -0.5]]),
        "senders": np.array([1, 2, 0, 2, 0]),
        "receivers": np.array([0, 0, 1, 1, 2]),
        "multiplicity": np.array([1.0, 2.0, 1.0, 1.0, 3.0]),
        "A": np.array([[1.0, -0.5], [0.5, 1.0]]),
        "B": np.array([[0.5, 1.0], [-1.0, 0.5]]),
        "M": np.array([[1.0, 0.0], [1.0, -1.0]]),
        "S": np.array([2.0, -1.0]),
    }


def _silu(x):
    return x / (1.0 + np.exp(-x))


def _attention_step(graph, *, swap=False, use_multiplicity=True, normalise="receiver"):
    """Attention coefficients (E,) and aggregated messages (N, F) of :func:`attention_exercise_graph`."""
    h, i, j = graph["h"], graph["receivers"], graph["senders"]
    if swap:
        i, j = j, i
    u = _silu(h[i] @ graph["A"].T + h[j] @ graph["B"].T)
    messages, scores = u @ graph["M"].T, u @ graph["S"]
    weight = np.exp(scores) * (graph["multiplicity"] if use_multiplicity else 1.0)
    if normalise == "receiver":
        total = np.zeros(len(h))
        np.add.at(total, i, weight)
        alpha = weight / total[i]
    elif normalise == "all":
        alpha = weight / weight.sum()
    else:  # no softmax: the plain mean over the incoming edges
        count = np.zeros(len(h))
        np.add.at(count, i, 1.0)
        alpha = 1.0 / count[i]
    aggregated = np.zeros_like(h)
    np.add.at(aggregated, i, alpha[:, None] * messages)
    return alpha, aggregated


def _as_array(value, shape, what):
    if isinstance(value, (str, bytes, bool)) or value is None:
        return None, f"{what}: expected an array of shape {shape}, got {type(value).__name__}."
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, f"{what}: expected an array of numbers of shape {shape}, got {type(value).__name__}."
    if array.shape != shape:
        return None, f"{what}: expected shape {shape}, got {array.shape}."
    if not np.all(np.isfinite(array)):
        return None, f"{what}: some entries are not finite numbers."
    return array, None


@checker("one attention step by hand")
def check_attention_step(alpha, aggregated):
    """The attention coefficients (one per edge) and the aggregated messages (one row per atom) of one attention
    step on :func:`attention_exercise_graph`."""
    if is_placeholder(alpha) or is_placeholder(aggregated):
        raise NotImplementedError
    graph = attention_exercise_graph()
    n_edges, shape = len(graph["senders"]), graph["h"].shape
    a, problem = _as_array(alpha, (n_edges,), "alpha")
    if problem:
        return False, problem
    s, problem = _as_array(aggregated, shape, "aggregated")
    if problem:
        return False, problem
    right_alpha, right_sum = _attention_step(graph)
    if np.allclose(a, right_alpha, atol=1e-4) and np.allclose(s, right_sum, atol=1e-4):
        return True, ("the coefficients of the edges into each atom sum to one, counting multiplicities "
                      f"(atom 0: {right_alpha[0]:.3f} + {right_alpha[1]:.3f}, the second edge counted twice); atom 2 "
                      "has one neighbour, so its coefficient is 1 whatever its score.")
    mistakes = [({"use_multiplicity": False}, "the multiplicities are missing: an edge that stands for c periodic "
                 "images counts c times in the softmax, alpha_ij = c_ij exp(a_ij) / sum_k c_ik exp(a_ik)."),
                ({"normalise": "all"}, "the softmax ran over all five edges; it runs over the edges that arrive at "
                 "the same atom i, so that the coefficients of each atom sum to one."),
                ({"normalise": "mean"}, "that is the plain mean over the neighbours; attention weighs them by "
                 "the softmax of their scores a_ij = S u_ij."),
                ({"swap": True}, "sender and receiver are swapped: in u_ij = silu(A h_i + B h_j), i is the atom that "
                 "receives (receivers[k]) and j the neighbour that sends (senders[k]).")]
    for options, message in mistakes:
        wrong_alpha, wrong_sum = _attention_step(graph, **options)
        if np.allclose(a, wrong_alpha, atol=1e-4):
            return False, message
    if not np.allclose(a, right_alpha, atol=1e-4):
        sums = np.zeros(shape[0])
        np.add.at(sums, graph["receivers"], a * graph["multiplicity"])
        if np.allclose(sums, 1.0, atol=1e-4):
            return False, ("those are the coefficients of one periodic image. A merged edge stands for c_k images, "
                           "so its coefficient is c_k times larger: alpha_k = c_k exp(a_k) / sum of c exp(a) over "
                           "the edges into the same atom (then each atom's coefficients sum to one).")
        return False, (f"alpha is not right yet (got {np.round(a, 3)}). Per edge k: u = silu(A @ h[i] + B @ h[j]) "
                       "with i = receivers[k], j = senders[k]; score a = S @ u; then alpha_k = c_k exp(a_k) divided "
                       "by the sum of c exp(a) over the edges with the same receiver.")
    return False, ("alpha is right, the aggregated messages are not: row i is the sum over the edges k into atom i "
                   "of alpha_k * (M @ u_k).")
