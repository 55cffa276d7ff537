"""Silicon band structure from the empirical pseudopotential method, differentiable in TensorFlow (notebook 09).

Cohen and Bergstresser, Phys. Rev. 141, 789 (1966): the crystal potential of diamond-structure silicon is a
sum of atomic pseudopotentials, kept only through three symmetric form factors ``V_3, V_8, V_11`` (at
``|G|^2 = 3, 8, 11`` in units of ``(2 pi / a)^2``; Table II of that paper: -0.21, 0.04, 0.08 Ry with ``a = 5.43``
Angstrom). In a plane-wave basis ``|k + G>``,

    H_{G G'}(k) = (1/2) |k + G|^2 delta_{G G'} + V_S(|G - G'|^2) cos((G - G') . tau),   tau = (a / 8) (1, 1, 1),

in Hartree atomic units here (form factors converted from Ry). Everything is a TensorFlow operation, so the band
gap can be differentiated with respect to the form factors by automatic differentiation (``tf.linalg.eigh``)
and compared with finite differences. This is not self-consistent: there is no density and no xc functional.

TensorFlow is imported when a function is first called.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._checks import as_int, as_number, as_real_array

__all__ = ["FORM_FACTORS_RY", "LATTICE_CONSTANT_ANGSTROM", "reciprocal_vectors", "bands", "indirect_gap",
           "high_symmetry_path"]

FORM_FACTORS_RY = (-0.21, 0.04, 0.08)
"""Cohen-Bergstresser (1966) symmetric form factors of Si, ``V_3, V_8, V_11`` (Ry)."""
LATTICE_CONSTANT_ANGSTROM = 5.43
_BOHR_PER_ANGSTROM = 1.0 / 0.529177210903
_HARTREE_EV = 27.211386245988


def reciprocal_vectors(max_g2: int = 21) -> np.ndarray:
    """Reciprocal-lattice vectors of the fcc lattice with ``|G|^2 <= max_g2`` (units of ``2 pi / a``), ``(M, 3)``.

    The fcc reciprocal lattice (bcc) holds the integer triples whose entries are all even or all odd.
    """
    max_g2 = as_int(max_g2, "max_g2", minimum=3)
    top = int(np.sqrt(max_g2)) + 1
    out = [g for g in itertools.product(range(-top, top + 1), repeat=3)
           if len({c % 2 for c in g}) == 1 and sum(c * c for c in g) <= max_g2]
    return np.array(sorted(out, key=lambda g: (sum(c * c for c in g), g)), dtype=float)


def bands(k_points, form_factors_ry, *, max_g2: int = 21, n_bands: int = 8,
          lattice_constant: float = LATTICE_CONSTANT_ANGSTROM):
    """Band energies (eV, tensor ``(K, n_bands)``) at ``k_points`` (units of ``2 pi / a``, ``(K, 3)``).

    ``form_factors_ry`` is a float64 tensor or array ``(V_3, V_8, V_11)`` in Ry (differentiable).
    """
    import tensorflow as tf

    k_points = as_real_array(k_points, "k_points", ndim=2)
    if k_points.shape[1] != 3:
        raise ValueError(f"k_points must have shape (K, 3), got {k_points.shape}")
    n_bands = as_int(n_bands, "n_bands", minimum=1)
    a = as_number(lattice_constant, "lattice_constant", minimum=0.0, strict_minimum=True) * _BOHR_PER_ANGSTROM
    g = reciprocal_vectors(max_g2)
    if n_bands > len(g):
        raise ValueError(f"n_bands={n_bands} exceeds the {len(g)} plane waves of max_g2={max_g2}")
    v = tf.convert_to_tensor(form_factors_ry, dtype=tf.float64)
    if tuple(v.shape) != (3,):
        raise ValueError(f"form_factors_ry must have shape (3,), got {tuple(v.shape)}")
    dg = g[:, None, :] - g[None, :, :]
    dg2 = np.rint(np.sum(dg**2, axis=-1)).astype(int)
    structure = np.cos(2.0 * np.pi * np.sum(dg, axis=-1) / 8.0)  # (G - G').tau with tau = a/8 (1,1,1)
    masks = np.stack([(dg2 == s) * structure for s in (3, 8, 11)])  # (3, M, M)
    potential = tf.tensordot(0.5 * v, tf.constant(masks), axes=1)  # Ry -> Ha
    scale = (2.0 * np.pi / a) ** 2
    kinetic = 0.5 * scale * np.sum((k_points[:, None, :] + g[None, :, :]) ** 2, axis=-1)  # (K, M)
    h = tf.linalg.diag(tf.constant(kinetic)) + potential[None]
    eps = tf.linalg.eigh(h)[0]
    return eps[:, :n_bands] * _HARTREE_EV


def high_symmetry_path(points_per_segment: int = 20):
    """k-points along L - Gamma - X - U|K - Gamma (units of ``2 pi / a``), their path length and tick labels."""
    n = as_int(points_per_segment, "points_per_segment", minimum=2)
    corners = {"L": (0.5, 0.5, 0.5), "G": (0.0, 0.0, 0.0), "X": (1.0, 0.0, 0.0), "U": (1.0, 0.25, 0.25),
               "K": (0.75, 0.75, 0.0)}
    segments = [("L", "G"), ("G", "X"), ("X", "U"), ("K", "G")]
    ks, ticks, labels, dist, total = [], [0.0], ["L"], [], 0.0
    for a, b in segments:
        start, end = np.array(corners[a]), np.array(corners[b])
        for t in np.linspace(0.0, 1.0, n):
            ks.append(start + t * (end - start))
            dist.append(total + t * np.linalg.norm(end - start))
        total += np.linalg.norm(end - start)
        ticks.append(total)
        labels.append({"G": "Γ"}.get(b, b) if b != "U" else "U|K")
    labels[0] = "L"
    return np.array(ks), np.array(dist), ticks, labels


def indirect_gap(form_factors_ry, *, n_line: int = 21, max_g2: int = 21):
    """The indirect gap (eV, scalar tensor): lowest conduction band on ``n_line`` points of Gamma-X minus the
    valence-band maximum at Gamma, taken as the *mean* of the three degenerate top valence levels (their sum is
    smooth in the form factors; a single degenerate level is not differentiable)."""
    import tensorflow as tf

    n_line = as_int(n_line, "n_line", minimum=2)
    line = np.outer(np.linspace(0.0, 1.0, n_line), [1.0, 0.0, 0.0])
    e = bands(line, form_factors_ry, max_g2=max_g2, n_bands=5)
    vbm = tf.reduce_mean(e[0, 1:4])
    cbm = tf.reduce_min(e[:, 4])
    return cbm - vbm
