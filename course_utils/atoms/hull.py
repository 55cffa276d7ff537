"""Formation energies, lower convex hulls and energies above the hull (eV/atom).

The formation energy of a compound with atomic fractions ``x_i`` and energy per atom ``E`` is
``E_f = E - sum_i x_i E_i``, where ``E_i`` is the energy per atom of element ``i`` in its ground state.
In the space of (fractions, ``E_f``) the stable compounds lie on the *lower convex hull*; the *energy above the
hull* of a compound is the vertical distance from it to the hull at its composition (zero on the hull).

The hull is computed with ``scipy.spatial.ConvexHull`` (Qhull) on points ``(x_1, ..., x_{k-1}, E_f)`` -- the
last fraction is implied -- together with the pure elements at ``E_f = 0`` and one point far above the
barycentre, which makes the point set full-dimensional even when all energies are equal. Facets whose outward
normal points down form the lower hull; since the hull is the graph of a convex function, its energy at a
composition is the maximum over the lower facets' planes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import _describe, as_real_array

_SUM_TOL = 1e-6


# --------------------------------------------------------------------------------------------- formation energy
def as_fraction_matrix(fractions, name: str = "fractions", n_elements: int | None = None) -> np.ndarray:
    """Check an array of atomic fractions, shape ``(n, k)``: non-negative rows that sum to one."""
    array = as_real_array(fractions, name, ndim=2)
    if n_elements is not None and array.shape[1] != n_elements:
        raise ValueError(f"{name} must have {n_elements} columns (one per element), got shape {array.shape}")
    if array.shape[1] < 1 or array.shape[0] < 1:
        raise ValueError(f"{name} must have at least one row and one column, got shape {array.shape}")
    if np.any(array < -_SUM_TOL):
        raise ValueError(f"{name} must be non-negative; row {int(np.argmin(array.min(axis=1)))} has "
                         f"{array.min():.3g}")
    sums = array.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > _SUM_TOL)
    if bad.size:
        raise ValueError(f"each row of {name} must sum to one; row {bad[0]} sums to {sums[bad[0]]:.6g}")
    return np.clip(array, 0.0, None)


def formation_energy(energy_per_atom: float, composition, references: Mapping[str, float]) -> float:
    """Formation energy per atom (eV/atom) of one compound.

    Parameters
    ----------
    energy_per_atom : float
        Total energy per atom of the compound (eV/atom).
    composition : mapping symbol -> fraction (summing to one), formula string or ``ase.Atoms``
    references : mapping symbol -> float
        Energy per atom of each element's ground state, from the same calculator (see
        :func:`elemental_references`). A missing element raises ``ValueError``.
    """
    from .elements import as_fractions

    if not isinstance(references, Mapping):
        raise TypeError(f"references must be a mapping element -> energy per atom, got {_describe(references)}")
    energy = float(as_real_array(energy_per_atom, "energy_per_atom", ndim=0))
    symbols = tuple(references)
    try:
        fractions = as_fractions(composition, symbols, name="composition")
    except ValueError as error:
        if "not among the elements" in str(error):
            raise ValueError(f"missing elemental reference: {error}") from None
        raise
    reference = np.array([float(references[s]) for s in symbols])
    return float(energy - fractions @ reference)


def formation_energies(energies_per_atom, fractions, reference_energies) -> np.ndarray:
    """Vectorised :func:`formation_energy`: ``E - fractions @ reference_energies``.

    Shapes: ``energies_per_atom`` (n,), ``fractions`` (n, k) rows summing to one, ``reference_energies`` (k,).
    """
    references = as_real_array(reference_energies, "reference_energies", ndim=1)
    fractions = as_fraction_matrix(fractions, n_elements=len(references))
    energies = as_real_array(energies_per_atom, "energies_per_atom", shape=(len(fractions),))
    return energies - fractions @ references


def elemental_references(elements: Sequence[str], calculator_factory, *, prototypes=("A1", "A2", "A3"),
                         **relax_options) -> dict[str, tuple[float, str]]:
    """Ground state of each element among ``prototypes``, relaxed with a calculator.

    ``calculator_factory()`` must return a fresh ASE calculator (e.g. :func:`calculators.emt`). Returns
    ``{symbol: (energy per atom in eV, prototype name)}`` with the lowest relaxed energy per element.
    """
    from .prototypes import decorate
    from .relax import relax

    if not callable(calculator_factory):
        raise TypeError("calculator_factory must be callable, e.g. course_utils.atoms.calculators.emt")
    if isinstance(elements, str):
        raise TypeError("elements must be a sequence of symbols, not a single string")
    result = {}
    for symbol in elements:
        best = None
        for name in prototypes:
            atoms = decorate(name, [symbol])
            atoms.calc = calculator_factory()
            energy = relax(atoms, **relax_options).energy_per_atom
            if best is None or energy < best[0]:
                best = (energy, name)
        result[symbol] = best
    return result


# ------------------------------------------------------------------------------------------------------ hull
@dataclass(frozen=True)
class LowerHull:
    """Lower convex hull over a ``k``-element composition space.

    Each lower facet ``j`` lies in the plane ``normals[j] @ (y, E) + offsets[j] = 0`` with ``y`` the first
    ``k - 1`` fractions (Qhull's outward normals, ``normals[j, -1] < 0``); :meth:`energy_at` evaluates the hull.
    ``vertices``: indices of input compounds that are facet vertices (a compound that coincides with another
    point, or lies inside a facet, may be on the hull without being listed; use the energy above the hull).
    """

    normals: np.ndarray
    offsets: np.ndarray
    vertices: np.ndarray
    n_elements: int

    def energy_at(self, fractions) -> np.ndarray:
        """Hull energy (eV/atom) at compositions ``fractions`` (n, k); shape (n,)."""
        x = as_fraction_matrix(fractions, n_elements=self.n_elements)
        y = x[:, :-1]
        planes = -(y @ self.normals[:, :-1].T + self.offsets) / self.normals[:, -1]
        return planes.max(axis=1)


def lower_hull(fractions, formation_energies) -> LowerHull:
    """Lower convex hull of compounds ``fractions`` (n, k) with formation energies (n,) in eV/atom.

    The pure elements are added at ``E_f = 0``; an elemental entry below zero means the references are not the
    ground states and raises ``ValueError``.
    """
    from scipy.spatial import ConvexHull

    x = as_fraction_matrix(fractions)
    energies = as_real_array(formation_energies, "formation_energies", shape=(len(x),))
    n, k = x.shape
    pure = np.isclose(x.max(axis=1), 1.0, atol=_SUM_TOL)
    if np.any(energies[pure] < -1e-9):
        i = int(np.flatnonzero(pure & (energies < -1e-9))[0])
        raise ValueError(f"entry {i} is a pure element with formation energy {energies[i]:.4g} eV/atom < 0: the "
                         "elemental references are not the lowest-energy states")
    if k == 1:  # one element: the hull is its reference, E_f = 0 (plane -E = 0)
        return LowerHull(np.array([[-1.0]]), np.array([0.0]), np.flatnonzero(np.abs(energies) <= 1e-9), 1)
    corners = np.eye(k)
    top = energies.max(initial=0.0) + (np.ptp(energies) if n > 1 else 0.0) + 1.0
    points = np.vstack([np.column_stack([x[:, :-1], energies]),
                        np.column_stack([corners[:, :-1], np.zeros(k)]),
                        np.append(np.full(k - 1, 1.0 / k), top)])
    hull = ConvexHull(points)
    lower = hull.equations[:, -2] < -1e-12
    normals, offsets = hull.equations[lower, :-1], hull.equations[lower, -1]
    facet_vertices = np.unique(hull.simplices[lower])
    vertices = facet_vertices[facet_vertices < n]
    return LowerHull(normals, offsets, vertices, k)


def energy_above_hull(fractions, formation_energies, *, query_fractions=None, query_energies=None) -> np.ndarray:
    """Energy above the lower convex hull (eV/atom).

    Without ``query_*``: for every compound of the set, relative to the hull of the set (all values >= 0 up to
    rounding, zero on the hull). With ``query_fractions`` (m, k) and ``query_energies`` (m,): for candidates
    measured against the hull of the set (negative means the candidate would be a new stable phase).
    """
    x = as_fraction_matrix(fractions)
    energies = as_real_array(formation_energies, "formation_energies", shape=(len(x),))
    hull = lower_hull(x, energies)
    if (query_fractions is None) != (query_energies is None):
        raise ValueError("give both query_fractions and query_energies, or neither")
    if query_fractions is None:
        return energies - hull.energy_at(x)
    qx = as_fraction_matrix(query_fractions, "query_fractions", n_elements=x.shape[1])
    qe = as_real_array(query_energies, "query_energies", shape=(len(qx),))
    return qe - hull.energy_at(qx)


def energy_above_hull_by_system(fractions, formation_energies, *, valid=None) -> np.ndarray:
    """Energy above the hull of each compound within its own chemical system.

    ``fractions`` (n, K) over a fixed list of K elements, of compounds from many systems (binaries, ternaries).
    Each compound is measured against the hull of every compound whose elements are a subset of its own (a
    ternary A-B-C sees the A-B, B-C and A-C binaries). ``valid`` (n,) bool: compounds to leave out of the hulls
    (for example unconverged relaxations); their own value is still computed against the valid ones.
    """
    x = as_fraction_matrix(fractions)
    energies = as_real_array(formation_energies, "formation_energies", shape=(len(x),), finite=False)
    valid = np.ones(len(x), dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    if valid.shape != (len(x),):
        raise ValueError(f"valid must have shape ({len(x)},), got {valid.shape}")
    valid = valid & np.isfinite(energies)
    support = x > _SUM_TOL
    result = np.full(len(x), np.nan)
    for system in sorted({tuple(np.flatnonzero(row)) for row in support}, key=lambda s: (len(s), s)):
        inside = np.isin(np.arange(x.shape[1]), system)
        own = np.all(support == inside, axis=1) & np.isfinite(energies)
        if len(system) == 1:
            result[own] = energies[own]
            continue
        reference = ~np.any(support[:, ~inside], axis=1) & valid  # compounds of the system and its subsystems
        sub = x[:, inside]
        if reference.any():
            hull = lower_hull(sub[reference], energies[reference])
        else:
            hull = lower_hull(np.eye(len(system))[:1], np.zeros(1))  # only the elements
        result[own] = energies[own] - hull.energy_at(sub[own])
    return result
