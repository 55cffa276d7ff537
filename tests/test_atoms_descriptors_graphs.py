"""Elemental table, composition descriptors and crystal graphs."""

from __future__ import annotations

import re

import numpy as np
import pytest

from course_utils.atoms import descriptors, elements, graphs, prototypes


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


# ----------------------------------------------------------------------------------------------------- graphs
def _fcc_hops(v):
    """Nearest-neighbour steps to reach v (units a/2, even coordinate sum) in fcc: max(|v|_inf, |v|_1 / 2)."""
    v = np.abs(v)
    return int(max(v.max(), v.sum() / 2))


def test_fcc_shells_and_hops_against_the_closed_form():
    atoms = prototypes.decorate("A1", ["Cu"], lattice_constant=2.0)  # a/2 = 1: integer lattice vectors
    g = graphs.crystal_graph(atoms, cutoff=2.0 * 1.01 * np.sqrt(2.5), max_shell=5)  # five shells
    assert np.bincount(g.shell).tolist() == [0, 12, 6, 24, 12, 24]
    vectors = atoms.positions[g.edge_index[:, 1]] + g.shifts @ atoms.cell.array - atoms.positions[g.edge_index[:, 0]]
    expected = [_fcc_hops(np.round(v).astype(int)) for v in vectors]
    np.testing.assert_array_equal(g.hops, expected)
    np.testing.assert_allclose(g.distances, np.linalg.norm(vectors, axis=1))


def test_bcc_k_nearest_neighbours_keep_ties():
    atoms = prototypes.decorate("A2", ["Cu"])
    g = graphs.crystal_graph(atoms, k=9)
    assert g.n_edges == 14 and np.bincount(g.shell).tolist() == [0, 8, 6]
    assert np.bincount(g.hops).tolist() == [0, 8, 6]
    assert graphs.crystal_graph(atoms, k=8).n_edges == 8


def test_prototype_graph_edges_are_symmetric_and_scale_free():
    small = prototypes.decorate("L1_2", ["Cu", "Au"], lattice_constant=3.6)
    large = prototypes.decorate("L1_2", ["Cu", "Au"], lattice_constant=4.0)
    g = graphs.crystal_graph(small, k=12)
    h = graphs.crystal_graph(large, k=12)
    assert g.n_nodes == 4 and g.n_edges == 48
    np.testing.assert_array_equal(g.edge_index, h.edge_index)
    np.testing.assert_array_equal(g.edge_features, h.edge_features)  # graph distances do not see the scale
    edges = {(i, j, tuple(s)) for (i, j), s in zip(g.edge_index, g.shifts, strict=True)}
    assert all((j, i, tuple(-np.array(s))) in edges for i, j, s in edges)
    # node features: one-hot over the seven metals
    assert g.node_features.shape == (4, 7)
    np.testing.assert_allclose(g.node_features.sum(axis=1), 1.0)
    assert g.node_features[:, elements.ELEMENTS.index("Au")].sum() == 1
    props = graphs.crystal_graph(small, k=12, node_kind="properties").node_features
    assert props.shape == (4, len(elements.PROPERTIES))


def test_relaxed_distances_follow_the_relaxed_cell():
    from course_utils.atoms import calculators, relax

    atoms = prototypes.decorate("L1_0", ["Cu", "Au"])
    strained = atoms.copy()
    strained.set_cell(atoms.cell.array * [1.0, 1.0, 1.1], scale_atoms=True)
    g = graphs.crystal_graph(atoms, k=12, edge_features="distance", relaxed=strained)
    ideal = graphs.crystal_graph(atoms, k=12, edge_features="distance")
    assert np.allclose(ideal.distances, ideal.distances[0])
    vectors = strained.positions[g.edge_index[:, 1]] + g.shifts @ strained.cell.array \
        - strained.positions[g.edge_index[:, 0]]
    np.testing.assert_allclose(g.edge_features[:, 0], np.linalg.norm(vectors, axis=1))
    assert len(np.unique(np.round(g.distances, 6))) == 2  # in-plane and out-of-plane bonds now differ
    atoms.calc = calculators.emt()
    relaxed = relax.relax(atoms, cell_filter="unit").atoms
    r = graphs.crystal_graph(atoms, k=12, edge_features="distance", relaxed=relaxed)
    assert r.distances.std() > 1e-3 and np.all(r.shell == 1)


def test_padding():
    g1 = graphs.crystal_graph(prototypes.decorate("A1", ["Cu"]), k=12)
    g2 = graphs.crystal_graph(prototypes.decorate("D0_22", ["Cu", "Au"]), k=12)
    batch = graphs.pad_graphs([g1, g2])
    assert batch["node_features"].shape == (2, 4, 7) and batch["edge_features"].shape == (2, 48, 4)
    assert batch["node_mask"].sum(axis=1).tolist() == [1, 4] and batch["edge_mask"].sum(axis=1).tolist() == [12, 48]
    assert np.all(batch["edge_features"][0, 12:] == 0) and np.all(batch["atomic_numbers"][0, 1:] == 0)
    np.testing.assert_array_equal(batch["edge_index"][1], g2.edge_index)
    assert graphs.pad_graphs([g1], max_nodes=5, max_edges=20)["edge_mask"].shape == (1, 20)
    with pytest.raises(ValueError, match="more than"):
        graphs.pad_graphs([g2], max_nodes=2)
    g3 = graphs.crystal_graph(prototypes.decorate("A1", ["Cu"]), k=12, edge_features="distance")
    with pytest.raises(ValueError, match="widths"):
        graphs.pad_graphs([g1, g3])
    with pytest.raises(TypeError):
        graphs.pad_graphs([])


def test_graph_rejects_bad_input():
    atoms = prototypes.decorate("L1_2", ["Cu", "Au"])
    with pytest.raises(ValueError, match="exactly one"):
        graphs.crystal_graph(atoms)
    with pytest.raises(ValueError, match="exactly one"):
        graphs.crystal_graph(atoms, cutoff=3.0, k=12)
    with pytest.raises(ValueError, match="edge_features"):
        graphs.crystal_graph(atoms, k=12, edge_features="angles")
    with pytest.raises(ValueError, match="no edges"):
        graphs.crystal_graph(atoms, cutoff=0.5)
    with pytest.raises(ValueError, match="same atoms"):
        graphs.crystal_graph(atoms, k=12, relaxed=prototypes.decorate("L1_2", ["Ni", "Au"]))
    molecule = atoms.copy()
    molecule.pbc = False
    with pytest.raises(ValueError, match="periodic"):
        graphs.crystal_graph(molecule, k=3)
    with pytest.raises(ValueError, match="species"):
        graphs.crystal_graph(atoms, k=12, species=("Cu", "Ni"))
    with pytest.raises(TypeError):
        graphs.crystal_graph("Cu3Au", k=12)
