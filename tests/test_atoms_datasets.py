"""The ``alloys`` data set: catalogue, builder, finalize and the shipped cache."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy.optimize import linprog

from course_utils import data
from course_utils.atoms import datasets, hull, prototypes
from tests._seeds import dataset_rng

SPEC = datasets.ALLOYS
PARAMS = SPEC.params


def test_catalogue_structure():
    entries = datasets.catalogue()
    assert len(entries) == SPEC.n_samples == len(set(entries))
    elements = PARAMS["elements"]
    assert entries[:3 * len(elements)] == [(p, (e,)) for e in elements for p in ("A1", "A2", "A3")]
    per_pair = Counter(tuple(sorted(e)) for _, e in entries if len(e) == 2)
    assert len(per_pair) == 21 and len(set(per_pair.values())) == 1  # every pair gets the same prototypes
    per_triple = Counter(tuple(sorted(e)) for _, e in entries if len(e) == 3)
    assert len(per_triple) == 35 and set(per_triple.values()) == {10}
    named = {p for p, _ in entries}
    assert {"L1_2", "L1_0", "B2", "D0_3", "D0_19", "L2_1", "fcc_n4_01", "bcc_n4_01"} <= named
    # decorations are symmetry-distinct: L1_0 appears once per pair, L1_2 twice
    assert Counter(p for p, e in entries if set(e) == {"Cu", "Au"})["L1_0"] == 1
    assert Counter(p for p, e in entries if set(e) == {"Cu", "Au"})["L1_2"] == 2


def test_builder_matches_a_direct_relaxation():
    index = next(i for i, (p, e) in enumerate(datasets.catalogue()) if p == "L1_2" and e == ("Cu", "Au"))
    arrays = SPEC.build(PARAMS, np.array([0, index]))
    assert arrays["prototype"].tolist() == ["A1", "L1_2"] and arrays["formula"][1] == "AuCu3"
    record = datasets.compute_alloy("L1_2", ("Cu", "Au"))
    assert arrays["energy_per_atom"][1] == record["energy_per_atom"]
    np.testing.assert_allclose(arrays["positions_relaxed"][1, :4], record["relaxed"].positions)
    assert np.all(arrays["positions_relaxed"][1, 4:] == 0) and np.all(arrays["numbers"][1, 4:] == 0)
    refs = datasets.reference_energies()
    expected = arrays["energy_per_atom"][1] - 0.75 * refs["Cu"] - 0.25 * refs["Au"]
    assert arrays["formation_energy"][1] == pytest.approx(expected, abs=1e-12)
    assert arrays["formation_energy"][1] < 0  # Cu3Au is bound in EMT
    atoms = datasets.atoms_from_arrays(arrays, 1, relaxed=False)
    reference = prototypes.decorate("L1_2", ["Cu", "Au"])
    np.testing.assert_allclose(atoms.positions, reference.positions)
    assert atoms.get_chemical_symbols() == reference.get_chemical_symbols()


def test_finalize_on_synthetic_arrays():
    fractions = np.zeros((4, 7))
    fractions[0, 0] = fractions[1, 1] = 1.0
    fractions[2, :2] = [0.5, 0.5]
    fractions[3, :2] = [0.75, 0.25]
    arrays = {"fractions": fractions, "formation_energy": np.array([0.0, 0.0, -0.1, -0.01]),
              "converged": np.array([True, True, True, True])}
    out = datasets.finalize_alloys(arrays, PARAMS)
    np.testing.assert_allclose(out["energy_above_hull"], [0, 0, 0, 0.04], atol=1e-12)
    assert out["on_hull"].tolist() == [True, True, True, False]
    arrays["converged"][2] = False
    out = datasets.finalize_alloys(arrays, PARAMS)
    assert out["on_hull"].tolist() == [True, True, False, True]


# ---------------------------------------------------------------------------------------- the shipped cache
@pytest.fixture(scope="module")
def cached():
    problem = data.cache_problem(SPEC)
    if problem is not None:
        pytest.fail(f"alloys cache unusable ({problem}); run scripts/build_alloys.py")
    return data.load(SPEC, rebuild=False)


def test_cache_shapes_and_convergence(cached):
    n, m = SPEC.n_samples, PARAMS["max_atoms"]
    assert cached["positions_relaxed"].shape == (n, m, 3) and cached["fractions"].shape == (n, 7)
    assert cached["converged"].all() and cached["max_force"].max() <= PARAMS["fmax"]
    np.testing.assert_allclose(cached["fractions"].sum(axis=1), 1.0)
    assert data.paths(SPEC)[0].stat().st_size < 5e6


def test_cache_formation_energies_and_references(cached):
    elements = PARAMS["elements"]
    pure = cached["fractions"].max(axis=1) == 1.0
    refs = np.array([cached["energy_per_atom"][pure & (cached["fractions"][:, k] == 1)].min()
                     for k in range(len(elements))])
    np.testing.assert_allclose(cached["formation_energy"], cached["energy_per_atom"] - cached["fractions"] @ refs,
                               atol=1e-12)
    ground = pure & (cached["formation_energy"] == 0)
    assert ground.sum() == len(elements) and cached["on_hull"][ground].all()
    assert cached["energy_above_hull"].min() > -1e-9


@pytest.mark.parametrize("system", [("Cu", "Au"), ("Ni", "Pt"), ("Ag", "Pd", "Pt"), ("Al", "Cu", "Ni")])
def test_cache_hull_energies_against_a_linear_programme(cached, system):
    elements = PARAMS["elements"]
    columns = [elements.index(e) for e in system]
    outside = [k for k in range(len(elements)) if k not in columns]
    members = np.flatnonzero(np.all(cached["fractions"][:, outside] == 0, axis=1))
    x = cached["fractions"][members][:, columns]
    e = cached["formation_energy"][members]
    own = members[np.all(x > 0, axis=1)]
    for i in own[:: max(1, len(own) // 15)]:
        res = linprog(e, A_eq=x.T, b_eq=cached["fractions"][i, columns], bounds=(0, None), method="highs")
        assert cached["energy_above_hull"][i] == pytest.approx(cached["formation_energy"][i] - res.fun, abs=1e-9)


def test_cache_stable_compounds_exist_and_hull_is_consistent(cached):
    compounds = (cached["fractions"] > 0).sum(axis=1) > 1
    assert cached["on_hull"][compounds].sum() >= 10
    recomputed = hull.energy_above_hull_by_system(cached["fractions"], cached["formation_energy"])
    np.testing.assert_allclose(recomputed, cached["energy_above_hull"], atol=1e-12)
    # on the hull <=> no positive distance; off-hull compounds are not below any hull
    assert np.all(cached["energy_above_hull"][~cached["on_hull"]] >= datasets.ON_HULL_TOL)


def test_cache_unrelaxed_structures_are_the_prototypes(cached):
    rng = dataset_rng("alloys", 1)
    for i in rng.choice(SPEC.n_samples, size=5, replace=False):
        name, decoration = datasets.catalogue()[i]
        atoms = datasets.atoms_from_arrays(cached, int(i), relaxed=False)
        reference = prototypes.decorate(name, list(decoration))
        np.testing.assert_allclose(atoms.cell.array, reference.cell.array, atol=1e-12)
        assert atoms.get_chemical_symbols() == reference.get_chemical_symbols()
        assert str(cached["prototype"][i]) == name
        assert tuple(x for x in cached["elements"][i] if x) == tuple(decoration)


def test_a_random_cached_sample_is_reproduced(cached):
    i = int(dataset_rng("alloys", 2).integers(3 * 7, SPEC.n_samples))
    fresh = SPEC.build(PARAMS, np.array([i]))
    for key in ("energy_per_atom", "formation_energy", "cell_relaxed", "positions_relaxed"):
        np.testing.assert_allclose(fresh[key][0], cached[key][i], rtol=1e-6, atol=1e-8, err_msg=f"{key} at {i}")


def test_compounds_of_each_kind_are_present(cached):
    kinds = Counter((cached["fractions"] > 0).sum(axis=1).tolist())
    per_pair = sum(len(prototypes.distinct_decorations(p, ("Cu", "Au"))) for p in PARAMS["binary_prototypes"])
    assert kinds[1] == 21 and kinds[2] == 21 * per_pair and kinds[3] == 35 * 10
    pairs = {tuple(sorted(x for x in row if x)) for row in cached["elements"] if (row != "").sum() == 2}
    assert pairs == set(itertools.combinations(sorted(PARAMS["elements"]), 2))
