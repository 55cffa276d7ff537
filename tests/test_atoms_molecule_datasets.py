"""The enumeration of small molecules (chemspace) and the ``molecules_small`` data set: filters, the shipped
catalogue, the shipped cache against fresh GFN2-xTB calculations, and regeneration of random samples."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import data
from course_utils.atoms import chemspace, molecule_datasets, molecules
from tests._seeds import dataset_rng

SPEC = molecule_datasets.MOLECULES_SMALL
PARAMS = SPEC.params
VALENCE_ELECTRONS = {1: 1, 6: 4, 7: 5, 8: 6}


# ------------------------------------------------------------------------------------------ enumeration
def test_enumeration_up_to_three_heavy_atoms_by_hand():
    levels = chemspace.enumerate_molecules(3, elements=("C", "N", "O"))
    assert levels[0] == ["C", "N", "O"]
    assert levels[1] == sorted(["CC", "C=C", "C#C", "CN", "C=N", "C#N", "CO", "C=O"])  # no N-N, N-O, O-O
    # by hand: propane/propene/propyne, the three 3-rings without double bonds, ethyl-X, acetaldehyde and its
    # imine, acetonitrile, imines, dimethyl ether/amine, formamide, formamidine, formic acid. Left out by the
    # filters: allene, ketene, cyclopropene, azirine, enols/ynols, vinylamine, methanediol, aminomethanol,
    # methanediamine, and everything with a heteroatom-heteroatom bond.
    expected = ["C#CC", "C1CC1", "C1CN1", "C1CO1", "C=CC", "C=NC", "CC#N", "CC=N", "CC=O", "CCC", "CCN", "CCO",
                "CNC", "COC", "N=CN", "NC=O", "O=CO"]
    assert levels[2] == sorted(expected)


@pytest.mark.parametrize("smiles, ok", [
    ("C1CC11CC1", False),  # spiropentane: an atom in two 3-rings
    ("C1C2CC12", False),  # bicyclo[1.1.0]butane
    ("C1CC2CC2C1", True),  # bicyclo[4.1.0]heptane: one small ring only
    ("C1=C2CCC1C2", False),  # bridgehead double bond (Bredt)
    ("CC(O)O", False),  # hemiacetal (gem-diol)
    ("COC(C)OC", True),  # acetal
    ("CC(N)O", False),  # hemiaminal
    ("CC=C(C)O", False),  # enol
    ("C=CN(C)C", True),  # enamine without N-H
    ("C=CNC", False),  # N-H enamine
    ("Oc1ccccc1", True),  # phenol (aromatic, not an enol)
    ("CC(=O)O", True), ("CC(N)=O", True), ("CC(=N)N", True),
])
def test_final_filters(smiles, ok):
    assert chemspace._final_ok(smiles) is ok


def test_hereditary_filters_prune_while_growing():
    children = set().union(*chemspace._children("CC", ("C", "N", "O"), 2))
    assert {"C=C", "CCO", "CC=O", "CC#N"} <= children and "C#C" not in children  # C#C is two raises away
    assert not any("=C=" in c for c in children)
    allowed = set().union(*chemspace._children("CN", ("C", "N", "O"), 2))
    assert not any(s in allowed for s in ("CNN", "CNO"))  # no N-N / N-O bonds
    assert chemspace._hereditary_ok(["C", "C", "C"], {(0, 1): 2, (1, 2): 2}, 2) is False  # allene
    assert chemspace._hereditary_ok(["C", "C", "C"], {(0, 1): 2, (1, 2): 1, (0, 2): 1}, 2) is False  # cyclopropene


@pytest.mark.slow  # about 5-15 s
def test_random_growth_is_seeded_and_filtered():
    seeds = chemspace.enumerate_molecules(4, elements=("C", "N", "O"))[-1]
    a = chemspace.grow_randomly(seeds, 6, 12, rng=3, elements=("C", "N", "O"))
    b = chemspace.grow_randomly(seeds, 6, 12, rng=3, elements=("C", "N", "O"))
    assert a == b and len(set(a)) == 12
    assert all(chemspace.heavy_atom_count(s) == 6 and chemspace._final_ok(s) for s in a)
    enumerated = set(chemspace.enumerate_molecules(6, elements=("C", "N", "O"))[-1])
    assert set(a) <= enumerated  # random growth stays inside the enumerated space


def test_bad_enumeration_arguments():
    with pytest.raises(ValueError, match="elements must be a non-empty subset"):
        chemspace.enumerate_molecules(3, elements=("C", "S"))
    with pytest.raises(ValueError, match="max_heavy must be at most 9"):
        chemspace.enumerate_molecules(12)


# --------------------------------------------------------------------------------------------- catalogue
def test_shipped_catalogue_matches_the_enumeration_up_to_five_heavy_atoms():
    cat = molecule_datasets.catalogue()
    levels = chemspace.enumerate_molecules(5, elements=PARAMS["elements"], max_rings=PARAMS["max_rings"])
    for k, level in enumerate(levels, start=1):
        assert cat["counts"][str(k)] == len(level)
    everything = set(cat["main"]) | set(cat["pool"])
    assert len(everything) == len(cat["main"]) + len(cat["pool"]) == sum(cat["counts"].values())
    for level in levels:
        assert set(level) <= everything
    assert len(cat["main"]) == PARAMS["n_main"]
    assert not set(cat["extrapolation"]) & everything
    n_heavy = [chemspace.heavy_atom_count(s) for s in cat["extrapolation"]]
    assert {str(k): n_heavy.count(k) for k in (8, 9)} == PARAMS["extrapolation"]


@pytest.mark.slow
def test_shipped_catalogue_is_regenerated_exactly():
    params = {k: v for k, v in PARAMS.items() if k != "catalogue_sha256"}
    assert molecule_datasets.make_catalogue(params) == molecule_datasets.catalogue()


# ---------------------------------------------------------------------------------------- shipped cache
@pytest.fixture(scope="module")
def cached():
    problem = data.cache_problem(SPEC)
    if problem is not None:
        pytest.fail(f"molecules_small cache unusable ({problem}); run scripts/build_molecules.py")
    return data.load(SPEC, rebuild=False)


def test_cache_shapes_and_success_rate(cached):
    n, m = SPEC.n_samples, PARAMS["max_atoms"]
    assert cached["positions"].shape == (n, m, 3) and cached["orbital_energies"].shape == (n, PARAMS["max_orbitals"])
    ok = cached["ok"]
    # The failures are mostly small bridged "aromatic" bicycles that the filters let through and that cannot be
    # embedded or rearrange under xTB; random growth (extrapolation) makes more of them than the enumeration.
    main = cached["split"] == "main"
    assert ok[main].mean() > 0.97, f"{(~ok[main]).sum()} failures: {cached['failure'][main & ~ok][:5]}"
    assert ok[~main].mean() > 0.85, f"{(~ok[~main]).sum()} failures: {cached['failure'][~main & ~ok][:5]}"
    assert np.all(cached["failure"][ok] == "") and np.all(cached["failure"][~ok] != "")
    assert (cached["split"] == "main").sum() == PARAMS["n_main"]
    assert np.all(cached["n_heavy"][cached["split"] == "main"] <= PARAMS["max_heavy"])
    assert set(cached["n_heavy"][cached["split"] == "extrapolation"].tolist()) == {8, 9}
    assert np.all(cached["n_kept"][ok] >= 1) and np.all(cached["n_kept"] <= cached["n_starts"])
    assert data.paths(SPEC)[0].stat().st_size < 10e6


def test_cache_is_chemically_consistent(cached):
    ok = np.flatnonzero(cached["ok"])
    cat = molecule_datasets.catalogue()
    assert cached["smiles"].tolist() == cat["main"] + cat["extrapolation"]
    for i in ok:
        a = cached["n_atoms"][i]
        z = cached["numbers"][i, :a]
        assert np.all(z > 0) and np.all(cached["numbers"][i, a:] == 0)
        assert (z > 1).sum() == cached["n_heavy"][i]
        electrons = sum(VALENCE_ELECTRONS[int(x)] for x in z)
        assert cached["occupations"][i].sum() == pytest.approx(electrons, abs=1e-3)
        assert cached["n_orbitals"][i] == sum(1 if x == 1 else 4 for x in z)  # GFN2 minimal valence basis
        assert abs(cached["charges"][i, :a].sum()) < 1e-4
    assert np.all(cached["lumo"][ok] > cached["homo"][ok])
    assert -16 < cached["homo"][ok].min() and cached["homo"][ok].max() < -7  # eV, xTB's range for such molecules


def test_cache_conformer_subset(cached):
    has = cached["n_conformers"] > 0
    subset = np.arange(SPEC.n_samples) < PARAMS["n_conformer_subset"]
    assert np.array_equal(has, subset & cached["ok"])
    assert cached["n_conformers"][has].sum() > 2 * has.sum()  # several distinct minima on average
    for i in np.flatnonzero(has):
        c = cached["n_conformers"][i]
        e = cached["conformer_energies"][i, :c]
        assert e[0] == cached["energy"][i] and np.all(np.diff(e) > molecule_datasets.DISTINCT_ENERGY)
        np.testing.assert_array_equal(cached["conformer_positions"][i, 0], cached["positions"][i])


def _rng(salt: int):
    return dataset_rng("molecules_small", salt)


def test_cached_minima_against_fresh_single_points(cached):
    rng = _rng(1)
    for i in rng.choice(np.flatnonzero(cached["ok"]), size=4, replace=False):
        atoms = molecule_datasets.atoms_from_arrays(cached, int(i))
        result = molecules.single_point(atoms)
        # positions are stored in float32 (1e-7 A): the energy moves by far less than 1e-5 eV at a minimum
        assert result.energy == pytest.approx(cached["energy"][i], abs=1e-5)
        assert np.abs(result.forces).max() < PARAMS["fmax"] * 1.01
        np.testing.assert_allclose(result.dipole, cached["dipole"][i], atol=1e-4)
        assert molecules.connectivity_smiles(atoms, result.bond_orders) == cached["smiles"][i]
        # The MMFF start is the same molecule: xTB's Wiberg bonds at the start geometry give back its SMILES.
        # (RDKit's geometry-only bond perception, xyz2mol, cannot assign valences for a few strained bicycles
        # such as c1cc2c([nH]1)OC2, so it is not used here.)
        start = molecule_datasets.atoms_from_arrays(cached, int(i), start=True)
        assert molecules.connectivity_smiles(start) == cached["smiles"][i]


@pytest.mark.slow  # about 13 s (xTB optimisations)
def test_random_samples_are_regenerated(cached):
    rng = _rng(2)
    main = rng.integers(PARAMS["n_conformer_subset"], PARAMS["n_main"])
    extrapolation = rng.integers(PARAMS["n_main"], SPEC.n_samples)
    sample = np.array(sorted({int(main), int(extrapolation)}))
    fresh = SPEC.build(PARAMS, sample)
    for key, value in fresh.items():
        where = f"molecules_small[{key!r}] at {sample}"
        if value.dtype.kind in "fc":
            np.testing.assert_allclose(value, cached[key][sample], rtol=1e-5, atol=1e-5, err_msg=where)
        else:
            np.testing.assert_array_equal(value, cached[key][sample], err_msg=where)


def test_docstring_and_readme_quote_the_shipped_figures(cached):
    from pathlib import Path

    doc = " ".join(molecule_datasets.__doc__.split())
    for line in molecule_datasets.description_lines(molecule_datasets.describe(cached)):
        assert " ".join(line.split()) in doc, f"the module docstring should say: {line}"
    stats = molecule_datasets.describe(cached)
    row = next(line for line in (Path(__file__).resolve().parents[1] / "README.md").read_text().splitlines()
               if line.startswith("| `molecules_small` |"))
    for figure in (f"{stats['n_main']:,} molecules", f"{stats['ok_main']:,} with an xTB minimum",
                   f"({stats['ok_extrapolation']} kept)", f"{stats['n_subset']} molecules with "
                   f"{stats['n_subset_minima']} distinct conformers"):
        assert figure in row, f"README's molecules_small row should say {figure!r}"
