"""Relaxation with EMT, formation energies and convex hulls (checked against a brute-force linear programme)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from course_utils import ConvergenceError
from course_utils.atoms import calculators, hull, prototypes, relax


# ------------------------------------------------------------------------------------------------ relaxation
def _cu3au(a=None):
    atoms = prototypes.decorate("L1_2", ["Cu", "Au"], lattice_constant=a)
    atoms.calc = calculators.emt()
    return atoms


def test_relaxation_reaches_zero_forces_and_stress_and_lowers_the_energy():
    atoms = _cu3au(a=3.9)  # 4 % above the Vegard estimate
    start = atoms.get_potential_energy() / len(atoms)
    result = relax.relax(atoms, fmax=1e-3)
    assert result.converged and result.n_steps > 0
    assert result.energy_per_atom < start
    assert result.energy_per_atom == pytest.approx(result.energy / len(atoms))
    assert np.abs(result.atoms.get_forces()).max() < 1e-3
    # the generalised cell force is stress * volume; below fmax means stress < fmax / volume
    assert np.abs(result.atoms.get_stress()).max() * result.atoms.get_volume() < 1e-3 * 3
    assert atoms.cell.lengths()[0] == pytest.approx(3.9)  # the input is left alone


def test_filters_and_optimizers_find_the_same_minimum():
    energies = []
    for optimizer, cell_filter in (("BFGS", "unit"), ("FIRE", "unit"), ("BFGS", "frechet")):
        atoms = prototypes.decorate("L1_0", ["Cu", "Au"])  # c/a relaxes
        atoms.calc = calculators.emt()
        energies.append(relax.relax(atoms, fmax=1e-3, max_steps=2000, optimizer=optimizer,
                                    cell_filter=cell_filter).energy_per_atom)
    np.testing.assert_allclose(energies, energies[0], atol=2e-5)


def test_fixed_cell_relaxation_keeps_the_cell():
    atoms = _cu3au(a=3.9)
    atoms.rattle(0.05, seed=1)
    result = relax.relax(atoms, cell_filter=None, fmax=1e-3)
    np.testing.assert_allclose(result.atoms.cell.array, atoms.cell.array)
    assert np.abs(result.atoms.get_forces()).max() < 1e-3


def test_step_budget_raises_a_convergence_error():
    atoms = _cu3au(a=3.5)
    with pytest.raises(ConvergenceError, match="did not converge in 2 steps"):
        relax.relax(atoms, fmax=1e-4, max_steps=2)
    result = relax.relax(atoms, fmax=1e-4, max_steps=2, raise_on_failure=False)
    assert not result.converged and result.max_force > 1e-4


def test_relax_rejects_bad_input():
    bare = prototypes.decorate("L1_2", ["Cu", "Au"])
    with pytest.raises(ValueError, match="no calculator"):
        relax.relax(bare)
    with pytest.raises(TypeError):
        relax.relax("Cu3Au")
    atoms = _cu3au()
    with pytest.raises(ValueError, match="optimizer"):
        relax.relax(atoms, optimizer="LBFGS-B")
    with pytest.raises(ValueError, match="cell_filter"):
        relax.relax(atoms, cell_filter="strain")
    with pytest.raises(ValueError, match="fmax"):
        relax.relax(atoms, fmax=0.0)
    molecule = atoms.copy()
    molecule.pbc = False
    molecule.calc = calculators.emt()
    with pytest.raises(ValueError, match="periodic"):
        relax.relax(molecule)


# ------------------------------------------------------------------------------------------ formation energy
def test_elemental_references_pick_the_lowest_structure():
    refs = hull.elemental_references(["Au"], calculators.emt, fmax=1e-3)
    energies = {}
    for name in ("A1", "A2", "A3"):
        atoms = prototypes.decorate(name, ["Au"])
        atoms.calc = calculators.emt()
        energies[name] = relax.relax(atoms, fmax=1e-3).energy_per_atom
    best = min(energies, key=energies.get)
    assert refs["Au"][1] == best and refs["Au"][0] == pytest.approx(energies[best])
    assert energies["A2"] > energies[best]  # bcc gold is not its EMT ground state
    with pytest.raises(ValueError, match="not in the element table"):
        hull.elemental_references(["Fe"], calculators.emt)
    with pytest.raises(TypeError):
        hull.elemental_references("Au", calculators.emt)


def test_formation_energy_definition_and_errors():
    refs = {"Cu": -0.10, "Au": 0.20}
    assert hull.formation_energy(0.0, "Cu3Au", refs) == pytest.approx(-(0.75 * -0.10 + 0.25 * 0.20))
    assert hull.formation_energy(0.0, {"Cu": 0.5, "Au": 0.5}, refs) == pytest.approx(-0.05)
    atoms = prototypes.decorate("L1_0", ["Cu", "Au"])
    assert hull.formation_energy(0.0, atoms, refs) == pytest.approx(-0.05)
    vector = hull.formation_energies([0.0, 0.0], [[0.75, 0.25], [0.5, 0.5]], [-0.10, 0.20])
    np.testing.assert_allclose(vector, [-(0.75 * -0.10 + 0.25 * 0.20), -0.05])
    with pytest.raises(ValueError, match="missing elemental reference"):
        hull.formation_energy(0.0, "CuPt", refs)
    with pytest.raises(ValueError, match="sum to one"):
        hull.formation_energy(0.0, {"Cu": 0.5, "Au": 0.4}, refs)
    with pytest.raises(ValueError, match="non-negative"):
        hull.formation_energy(0.0, {"Cu": 1.5, "Au": -0.5}, refs)
    with pytest.raises(ValueError, match="not a chemical element"):
        hull.formation_energy(0.0, "Cu3Xx", refs)
    with pytest.raises(ValueError, match="not a chemical formula"):
        hull.formation_energy(0.0, "Cu3(Au", refs)
    with pytest.raises(TypeError):
        hull.formation_energy(0.0, "Cu3Au", [("Cu", -0.1)])
    with pytest.raises(ValueError, match="sum to one"):
        hull.formation_energies([0.0], [[0.5, 0.6]], [0.0, 0.0])


# ------------------------------------------------------------------------------------------------------ hull
def _lp_hull_energy(x_query, fractions, energies):
    """Hull energy at x_query by brute force: min sum_j w_j E_j s.t. w >= 0, sum_j w_j x_j = x_query."""
    k = fractions.shape[1]
    pts = np.vstack([fractions, np.eye(k)])
    e = np.concatenate([energies, np.zeros(k)])
    res = linprog(e, A_eq=pts.T, b_eq=x_query, bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


def test_binary_hull_by_hand():
    x_b = np.array([0.25, 0.5, 0.75])
    fractions = np.column_stack([1 - x_b, x_b])
    energies = np.array([-0.05, -0.10, -0.02])
    # (0.25, -0.05) lies on the line from A to (0.5, -0.1); at 0.75 the hull is -0.05
    np.testing.assert_allclose(hull.energy_above_hull(fractions, energies), [0.0, 0.0, 0.03], atol=1e-12)
    lower = hull.lower_hull(fractions, energies)
    assert 1 in lower.vertices and 2 not in lower.vertices
    np.testing.assert_allclose(lower.energy_at([[0.6, 0.4]]), [-0.08])


def test_ternary_hull_by_hand():
    # one ternary at the centroid, -0.3 eV/atom; (1/2, 1/4, 1/4) = 1/4 A + 3/4 centroid -> hull -0.225
    fractions = np.array([[1 / 3, 1 / 3, 1 / 3], [0.5, 0.25, 0.25], [0.5, 0.5, 0.0]])
    energies = np.array([-0.3, -0.2, 0.01])
    np.testing.assert_allclose(hull.energy_above_hull(fractions, energies), [0.0, 0.025, 0.01], atol=1e-12)
    # candidates measured against this set: below the hull is negative
    np.testing.assert_allclose(hull.energy_above_hull(fractions, energies, query_fractions=[[0.5, 0.25, 0.25]],
                                                      query_energies=[-0.3]), [-0.075])


@pytest.mark.parametrize("k, n, seed", [(2, 15, 0), (3, 40, 1), (3, 60, 2), (4, 50, 3)])
def test_hull_agrees_with_brute_force_linear_programme(k, n, seed):
    rng = np.random.default_rng(seed)
    fractions = rng.dirichlet(np.ones(k), size=n)
    fractions[: n // 5] = np.round(fractions[: n // 5] * 4) / 4  # some on simple compositions and edges
    fractions[: n // 5] /= fractions[: n // 5].sum(axis=1, keepdims=True)
    energies = rng.normal(-0.05, 0.06, size=n)
    pure = fractions.max(axis=1) > 1 - 1e-9
    energies[pure] = np.abs(energies[pure])
    e_hull = hull.energy_above_hull(fractions, energies)
    lp = np.array([energies[i] - _lp_hull_energy(fractions[i], fractions, energies) for i in range(n)])
    np.testing.assert_allclose(e_hull, lp, atol=1e-9)
    assert e_hull.min() > -1e-9 and np.sum(e_hull < 1e-9) >= 1
    # a point added above the hull changes nothing for the others
    more = hull.energy_above_hull(np.vstack([fractions, fractions[:1]]), np.append(energies, energies[0] + 1.0))
    np.testing.assert_allclose(more[:n], e_hull, atol=1e-9)


def test_hull_with_all_energies_zero_or_positive():
    fractions = np.array([[0.5, 0.5], [0.25, 0.75]])
    np.testing.assert_allclose(hull.energy_above_hull(fractions, [0.0, 0.0]), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(hull.energy_above_hull(fractions, [0.1, 0.2]), [0.1, 0.2], atol=1e-12)


def test_hull_by_system_uses_subsystems():
    # four elements; binaries A-B and B-C, a ternary A-B-C, a quaternary-free set
    rows = {"AB": [0.5, 0.5, 0, 0], "AB3": [0.25, 0.75, 0, 0], "BC": [0, 0.5, 0.5, 0], "CD": [0, 0, 0.5, 0.5],
            "ABC": [1 / 3, 1 / 3, 1 / 3, 0], "A2BC": [0.5, 0.25, 0.25, 0], "B": [0, 1, 0, 0]}
    energies = {"AB": -0.2, "AB3": -0.05, "BC": -0.1, "CD": 0.05, "ABC": -0.1, "A2BC": -0.1, "B": 0.02}
    names = list(rows)
    fractions = np.array([rows[k] for k in names])
    e = np.array([energies[k] for k in names])
    result = dict(zip(names, hull.energy_above_hull_by_system(fractions, e), strict=True))
    ab = hull.energy_above_hull(np.array([[0.5, 0.5], [0.25, 0.75]]), [-0.2, -0.05])
    assert result["AB"] == pytest.approx(ab[0]) and result["AB3"] == pytest.approx(ab[1])
    assert result["CD"] == pytest.approx(0.05) and result["B"] == pytest.approx(0.02)
    ternary = [k for k in names if rows[k][3] == 0 and k != "B"]
    sub = np.array([rows[k][:3] for k in ternary])
    alone = dict(zip(ternary, hull.energy_above_hull(sub, [energies[k] for k in ternary]), strict=True))
    for k in ("ABC", "A2BC", "BC"):
        assert result[k] == pytest.approx(alone[k] if k != "BC" else 0.0, abs=1e-12)
    # the ternary ABC sits above the AB + BC + C tie: the binaries matter
    assert result["ABC"] > 0
    # an invalid (unconverged) compound is left out of the hull but still gets a value
    valid = np.array([k != "AB" for k in names])
    masked = dict(zip(names, hull.energy_above_hull_by_system(fractions, e, valid=valid), strict=True))
    assert masked["AB"] < 0 and masked["AB3"] == pytest.approx(0.0, abs=1e-12)


def test_hull_rejects_bad_input():
    with pytest.raises(ValueError, match="sum to one"):
        hull.energy_above_hull([[0.5, 0.6]], [0.0])
    with pytest.raises(ValueError, match="non-negative"):
        hull.energy_above_hull([[1.2, -0.2]], [0.0])
    with pytest.raises(ValueError, match="shape"):
        hull.energy_above_hull([[0.5, 0.5]], [0.0, 1.0])
    with pytest.raises(ValueError, match="pure element"):
        hull.energy_above_hull([[1.0, 0.0], [0.5, 0.5]], [-0.1, -0.2])
    with pytest.raises(ValueError, match="both"):
        hull.energy_above_hull([[0.5, 0.5]], [0.0], query_fractions=[[0.5, 0.5]])
    with pytest.raises(ValueError, match="columns"):
        hull.energy_above_hull([[0.5, 0.5]], [0.0], query_fractions=[[0.2, 0.3, 0.5]], query_energies=[0.0])
    with pytest.raises(ValueError, match="NaN"):
        hull.energy_above_hull([[0.5, 0.5]], [np.nan])
