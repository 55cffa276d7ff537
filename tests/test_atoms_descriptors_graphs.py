"""Elemental table, composition descriptors and crystal graphs."""

from __future__ import annotations

import re

import numpy as np
import pytest

from course_utils.atoms import crystal_graphs, descriptors, elements, prototypes


# --------------------------------------------------------------------------------------------------- elements
@pytest.mark.parametrize("symbol", elements.ELEMENTS)
def test_table_is_consistent_with_the_electron_configurations(symbol):
    valence = elements.valence_electrons(symbol)
    total = sum(valence.values())
    group = elements.element_property(symbol, "group")
    # d-block: the group number counts s + d electrons; p-block (IUPAC 13-18): group - 10
    assert total == (group if valence["p"] == 0 else group - 10)
    core = re.match(r"\[(\w+)\]", elements.configuration(symbol)).group(1)
    # the period is one more than the noble-gas core's (Pd [Kr] 4d10 has no 5s electron but is in period 5)
    assert elements.element_property(symbol, "period") == {"Ne": 2, "Ar": 3, "Kr": 4, "Xe": 5}[core] + 1
    assert elements.element_property(symbol, "valence_electrons") == total


@pytest.mark.parametrize("symbol", ["Cu", "Pt", "Al"])
def test_emt_lattice_constant_is_the_zero_stress_point(symbol):
    from ase.build import bulk
    from ase.calculators.emt import EMT

    a = elements.emt_lattice_constant(symbol)
    atoms = bulk(symbol, "fcc", a=a)
    atoms.calc = EMT()
    assert np.abs(atoms.get_stress()[:3]).max() < 1e-6  # eV/Angstrom^3
    assert a == pytest.approx(elements.experimental_lattice_constant(symbol), rel=0.03)


def test_property_table_and_errors():
    table = elements.property_table(("atomic_number", "electronegativity"), ("Cu", "Au"))
    np.testing.assert_allclose(table, [[29, 1.90], [79, 2.54]])
    with pytest.raises(ValueError, match="not in the element table"):
        elements.element_property("Fe", "group")
    with pytest.raises(ValueError, match="property"):
        elements.element_property("Cu", "density")
    with pytest.raises(TypeError):
        elements.check_element(29)


# ------------------------------------------------------------------------------------------------ descriptors
def test_descriptors_of_a_pure_element_are_its_properties():
    x = descriptors.composition_descriptors("Pt")[0]
    names = descriptors.descriptor_names()
    assert x.shape == (len(names),)
    for prop in elements.PROPERTIES:
        value = elements.element_property("Pt", prop)
        for stat, expected in (("mean", value), ("min", value), ("max", value), ("avg_dev", 0.0), ("range", 0.0)):
            assert x[names.index(f"{prop}_{stat}")] == pytest.approx(expected)
    assert x[names.index("norm_0")] == 1 and x[names.index("norm_2")] == pytest.approx(1.0)


def test_descriptors_by_hand_for_cu3au():
    x = dict(zip(descriptors.descriptor_names(), descriptors.composition_descriptors("Cu3Au")[0], strict=True))
    assert x["electronegativity_mean"] == pytest.approx(0.75 * 1.90 + 0.25 * 2.54)
    assert x["electronegativity_avg_dev"] == pytest.approx(0.75 * 0.16 + 0.25 * 0.48)
    assert x["electronegativity_min"] == pytest.approx(1.90) and x["electronegativity_range"] == pytest.approx(0.64)
    assert x["atomic_number_mean"] == pytest.approx(0.75 * 29 + 0.25 * 79)
    assert x["norm_0"] == 2 and x["norm_2"] == pytest.approx(np.sqrt(0.75**2 + 0.25**2))
    assert x["norm_10"] == pytest.approx((0.75**10 + 0.25**10) ** 0.1)


