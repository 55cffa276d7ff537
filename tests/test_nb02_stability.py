"""course_utils.atoms.crystal_graphs and course_utils.learn.stability: graphs, splits, hulls, scores (no TensorFlow)."""

from collections import Counter

import numpy as np
import pytest

from course_utils import data
from course_utils.atoms import crystal_graphs, datasets, prototypes
from course_utils.learn import stability


@pytest.fixture(scope="module")
def alloys():
    return data.load("alloys", progress=False)


@pytest.mark.parametrize("name, elements", [("A1", ["Cu"]), ("A2", ["Ni"]), ("A3", ["Pt"]), ("L1_2", ["Cu", "Au"]),
                                            ("B2", ["Ni", "Al"]), ("D0_19", ["Pd", "Ag"]), ("L2_1", ["Cu", "Au", "Al"]),
                                            ("fcc_n4_05", ["Ag", "Pt"]), ("bcc_n4_08", ["Al", "Pd"])])
def test_neighbour_edges_match_ase_neighbour_list(name, elements):
    # An independent code: ASE's neighbour list gives i, j, the image S of j and D = r_j + S @ cell - r_i, the
    # same convention as ours (receiver i, sender j, shift of the sender).
    from ase.neighborlist import neighbor_list

    atoms = prototypes.decorate(name, elements)
    for k in (12, 14):
        s, r, shifts, d, shells = crystal_graphs.neighbour_edges(atoms.cell.array, atoms.positions, k)
        i, j, S, dist = neighbor_list("ijSd", atoms, float(d.max()) + 0.01)
        kth = np.array([np.sort(dist[i == a])[k - 1] for a in range(len(atoms))])
        keep = dist <= kth[i] + 1e-3
        mine = sorted(zip(r.tolist(), s.tolist(), map(tuple, shifts.tolist()), strict=True))
        theirs = sorted(zip(i[keep].tolist(), j[keep].tolist(), map(tuple, S[keep].tolist()), strict=True))
        assert mine == theirs
        vectors = atoms.positions[s] + shifts @ atoms.cell.array - atoms.positions[r]
        assert np.allclose(np.linalg.norm(vectors, axis=1), d)
        for a in range(len(atoms)):  # shells: rank of the distinct distances around each centre atom
            levels = np.unique(np.round(d[r == a], 3))
            assert np.array_equal(shells[r == a], np.searchsorted(levels, np.round(d[r == a], 3)) + 1)


def test_neighbour_edges_counts_and_errors():
    fcc = prototypes.decorate("A1", ["Cu"])
    s, r, _, d, shells = crystal_graphs.neighbour_edges(fcc.cell.array, fcc.positions, 12)
    assert len(s) == 12 and np.all(shells == 1)
    s, r, _, d, shells = crystal_graphs.neighbour_edges(fcc.cell.array, fcc.positions, 13)  # ties: all 6 second
    assert len(s) == 18 and np.bincount(shells).tolist() == [0, 12, 6]
    bcc = prototypes.decorate("A2", ["Ni"])
    _, _, _, _, shells = crystal_graphs.neighbour_edges(bcc.cell.array, bcc.positions, 12)
    assert np.bincount(shells).tolist() == [0, 8, 6]
    with pytest.raises(ValueError, match="shape"):
        crystal_graphs.neighbour_edges(np.eye(2), fcc.positions)
    with pytest.raises(ValueError, match="non-zero volume"):
        crystal_graphs.neighbour_edges(np.zeros((3, 3)), fcc.positions)


def test_alloy_graphs_merging_keeps_every_bond(alloys):
    rows = np.arange(0, len(alloys["n_atoms"]), 41)
    merged = crystal_graphs.alloy_graphs(alloys, indices=rows)
    plain = crystal_graphs.alloy_graphs(alloys, indices=rows, merge=False)
    assert np.allclose(merged["multiplicity"].sum(1), plain["edge_mask"].sum(1))
    assert merged["edge_mask"].sum() < plain["edge_mask"].sum() / 2
    assert np.all(merged["multiplicity"][~merged["edge_mask"]] == 0)
    # the merged edges, counted with their multiplicities, are exactly the bonds of the plain graph
    for b in range(len(rows)):
        m, p = merged["edge_mask"][b], plain["edge_mask"][b]

        def key(g, mask, b=b):
            return zip(g["receivers"][b][mask].tolist(), g["senders"][b][mask].tolist(),
                       g["shells"][b][mask].tolist(), np.round(g["distances_relaxed"][b][mask], 2).tolist(),
                       strict=True)

        counted = Counter()
        for k, c in zip(key(merged, m), merged["multiplicity"][b][m].tolist(), strict=True):
            counted[k] += int(c)
        assert counted == Counter(key(plain, p))


