"""Photoemission-like spectra from orbital energies: levels, Gaussian broadening, spectral metrics, screening.

Notebook 08 (deep learning spectroscopy) follows K. Ghosh, A. Stuke, M. Todorović, P. B. Jørgensen, M. N. Schmidt,
A. Vehtari, P. Rinke, Adv. Sci. 6, 1801367 (2019), doi:10.1002/advs.201801367, who broadened the 16 highest
occupied Kohn-Sham eigenvalues of the QM9 molecules into spectra and trained networks to predict them. Here the
levels are the occupied GFN2-xTB orbital energies of ``molecules_small``.

What such a spectrum is. In a Koopmans-like picture the energy needed to remove an electron from orbital ``k`` is
``-epsilon_k``; the photoemission spectrum then has one line per occupied orbital at the *binding energy*
``E_b = -epsilon_k``. Broadening each line with a Gaussian of standard deviation ``sigma`` gives

    S(E) = sum_k w_k exp(-(E - E_k)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))          (1/eV)

on a fixed grid of binding energies, with ``w_k = 1`` per occupied spatial orbital (so the area of ``S`` is the
number of occupied levels). Nothing else of a real measurement is in it: no photoionisation cross-sections (line
intensities depend on the photon energy and the orbital's character), no relaxation of the other electrons after
the electron has left, no vibrational structure, and the orbital energies are those of a minimal-basis
tight-binding model. GFN2-xTB has valence orbitals only, so every occupied level it has is a valence level.

Units: eV throughout; spectra in 1/eV.
"""

from __future__ import annotations

import numpy as np

from .._checks import _describe, as_int, as_number, as_real_array

__all__ = ["GRID", "SIGMA", "energy_grid", "occupied_levels", "valence_levels", "broaden", "first_peak",
           "spectral_errors", "screen", "VALENCE_ELECTRONS", "PEAK_THRESHOLD"]

SIGMA = 0.3
"""Standard deviation of the Gaussian broadening, eV (a line's full width at half maximum is 2.355 sigma = 0.71 eV:
levels closer than about 0.6 eV merge into one peak, as they do in a measured spectrum of modest resolution)."""

PEAK_THRESHOLD = 0.25 / (SIGMA * np.sqrt(2 * np.pi))
"""1/eV: a quarter of the height of one isolated broadened level (0.33/eV); :func:`first_peak` ignores lower maxima."""


def energy_grid(start: float = 6.0, stop: float = 25.9, step: float = 0.1) -> np.ndarray:
    """Binding energies ``start, start + step, ..., stop`` (eV), inclusive."""
    start = as_number(start, "start")
    stop = as_number(stop, "stop")
    step = as_number(step, "step", minimum=0.0, strict_minimum=True)
    if stop <= start:
        raise ValueError(f"stop must be above start, got start={start}, stop={stop}")
    count = int(round((stop - start) / step)) + 1
    return start + step * np.arange(count)


GRID = energy_grid()
"""The course's grid: 200 binding energies from 6.0 to 25.9 eV in steps of 0.1 eV. Every occupied GFN2-xTB level of
``molecules_small`` lies between 8.5 and 23 eV, at least two broadening widths inside the grid."""

VALENCE_ELECTRONS = {1: 1, 6: 4, 7: 5, 8: 6}
"""Valence electrons of H, C, N, O: GFN2-xTB treats only these, so a closed-shell neutral molecule has half their
sum as occupied levels."""


def valence_levels(numbers) -> np.ndarray:
    """Number of occupied levels of neutral closed-shell molecules, from their atoms alone.

    ``numbers``: (M, N) or (N,) atomic numbers, 0 for padding; returns (M,) or a scalar int array. Raises
    ``ValueError`` for an element other than H, C, N, O or an odd electron count.
    """
    numbers = np.asarray(numbers)
    if not np.issubdtype(numbers.dtype, np.integer) or numbers.ndim not in (1, 2):
        raise ValueError(f"numbers must be integer atomic numbers of shape (N,) or (M, N), got {_describe(numbers)}")
    known = np.isin(numbers, [0, *VALENCE_ELECTRONS])
    if not known.all():
        raise ValueError(f"only H, C, N, O (and 0 for padding) are supported, got Z = "
                         f"{sorted(set(numbers[~known].tolist()))}")
    table = np.zeros(9, dtype=int)
    for z, n in VALENCE_ELECTRONS.items():
        table[z] = n
    electrons = table[numbers].sum(axis=-1)
    if np.any(electrons % 2):
        raise ValueError("an odd number of valence electrons: not a closed-shell neutral molecule")
    return electrons // 2


