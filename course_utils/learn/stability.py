"""Splits and scores for machine-learned thermodynamic stability (notebook 02), numpy only.

The Keras models live in :mod:`course_utils.learn.graph_attention`, the crystal graphs they see in
:mod:`course_utils.atoms.crystal_graphs`; this module holds out chemical systems and scores predictions:

* :func:`chemical_systems` and :func:`holdout_mask`: group the compounds of the ``alloys`` data set by chemical
  system and hold out whole systems (every compound that contains a held-out pair of elements);
* :func:`predicted_energy_above_hull`: the energy above the hull that a model implies for unseen compounds,
  given the true energies of the known ones;
* :func:`stability_scores`: precision, recall and the confusion counts of a stable/unstable classification.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._checks import _describe, as_int, as_number, as_real_array

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


def rank_candidates(scores, seed: int = 0, decimals: int = 9) -> np.ndarray:
    """Indices that sort ``scores`` (n,) ascending (most promising first), ties broken at random (seeded).

    A composition-only model gives every polymorph of one composition the same score; a seeded random order
    among ties stops the ranking from favouring whichever prototype happens to come first in the data set.
    Scores are rounded to ``decimals`` first (1e-9 eV/atom by default), so that round-off in a model's
    prediction (a random forest summed over threads in varying order, say) cannot decide the order of what are
    ties: without it the forest's top 12 changed from run to run.
    """
    values = np.round(as_real_array(scores, "scores", ndim=1), as_int(decimals, "decimals", minimum=0))
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
           "predicted_energy_above_hull", "stability_scores", "rank_candidates",
           "random_hits"]
