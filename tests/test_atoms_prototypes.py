"""Crystal prototypes: composition, parent-lattice geometry, neighbour shells, symmetry, decorations, enumeration."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest

from course_utils.atoms import prototypes as P

DUMMIES = ("Cu", "Au", "Pd")  # distinct elements standing for the labels A, B, C

# Point-group orders of the space groups of the prototypes (International Tables): Oh 48, D4h 16, D3d 12,
# D6h 24, C4h 8, D2h 8, Td 24, D3h 12, C3v 6.
POINT_GROUP_ORDER = {
    "A1": 48, "L1_2": 48, "L1_0": 16, "L1_1": 12, "D0_22": 16, "D0_23": 16, "D1_a": 8, "fcc_A2B_001": 16,
    "fcc_A2B_110": 8, "fcc_A2B_111": 12, "fcc_A2BC": 16, "fcc_ABC_111": 6,
    "A2": 48, "B2": 48, "B32": 48, "D0_3": 48, "L2_1": 48, "XA": 24, "C11_b": 16, "B11": 16,
    "A3": 24, "D0_19": 24, "B19": 8, "hcp_AB_0001": 12,
}

STOICHIOMETRY = {
    "A1": "A", "L1_2": "A3B", "L1_0": "AB", "L1_1": "AB", "D0_22": "A3B", "D0_23": "A3B", "D1_a": "A4B",
    "fcc_A2B_001": "A2B", "fcc_A2B_110": "A2B", "fcc_A2B_111": "A2B", "fcc_A2BC": "A2BC", "fcc_ABC_111": "ABC",
    "A2": "A", "B2": "AB", "B32": "AB", "D0_3": "A3B", "L2_1": "A2BC", "XA": "A2BC", "C11_b": "A2B", "B11": "AB",
    "A3": "A", "D0_19": "A3B", "B19": "AB", "hcp_AB_0001": "AB",
}

# Nearest-neighbour environments: for each label, the set of {neighbour label: count} found on its sites.
# From the textbook descriptions (e.g. L1_2: the minority atom has 12 majority neighbours; Heusler L2_1: the 8c
# atom has 4 + 4 neighbours of the other two kinds; B32: 4 like + 4 unlike).
NN_ENVIRONMENTS = {
    "L1_2": {"A": [{"A": 8, "B": 4}], "B": [{"A": 12}]},
    "L1_0": {"A": [{"A": 4, "B": 8}], "B": [{"A": 8, "B": 4}]},
    "L1_1": {"A": [{"A": 6, "B": 6}], "B": [{"A": 6, "B": 6}]},
    "D0_22": {"A": [{"A": 8, "B": 4}], "B": [{"A": 12}]},
    "D0_23": {"B": [{"A": 12}]},
    "D1_a": {"B": [{"A": 12}]},
    "B2": {"A": [{"B": 8}], "B": [{"A": 8}]},
    "B32": {"A": [{"A": 4, "B": 4}], "B": [{"A": 4, "B": 4}]},
    "D0_3": {"A": [{"A": 4, "B": 4}, {"A": 8}], "B": [{"A": 8}]},
    "L2_1": {"A": [{"B": 4, "C": 4}], "B": [{"A": 8}], "C": [{"A": 8}]},
    "C11_b": {"A": [{"A": 4, "B": 4}], "B": [{"A": 8}]},
    "B11": {"A": [{"A": 4, "B": 4}], "B": [{"A": 4, "B": 4}]},
    "D0_19": {"A": [{"A": 8, "B": 4}], "B": [{"A": 12}]},
    "B19": {"A": [{"A": 4, "B": 8}], "B": [{"A": 8, "B": 4}]},
    "hcp_AB_0001": {"A": [{"A": 6, "B": 6}], "B": [{"A": 6, "B": 6}]},
}


def _decorated(name, a=4.0):
    proto = P.PROTOTYPES[name]
    return proto, P.decorate(proto, DUMMIES[:len(proto.site_labels)], lattice_constant=a)


def test_there_are_enough_prototypes_of_each_parent():
    parents = Counter(p.parent for p in P.PROTOTYPES.values())
    assert len(P.PROTOTYPES) >= 20 and parents["fcc"] >= 8 and parents["bcc"] >= 6 and parents["hcp"] >= 3
    assert set(P.PROTOTYPES) == set(POINT_GROUP_ORDER)


@pytest.mark.parametrize("name", sorted(P.PROTOTYPES))
def test_composition_and_labels(name):
    proto, atoms = _decorated(name)
    assert proto.formula == STOICHIOMETRY[name]
    symbols = atoms.get_chemical_symbols()
    for label, element in zip(proto.site_labels, DUMMIES[:len(proto.site_labels)], strict=True):
        assert symbols.count(element) == proto.stoichiometry[label]
    assert atoms.info["prototype"] == name and len(atoms) == proto.n_atoms


@pytest.mark.parametrize("name", sorted(P.PROTOTYPES))
def test_every_site_sits_on_the_parent_lattice(name):
    """Shortest distance and first-shell coordination are the parent's, for every atom (cell volume too)."""
    from ase.neighborlist import neighbor_list

    proto, atoms = _decorated(name, a=4.0)
    parent = P.PARENT_LATTICES[proto.parent]
    d_nn = parent.nn_distance * 4.0
    i, d = neighbor_list("id", atoms, 1.2 * d_nn)
    assert d.min() == pytest.approx(d_nn, abs=1e-9)
    first = d < d_nn + 1e-6
    np.testing.assert_array_equal(np.bincount(i[first], minlength=len(atoms)), parent.coordination)
    assert atoms.get_volume() / len(atoms) == pytest.approx(parent.volume_per_site * 4.0**3)
    # the ordering is on the parent's sites: each position is a parent lattice point (primitive coordinates
    # of differences are integers for Bravais parents)
    if len(parent.basis) == 1:
        coords = proto.positions @ np.linalg.inv(parent.primitive)
        np.testing.assert_allclose(coords, np.round(coords), atol=1e-9)