def occupied_levels(orbital_energies, occupations, *, max_levels: int | None = None) -> np.ndarray:
    """Binding energies ``-epsilon`` of the occupied orbitals, lowest first (the HOMO first), NaN-padded.

    Parameters
    ----------
    orbital_energies, occupations : (M, P) or (P,)
        Orbital energies (eV) and electrons per orbital (0 to 2; padding has occupation 0). An orbital is occupied
        when it holds more than one electron (at 300 K the Fermi smearing moves only thousandths of an electron).
    max_levels : int, optional
        Width of the output (default: the most occupied levels of any molecule). Raises ``ValueError`` if a
        molecule has more.

    Returns
    -------
    (M, L) or (L,) array, eV, ascending along the last axis, NaN beyond each molecule's levels.
    """
    eps = as_real_array(orbital_energies, "orbital_energies")
    occ = as_real_array(occupations, "occupations", shape=eps.shape)
    if eps.ndim not in (1, 2):
        raise ValueError(f"orbital_energies must have shape (P,) or (M, P), got {eps.shape}")
    single = eps.ndim == 1
    eps, occ = np.atleast_2d(eps), np.atleast_2d(occ)
    occupied = occ > 1.0
    counts = occupied.sum(axis=1)
    width = int(counts.max()) if max_levels is None else as_int(max_levels, "max_levels", minimum=1)
    if counts.max() > width:
        raise ValueError(f"a molecule has {int(counts.max())} occupied levels, more than max_levels={width}")
    binding = np.where(occupied, -eps, np.inf)
    binding = np.sort(binding, axis=1)[:, :width]
    if binding.shape[1] < width:  # fewer orbitals than the requested width: pad
        binding = np.pad(binding, ((0, 0), (0, width - binding.shape[1])), constant_values=np.inf)
    binding[~np.isfinite(binding)] = np.nan
    return binding[0] if single else binding


