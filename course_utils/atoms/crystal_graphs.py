"""Crystal graphs of periodic structures as padded numpy arrays, ready for a Keras model (notebook 02).

Nodes are the atoms of the cell; a directed edge joins a centre atom (the *receiver*) to one of its ``k`` nearest
neighbours (the *sender*), which may be a periodic image of any atom, itself included; all ties with the k-th
neighbour are kept, so an fcc atom with ``k = 12`` has exactly its 12 nearest neighbours and a bcc atom with
``k = 9`` all 14 of its first two shells. Several edges may join the same two atoms through different images.

**Image convention** (one for the whole course): an edge ``(sender s, receiver r, shift n)`` is the bond vector
``positions[s] + n @ cell - positions[r]``, pointing from the centre atom to its neighbour; ``n`` (3 integers) is
the cell image *of the sender*. A message travels along the edge from ``s`` to ``r``.

Edge features: the neighbour-shell index (1 = nearest distinct distance, 2 = next, ... on the ideal, *unrelaxed*
prototype: a graph distance that needs no relaxed geometry, the idea of Schmidt et al.'s crystal-graph attention
networks, Sci. Adv. 7, eabi7948 (2021)), and the bond length before and after relaxation (Angstrom).

* :func:`node_features` -- one-hot species or standardised elemental properties;
* :func:`neighbour_edges` -- the vectorised k-nearest-neighbour search over periodic images (about 1 ms per
  structure; checked against ASE's ``neighbor_list`` in the tests);
* :func:`alloy_graphs` -- padded graphs of the ``alloys`` data set, with edges that differ only by their image
  merged into one edge with a multiplicity.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from .._checks import as_int, as_number, as_real_array, one_of
from .elements import ELEMENTS, PROPERTIES, property_table

NODE_FEATURES = ("onehot", "properties")
_MERGE_TOL = 1e-3  # Angstrom: relaxed bond lengths closer than this count as equal when edges are merged

__all__ = ["NODE_FEATURES", "alloy_graphs", "neighbour_edges", "node_features"]


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


def _images(cell: np.ndarray, cutoff: float) -> np.ndarray:
    # Integer cell shifts that reach every point within `cutoff` of a point of the home cell (the pair vectors
    # are first reduced to fractional coordinates in [-1/2, 1/2)): ceil(cutoff / plane spacing + 1/2) per axis.
    volume = abs(np.linalg.det(cell))
    spacing = [volume / np.linalg.norm(np.cross(cell[(i + 1) % 3], cell[(i + 2) % 3])) for i in range(3)]
    reach = [int(np.ceil(cutoff / s + 0.5)) for s in spacing]
    return np.array(list(itertools.product(*(range(-r, r + 1) for r in reach))), dtype=float)


def neighbour_edges(cell, positions, k: int = 12, tol: float = 1e-3):
    """Edges of one periodic structure to each atom's ``k`` nearest neighbours (all ties with the k-th kept).

    Returns ``senders`` (m,) int (the neighbour), ``receivers`` (m,) int (the centre atom), ``shifts`` (m, 3)
    int (cell image of the sender: the bond vector is ``positions[s] + shifts @ cell - positions[r]``),
    ``distances`` (m,) in Angstrom and ``shells`` (m,) int: the rank of the edge's distance among the distinct
    distances of its centre atom's neighbours (1 = nearest), ties within ``tol`` Angstrom. Edges are ordered by
    receiver, then distance.
    """
    cell = as_real_array(cell, "cell", shape=(3, 3))
    positions = as_real_array(positions, "positions", shape=(None, 3))
    k = as_int(k, "k", minimum=1)
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    n = len(positions)
    if n == 0 or abs(np.linalg.det(cell)) < 1e-9:
        raise ValueError("need at least one atom and a cell of non-zero volume")
    # pair vectors reduced to the nearest image: frac(r_j - r_i) in [-1/2, 1/2)
    fractional = np.linalg.solve(cell.T, positions.T).T
    delta = fractional[None, :, :] - fractional[:, None, :]
    base = -np.round(delta)
    radius = 1.9 * (abs(np.linalg.det(cell)) / n) ** (1 / 3) * (k / 12) ** (1 / 3)
    while True:
        shifts = _images(cell, radius)
        images = base[:, :, None, :] + shifts[None, None, :, :]  # (n, n, s, 3) integer cell shifts
        vectors = positions[None, :, None, :] + images @ cell - positions[:, None, None, :]
        dist = np.sqrt(np.einsum("ijsx,ijsx->ijs", vectors, vectors))
        home = np.flatnonzero(np.all(shifts == 0, axis=1))[0]  # base[i, i] = 0, so this is atom i itself
        dist[np.arange(n), np.arange(n), home] = np.inf
        flat = dist.reshape(n, -1)
        kth = np.partition(flat, k - 1, axis=1)[:, k - 1]
        if np.all(kth < radius - tol):
            break
        radius *= 1.5  # the k-th neighbour may lie beyond the search radius: search farther
    rows, cols = np.nonzero(flat <= kth[:, None] + tol)
    d = flat[rows, cols]
    order = np.lexsort((d, rows))
    rows, cols, d = rows[order], cols[order], d[order]
    new_level = np.concatenate([[True], (np.diff(d) > tol) | (np.diff(rows) != 0)])
    starts = np.flatnonzero(np.concatenate([[True], np.diff(rows) != 0]))
    level_count = np.cumsum(new_level)
    shells = level_count - np.repeat(level_count[starts] - 1, np.diff(np.append(starts, len(rows))))
    j, s = np.unravel_index(cols, dist.shape[1:])
    return j, rows, images[rows, j, s].astype(int), d, shells


def alloy_graphs(arrays: Mapping[str, np.ndarray], *, k: int = 12, node_kind: str = "onehot",
                 merge: bool = True, indices=None) -> dict[str, np.ndarray]:
    """Padded crystal graphs of compounds of the alloys data set (``course_utils.data.load("alloys")``).

    Edges and shells come from the unrelaxed prototype (:func:`neighbour_edges`); the relaxed length of each
    edge is the same pair of atoms in the same cell image after relaxation. Shapes (``B`` compounds, ``N`` = the
    data set's ``max_atoms`` nodes, ``E`` = the largest edge count):

    ``node_features`` (B, N, f): one-hot over :data:`course_utils.atoms.elements.ELEMENTS` (``"onehot"``) or
    standardised elemental properties (``"properties"``, see :func:`node_features`);
    ``node_mask`` (B, N) bool; ``senders``, ``receivers`` (B, E) int; ``edge_mask`` (B, E) bool; ``shells``
    (B, E) int (0 on padding); ``distances_unrelaxed``, ``distances_relaxed`` (B, E) in Angstrom;
    ``multiplicity`` (B, E) float; ``n_nodes`` (B,). Padding edges join node 0 to itself and are masked.

    ``merge=True`` merges the edges that join the same two atoms through different periodic images with the same
    shell and the same relaxed length (within 1e-3 Angstrom): they carry identical messages, so one edge with a
    ``multiplicity`` (the number merged) is exactly equivalent and about three times cheaper (50 -> 16 edges per
    compound on average). With ``merge=False`` every image is its own edge (multiplicity 1).
    """
    required = ("numbers", "n_atoms", "cell_unrelaxed", "positions_unrelaxed", "cell_relaxed", "positions_relaxed")
    missing = [key for key in required if key not in arrays]
    if missing:
        raise ValueError(f"arrays lacks {missing}: pass the dict returned by course_utils.data.load('alloys')")
    total = len(arrays["n_atoms"])
    indices = np.arange(total) if indices is None else np.asarray(indices, dtype=int)
    if indices.size and (indices.min() < 0 or indices.max() >= total):
        raise ValueError(f"indices must lie in [0, {total}), got range [{indices.min()}, {indices.max()}]")
    from ase.data import chemical_symbols

    per = []
    for index in indices:
        n = int(arrays["n_atoms"][index])
        symbols = [chemical_symbols[z] for z in arrays["numbers"][index, :n]]
        s, r, shifts, d0, shell = neighbour_edges(arrays["cell_unrelaxed"][index],
                                                  arrays["positions_unrelaxed"][index, :n], k)
        pos, cell = arrays["positions_relaxed"][index, :n], arrays["cell_relaxed"][index]
        d1 = np.linalg.norm(pos[s] + shifts @ cell - pos[r], axis=1)
        count = np.ones(len(s))
        if merge:
            keys = np.column_stack([r, s, shell, np.round(d1 / _MERGE_TOL)])
            _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
            count = np.bincount(inverse.ravel()).astype(float)
            s, r, shell, d0, d1 = s[first], r[first], shell[first], d0[first], d1[first]
        per.append((node_features(symbols, node_kind, ELEMENTS), s, r, shell, d0, d1, count))
    b, n_max = len(per), arrays["numbers"].shape[1]
    e_max = max(len(p[1]) for p in per)
    f = per[0][0].shape[1]
    out = {"node_features": np.zeros((b, n_max, f), dtype=np.float32), "node_mask": np.zeros((b, n_max), bool),
           "senders": np.zeros((b, e_max), np.int32), "receivers": np.zeros((b, e_max), np.int32),
           "edge_mask": np.zeros((b, e_max), bool), "shells": np.zeros((b, e_max), np.int32),
           "distances_unrelaxed": np.zeros((b, e_max), np.float32),
           "distances_relaxed": np.zeros((b, e_max), np.float32),
           "multiplicity": np.zeros((b, e_max), np.float32), "n_nodes": np.zeros(b, np.int32)}
    for row, (x, s, r, shell, d0, d1, count) in enumerate(per):
        n, m = len(x), len(s)
        out["node_features"][row, :n] = x
        out["node_mask"][row, :n] = True
        out["senders"][row, :m], out["receivers"][row, :m] = s, r
        out["edge_mask"][row, :m] = True
        out["shells"][row, :m] = shell
        out["distances_unrelaxed"][row, :m], out["distances_relaxed"][row, :m] = d0, d1
        out["multiplicity"][row, :m] = count
        out["n_nodes"][row] = n
    return out
