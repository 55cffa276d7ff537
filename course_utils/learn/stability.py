"""Data preparation and evaluation for notebook 02 (machine learning thermodynamic stability), numpy only.

The Keras models live in :mod:`course_utils.learn.graphs`; this module prepares what they (and the
scikit-learn models) see and scores what they predict, without importing TensorFlow:

* :func:`chemical_systems` and :func:`holdout_mask`: group the compounds of the ``alloys`` data set by chemical
  system and hold out whole systems (every compound that contains a held-out pair of elements);
* :func:`alloy_graphs`: crystal graphs of every compound, padded for batching. The edges join each atom to its
  ``k`` nearest neighbours in the *unrelaxed* prototype (ties kept); every edge carries its neighbour-shell index
  (1 = nearest shell, 2 = the next distinct distance, ...) measured on the prototype, as in the crystal-graph
  attention networks of Schmidt et al. (Sci. Adv. 7, eabi7948 (2021), whose code embeds this rank), and the
  length of the same bond before and after relaxation (Angstrom);
* :func:`predicted_energy_above_hull`: the energy above the hull that a model implies for unseen compounds,
  given the true energies of the known ones;
* :func:`stability_scores`: precision, recall and the confusion counts of a stable/unstable classification.

A vectorised neighbour search over periodic images replaces :func:`course_utils.atoms.graphs.crystal_graph`
here because the notebook needs all 1673 graphs in well under a second (``crystal_graph`` also computes hop
counts and takes about 35 ms per structure); ``tests/test_nb02_stability.py`` checks that both give the same
edges and shells.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from .._checks import _describe, as_int, as_number, as_real_array

_MERGE_TOL = 1e-3  # Angstrom: relaxed bond lengths closer than this count as equal when edges are merged

STABILITY_TOL = 0.005
"""eV/atom: a compound within this distance of the convex hull counts as stable in notebook 02 (5 meV/atom, the
size of EMT's own spurious hcp-below-fcc preference of 0.5-4 meV/atom for five of the seven metals)."""


HELDOUT_PAIRS: tuple[tuple[str, str], ...] = (("Au", "Cu"), ("Al", "Pd"), ("Ni", "Pt"))
"""The element pairs whose systems notebook 02 holds out: Cu-Au, the textbook ordering alloy; Al-Pd, with the one
sp metal; Ni-Pt, whose formation energies are the most negative of the data set (the models must extrapolate)."""


# ------------------------------------------------------------------------------------------ chemical systems
def _element_sets(elements) -> list[tuple[str, ...]]:
    elements = np.asarray(elements)
    if elements.ndim != 2:
        raise ValueError(f"elements must be a 2-D array of symbols (one row per compound, '' for none), got shape "
                         f"{elements.shape}")
    return [tuple(sorted(str(e) for e in row if str(e))) for row in elements]


def chemical_systems(elements) -> np.ndarray:
    """The chemical system of every compound as a string such as ``"Au-Cu"`` (elements sorted alphabetically).

    ``elements`` (n, 3): the ``elements`` array of the alloys data set ('' where a site label is absent).
    """
    return np.array(["-".join(s) for s in _element_sets(elements)])


def holdout_mask(elements, pairs: Sequence[Sequence[str]]) -> np.ndarray:
    """Boolean mask (n,) of the compounds that contain both elements of any of ``pairs``.

    Holding out a pair this way removes its binary system *and* every ternary that contains it, so that no
    compound in the training set has that pair of elements as neighbours.
    """
    if isinstance(pairs, str) or not all(len(p) == 2 and not isinstance(p, str) for p in pairs):
        raise TypeError(f"pairs must be a sequence of element pairs such as [('Au', 'Cu')], got {_describe(pairs)}")
    sets = [set(s) for s in _element_sets(elements)]
    return np.array([any(set(p) <= s for p in pairs) for s in sets], dtype=bool)


def standard_split(elements, pairs: Sequence[Sequence[str]] = HELDOUT_PAIRS, validation_fraction: float = 0.15,
                   seed: int = 0) -> dict[str, np.ndarray]:
    """The split of notebook 02: ``test`` = every compound that contains a held-out pair (:func:`holdout_mask`);
    the rest is shuffled (seeded) into ``train`` and ``validation`` (a random ``validation_fraction`` of it, used
    for early stopping). Returns sorted index arrays ``{"train", "validation", "test"}``.
    """
    test = holdout_mask(elements, pairs)
    fraction = as_number(validation_fraction, "validation_fraction", minimum=0.0, maximum=0.9)
    rest = np.random.default_rng(seed).permutation(np.flatnonzero(~test))
    n_val = int(round(fraction * len(rest)))
    return {"train": np.sort(rest[n_val:]), "validation": np.sort(rest[:n_val]), "test": np.flatnonzero(test)}


# ------------------------------------------------------------------------------------------------- graphs
def _images(cell: np.ndarray, cutoff: float) -> np.ndarray:
    # Integer cell shifts that reach every point within `cutoff` of a point of the home cell (the pair vectors
    # are first reduced to fractional coordinates in [-1/2, 1/2)): ceil(cutoff / plane spacing + 1/2) per axis.
    volume = abs(np.linalg.det(cell))
    spacing = [volume / np.linalg.norm(np.cross(cell[(i + 1) % 3], cell[(i + 2) % 3])) for i in range(3)]
    reach = [int(np.ceil(cutoff / s + 0.5)) for s in spacing]
    return np.array(list(itertools.product(*(range(-r, r + 1) for r in reach))), dtype=float)


def neighbour_edges(cell, positions, k: int = 12, tol: float = 1e-3):
    """Edges of one periodic structure to each atom's ``k`` nearest neighbours (all ties with the k-th kept).

    Returns ``senders`` (m,) int (the neighbour), ``receivers`` (m,) int (the centre atom), ``shifts`` (m, 3)
    int (cell image of the sender: the bond vector is ``positions[s] + shifts @ cell - positions[r]``),
    ``distances`` (m,) in Angstrom and ``shells`` (m,) int: the rank of the edge's distance among the distinct
    distances of its centre atom's neighbours (1 = nearest), ties within ``tol`` Angstrom. Edges are ordered by
    receiver, then distance.
    """
    cell = as_real_array(cell, "cell", shape=(3, 3))
    positions = as_real_array(positions, "positions", shape=(None, 3))
    k = as_int(k, "k", minimum=1)
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    n = len(positions)
    if n == 0 or abs(np.linalg.det(cell)) < 1e-9:
        raise ValueError("need at least one atom and a cell of non-zero volume")
    # pair vectors reduced to the nearest image: frac(r_j - r_i) in [-1/2, 1/2)
    fractional = np.linalg.solve(cell.T, positions.T).T
    delta = fractional[None, :, :] - fractional[:, None, :]
    base = -np.round(delta)
    radius = 1.9 * (abs(np.linalg.det(cell)) / n) ** (1 / 3) * (k / 12) ** (1 / 3)
    while True:
        shifts = _images(cell, radius)
        images = base[:, :, None, :] + shifts[None, None, :, :]  # (n, n, s, 3) integer cell shifts
        vectors = positions[None, :, None, :] + images @ cell - positions[:, None, None, :]
        dist = np.sqrt(np.einsum("ijsx,ijsx->ijs", vectors, vectors))
        home = np.flatnonzero(np.all(shifts == 0, axis=1))[0]  # base[i, i] = 0, so this is atom i itself
        dist[np.arange(n), np.arange(n), home] = np.inf
        flat = dist.reshape(n, -1)
        kth = np.partition(flat, k - 1, axis=1)[:, k - 1]
        if np.all(kth < radius - tol):
            break
        radius *= 1.5  # the k-th neighbour may lie beyond the search radius: search farther
    rows, cols = np.nonzero(flat <= kth[:, None] + tol)
    d = flat[rows, cols]
    order = np.lexsort((d, rows))
    rows, cols, d = rows[order], cols[order], d[order]
    new_level = np.concatenate([[True], (np.diff(d) > tol) | (np.diff(rows) != 0)])
    starts = np.flatnonzero(np.concatenate([[True], np.diff(rows) != 0]))
    level_count = np.cumsum(new_level)
    shells = level_count - np.repeat(level_count[starts] - 1, np.diff(np.append(starts, len(rows))))
    j, s = np.unravel_index(cols, dist.shape[1:])
    return j, rows, images[rows, j, s].astype(int), d, shells


def alloy_graphs(arrays: Mapping[str, np.ndarray], *, k: int = 12, node_kind: str = "onehot",
                 merge: bool = True, indices=None) -> dict[str, np.ndarray]:
    """Padded crystal graphs of compounds of the alloys data set (``course_utils.data.load("alloys")``).

    Edges and shells come from the unrelaxed prototype (:func:`neighbour_edges`); the relaxed length of each
    edge is the same pair of atoms in the same cell image after relaxation. Shapes (``B`` compounds, ``N`` = the
    data set's ``max_atoms`` nodes, ``E`` = the largest edge count):

    ``node_features`` (B, N, f): one-hot over :data:`course_utils.atoms.elements.ELEMENTS` (``"onehot"``) or
    standardised elemental properties (``"properties"``, see :func:`course_utils.atoms.graphs.node_features`);
    ``node_mask`` (B, N) bool; ``senders``, ``receivers`` (B, E) int; ``edge_mask`` (B, E) bool; ``shells``
    (B, E) int (0 on padding); ``distances_unrelaxed``, ``distances_relaxed`` (B, E) in Angstrom;
    ``multiplicity`` (B, E) float; ``n_nodes`` (B,). Padding edges join node 0 to itself and are masked.

    ``merge=True`` merges the edges that join the same two atoms through different periodic images with the same
    shell and the same relaxed length (within 1e-3 Angstrom): they carry identical messages, so one edge with a
    ``multiplicity`` (the number merged) is exactly equivalent and about three times cheaper (50 -> 16 edges per
    compound on average). With ``merge=False`` every image is its own edge (multiplicity 1).
    """
    from ..atoms.elements import ELEMENTS
    from ..atoms.graphs import node_features

    required = ("numbers", "n_atoms", "cell_unrelaxed", "positions_unrelaxed", "cell_relaxed", "positions_relaxed")
    missing = [key for key in required if key not in arrays]
    if missing:
        raise ValueError(f"arrays lacks {missing}: pass the dict returned by course_utils.data.load('alloys')")
    total = len(arrays["n_atoms"])
    indices = np.arange(total) if indices is None else np.asarray(indices, dtype=int)
    if indices.size and (indices.min() < 0 or indices.max() >= total):
        raise ValueError(f"indices must lie in [0, {total}), got range [{indices.min()}, {indices.max()}]")
    from ase.data import chemical_symbols

    per = []
    for index in indices:
        n = int(arrays["n_atoms"][index])
        symbols = [chemical_symbols[z] for z in arrays["numbers"][index, :n]]
        s, r, shifts, d0, shell = neighbour_edges(arrays["cell_unrelaxed"][index],
                                                  arrays["positions_unrelaxed"][index, :n], k)
        pos, cell = arrays["positions_relaxed"][index, :n], arrays["cell_relaxed"][index]
        d1 = np.linalg.norm(pos[s] + shifts @ cell - pos[r], axis=1)
        count = np.ones(len(s))
        if merge:
            keys = np.column_stack([r, s, shell, np.round(d1 / _MERGE_TOL)])
            _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
            count = np.bincount(inverse.ravel()).astype(float)
            s, r, shell, d0, d1 = s[first], r[first], shell[first], d0[first], d1[first]
        per.append((node_features(symbols, node_kind, ELEMENTS), s, r, shell, d0, d1, count))
    b, n_max = len(per), arrays["numbers"].shape[1]
    e_max = max(len(p[1]) for p in per)
    f = per[0][0].shape[1]
    out = {"node_features": np.zeros((b, n_max, f), dtype=np.float32), "node_mask": np.zeros((b, n_max), bool),
           "senders": np.zeros((b, e_max), np.int32), "receivers": np.zeros((b, e_max), np.int32),
           "edge_mask": np.zeros((b, e_max), bool), "shells": np.zeros((b, e_max), np.int32),
           "distances_unrelaxed": np.zeros((b, e_max), np.float32),
           "distances_relaxed": np.zeros((b, e_max), np.float32),
           "multiplicity": np.zeros((b, e_max), np.float32), "n_nodes": np.zeros(b, np.int32)}
    for row, (x, s, r, shell, d0, d1, count) in enumerate(per):
        n, m = len(x), len(s)
        out["node_features"][row, :n] = x
        out["node_mask"][row, :n] = True
        out["senders"][row, :m], out["receivers"][row, :m] = s, r
        out["edge_mask"][row, :m] = True
        out["shells"][row, :m] = shell
        out["distances_unrelaxed"][row, :m], out["distances_relaxed"][row, :m] = d0, d1
        out["multiplicity"][row, :m] = count
        out["n_nodes"][row] = n
    return out


# ---------------------------------------------------------------------------------------- hull and metrics
def predicted_energy_above_hull(fractions, formation_energy, predicted, known) -> np.ndarray:
    """Energy above the hull (eV/atom) that predictions imply, each compound within its chemical system.

    The known compounds (``known`` (n,) bool, e.g. the training set and the elements) keep their true formation
    energies ``formation_energy`` (n,); every other compound takes its predicted one ``predicted`` (n,). The
    hulls are then built from this mixture, as a screening campaign would: what is known is computed, the rest
    is the model's guess. Returns (n,) eV/atom; only the entries of unknown compounds are predictions.
    """
    from ..atoms.hull import energy_above_hull_by_system

    true = as_real_array(formation_energy, "formation_energy", ndim=1)
    guess = as_real_array(predicted, "predicted", shape=(len(true),), finite=False)
    known = np.asarray(known, dtype=bool)
    if known.shape != true.shape:
        raise ValueError(f"known must have shape {true.shape}, got {known.shape}")
    if not np.all(np.isfinite(guess[~known])):
        raise ValueError("predicted contains NaN or infinite values for compounds that are not known")
    mixed = np.where(known, true, guess)
    return energy_above_hull_by_system(fractions, mixed)


def stability_scores(e_hull_true, e_hull_pred, tol: float = STABILITY_TOL) -> dict[str, float]:
    """Scores of the classification "stable = within ``tol`` eV/atom of the hull".

    Returns ``precision`` (the fraction of predicted-stable compounds that are stable; ``nan`` when nothing is
    predicted stable), ``recall`` (the fraction of the stable compounds that are found), ``f1``, ``accuracy``,
    ``prevalence`` (the fraction of stable compounds) and the counts ``tp``, ``fp``, ``fn``, ``tn``.
    """
    truth = as_real_array(e_hull_true, "e_hull_true", ndim=1) <= as_number(tol, "tol", minimum=0.0)
    guess = as_real_array(e_hull_pred, "e_hull_pred", shape=(len(truth),)) <= tol
    tp, fp = int(np.sum(truth & guess)), int(np.sum(~truth & guess))
    fn, tn = int(np.sum(truth & ~guess)), int(np.sum(~truth & ~guess))
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": (tp + tn) / len(truth),
            "prevalence": (tp + fn) / len(truth), "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def rank_candidates(scores, seed: int = 0) -> np.ndarray:
    """Indices that sort ``scores`` (n,) ascending (most promising first), ties broken at random (seeded).

    A composition-only model gives every polymorph of one composition the same score; a seeded random order
    among ties stops the ranking from favouring whichever prototype happens to come first in the data set.
    """
    values = as_real_array(scores, "scores", ndim=1)
    rng = np.random.default_rng(seed)
    return np.lexsort((rng.random(len(values)), values))


def random_hits(is_hit, n_picks: int, n_draws: int = 10_000, seed: int = 0) -> np.ndarray:
    """Number of hits in each of ``n_draws`` random choices of ``n_picks`` candidates without replacement.

    ``is_hit`` (n,) bool marks the candidates that are hits; returns (n_draws,) int.
    """
    hits = np.asarray(is_hit, dtype=bool)
    n_picks = as_int(n_picks, "n_picks", minimum=1, maximum=len(hits))
    rng = np.random.default_rng(seed)
    keys = rng.random((as_int(n_draws, "n_draws", minimum=1), len(hits)))
    picks = np.argpartition(keys, n_picks - 1, axis=1)[:, :n_picks]
    return hits[picks].sum(axis=1)


__all__ = ["STABILITY_TOL", "HELDOUT_PAIRS", "chemical_systems", "holdout_mask", "standard_split",
           "neighbour_edges", "alloy_graphs", "predicted_energy_above_hull", "stability_scores", "rank_candidates",
           "random_hits"]