def test_relaxed_lengths_are_those_of_the_relaxed_cell(alloys):
    row = int(np.flatnonzero((alloys["prototype"] == "bcc_n2_01") & (alloys["formula"] == "AuCu"))[0])
    g = crystal_graphs.alloy_graphs(alloys, indices=[row], merge=False)
    relaxed = datasets.atoms_from_arrays(alloys, row, relaxed=True)
    s, r, shifts, _, _ = crystal_graphs.neighbour_edges(alloys["cell_unrelaxed"][row],
                                                   alloys["positions_unrelaxed"][row, :2], 12)
    lengths = np.linalg.norm(relaxed.positions[s] + shifts @ relaxed.cell.array - relaxed.positions[r], axis=1)
    assert np.allclose(np.sort(lengths), np.sort(g["distances_relaxed"][0][g["edge_mask"][0]]), atol=1e-5)
    # this bcc cell relaxed into L1_0: per atom, its 8 + 6 bcc neighbours became 12 near ones (2.67-2.80 A) + 2 far
    assert np.sum(lengths < 2.9) == 2 * 12 and np.sum(lengths > 3.5) == 2 * 2


def test_alloy_graphs_node_features_and_errors(alloys):
    g = crystal_graphs.alloy_graphs(alloys, indices=[0, 1500], node_kind="properties")
    assert g["node_features"].shape[2] == 12
    assert np.all(g["node_features"][~g["node_mask"]] == 0)
    with pytest.raises(ValueError, match="indices"):
        crystal_graphs.alloy_graphs(alloys, indices=[5000])
    with pytest.raises(ValueError, match="lacks"):
        crystal_graphs.alloy_graphs({"numbers": alloys["numbers"]})


def test_holdout_mask_and_split(alloys):
    elements = alloys["elements"]
    mask = stability.holdout_mask(elements, [("Ag", "Au")])
    assert mask.sum() == 62 + 5 * 10
    assert stability.holdout_mask(elements, [("Au", "Ag")]).sum() == mask.sum()  # order does not matter
    with pytest.raises(TypeError):
        stability.holdout_mask(elements, "AgAu")
    split = stability.standard_split(elements)
    everything = np.concatenate(list(split.values()))
    assert len(everything) == len(elements) == len(set(everything.tolist()))
    systems = stability.chemical_systems(elements)
    assert not set(systems[split["test"]]) & set(systems[split["train"]])
    assert len(split["test"]) == 336 and abs(len(split["validation"]) - 0.15 * (len(elements) - 336)) < 1
    assert np.array_equal(stability.standard_split(elements)["validation"], split["validation"])  # seeded
    assert set(systems[split["test"]]) >= {"Au-Cu", "Al-Pd", "Ni-Pt", "Al-Pd-Pt", "Au-Cu-Ni"}


def test_predicted_energy_above_hull(alloys):
    y = alloys["formation_energy"]
    known = ~stability.holdout_mask(alloys["elements"], stability.HELDOUT_PAIRS)
    exact = stability.predicted_energy_above_hull(alloys["fractions"], y, y, known)
    assert np.allclose(exact, alloys["energy_above_hull"], atol=1e-12)  # perfect predictions: the true hull
    raised = stability.predicted_energy_above_hull(alloys["fractions"], y, y + 1.0, known)
    # everything unknown predicted 1 eV higher: a held-out binary's hull is just the elements' line E_f = 0
    binaries = ~known & (np.char.count(stability.chemical_systems(alloys["elements"]), "-") == 1)
    assert np.allclose(raised[binaries], y[binaries] + 1.0, atol=1e-12)
    assert np.allclose(raised[known], alloys["energy_above_hull"][known], atol=1e-12)  # known ones keep theirs
    bad = y.copy()
    bad[~known] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        stability.predicted_energy_above_hull(alloys["fractions"], y, bad, known)


def test_stability_scores_by_hand():
    truth = np.array([0.0, 0.001, 0.02, 0.1, 0.004, 0.3])  # stable: 0, 1, 4
    guess = np.array([0.0, 0.05, 0.0, 0.2, 0.0, 0.3])  # flagged: 0, 2, 4
    s = stability.stability_scores(truth, guess, 0.005)
    assert (s["tp"], s["fp"], s["fn"], s["tn"]) == (2, 1, 1, 2)
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == pytest.approx(2 / 3)
    assert s["prevalence"] == pytest.approx(0.5)
    nothing = stability.stability_scores(truth, np.ones(6), 0.005)
    assert np.isnan(nothing["precision"]) and nothing["recall"] == 0


def test_rank_candidates_and_random_hits():
    scores = np.array([0.3, 0.0, 0.0, 0.1, 0.0])
    order = stability.rank_candidates(scores, seed=1)
    assert set(order[:3].tolist()) == {1, 2, 4} and order[3] == 3 and order[4] == 0
    assert np.array_equal(order, stability.rank_candidates(scores, seed=1))
    orders = {tuple(stability.rank_candidates(scores, seed=s)[:3]) for s in range(20)}
    assert len(orders) > 1  # ties are broken differently by different seeds
    noisy = scores + np.array([0.0, 1e-15, -2e-16, 0.0, 3e-16])  # round-off must not break the ties
    assert np.array_equal(stability.rank_candidates(noisy, seed=1), order)
    hits = np.zeros(300, bool)
    hits[:30] = True
    draws = stability.random_hits(hits, 12, n_draws=20000, seed=0)
    assert draws.mean() == pytest.approx(12 * 0.1, abs=0.03)
    expected_sd = np.sqrt(12 * 0.1 * 0.9 * (300 - 12) / 299)  # hypergeometric
    assert draws.std() == pytest.approx(expected_sd, rel=0.05)
    with pytest.raises(ValueError):
        stability.random_hits(hits, 301)