def test_descriptor_inputs_agree():
    row = np.zeros(len(elements.ELEMENTS))
    row[elements.ELEMENTS.index("Cu")], row[elements.ELEMENTS.index("Au")] = 0.75, 0.25
    atoms = prototypes.decorate("L1_2", ["Cu", "Au"])
    forms = [descriptors.composition_descriptors(c) for c in
             ("Cu3Au", "AuCu3", {"Cu": 0.75, "Au": 0.25}, atoms, row)]
    for other in forms[1:]:
        np.testing.assert_allclose(other, forms[0])
    batch = descriptors.composition_descriptors(["Cu3Au", "NiAl", "AgPdPt"])
    assert batch.shape == (3, len(descriptors.descriptor_names()))
    np.testing.assert_allclose(batch[0], forms[0][0])
    some = descriptors.composition_descriptors("NiAl", properties=["group"], statistics=["mean", "range"], norms=[0])
    np.testing.assert_allclose(some, [[2, 11.5, 3.0]])
    assert descriptors.descriptor_names(["group"], ["mean", "range"], [0]) == ["norm_0", "group_mean", "group_range"]


def test_descriptors_reject_bad_input():
    with pytest.raises(ValueError, match="Fe"):
        descriptors.composition_descriptors("Fe3Al")
    with pytest.raises(ValueError, match="not a chemical element"):
        descriptors.composition_descriptors("Qq")
    with pytest.raises(ValueError, match="sum to one"):
        descriptors.composition_descriptors({"Cu": 0.5, "Au": 0.6})
    with pytest.raises(ValueError, match="non-negative"):
        descriptors.composition_descriptors({"Cu": 1.2, "Au": -0.2})
    with pytest.raises(ValueError, match="columns"):
        descriptors.composition_descriptors(np.array([[0.5, 0.5]]))
    with pytest.raises(ValueError, match="property"):
        descriptors.composition_descriptors("Cu", properties=["density"])
    with pytest.raises(TypeError):
        descriptors.composition_descriptors("Cu", properties="group")
    with pytest.raises(ValueError, match="empty"):
        descriptors.composition_descriptors([])
    with pytest.raises(TypeError):
        descriptors.composition_descriptors([3.5])


# ------------------------------------------------------------------------------------------- crystal graphs
def test_fcc_shells_against_the_closed_form():
    # fcc with a/2 = 1: the shells at |v|^2 = 2, 4, 6, 8, 10 hold 12, 6, 24, 12, 24 neighbours
    atoms = prototypes.decorate("A1", ["Cu"], lattice_constant=2.0)
    s, r, shifts, d, shells = crystal_graphs.neighbour_edges(atoms.cell.array, atoms.positions, 78)
    assert np.bincount(shells).tolist() == [0, 12, 6, 24, 12, 24]
    np.testing.assert_allclose(np.unique(np.round(d**2, 9)), [2, 4, 6, 8, 10])


def test_prototype_edges_are_scale_free_and_node_features():
    small = prototypes.decorate("L1_2", ["Cu", "Au"], lattice_constant=3.6)
    large = prototypes.decorate("L1_2", ["Cu", "Au"], lattice_constant=4.1)
    a = crystal_graphs.neighbour_edges(small.cell.array, small.positions, 12)
    b = crystal_graphs.neighbour_edges(large.cell.array, large.positions, 12)
    for x, y in zip(a[:3], b[:3], strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a[4], b[4])
    np.testing.assert_allclose(a[3] * 4.1 / 3.6, b[3])
    onehot = crystal_graphs.node_features(small.get_chemical_symbols())
    assert onehot.shape == (4, len(elements.ELEMENTS)) and np.all(onehot.sum(axis=1) == 1)
    props = crystal_graphs.node_features(small.get_chemical_symbols(), "properties")
    assert props.shape[0] == 4 and np.all(np.isfinite(props))
    with pytest.raises(ValueError, match="not among the species"):
        crystal_graphs.node_features(["Fe"])
    with pytest.raises(ValueError):
        crystal_graphs.node_features(["Cu"], "angles")
