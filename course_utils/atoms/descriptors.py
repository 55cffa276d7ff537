"""Composition descriptors from elemental properties (Magpie-style).

For a compound with atomic fractions ``x_i`` and an elemental property ``p_i`` the descriptors are the
fraction-weighted mean ``sum_i x_i p_i``, the average deviation ``sum_i x_i |p_i - mean|``, the minimum,
maximum and range over the elements present; plus the stoichiometric ``L^p`` norms of the fractions
(``p = 0`` counts the elements). After L. Ward, A. Agrawal, A. Choudhary and C. Wolverton, npj Comput. Mater.
2, 16028 (2016), doi:10.1038/npjcompumats.2016.28. Property values and their sources: :mod:`.elements`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._checks import one_of
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