@pytest.mark.parametrize("name", sorted(NN_ENVIRONMENTS))
def test_nearest_neighbour_environments(name):
    from ase.neighborlist import neighbor_list

    proto, atoms = _decorated(name)
    cutoff = 1.1 * P.PARENT_LATTICES[proto.parent].nn_distance * 4.0
    i, j = neighbor_list("ij", atoms, cutoff)
    found = {}
    for site, label in enumerate(proto.labels):
        counts = Counter(proto.labels[k] for k in j[i == site])
        found.setdefault(label, [])
        if dict(counts) not in found[label]:
            found[label].append(dict(counts))
    for label, expected in NN_ENVIRONMENTS[name].items():
        assert sorted(map(sorted, map(dict.items, found[label]))) == sorted(map(sorted, map(dict.items, expected)))


@pytest.mark.parametrize("name", sorted(P.PROTOTYPES))
def test_point_group_and_primitive_cell(name):
    assert P.point_group_order(name) == POINT_GROUP_ORDER[name]
    assert P.is_primitive(name)


def test_symmetry_operations_are_isometries_that_map_sites_onto_sites():
    proto = P.PROTOTYPES["D0_19"]
    inverse = np.linalg.inv(proto.cell)
    for op in P.symmetry_operations(proto):
        np.testing.assert_allclose(op.rotation @ op.rotation.T, np.eye(3), atol=1e-12)
        image = proto.positions @ op.rotation.T + op.translation
        delta = (image - proto.positions[list(op.site_map)]) @ inverse
        np.testing.assert_allclose(delta, np.round(delta), atol=1e-9)


def test_a_non_primitive_cell_is_detected():
    doubled = P.Prototype("L1_2x2", "fcc", np.diag([2.0, 1.0, 1.0]), P.parent_sites("fcc", np.diag([2.0, 1.0, 1.0])),
                          tuple("B" if np.allclose(x % 1.0, 0) else "A"
                                for x in P.parent_sites("fcc", np.diag([2.0, 1.0, 1.0]))))
    assert doubled.stoichiometry == {"A": 6, "B": 2}
    assert not P.is_primitive(doubled)


@pytest.mark.parametrize("name, expected", [("L1_2", 2), ("L1_0", 1), ("L1_1", 1), ("B2", 1), ("B32", 1),
                                            ("D0_3", 2), ("B11", 1), ("B19", 1), ("hcp_AB_0001", 1),
                                            ("L2_1", 3), ("XA", 3), ("fcc_A2BC", 3), ("fcc_ABC_111", 1)])
def test_number_of_distinct_decorations(name, expected):
    proto = P.PROTOTYPES[name]
    decorations = P.distinct_decorations(proto, DUMMIES[:len(proto.site_labels)])
    assert len(decorations) == expected
    assert len(set(decorations)) == expected


