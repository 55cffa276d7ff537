"""Ordered crystal prototypes derived from the fcc, bcc and hcp lattices.

A *derivative structure* puts atoms on the sites of a parent lattice (fcc, bcc or hcp) and breaks its
translational symmetry by ordering the species. A :class:`Prototype` stores one such ordering with abstract
site labels ``"A"``, ``"B"``, ``"C"`` (``A`` the most abundant); :func:`decorate` puts elements on the labels and
returns an ``ase.Atoms`` with a lattice constant from Vegard's law over the elements' EMT lattice constants.

Geometry is stored in units of the parent's lattice constant ``a`` (the cubic edge for fcc and bcc, the in-plane
constant for hcp, with the ideal ``c/a = sqrt(8/3)``), as Cartesian row vectors.

Besides the named Strukturbericht types (:data:`PROTOTYPES`), :func:`enumerate_derivatives` lists *all*
derivative superstructures of fcc or bcc up to a given number of atoms per cell (the problem solved by
G. L. W. Hart and R. W. Forcade, Phys. Rev. B 77, 224115 (2008), doi:10.1103/PhysRevB.77.224115; here by a
simpler route: every superlattice in Hermite normal form, every colouring, and a canonical form of the
colouring under the parent's point group and translations).

Symmetry is found without spglib: :func:`symmetry_operations` tries every operation of the parent's point group
with every translation that maps the first atom onto another.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .._checks import _describe, as_int, as_number, one_of

PARENTS: tuple[str, ...] = ("fcc", "bcc", "hcp")
HCP_C_OVER_A = math.sqrt(8.0 / 3.0)
_TOL = 1e-6


# --------------------------------------------------------------------------------------------------- parents
def _cubic_point_group() -> np.ndarray:
    ops = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1, -1), repeat=3):
            matrix = np.zeros((3, 3))
            for row, (col, sign) in enumerate(zip(perm, signs, strict=True)):
                matrix[row, col] = sign
            ops.append(matrix)
    return np.array(ops)


def _close_group(generators: Sequence[np.ndarray]) -> np.ndarray:
    group = [np.eye(3)]
    frontier = [np.eye(3)]
    while frontier:
        new = []
        for g in frontier:
            for h in generators:
                product = np.round(h @ g, 12)
                if not any(np.allclose(product, k, atol=1e-9) for k in group):
                    group.append(product)
                    new.append(product)
        frontier = new
    return np.array(group)


def _hexagonal_point_group() -> np.ndarray:
    c, s = 0.5, math.sqrt(3.0) / 2.0
    c6 = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    c2x = np.diag([1.0, -1.0, -1.0])
    return _close_group([c6, c2x, -np.eye(3)])


@dataclass(frozen=True, eq=False)
class Parent:
    """A parent lattice in units of its lattice constant ``a``.

    ``conventional`` (3, 3) rows: the conventional cell; ``primitive`` (3, 3) rows: a primitive cell; ``basis``
    (k, 3): Cartesian sites in the primitive cell; ``point_group`` (g, 3, 3): Cartesian rotations of the
    holohedry (acting on column vectors); ``nn_distance`` and ``coordination``: first neighbour shell.
    """

    name: str
    conventional: np.ndarray
    primitive: np.ndarray
    basis: np.ndarray
    point_group: np.ndarray
    nn_distance: float
    coordination: int

    @property
    def volume_per_site(self) -> float:
        """Volume per lattice site for ``a = 1``."""
        return abs(np.linalg.det(self.primitive)) / len(self.basis)


def _make_parents() -> dict[str, Parent]:
    cubic = _cubic_point_group()
    hex_cell = np.array([[1.0, 0.0, 0.0], [-0.5, math.sqrt(3.0) / 2.0, 0.0], [0.0, 0.0, HCP_C_OVER_A]])
    hcp_basis = np.array([[1 / 3, 2 / 3, 0.25], [2 / 3, 1 / 3, 0.75]]) @ hex_cell
    return {
        "fcc": Parent("fcc", np.eye(3), np.array([[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]),
                      np.zeros((1, 3)), cubic, 1 / math.sqrt(2.0), 12),
        "bcc": Parent("bcc", np.eye(3), np.array([[-0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.5, 0.5, -0.5]]),
                      np.zeros((1, 3)), cubic, math.sqrt(3.0) / 2.0, 8),
        "hcp": Parent("hcp", hex_cell, hex_cell, hcp_basis, _hexagonal_point_group(), 1.0, 12),
    }


PARENT_LATTICES: dict[str, Parent] = _make_parents()


def parent_sites(parent: str, cell) -> np.ndarray:
    """Cartesian positions (units of ``a``) of the parent lattice's sites inside a supercell.

    ``cell`` (3, 3) rows must be lattice vectors of the parent; sites are returned with fractional coordinates
    in [0, 1), ordered by (fractional z, y, x).
    """
    one_of(parent, "parent", PARENTS)
    lattice = PARENT_LATTICES[parent]
    cell = np.asarray(cell, dtype=float)
    if cell.shape != (3, 3) or abs(np.linalg.det(cell)) < _TOL:
        raise ValueError(f"cell must be a non-singular (3, 3) matrix, got {_describe(cell)}")
    in_primitive = cell @ np.linalg.inv(lattice.primitive)
    if not np.allclose(in_primitive, np.round(in_primitive), atol=_TOL):
        raise ValueError(f"the cell vectors {cell.tolist()} are not lattice vectors of the {parent} lattice")
    n_sites = round(abs(np.linalg.det(in_primitive))) * len(lattice.basis)
    corners = np.array(list(itertools.product((0, 1), repeat=3)), dtype=float) @ cell
    span = corners @ np.linalg.inv(lattice.primitive)
    ranges = [np.arange(math.floor(span[:, i].min()) - 1, math.ceil(span[:, i].max()) + 2) for i in range(3)]
    grid = np.array(list(itertools.product(*ranges)), dtype=float) @ lattice.primitive
    points = (grid[:, None, :] + lattice.basis[None, :, :]).reshape(-1, 3)
    fractional = points @ np.linalg.inv(cell)
    fractional[np.abs(fractional) < _TOL] = 0.0
    fractional[np.abs(fractional - 1.0) < _TOL] = 1.0
    inside = np.all((fractional >= 0.0) & (fractional < 1.0), axis=1)
    fractional = fractional[inside]
    if len(fractional) != n_sites:
        raise RuntimeError(f"found {len(fractional)} sites in the supercell, expected {n_sites}")
    order = np.lexsort((fractional[:, 0], fractional[:, 1], fractional[:, 2]))
    return fractional[order] @ cell


# ------------------------------------------------------------------------------------------------ prototype
@dataclass(frozen=True, eq=False)
class Prototype:
    """An ordered derivative structure with abstract site labels.

    Attributes
    ----------
    name : str
        Identifier, e.g. ``"L1_2"`` or ``"fcc_n4_07"`` for an enumerated structure.
    parent : str
        ``"fcc"``, ``"bcc"`` or ``"hcp"``.
    cell : ndarray, shape (3, 3)
        Cell vectors as rows, Cartesian, in units of the parent lattice constant ``a``.
    positions : ndarray, shape (n_atoms, 3)
        Cartesian positions in units of ``a``; every one is a parent lattice site.
    labels : tuple of str, length n_atoms
        Site label of each atom (``"A"``, ``"B"``, ``"C"``; ``A`` the most abundant).
    strukturbericht, compound, description : str
        Strukturbericht symbol (empty for structures without one), prototype compound and a line of text.
    """

    name: str
    parent: str
    cell: np.ndarray
    positions: np.ndarray
    labels: tuple[str, ...]
    strukturbericht: str = ""
    compound: str = ""
    description: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_atoms(self) -> int:
        return len(self.labels)

    @property
    def site_labels(self) -> tuple[str, ...]:
        """The distinct labels, sorted (``("A", "B")`` for a binary)."""
        return tuple(sorted(set(self.labels)))

    @property
    def stoichiometry(self) -> dict[str, int]:
        """Number of atoms per label in the cell, e.g. ``{"A": 3, "B": 1}`` for L1_2."""
        return {label: self.labels.count(label) for label in self.site_labels}

    @property
    def formula(self) -> str:
        """Reduced abstract formula, e.g. ``"A3B"``."""
        counts = self.stoichiometry
        divisor = functools.reduce(math.gcd, counts.values())
        return "".join(f"{k}{v // divisor if v // divisor > 1 else ''}" for k, v in counts.items())

    def fractions(self) -> dict[str, float]:
        """Fraction of the sites carrying each label."""
        return {k: v / self.n_atoms for k, v in self.stoichiometry.items()}

    def __repr__(self) -> str:
        sb = f", {self.strukturbericht}" if self.strukturbericht else ""
        return f"Prototype({self.name!r}, {self.parent}-derived {self.formula}{sb}, {self.n_atoms} atoms/cell)"


def _prototype(name: str, parent: str, cell_in_conventional, special: Mapping[str, Sequence], *,
               strukturbericht: str = "", compound: str = "", description: str = "") -> Prototype:
    """Build a prototype from a supercell of the parent's conventional cell.

    ``special`` maps a label to sites (in units of the conventional cell) that carry it, modulo the supercell;
    every other site gets label ``"A"``.
    """
    lattice = PARENT_LATTICES[parent]
    cell = np.asarray(cell_in_conventional, dtype=float) @ lattice.conventional
    positions = parent_sites(parent, cell)
    inverse = np.linalg.inv(cell)
    labels = ["A"] * len(positions)
    for label, sites in special.items():
        for site in np.asarray(sites, dtype=float) @ lattice.conventional:
            delta = (positions - site) @ inverse
            match = np.flatnonzero(np.all(np.abs(delta - np.round(delta)) < _TOL, axis=1))
            if len(match) != 1:
                raise ValueError(f"prototype {name}: site {site} is not a lattice site of the cell")
            labels[match[0]] = label
    return Prototype(name, parent, cell, positions, tuple(labels), strukturbericht, compound, description)


_H = 0.5
_FCC_CUBE = np.eye(3)
_FCC_PRIMITIVE = [[0, _H, _H], [_H, 0, _H], [_H, _H, 0]]
_BCC_PRIMITIVE = [[-_H, _H, _H], [_H, -_H, _H], [_H, _H, -_H]]
_B32_CELL = [[0, 1, 1], [1, 0, 1], [1, 1, 0]]  # fcc lattice of edge 2a: the cell of B32, D0_3, L2_1, XA
_HCP_B1 = (1 / 3, 2 / 3, 0.25)  # the two hcp sites in units of the hexagonal cell
_HCP_B2 = (2 / 3, 1 / 3, 0.75)


def _named_prototypes() -> dict[str, Prototype]:
    p = _prototype
    protos = [
        # ----- fcc-derived
        p("A1", "fcc", _FCC_PRIMITIVE, {}, strukturbericht="A1", compound="Cu", description="fcc element"),
        p("L1_2", "fcc", _FCC_CUBE, {"B": [(0, 0, 0)]}, strukturbericht="L1_2", compound="Cu3Au",
          description="B on the cube corners, A on the face centres"),
        p("L1_0", "fcc", [[_H, _H, 0], [-_H, _H, 0], [0, 0, 1]], {"B": [(0, 0, 0)]}, strukturbericht="L1_0",
          compound="CuAu", description="alternating (001) planes"),
        p("L1_1", "fcc", [[_H, -_H, 0], [0, _H, -_H], [_H, _H, 1]], {"B": [(0, 0, 0)]}, strukturbericht="L1_1",
          compound="CuPt", description="alternating (111) planes"),
        p("D0_22", "fcc", [[1, 0, 0], [0, 1, 0], [_H, _H, 1]], {"B": [(0, 0, 0)]}, strukturbericht="D0_22",
          compound="Al3Ti", description="L1_2 with an antiphase boundary every cube along [001]"),
        p("D0_23", "fcc", [[1, 0, 0], [0, 1, 0], [_H, _H, 2]], {"B": [(0, 0, 0), (_H, _H, 1)]},
          strukturbericht="D0_23", compound="Al3Zr", description="L1_2 with an antiphase boundary every two cubes"),
        p("D1_a", "fcc", [[1.5, _H, 0], [-_H, 1.5, 0], [_H, 1, _H]], {"B": [(0, 0, 0)]}, strukturbericht="D1_a",
          compound="Ni4Mo", description="B on a body-centred tetragonal sublattice a*sqrt(10)/2 x a"),
        p("fcc_A2B_001", "fcc", [[_H, _H, 0], [_H, -_H, 0], [_H, 0, 1.5]], {"B": [(0, 0, 0)]},
          description="(001) planes stacked B A A"),
        p("fcc_A2B_110", "fcc", [[0, 0, 1], [_H, -_H, 0], [_H, 1, _H]], {"B": [(0, 0, 0)]}, compound="Pt2Mo",
          description="(110) planes stacked B A A (the Pt2Mo type, oI6)"),
        p("fcc_A2B_111", "fcc", [[_H, -_H, 0], [0, _H, -_H], [1, 1, 1]], {"B": [(0, 0, 0)]},
          description="(111) planes stacked B A A"),
        p("fcc_A2BC", "fcc", _FCC_CUBE, {"B": [(0, 0, 0)], "C": [(_H, _H, 0)]},
          description="ternary L1_2 variant: B on the corners, C on the (001) face centres (P4/mmm)"),
        p("fcc_ABC_111", "fcc", [[_H, -_H, 0], [0, _H, -_H], [1, 1, 1]], {"B": [(0, _H, _H)], "C": [(_H, 1, _H)]},
          description="(111) planes stacked A B C"),
        # ----- bcc-derived
        p("A2", "bcc", _BCC_PRIMITIVE, {}, strukturbericht="A2", compound="W", description="bcc element"),
        p("B2", "bcc", _FCC_CUBE, {"B": [(_H, _H, _H)]}, strukturbericht="B2", compound="CsCl",
          description="A on the cube corners, B at the body centre"),
        p("B32", "bcc", _B32_CELL, {"B": [(1, 1, 1), (1.5, 1.5, 1.5)]}, strukturbericht="B32", compound="NaTl",
          description="two interpenetrating diamond sublattices"),
        p("D0_3", "bcc", _B32_CELL, {"B": [(0, 0, 0)]}, strukturbericht="D0_3", compound="Fe3Al",
          description="B on one of the four fcc sublattices of a 2a-cube"),
        p("L2_1", "bcc", _B32_CELL, {"B": [(1, 1, 1)], "C": [(0, 0, 0)]}, strukturbericht="L2_1",
          compound="Cu2MnAl", description="Heusler: A on 8c, B on 4b, C on 4a"),
        p("XA", "bcc", _B32_CELL, {"B": [(1, 1, 1)], "C": [(1.5, 1.5, 1.5)]}, compound="Hg2CuTi",
          description="inverse Heusler: A on 4a and 4c, B on 4b, C on 4d (F-43m)"),
        p("C11_b", "bcc", [[1, 0, 0], [0, 1, 0], [_H, _H, 1.5]], {"B": [(0, 0, 0)]}, strukturbericht="C11_b",
          compound="MoSi2", description="(001) planes stacked B A A"),
        p("B11", "bcc", [[1, 0, 0], [0, 1, 0], [0, 0, 2]], {"B": [(0, 0, 1), (_H, _H, 1.5)]},
          strukturbericht="B11", compound="CuTi", description="(001) planes stacked A A B B (gamma-CuTi)"),
        # ----- hcp-derived (cells in units of the hexagonal cell)
        p("A3", "hcp", np.eye(3), {}, strukturbericht="A3", compound="Mg", description="hcp element, ideal c/a"),
        p("D0_19", "hcp", [[2, 0, 0], [0, 2, 0], [0, 0, 1]],
          {"B": [_HCP_B1, (_HCP_B2[0] + 1, _HCP_B2[1] + 1, _HCP_B2[2])]}, strukturbericht="D0_19",
          compound="Ni3Sn", description="hexagonal analogue of L1_2: B without B neighbours"),
        p("B19", "hcp", [[1, 0, 0], [1, 2, 0], [0, 0, 1]], {"B": [_HCP_B1, (_HCP_B2[0], _HCP_B2[1] + 1, _HCP_B2[2])]},
          strukturbericht="B19", compound="AuCd", description="rows of A and B in each close-packed plane (Pmma)"),
        p("hcp_AB_0001", "hcp", np.eye(3), {"B": [_HCP_B2]}, description="alternating close-packed (0001) planes"),
    ]
    return {proto.name: proto for proto in protos}


PROTOTYPES: dict[str, Prototype] = _named_prototypes()
"""The named prototypes by name (24: 12 fcc-, 8 bcc-, 4 hcp-derived; 20 binary or elemental, 4 ternary)."""


def get_prototype(prototype) -> Prototype:
    """A :class:`Prototype` from its name (or the prototype itself)."""
    if isinstance(prototype, Prototype):
        return prototype
    if not isinstance(prototype, str):
        raise TypeError(f"prototype must be a name or a Prototype, got {_describe(prototype)}")
    if prototype in PROTOTYPES:
        return PROTOTYPES[prototype]
    if prototype in _enumerated_by_name():
        return _enumerated_by_name()[prototype]
    raise ValueError(f"unknown prototype {prototype!r}; named prototypes: {', '.join(PROTOTYPES)} "
                     "(enumerated ones are called like 'fcc_n4_07')")


# ------------------------------------------------------------------------------------------------ decoration
def vegard_lattice_constant(parent: str, composition) -> float:
    """Starting lattice constant (Angstrom) of the parent lattice for a composition.

    Vegard's law on the elements' EMT fcc lattice constants, ``a_fcc = sum_i x_i a_i``, then converted to the
    parent lattice at the same volume per atom (bcc: ``a_fcc / 2**(1/3)``, ideal hcp: ``a_fcc / sqrt(2)``).
    ``composition``: mapping symbol -> fraction (summing to one) or a formula string.
    """
    from .elements import ELEMENTS, as_fractions, emt_lattice_constant

    one_of(parent, "parent", PARENTS)
    fractions = as_fractions(composition, ELEMENTS)
    a_fcc = sum(x * emt_lattice_constant(e) for x, e in zip(fractions, ELEMENTS, strict=True) if x > 0)
    volume_per_atom = a_fcc**3 / 4.0
    return float((volume_per_atom / PARENT_LATTICES[parent].volume_per_site) ** (1.0 / 3.0))


def _assignment(prototype: Prototype, elements) -> dict[str, str]:
    labels = prototype.site_labels
    if isinstance(elements, str):
        raise TypeError(f"elements must be a sequence (one symbol per site label {labels}) or a mapping "
                        f"label -> symbol, got the string {elements!r}")
    if isinstance(elements, Mapping):
        if set(elements) != set(labels):
            raise ValueError(f"elements must map exactly the labels {labels} of {prototype.name}, "
                             f"got keys {sorted(elements)}")
        assignment = dict(elements)
    else:
        elements = list(elements)
        if len(elements) != len(labels):
            raise ValueError(f"{prototype.name} has {len(labels)} site labels {labels}; got {len(elements)} "
                             f"elements {elements}")
        assignment = dict(zip(labels, elements, strict=True))
    from .elements import check_element

    for symbol in assignment.values():
        check_element(symbol, "element")
    if len(set(assignment.values())) != len(assignment):
        raise ValueError(f"each site label of {prototype.name} needs a different element, got {assignment}")
    return assignment


def decorate(prototype, elements, lattice_constant: float | None = None):
    """An ``ase.Atoms`` of the prototype with elements on its site labels.

    Parameters
    ----------
    prototype : Prototype or str
    elements : sequence of str or mapping label -> str
        One element per site label, in the order of ``prototype.site_labels`` (``("Cu", "Au")`` on L1_2 gives
        Cu3Au), or a mapping such as ``{"A": "Cu", "B": "Au"}``. The elements must be distinct.
    lattice_constant : float, optional
        Parent lattice constant ``a`` in Angstrom; default :func:`vegard_lattice_constant`.

    Returns
    -------
    ase.Atoms
        Periodic, with ``info["prototype"]`` and ``info["site_labels"]`` set.
    """
    from ase import Atoms

    prototype = get_prototype(prototype)
    assignment = _assignment(prototype, elements)
    symbols = [assignment[label] for label in prototype.labels]
    if lattice_constant is None:
        counts = {s: symbols.count(s) / len(symbols) for s in set(symbols)}
        lattice_constant = vegard_lattice_constant(prototype.parent, counts)
    a = as_number(lattice_constant, "lattice_constant", minimum=0.0, strict_minimum=True)
    atoms = Atoms(symbols, positions=prototype.positions * a, cell=prototype.cell * a, pbc=True)
    atoms.info["prototype"] = prototype.name
    atoms.info["site_labels"] = prototype.labels
    return atoms


# ------------------------------------------------------------------------------------------------- symmetry
@dataclass(frozen=True)
class SymmetryOperation:
    """``x -> rotation @ x + translation`` (Cartesian, units of ``a``) mapping atom ``i`` onto ``site_map[i]``.

    ``label_map`` tells which label each label goes to; it is the identity for a true symmetry of the ordered
    structure and a permutation for an operation of the underlying site pattern that exchanges labels.
    """

    rotation: np.ndarray
    translation: np.ndarray
    site_map: tuple[int, ...]
    label_map: tuple[tuple[str, str], ...]

    @property
    def is_symmetry(self) -> bool:
        return all(a == b for a, b in self.label_map)


def symmetry_operations(prototype) -> list[SymmetryOperation]:
    """Operations of the parent's point group (with translations) that map the site pattern onto itself and
    permute the labels consistently; those with the identity label map are the space-group operations.
    """
    prototype = get_prototype(prototype)
    if "symmetry" in prototype._cache:
        return prototype._cache["symmetry"]
    cell, positions = prototype.cell, prototype.positions
    inverse = np.linalg.inv(cell)
    fractional = positions @ inverse
    labels = prototype.labels
    operations = []
    for rotation in PARENT_LATTICES[prototype.parent].point_group:
        rotated_cell = cell @ rotation.T @ inverse
        if not np.allclose(rotated_cell, np.round(rotated_cell), atol=_TOL):
            continue  # the rotation does not map the cell's lattice onto itself
        rotated = positions @ rotation.T
        for j in range(len(positions)):
            translation = positions[j] - rotated[0]
            image = (rotated + translation) @ inverse
            delta = image[:, None, :] - fractional[None, :, :]
            match = np.all(np.abs(delta - np.round(delta)) < _TOL, axis=2)
            if not np.all(match.sum(axis=1) == 1):
                continue
            site_map = tuple(int(k) for k in match.argmax(axis=1))
            label_map = {}
            if len(set(site_map)) != len(site_map) or any(
                    label_map.setdefault(labels[i], labels[k]) != labels[k] for i, k in enumerate(site_map)):
                continue
            if len(set(label_map.values())) != len(label_map):
                continue
            operations.append(SymmetryOperation(rotation, translation, site_map, tuple(sorted(label_map.items()))))
    prototype._cache["symmetry"] = operations
    return operations


def point_group_order(prototype) -> int:
    """Order of the point group of the ordered structure (48 for L1_2 and B2, 16 for L1_0, 24 for D0_19, ...)."""
    rotations = [op.rotation for op in symmetry_operations(prototype) if op.is_symmetry]
    unique = []
    for r in rotations:
        if not any(np.allclose(r, u) for u in unique):
            unique.append(r)
    return len(unique)


def is_primitive(prototype) -> bool:
    """True when no translation other than the cell's lattice vectors maps the ordered structure onto itself."""
    pure = [op for op in symmetry_operations(prototype) if op.is_symmetry and np.allclose(op.rotation, np.eye(3))]
    return len(pure) == 1