def broaden(levels, grid=None, sigma: float = SIGMA, weights=None) -> np.ndarray:
    """Gaussian-broadened spectra ``S(E)`` (1/eV) of discrete levels (eV) on ``grid`` (eV).

    ``levels`` (M, L) or (L,): binding energies; NaN entries (padding) are ignored. ``weights`` (same shape,
    default 1 per level) multiply each unit-area Gaussian. Returns (M, G) or (G,).
    """
    grid = GRID if grid is None else as_real_array(grid, "grid", ndim=1)
    sigma = as_number(sigma, "sigma", minimum=0.0, strict_minimum=True)
    levels = as_real_array(levels, "levels", finite=False)
    if levels.ndim not in (1, 2):
        raise ValueError(f"levels must have shape (L,) or (M, L), got {levels.shape}")
    if np.any(np.isinf(levels)):
        raise ValueError("levels contain infinite values (use NaN for padding)")
    single = levels.ndim == 1
    levels = np.atleast_2d(levels)
    w = np.ones_like(levels) if weights is None else np.atleast_2d(
        as_real_array(weights, "weights", shape=levels.shape if not single else levels.shape[1:]))
    present = np.isfinite(levels)
    safe = np.where(present, levels, 0.0)
    gauss = np.exp(-0.5 * ((grid[None, None, :] - safe[:, :, None]) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    spectra = np.einsum("ml,mlg->mg", np.where(present, w, 0.0), gauss)
    return spectra[0] if single else spectra


def first_peak(spectra, grid=None, *, threshold: float = PEAK_THRESHOLD) -> np.ndarray:
    """Binding energy (eV) of the first peak of each spectrum: the lowest-energy local maximum higher than
    ``threshold`` (1/eV), refined by a parabola through the three grid points around it.

    The default threshold, :data:`PEAK_THRESHOLD`, is a quarter of the height of one isolated level: it ignores the
    small wiggles a predicted spectrum may have below its first real peak. Returns (M,) or a scalar; NaN where
    no point exceeds the threshold.
    """
    grid = GRID if grid is None else as_real_array(grid, "grid", ndim=1)
    threshold = as_number(threshold, "threshold", minimum=0.0, strict_minimum=True)
    s = as_real_array(spectra, "spectra")
    single = s.ndim == 1
    s = np.atleast_2d(s)
    if s.ndim != 2 or s.shape[1] != len(grid):
        raise ValueError(f"spectra must have shape (M, {len(grid)}) to match the grid, got {np.shape(spectra)}")
    out = np.full(len(s), np.nan)
    interior = (s[:, 1:-1] >= s[:, :-2]) & (s[:, 1:-1] > s[:, 2:]) & (s[:, 1:-1] > threshold)
    for m in range(len(s)):
        hits = np.flatnonzero(interior[m])
        if not len(hits):
            continue
        k = hits[0] + 1
        a, b, c = s[m, k - 1], s[m, k], s[m, k + 1]
        curvature = a - 2 * b + c
        shift = 0.5 * (a - c) / curvature if curvature < 0 else 0.0
        out[m] = grid[k] + shift * (grid[1] - grid[0])
    return out[0] if single else out


def spectral_errors(predicted, reference, grid=None) -> dict:
    """Per-molecule errors of predicted spectra against reference ones, both (M, G) on ``grid`` (1/eV).

    Returns a dict of (M,) arrays and their means:

    * ``rmse`` (1/eV): ``sqrt(mean_g (S_pred - S_ref)^2)`` over the grid points;
    * ``relative``: ``||S_pred - S_ref|| / ||S_ref||`` (Euclidean norms over the grid; 0 is perfect, 1 is as far off as
      predicting zero);
    * ``first_peak`` (eV): ``|E_peak(S_pred) - E_peak(S_ref)|`` of :func:`first_peak` (NaN where a spectrum has no
      peak above the threshold; ``missing_peaks`` counts them and the mean skips them);
    * ``mean_rmse``, ``mean_relative``, ``mean_first_peak``: the averages over molecules.
    """
    grid = GRID if grid is None else as_real_array(grid, "grid", ndim=1)
    ref = as_real_array(reference, "reference", ndim=2)
    pred = as_real_array(predicted, "predicted", shape=ref.shape)
    if ref.shape[1] != len(grid):
        raise ValueError(f"spectra have {ref.shape[1]} points but the grid has {len(grid)}")
    diff = pred - ref
    rmse = np.sqrt(np.mean(diff**2, axis=1))
    norm = np.linalg.norm(ref, axis=1)
    if np.any(norm == 0):
        raise ValueError("a reference spectrum is zero everywhere; the relative error is undefined")
    relative = np.linalg.norm(diff, axis=1) / norm
    peak = np.abs(first_peak(pred, grid) - first_peak(ref, grid))
    found = np.isfinite(peak)
    return {"rmse": rmse, "relative": relative, "first_peak": peak, "mean_rmse": float(rmse.mean()),
            "mean_relative": float(relative.mean()),
            "mean_first_peak": float(peak[found].mean()) if found.any() else float("nan"),
            "missing_peaks": int(np.isnan(peak).sum())}


def screen(predicted, actual, window, *, n_picks: int, seed=0) -> dict:
    """A screen for molecules whose property lies in ``window = (low, high)`` (either end may be ``None``).

    ``predicted`` (M,): the model's value for each molecule of the pool (what the screen ranks by); ``actual`` (M,):
    the reference value (what confirms a hit). The screen picks the ``n_picks`` molecules whose prediction is
    deepest inside the window (farthest from its nearer edge; outside the window counts as negative depth) and a
    random draw of ``n_picks`` for comparison.

    Returns ``picks``, ``random_picks`` (indices), ``hit_rate`` and ``random_hit_rate`` (fractions of picks whose
    actual value is in the window), ``base_rate`` (fraction of the whole pool in the window: the expected hit rate
    of random picks), ``enrichment`` (``hit_rate / base_rate``; NaN if the pool has no hit), ``n_hits_in_pool``.
    """
    predicted = as_real_array(predicted, "predicted", ndim=1)
    actual = as_real_array(actual, "actual", shape=predicted.shape)
    if not isinstance(window, (tuple, list)) or len(window) != 2:
        raise TypeError(f"window must be a pair (low, high) with None for an open end, got {_describe(window)}")
    low = -np.inf if window[0] is None else as_number(window[0], "window[0]")
    high = np.inf if window[1] is None else as_number(window[1], "window[1]")
    if not low < high:
        raise ValueError(f"window must have low < high, got {window}")
    n_picks = as_int(n_picks, "n_picks", minimum=1, maximum=len(predicted))
    depth = np.minimum(predicted - low, high - predicted)
    picks = np.argsort(-depth, kind="stable")[:n_picks]
    rng = np.random.default_rng(seed)
    random_picks = np.sort(rng.choice(len(predicted), size=n_picks, replace=False))
    inside = (actual >= low) & (actual <= high)
    base = float(inside.mean())
    hit_rate = float(inside[picks].mean())
    return {"picks": picks, "random_picks": random_picks, "hit_rate": hit_rate,
            "random_hit_rate": float(inside[random_picks].mean()), "base_rate": base,
            "enrichment": hit_rate / base if base > 0 else float("nan"), "n_hits_in_pool": int(inside.sum())}