@pytest.mark.parametrize("name", ["L1_2", "L1_0", "D0_3", "B11", "L2_1", "XA", "fcc_A2BC", "fcc_ABC_111",
                                  "fcc_A2B_110", "C11_b"])
def test_distinct_decorations_agree_with_canonical_colourings(name):
    """Two algorithms: label permutations of the symmetry operations vs canonical forms of the colourings."""
    proto = P.PROTOTYPES[name]
    elements = DUMMIES[:len(proto.site_labels)]
    keys = set()
    for perm in itertools.permutations(elements):
        assignment = dict(zip(proto.site_labels, perm, strict=True))
        relabelled = P.Prototype(name, proto.parent, proto.cell, proto.positions,
                                 tuple(assignment[label] for label in proto.labels))
        keys.add(P.structure_key(relabelled, exchange_labels=False))
    assert len(keys) == len(P.distinct_decorations(proto, elements))


def test_decorate_accepts_a_mapping_and_uses_vegard():
    from course_utils.atoms.elements import emt_lattice_constant

    atoms = P.decorate("L1_2", {"A": "Cu", "B": "Au"})
    a = 0.75 * emt_lattice_constant("Cu") + 0.25 * emt_lattice_constant("Au")
    np.testing.assert_allclose(atoms.cell.lengths(), a)
    assert P.vegard_lattice_constant("fcc", "Cu3Au") == pytest.approx(a)
    # bcc and hcp parents get the same volume per atom as the fcc estimate
    assert P.vegard_lattice_constant("bcc", "Cu") ** 3 / 2 == pytest.approx(emt_lattice_constant("Cu") ** 3 / 4)
    hcp = P.decorate("A3", ["Cu"])
    assert hcp.get_volume() / 2 == pytest.approx(emt_lattice_constant("Cu") ** 3 / 4)
    assert hcp.cell.lengths()[2] / hcp.cell.lengths()[0] == pytest.approx(math.sqrt(8 / 3))


def test_decorate_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown prototype"):
        P.decorate("L1_9", ["Cu", "Au"])
    with pytest.raises(ValueError, match="site labels"):
        P.decorate("L1_2", ["Cu"])
    with pytest.raises(ValueError, match="different element"):
        P.decorate("L1_2", ["Cu", "Cu"])
    with pytest.raises(ValueError, match="not in the element table"):
        P.decorate("L1_2", ["Cu", "Fe"])
    with pytest.raises(ValueError, match="exactly the labels"):
        P.decorate("L1_2", {"A": "Cu", "C": "Au"})
    with pytest.raises(TypeError):
        P.decorate("L1_2", "CuAu")
    with pytest.raises(ValueError, match="greater than"):
        P.decorate("L1_2", ["Cu", "Au"], lattice_constant=-1.0)
    with pytest.raises(ValueError, match="not lattice vectors"):
        P.parent_sites("fcc", np.diag([0.5, 1.0, 1.0]))
    with pytest.raises(ValueError, match="parent"):
        P.vegard_lattice_constant("sc", "Cu")


# --------------------------------------------------------------------------------------------- enumeration
def _brute_sublattice_count(n):
    """Index-n sublattices of Z^3 = subgroups of order n^2 of (Z_n)^3 (each contains n Z^3), counted by
    generating the subgroup of every triple of elements."""
    elements = list(itertools.product(range(n), repeat=3))
    found = set()
    for gens in itertools.combinations_with_replacement(elements, 3):
        group = {(0, 0, 0)}
        frontier = [(0, 0, 0)]
        while frontier:
            new = []
            for g in frontier:
                for h in gens:
                    s = tuple((a + b) % n for a, b in zip(g, h, strict=True))
                    if s not in group:
                        group.add(s)
                        new.append(s)
            frontier = new
        if len(group) == n * n:
            found.add(frozenset(group))
    return len(found)


def test_hermite_normal_forms_count_every_sublattice_once():
    assert [len(P.hermite_normal_forms(n)) for n in (1, 2, 3, 4)] == [1, 7, 13, 35]
    assert [_brute_sublattice_count(n) for n in (2, 3)] == [7, 13]
    rng = np.random.default_rng(3)
    for _ in range(30):
        m = rng.integers(-3, 4, size=(3, 3))
        if round(abs(np.linalg.det(m))) == 0:
            continue
        h = P.hermite_normal_form(m)
        assert np.all(np.tril(h, -1) == 0) and np.all(np.diag(h) > 0)
        u = m @ np.linalg.inv(h)  # same lattice: m = u h with u unimodular
        np.testing.assert_allclose(u, np.round(u), atol=1e-9)
        assert abs(round(np.linalg.det(u))) == 1