def distinct_decorations(prototype, elements: Sequence[str]) -> list[tuple[str, ...]]:
    """Symmetry-distinct ways to put the distinct ``elements`` on the site labels (one element per label).

    Returned as tuples in the order of ``prototype.site_labels`` and sorted. E.g. L1_2 with ``("Cu", "Au")``
    gives Cu3Au and Au3Cu; L1_0 gives only one of CuAu/AuCu, since exchanging the labels is a symmetry of the
    site pattern.
    """
    prototype = get_prototype(prototype)
    labels = prototype.site_labels
    elements = tuple(elements)
    if len(elements) != len(labels) or len(set(elements)) != len(elements):
        raise ValueError(f"{prototype.name} needs {len(labels)} distinct elements, got {elements}")
    label_maps = {op.label_map for op in symmetry_operations(prototype)}
    seen, result = set(), []
    for perm in itertools.permutations(elements):
        assignment = dict(zip(labels, perm, strict=True))
        orbit = {tuple(assignment[dict(m)[label]] for label in labels) for m in label_maps}
        canonical = min(orbit)
        if canonical not in seen:
            seen.add(canonical)
            result.append(canonical)
    return sorted(result)


# ---------------------------------------------------------------------------------------------- enumeration
def hermite_normal_form(matrix) -> np.ndarray:
    """Row-style Hermite normal form of a non-singular integer (3, 3) matrix.

    The result ``H`` spans the same lattice (rows) and is upper triangular with positive diagonal and
    ``0 <= H[i, j] < H[j, j]`` above the diagonal; two bases span the same lattice iff their forms are equal.
    """
    h = np.array(np.round(matrix), dtype=np.int64)
    if h.shape != (3, 3) or round(abs(np.linalg.det(h))) == 0:
        raise ValueError(f"matrix must be a non-singular integer (3, 3) matrix, got {_describe(matrix)}")
    for col in range(3):
        while True:
            rows = [r for r in range(col, 3) if h[r, col] != 0]
            pivot = min(rows, key=lambda r: abs(h[r, col]))
            h[[col, pivot]] = h[[pivot, col]]
            others = [r for r in range(col + 1, 3) if h[r, col] != 0]
            if not others:
                break
            for r in others:
                h[r] -= (h[r, col] // h[col, col]) * h[col]
        if h[col, col] < 0:
            h[col] = -h[col]
    for j in range(1, 3):
        for i in range(j):
            h[i] -= (h[i, j] // h[j, j]) * h[j]
    return h


def hermite_normal_forms(n: int) -> list[np.ndarray]:
    """All (3, 3) row-style Hermite normal forms of determinant ``n``: one per sublattice of index ``n``."""
    n = as_int(n, "n", minimum=1)
    forms = []
    for a in range(1, n + 1):
        if n % a:
            continue
        for c in range(1, n // a + 1):
            if (n // a) % c:
                continue
            f = n // (a * c)
            for b, d, e in itertools.product(range(c), range(f), range(f)):
                forms.append(np.array([[a, b, d], [0, c, e], [0, 0, f]], dtype=np.int64))
    return forms


def _coset_index(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    # Reduce integer points modulo the lattice spanned by the rows of the upper-triangular h.
    p = np.array(points, dtype=np.int64)
    for row in range(3):
        p -= np.floor_divide(p[:, row], h[row, row])[:, None] * h[row]
    return (p[:, 0] * h[1, 1] + p[:, 1]) * h[2, 2] + p[:, 2]


def _coset_representatives(h: np.ndarray) -> np.ndarray:
    return np.array(list(itertools.product(range(h[0, 0]), range(h[1, 1]), range(h[2, 2]))), dtype=np.int64)


@functools.cache
def _integer_point_group(parent: str) -> tuple[np.ndarray, ...]:
    # Rotations acting on integer coordinates (rows) in the primitive basis: n -> n @ M.
    lattice = PARENT_LATTICES[parent]
    p, p_inv = lattice.primitive, np.linalg.inv(lattice.primitive)
    matrices = []
    for rotation in lattice.point_group:
        m = p @ rotation.T @ p_inv
        if not np.allclose(m, np.round(m), atol=_TOL):
            raise RuntimeError("point-group operation is not integral in the primitive basis")
        matrices.append(np.array(np.round(m), dtype=np.int64))
    return tuple(matrices)


def _relabel_by_appearance(values: np.ndarray) -> tuple[int, ...]:
    mapping: dict[int, int] = {}
    return tuple(mapping.setdefault(int(v), len(mapping)) for v in values)


@functools.lru_cache(maxsize=4096)
def _rotated_superlattices(parent: str, h_key: tuple) -> tuple[tuple[tuple, np.ndarray], ...]:
    # For each rotation m: the Hermite form of the rotated superlattice and where its coset representatives
    # come from (independent of the colouring, so cached per superlattice).
    h = np.array(h_key, dtype=np.int64).reshape(3, 3)
    result = []
    for m in _integer_point_group(parent):
        m_inv = np.array(np.round(np.linalg.inv(m)), dtype=np.int64)
        h_rot = hermite_normal_form(h @ m_inv)
        result.append((tuple(h_rot.ravel()), _coset_representatives(h_rot) @ m))
    return tuple(result)


def _canonical_colouring(parent: str, h: np.ndarray, values: np.ndarray, relabel: bool) -> tuple:
    # The colouring f(p) seen after a parent operation, g(p) = f(p @ m + t), is periodic on the rotated
    # superlattice; the smallest (superlattice, colours on its representatives) over all m, t is canonical.
    reps = _coset_representatives(h)
    best = None
    for h_rot, images in _rotated_superlattices(parent, tuple(h.ravel())):
        for t in reps:
            colours = values[_coset_index(h, images + t)]
            key = (h_rot, _relabel_by_appearance(colours) if relabel else tuple(int(c) for c in colours))
            if best is None or key < best:
                best = key
    return best


def _is_superperiodic(h: np.ndarray, values: np.ndarray) -> bool:
    reps = _coset_representatives(h)
    return any(np.array_equal(values[_coset_index(h, reps + t)], values) for t in reps[1:])


def _as_colouring(prototype: Prototype) -> tuple[np.ndarray, np.ndarray]:
    lattice = PARENT_LATTICES[prototype.parent]
    if len(lattice.basis) != 1:
        raise ValueError(f"canonical colourings need a Bravais parent (fcc or bcc), not {prototype.parent}")
    p_inv = np.linalg.inv(lattice.primitive)
    h = hermite_normal_form(prototype.cell @ p_inv)
    coords = np.array(np.round(prototype.positions @ p_inv), dtype=np.int64)
    index = _coset_index(h, coords)
    label_codes = {label: k for k, label in enumerate(prototype.site_labels)}
    values = np.empty(len(index), dtype=np.int64)
    values[index] = [label_codes[label] for label in prototype.labels]
    return h, values


def structure_key(prototype, *, exchange_labels: bool = True) -> tuple:
    """Canonical form of an fcc- or bcc-derived ordering; equal keys <=> the same structure type.

    With ``exchange_labels`` (default) structures that differ only by renaming the labels get the same key.
    The prototype's cell must be primitive for its ordering (see :func:`is_primitive`).
    """
    prototype = get_prototype(prototype)
    h, values = _as_colouring(prototype)
    return (prototype.parent,) + _canonical_colouring(prototype.parent, h, values, exchange_labels)


def _superlattice_classes(parent: str, n: int) -> list[np.ndarray]:
    classes, seen = [], set()
    for h in hermite_normal_forms(n):
        if tuple(h.ravel()) in seen:
            continue
        classes.append(h)
        for m in _integer_point_group(parent):
            seen.add(tuple(hermite_normal_form(h @ m).ravel()))
    return classes


@functools.cache
def _enumerate(parent: str, max_atoms: int, n_species: int) -> tuple[Prototype, ...]:
    lattice = PARENT_LATTICES[parent]
    named = {}
    for proto in PROTOTYPES.values():
        if proto.parent == parent and len(proto.site_labels) == n_species:
            named[structure_key(proto)] = proto
    found, result = set(), []
    for n in range(1, max_atoms + 1):
        count = 0
        for h in _superlattice_classes(parent, n):
            for colours in itertools.product(range(n_species), repeat=n):
                values = np.array(colours, dtype=np.int64)
                if len(set(colours)) != n_species or _is_superperiodic(h, values):
                    continue
                key = (parent,) + _canonical_colouring(parent, h, values, True)
                if key in found:
                    continue
                found.add(key)
                # Name labels by abundance (A the most abundant), ties by first appearance.
                abundance = sorted(set(colours), key=lambda c: (-colours.count(c), colours.index(c)))
                names = {c: "ABC"[k] for k, c in enumerate(abundance)}
                reps = _coset_representatives(h)
                labels = tuple(names[int(values[i])] for i in range(n))
                match = named.get(key)
                if match is None:
                    count += 1
                name = match.name if match is not None else f"{parent}_n{n}_{count:02d}"
                result.append(Prototype(
                    name, parent, h @ lattice.primitive, reps @ lattice.primitive, labels,
                    match.strukturbericht if match else "", match.compound if match else "",
                    match.description if match else f"enumerated {parent} superstructure, {n} atoms per cell"))
    return tuple(result)


def enumerate_derivatives(parent: str, max_atoms: int = 4, n_species: int = 2) -> list[Prototype]:
    """All fcc- or bcc-derived superstructures with up to ``max_atoms`` atoms per primitive cell that use
    exactly ``n_species`` labels, one per structure type (labels exchanged count as the same type).

    Structures equivalent to a named prototype carry its name (``"L1_2"``); the others are called
    ``"<parent>_n<atoms>_<k>"``. The cell of each is primitive; the cost grows quickly beyond 6 atoms.
    """
    one_of(parent, "parent", ("fcc", "bcc"))
    max_atoms = as_int(max_atoms, "max_atoms", minimum=1, maximum=8)
    n_species = as_int(n_species, "n_species", minimum=1, maximum=3)
    return list(_enumerate(parent, max_atoms, n_species))


@functools.cache
def _enumerated_by_name() -> dict[str, Prototype]:
    return {p.name: p for parent in ("fcc", "bcc") for p in _enumerate(parent, 4, 2) if p.name not in PROTOTYPES}
