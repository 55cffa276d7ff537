"""Crystal graphs as plain numpy arrays, ready to pad and batch for a Keras model.

Nodes are the atoms of the cell; a directed edge ``(i, j)`` joins atom ``i`` to a periodic image of atom ``j``
within a cutoff (or among its ``k`` nearest neighbours). Several edges may join the same pair through different
images. Three kinds of edge features:

``"shell"``     one-hot neighbour-shell index (1 = nearest neighbours, 2 = second shell, ...) measured on the
                ideal, *unrelaxed* prototype: a graph distance that needs no relaxed geometry (the idea of
                Schmidt et al.'s crystal-graph attention networks, Sci. Adv. 7, eabi7948 (2021));
``"hops"``      one-hot shortest-path length in the nearest-neighbour graph (periodic, images included);
``"distance"``  the interatomic distance in Angstrom, optionally from a relaxed copy of the structure (same
                atoms in the same order): the same edges, now carrying the relaxed bond lengths.

:func:`pad_graphs` stacks graphs of different sizes into fixed-shape arrays with masks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import _describe, as_int, as_number, one_of
from .elements import ELEMENTS, PROPERTIES, property_table

EDGE_FEATURES = ("shell", "hops", "distance")
NODE_FEATURES = ("onehot", "properties")


@dataclass
class CrystalGraph:
    """A crystal graph. Shapes: ``n`` nodes, ``m`` edges.

    ``atomic_numbers`` (n,) int; ``node_features`` (n, f) float; ``edge_index`` (m, 2) int (sender, receiver);
    ``edge_features`` (m, g) float; ``shifts`` (m, 3) int: cell image of the receiver; ``shell`` (m,) int and
    ``hops`` (m,) int: graph distances on the reference geometry; ``distances`` (m,) float in Angstrom.
    """

    atomic_numbers: np.ndarray
    node_features: np.ndarray
    edge_index: np.ndarray
    edge_features: np.ndarray
    shifts: np.ndarray
    shell: np.ndarray
    hops: np.ndarray
    distances: np.ndarray

    @property
    def n_nodes(self) -> int:
        return len(self.atomic_numbers)

    @property
    def n_edges(self) -> int:
        return len(self.edge_index)


def node_features(symbols: Sequence[str], kind: str = "onehot", species: Sequence[str] = ELEMENTS) -> np.ndarray:
    """Node features (n, f): a one-hot over ``species`` or the standardised elemental properties.

    ``"properties"`` uses every property of :mod:`.elements`, standardised over :data:`ELEMENTS` (mean 0,
    standard deviation 1 across the seven metals) so that no unit dominates.
    """
    one_of(kind, "node_features", NODE_FEATURES)
    species = tuple(species)
    for s in symbols:
        if s not in species:
            raise ValueError(f"element {s!r} is not among the species {', '.join(species)}")
    if kind == "onehot":
        return np.eye(len(species))[[species.index(s) for s in symbols]]
    table = property_table(PROPERTIES, ELEMENTS)
    std = table.std(axis=0)
    scaled = (table - table.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return scaled[[ELEMENTS.index(s) for s in symbols]]


def _neighbours(atoms, cutoff: float | None, k: int | None, tol: float):
    from ase.neighborlist import neighbor_list

    if cutoff is not None:
        i, j, d, shifts = neighbor_list("ijdS", atoms, cutoff)
    else:
        # Grow the radius until every atom has k neighbours; keep ties at the k-th distance.
        radius = 1.5 * (atoms.get_volume() / len(atoms)) ** (1.0 / 3.0)
        while True:
            i, j, d, shifts = neighbor_list("ijdS", atoms, radius)
            counts = np.bincount(i, minlength=len(atoms))
            if counts.min() > k:
                break
            radius *= 1.3
        keep = np.zeros(len(i), dtype=bool)
        for atom in range(len(atoms)):
            mine = np.flatnonzero(i == atom)
            kth = np.sort(d[mine])[k - 1]
            keep[mine[d[mine] <= kth + tol]] = True
        i, j, d, shifts = i[keep], j[keep], d[keep], shifts[keep]
    order = np.lexsort((shifts[:, 2], shifts[:, 1], shifts[:, 0], j, i))
    return i[order], j[order], d[order], shifts[order].astype(int)


def _shell_index(atoms, distances: np.ndarray, tol: float) -> np.ndarray:
    # Distinct distances of the structure up to the largest edge, sorted; shell = rank of an edge's distance.
    from ase.neighborlist import neighbor_list

    all_d = np.sort(neighbor_list("d", atoms, float(distances.max()) + 2 * tol))
    levels = [all_d[0]]
    for value in all_d[1:]:
        if value - levels[-1] > tol:
            levels.append(value)
    levels = np.array(levels)
    return np.abs(distances[:, None] - levels[None, :]).argmin(axis=1) + 1


def _hop_counts(atoms, i, j, shifts, tol: float) -> np.ndarray:
    # Breadth-first search over (atom, cell image) states of the nearest-neighbour graph.
    from ase.neighborlist import neighbor_list

    ni, nj, nd, ns = neighbor_list("ijdS", atoms, 1.5 * (atoms.get_volume() / len(atoms)) ** (1 / 3))
    first = nd <= nd.min() + tol
    adjacency = [[] for _ in range(len(atoms))]
    for a, b, s in zip(ni[first], nj[first], ns[first], strict=True):
        adjacency[a].append((int(b), tuple(int(v) for v in s)))
    states = [(int(b), tuple(int(v) for v in s)) for b, s in zip(j, shifts, strict=True)]
    hops = np.zeros(len(i), dtype=np.int64)
    for source in np.unique(i):
        mine = np.flatnonzero(i == source)
        seen = {(int(source), (0, 0, 0)): 0}
        queue = deque(seen)
        remaining = {states[e] for e in mine} - set(seen)
        while queue and remaining:
            atom, image = queue.popleft()
            for b, s in adjacency[atom]:
                state = (b, (image[0] + s[0], image[1] + s[1], image[2] + s[2]))
                if state not in seen:
                    seen[state] = seen[(atom, image)] + 1
                    remaining.discard(state)
                    queue.append(state)
        hops[mine] = [seen[states[e]] for e in mine]
    return hops


def _one_hot(index: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((len(index), size))
    out[np.arange(len(index)), np.clip(index, 1, size) - 1] = 1.0
    return out


def crystal_graph(atoms, *, cutoff: float | None = None, k: int | None = None, edge_features: str = "shell",
                  relaxed=None, node_kind: str = "onehot", species: Sequence[str] = ELEMENTS, max_shell: int = 4,
                  tol: float = 1e-3) -> CrystalGraph:
    """Crystal graph of a periodic structure.

    Parameters
    ----------
    atoms : ase.Atoms
        The reference geometry that defines the edges, shells and hop counts -- for the prototype graph the
        unrelaxed, decorated prototype (``prototypes.decorate``).
    cutoff : float, optional
        Edge cutoff radius in Angstrom. Exactly one of ``cutoff`` and ``k`` must be given.
    k : int, optional
        Connect each atom to its ``k`` nearest neighbours (images included; all neighbours tied with the k-th
        are kept, so an fcc atom with ``k=12`` gets its 12 nearest neighbours and ``k=13`` also the 6 second).
    edge_features : {"shell", "hops", "distance"}
        What the model sees on the edges (see the module docstring). One-hot sizes are ``max_shell``; shells or
        hop counts beyond it fall into the last column.
    relaxed : ase.Atoms, optional
        Same atoms in the same order after relaxation; its distances (minimum-image of the same edges with the
        relaxed cell) fill ``distances`` and the ``"distance"`` features.
    node_kind : {"onehot", "properties"}
        Node features, see :func:`node_features`.
    tol : float
        Distance tolerance (Angstrom) for ties and shells.
    """
    from ase import Atoms

    if not isinstance(atoms, Atoms):
        raise TypeError(f"atoms must be an ase.Atoms, got {_describe(atoms)}")
    if not all(atoms.pbc):
        raise ValueError("crystal graphs need a periodic structure (pbc all True)")
    if (cutoff is None) == (k is None):
        raise ValueError("give exactly one of cutoff (Angstrom) or k (number of nearest neighbours)")
    if cutoff is not None:
        cutoff = as_number(cutoff, "cutoff", minimum=0.0, strict_minimum=True)
    if k is not None:
        k = as_int(k, "k", minimum=1)
    one_of(edge_features, "edge_features", EDGE_FEATURES)
    max_shell = as_int(max_shell, "max_shell", minimum=1)
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    if relaxed is not None:
        if not isinstance(relaxed, Atoms) or len(relaxed) != len(atoms) or \
                relaxed.get_chemical_symbols() != atoms.get_chemical_symbols():
            raise ValueError("relaxed must be an ase.Atoms with the same atoms in the same order as atoms")

    i, j, d, shifts = _neighbours(atoms, cutoff, k, tol)
    if len(i) == 0:
        raise ValueError(f"no edges within cutoff {cutoff} Angstrom; increase it")
    shell = _shell_index(atoms, d, tol)
    hops = _hop_counts(atoms, i, j, shifts, tol)
    distances = d
    if relaxed is not None:
        vectors = relaxed.positions[j] + shifts @ relaxed.cell.array - relaxed.positions[i]
        distances = np.linalg.norm(vectors, axis=1)
    if edge_features == "shell":
        features = _one_hot(shell, max_shell)
    elif edge_features == "hops":
        features = _one_hot(hops, max_shell)
    else:
        features = distances[:, None].copy()
    symbols = atoms.get_chemical_symbols()
    return CrystalGraph(atoms.numbers.copy(), node_features(symbols, node_kind, species), np.column_stack([i, j]),
                        features, shifts, shell, hops, distances)


def pad_graphs(graphs: Sequence[CrystalGraph], *, max_nodes: int | None = None,
               max_edges: int | None = None) -> dict[str, np.ndarray]:
    """Stack graphs into fixed-shape arrays (batch size ``B``), zero-padded, with masks.

    Returns ``node_features`` (B, N, f), ``atomic_numbers`` (B, N) int (0 = padding), ``node_mask`` (B, N)
    bool, ``edge_index`` (B, E, 2) int (padding edges point from node 0 to node 0 and are masked),
    ``edge_features`` (B, E, g), ``distances`` (B, E), ``edge_mask`` (B, E) bool, ``n_nodes`` (B,) int.
    ``N``/``E`` default to the largest graph; a graph larger than given ``max_nodes``/``max_edges`` raises.
    """
    graphs = list(graphs)
    if not graphs or not all(isinstance(g, CrystalGraph) for g in graphs):
        raise TypeError("graphs must be a non-empty sequence of CrystalGraph")
    widths = {(g.node_features.shape[1], g.edge_features.shape[1]) for g in graphs}
    if len(widths) != 1:
        raise ValueError(f"all graphs need the same node and edge feature widths, got {sorted(widths)}")
    n_max = max(g.n_nodes for g in graphs) if max_nodes is None else as_int(max_nodes, "max_nodes", minimum=1)
    e_max = max(g.n_edges for g in graphs) if max_edges is None else as_int(max_edges, "max_edges", minimum=1)
    for index, g in enumerate(graphs):
        if g.n_nodes > n_max or g.n_edges > e_max:
            raise ValueError(f"graph {index} has {g.n_nodes} nodes and {g.n_edges} edges, more than max_nodes="
                             f"{n_max} / max_edges={e_max}")
    f, w = widths.pop()
    b = len(graphs)
    out = {"node_features": np.zeros((b, n_max, f)), "atomic_numbers": np.zeros((b, n_max), dtype=np.int64),
           "node_mask": np.zeros((b, n_max), dtype=bool), "edge_index": np.zeros((b, e_max, 2), dtype=np.int64),
           "edge_features": np.zeros((b, e_max, w)), "distances": np.zeros((b, e_max)),
           "edge_mask": np.zeros((b, e_max), dtype=bool), "n_nodes": np.zeros(b, dtype=np.int64)}
    for index, g in enumerate(graphs):
        n, m = g.n_nodes, g.n_edges
        out["node_features"][index, :n] = g.node_features
        out["atomic_numbers"][index, :n] = g.atomic_numbers
        out["node_mask"][index, :n] = True
        out["edge_index"][index, :m] = g.edge_index
        out["edge_features"][index, :m] = g.edge_features
        out["distances"][index, :m] = g.distances
        out["edge_mask"][index, :m] = True
        out["n_nodes"][index] = n
    return out