@pytest.mark.parametrize("parent", ["fcc", "bcc"])
def test_enumeration_counts_and_named_structures(parent):
    structures = P.enumerate_derivatives(parent, 4)
    # Hart & Forcade (2008), Fig. 2 and Table: 2, 3 and 12 binary fcc superstructures with 2, 3, 4 atoms.
    assert Counter(p.n_atoms for p in structures) == {2: 2, 3: 3, 4: 12}
    names = {p.name for p in structures}
    expected = {"fcc": {"L1_0", "L1_1", "L1_2", "D0_22", "fcc_A2B_001", "fcc_A2B_110", "fcc_A2B_111"},
                "bcc": {"B2", "B32", "D0_3", "C11_b", "B11"}}[parent]
    assert expected <= names
    assert len({P.structure_key(p) for p in structures}) == len(structures)
    for proto in structures:
        assert P.is_primitive(proto)


def _brute_force_types(parent, max_atoms):
    """Independent count: colourings compared on a periodic box after every rotation and translation."""
    m_box = math.lcm(*range(1, max_atoms + 1))
    box = np.array(list(itertools.product(range(m_box), repeat=3)))
    lattice = P.PARENT_LATTICES[parent]
    p, p_inv = lattice.primitive, np.linalg.inv(lattice.primitive)
    rotations = [np.round(p @ r.T @ p_inv).astype(int) for r in lattice.point_group]
    keys = set()
    for n in range(2, max_atoms + 1):
        for h in P.hermite_normal_forms(n):
            sites = np.array(list(itertools.product(range(h[0, 0]), range(h[1, 1]), range(h[2, 2]))))
            h_inv = np.linalg.inv(h)

            def site_of(points, sites=sites, h_inv=h_inv):
                diff = (points[:, None, :] - sites[None, :, :]) @ h_inv
                return np.all(np.abs(diff - np.round(diff)) < 1e-9, axis=2).argmax(axis=1)

            images = [site_of((box @ rot + t) % m_box) for rot in rotations for t in sites]
            for colours in itertools.product((0, 1), repeat=n):
                if len(set(colours)) < 2:
                    continue
                colours = np.array(colours)
                candidates = []
                for img in images:
                    c = colours[img]
                    candidates.extend([c.tobytes(), (1 - c).tobytes()])
                keys.add(min(candidates))
    return len(keys)


def test_enumeration_matches_brute_force_for_small_cells():
    assert len(P.enumerate_derivatives("fcc", 3)) == _brute_force_types("fcc", 3) == 5
    assert len(P.enumerate_derivatives("bcc", 3)) == _brute_force_types("bcc", 3)


def test_structure_key_is_invariant_under_parent_operations():
    rng = np.random.default_rng(7)
    lattice = P.PARENT_LATTICES["fcc"]
    for name in ("L1_2", "D1_a", "fcc_A2B_110", "fcc_ABC_111"):
        proto = P.PROTOTYPES[name]
        key = P.structure_key(proto)
        for _ in range(4):
            rotation = lattice.point_group[rng.integers(len(lattice.point_group))]
            shift = proto.positions[rng.integers(proto.n_atoms)]
            moved = P.Prototype(name, "fcc", proto.cell @ rotation.T, (proto.positions - shift) @ rotation.T,
                                proto.labels)
            assert P.structure_key(moved) == key
        swapped = P.Prototype(name, "fcc", proto.cell, proto.positions,
                              tuple({"A": "B", "B": "A"}.get(x, x) for x in proto.labels))
        assert P.structure_key(swapped) == key


def test_enumeration_rejects_bad_input():
    with pytest.raises(ValueError):
        P.enumerate_derivatives("hcp", 4)
    with pytest.raises(ValueError):
        P.enumerate_derivatives("fcc", 0)
    with pytest.raises(TypeError):
        P.enumerate_derivatives("fcc", 2.5)
    with pytest.raises(ValueError, match="Bravais"):
        P.structure_key("D0_19")
    with pytest.raises(ValueError, match="non-singular"):
        P.hermite_normal_form(np.zeros((3, 3)))
