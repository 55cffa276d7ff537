"""Composition descriptors from elemental properties (Magpie-style).

For a compound with atomic fractions ``x_i`` and an elemental property ``p_i`` the descriptors are the
fraction-weighted mean ``sum_i x_i p_i``, the average deviation ``sum_i x_i |p_i - mean|``, the minimum,
maximum and range over the elements present; plus the stoichiometric ``L^p`` norms of the fractions
(``p = 0`` counts the elements). After L. Ward, A. Agrawal, A. Choudhary and C. Wolverton, npj Comput. Mater.
2, 16028 (2016), doi:10.1038/npjcompumats.2016.28. Property values and their sources: :mod:`.elements`.

And one structure descriptor of molecules, the Coulomb matrix (:func:`coulomb_matrix`, notebook 08).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._checks import as_int, as_real_array, one_of
from .elements import ELEMENTS, PROPERTIES, PROPERTY_UNITS, as_fractions, property_table

STATISTICS: tuple[str, ...] = ("mean", "avg_dev", "min", "max", "range")
NORMS: tuple[int, ...] = (0, 2, 3, 5, 7, 10)


def descriptor_names(properties: Sequence[str] = PROPERTIES, statistics: Sequence[str] = STATISTICS,
                     norms: Sequence[int] = NORMS) -> list[str]:
    """Column names of :func:`composition_descriptors`, e.g. ``"electronegativity_mean"``, ``"norm_2"``."""
    _check_choices(properties, statistics)
    return [f"norm_{p}" for p in norms] + [f"{prop}_{stat}" for prop in properties for stat in statistics]


def _check_choices(properties, statistics):
    if isinstance(properties, str) or isinstance(statistics, str):
        raise TypeError("properties and statistics must be sequences of names, not a single string")
    for prop in properties:
        one_of(prop, "property", PROPERTIES)
    for stat in statistics:
        one_of(stat, "statistic", STATISTICS)


def composition_descriptors(compositions, properties: Sequence[str] = PROPERTIES,
                            statistics: Sequence[str] = STATISTICS, norms: Sequence[int] = NORMS) -> np.ndarray:
    """Descriptor matrix of shape ``(n_compositions, n_features)`` (one row for a single composition).

    ``compositions``: one composition or a list of them; each a formula string (``"Cu3Au"``), an ``ase.Atoms``,
    a mapping symbol -> fraction summing to one, or a row of fractions over :data:`ELEMENTS`. Columns are
    named by :func:`descriptor_names` with the same arguments; units follow
    :data:`.elements.PROPERTY_UNITS` (``avg_dev``, ``min``, ``max``, ``range`` share the property's unit).
    """
    _check_choices(properties, statistics)
    fractions = _fraction_rows(compositions)
    table = property_table(tuple(properties), ELEMENTS)  # (n_elements, n_properties)
    present = fractions > 0
    features = []
    for p in norms:
        if p == 0:
            features.append(present.sum(axis=1).astype(float))
        else:
            features.append((fractions**p).sum(axis=1) ** (1.0 / p))
    mean = fractions @ table
    masked_min = np.where(present[:, :, None], table[None], np.inf).min(axis=1)
    masked_max = np.where(present[:, :, None], table[None], -np.inf).max(axis=1)
    avg_dev = np.einsum("ne,nep->np", fractions, np.abs(table[None] - mean[:, None, :]))
    values = {"mean": mean, "avg_dev": avg_dev, "min": masked_min, "max": masked_max, "range": masked_max - masked_min}
    for j in range(len(properties)):
        for stat in statistics:
            features.append(values[stat][:, j])
    return np.column_stack(features)


def _fraction_rows(compositions) -> np.ndarray:
    if isinstance(compositions, np.ndarray) and compositions.dtype.kind in "fiu":
        rows = np.atleast_2d(compositions).astype(float)
        if rows.shape[1] != len(ELEMENTS):
            raise ValueError(f"a fraction array must have {len(ELEMENTS)} columns ({', '.join(ELEMENTS)}), "
                             f"got shape {rows.shape}")
        from .hull import as_fraction_matrix

        return as_fraction_matrix(rows, "compositions")
    if isinstance(compositions, (str, Mapping)) or hasattr(compositions, "get_chemical_symbols"):
        compositions = [compositions]
    rows = [as_fractions(c, ELEMENTS, name=f"compositions[{i}]") for i, c in enumerate(compositions)]
    if not rows:
        raise ValueError("compositions is empty")
    return np.array(rows)


__all__ = ["STATISTICS", "NORMS", "PROPERTY_UNITS", "descriptor_names", "composition_descriptors"]


# ------------------------------------------------------------------------------------------ Coulomb matrix
COULOMB_KINDS = ("sorted", "eigenvalues", "matrix")


def coulomb_matrix(numbers, positions, *, size: int | None = None, kind: str = "sorted") -> np.ndarray:
    """The Coulomb matrix of molecules (M. Rupp, A. Tkatchenko, K.-R. Mueller, O. A. von Lilienfeld, Phys. Rev. Lett.
    108, 058301 (2012)), in Hartree atomic units:

        C_ii = Z_i^2.4 / 2,      C_ij = Z_i Z_j / |R_i - R_j|   (distance in bohr),

    the first a fit to the energies of free atoms, the second the Coulomb repulsion of the two nuclei. It is unchanged
    by rotations and translations; permuting the atoms permutes its rows and columns, which the two invariant forms
    remove.

    Parameters
    ----------
    numbers : (M, N) int, 0 for padding
    positions : (M, N, 3) Angstrom
    size : int, optional
        Atoms to pad to (default ``N``); molecules of more real atoms raise ``ValueError``.
    kind : "sorted", "eigenvalues" or "matrix"
        ``"sorted"``: rows and columns ordered by decreasing row norm (ties broken by the atom order), then the upper
        triangle with its diagonal, ``size (size + 1) / 2`` numbers; ``"eigenvalues"``: the ``size`` eigenvalues,
        sorted by decreasing absolute value (Rupp et al.'s descriptor); ``"matrix"``: the plain (size, size)
        matrix in the input order.

    Returns
    -------
    (M, size (size + 1) / 2), (M, size) or (M, size, size), zeros for padding.
    """
    from ..units import ANGSTROM_TO_BOHR

    one_of(kind, "kind", COULOMB_KINDS)
    numbers = np.asarray(numbers)
    if numbers.ndim != 2 or not np.issubdtype(numbers.dtype, np.integer):
        raise ValueError(f"numbers must be integers of shape (molecules, atoms), got shape {numbers.shape} and dtype "
                         f"{numbers.dtype}")
    if numbers.min(initial=0) < 0:
        raise ValueError("atomic numbers must be non-negative (0 is padding)")
    m, n = numbers.shape
    positions = as_real_array(positions, "positions", shape=(m, n, 3))
    n_real = (numbers > 0).sum(axis=1)
    size = n if size is None else as_int(size, "size", minimum=1)
    if n_real.max(initial=0) > size:
        raise ValueError(f"a molecule has {int(n_real.max())} atoms, more than size={size}")
    z = numbers.astype(float)
    r = positions * ANGSTROM_TO_BOHR
    distance = np.linalg.norm(r[:, :, None] - r[:, None], axis=-1)
    real = (numbers > 0)[:, :, None] & (numbers > 0)[:, None, :]
    off = ~np.eye(n, dtype=bool)[None]
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(real & off, z[:, :, None] * z[:, None, :] / distance, 0.0)
    if np.any(~np.isfinite(c)):
        raise ValueError("two atoms of a molecule sit at the same position")
    diagonal = np.arange(n)
    c[:, diagonal, diagonal] = 0.5 * z**2.4
    if n < size:
        c = np.pad(c, ((0, 0), (0, size - n), (0, size - n)))
    elif n > size:  # the extra columns are padding (checked above): move real atoms first, then cut
        order = np.argsort(~(numbers > 0), axis=1, kind="stable")
        c = np.take_along_axis(np.take_along_axis(c, order[:, :, None], 1), order[:, None, :], 2)[:, :size, :size]
    if kind == "matrix":
        return c
    if kind == "eigenvalues":
        values = np.linalg.eigvalsh(c)
        return np.take_along_axis(values, np.argsort(-np.abs(values), axis=1, kind="stable"), axis=1)
    order = np.argsort(-np.linalg.norm(c, axis=2), axis=1, kind="stable")
    c = np.take_along_axis(np.take_along_axis(c, order[:, :, None], 1), order[:, None, :], 2)
    upper = np.triu_indices(size)
    return c[:, upper[0], upper[1]]
