"""External potentials made of Gaussian wells, and their seeded random generators (Hartree atomic units).

One formula serves the whole course,

    v(x) = - sum_k d_k exp(-(x - c_k)**2 / (2 w_k**2)),

with depths ``d_k`` (Ha), widths ``w_k`` (bohr) and centres ``c_k`` (bohr): :func:`gaussian_wells`.

Two generators draw its parameters:

* :func:`random_wells`, the per-index generator of the course's data sets: sample ``i`` is drawn by
  ``numpy.random.default_rng([seed, i])``, so it depends only on the seed, the ranges and its index, and any subset
  of a data set can be regenerated and compared with the cache. :func:`draw_wells` is its single draw, for code
  that holds its own generator.
* :func:`gaussian_dips`, the set-up of Snyder, Rupp, Hansen, Mueller and Burke, Phys. Rev. Lett. 108, 253002
  (2012): three dips in the box [0, 1], all parameters of a batch drawn at once from one generator (the
  distribution of the paper; notebook 05 uses it).

Both return or feed a :class:`PotentialSet` (potentials on one grid). The grid is the caller's choice: data sets
that need mirror symmetry use ``linspace(-L, L, N)``, boxes use :func:`~course_utils.onedim.grid.box_grid`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_int, as_real_array, as_rng
from .grid import box_grid
from .system_definition import System

__all__ = ["PotentialSet", "draw_wells", "gaussian_dips", "gaussian_wells", "random_wells"]


def gaussian_wells(x, depth, width=None, centre=None) -> np.ndarray:
    """``v(x) = -sum_k depth_k exp(-(x - centre_k)**2 / (2 width_k**2))`` (Ha) on the grid ``x`` (bohr).

    Parameters
    ----------
    x : array (G,)
        Grid (bohr).
    depth, width, centre : arrays (..., K)
        Depths (Ha), widths (bohr, positive) and centres (bohr) of K wells; any leading axes give a batch.
        Alternatively pass one stacked array of shape (..., K, 3) holding (depth, width, centre) as ``depth`` and
        leave ``width`` and ``centre`` out: the layout :func:`random_wells` returns.

    Returns
    -------
    array (..., G)
        The potentials (Ha).
    """
    x = as_real_array(x, "x", ndim=1)
    if width is None and centre is None:
        wells = np.asarray(depth, dtype=float)
        if wells.ndim < 2 or wells.shape[-1] != 3:
            raise ValueError(f"a stacked wells array must have shape (..., K, 3) (depth, width, centre), got "
                             f"shape {wells.shape}")
        depth, width, centre = wells[..., 0], wells[..., 1], wells[..., 2]
    elif width is None or centre is None:
        raise TypeError("give depth, width and centre, or one stacked (..., K, 3) array alone")
    depth, width, centre = (np.asarray(p, dtype=float) for p in (depth, width, centre))
    if depth.ndim == 0:
        depth, width, centre = depth[None], width[None], centre[None]
    try:
        depth, width, centre = np.broadcast_arrays(depth, width, centre)
    except ValueError as error:
        raise ValueError(f"depth, width and centre must have the same shape (..., K), got {depth.shape}, "
                         f"{width.shape} and {centre.shape}") from error
    if np.any(width <= 0):
        raise ValueError(f"well widths must be positive, got a minimum of {float(width.min()):g}")
    return -np.sum(depth[..., None] * np.exp(-((x - centre[..., None]) ** 2) / (2.0 * width[..., None] ** 2)),
                   axis=-2)


def _range(value, name: str) -> tuple[float, float]:
    pair = as_real_array(value, name, shape=(2,))
    lo, hi = float(pair[0]), float(pair[1])
    if lo > hi:
        raise ValueError(f"{name} must be (min, max) with min <= max, got {tuple(pair)}")
    return lo, hi


def _well_count(n_wells) -> tuple[int, int]:
    pair = (n_wells, n_wells) if np.ndim(n_wells) == 0 else n_wells
    lo, hi = _range(pair, "n_wells")
    if lo != int(lo) or hi != int(hi) or lo < 1:
        raise ValueError(f"n_wells must be a positive integer or a pair (min, max) of them, got {n_wells}")
    return int(lo), int(hi)


def draw_wells(rng, *, n_wells=(1, 3), depth=(1.0, 4.0), width=(0.5, 1.5), centre=(-3.0, 3.0)) -> np.ndarray:
    """One random set of Gaussian wells drawn with ``rng``: shape ``(max wells, 3)`` = (depth, width, centre).

    The number of wells is drawn uniformly from ``n_wells`` (an int, or an inclusive range ``(min, max)``); then
    ``max wells`` depths (Ha), widths (bohr) and centres (bohr), each uniform in its range, in that order. Wells
    beyond the drawn number get depth 0 (they are absent but keep the array rectangular).

    Parameters
    ----------
    rng : numpy.random.Generator or int
        The generator (an int seeds a new one).
    n_wells : int or (int, int)
    depth, width, centre : (float, float)
        Ranges (min, max); widths must be positive.
    """
    lo_n, hi_n = _well_count(n_wells)
    d_lo, d_hi = _range(depth, "depth")
    w_lo, w_hi = _range(width, "width")
    c_lo, c_hi = _range(centre, "centre")
    if w_lo <= 0:
        raise ValueError(f"widths must be positive, got the range {tuple(width)}")
    rng = as_rng(rng)
    count = rng.integers(lo_n, hi_n + 1)  # draws nothing when min == max, so fixed counts cost no random numbers
    wells = np.empty((hi_n, 3))
    wells[:, 0] = rng.uniform(d_lo, d_hi, hi_n) * (np.arange(hi_n) < count)
    wells[:, 1] = rng.uniform(w_lo, w_hi, hi_n)
    wells[:, 2] = rng.uniform(c_lo, c_hi, hi_n)
    return wells


def random_wells(indices, *, seed, n_wells=(1, 3), depth=(1.0, 4.0), width=(0.5, 1.5),
                 centre=(-3.0, 3.0)) -> np.ndarray:
    """Random wells for the samples ``indices``, shape ``(len(indices), max wells, 3)`` = (depth, width, centre).

    Sample ``i`` is :func:`draw_wells` with ``numpy.random.default_rng([seed, i])``: it does not depend on which
    other samples are drawn. Pass ``range(n)`` for ``n`` samples, another ``seed`` for an independent set and
    other ranges (e.g. ``depth=(1.5, 2.5)``) for samples outside a training distribution. Turn the result into
    potentials with :func:`gaussian_wells` (``gaussian_wells(x, wells)``).

    Parameters
    ----------
    indices : sequence of int
    seed : int
        Non-negative.
    n_wells, depth, width, centre
        As in :func:`draw_wells`.
    """
    indices = np.atleast_1d(np.asarray(indices))
    if indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer) or np.any(indices < 0):
        raise ValueError(f"indices must be a 1D sequence of non-negative integers, got {indices!r}")
    seed = as_int(seed, "seed", minimum=0)
    options = {"n_wells": n_wells, "depth": depth, "width": width, "centre": centre}
    k = _well_count(n_wells)[1]
    if indices.size == 0:
        return np.empty((0, k, 3))
    return np.stack([draw_wells(np.random.default_rng([seed, int(i)]), **options) for i in indices])


@dataclass(frozen=True, eq=False)
class PotentialSet:
    """Many external potentials on one grid.

    Attributes
    ----------
    x : array (G,)
        Grid (bohr).
    v_ext : array (M, G)
        Potentials (Ha).
    parameters : dict
        The random parameters that generated them, each an array with first axis ``M``.
    name : str
        Which generator made them.
    """

    x: np.ndarray
    v_ext: np.ndarray
    parameters: dict = field(default_factory=dict)
    name: str = ""

    def __post_init__(self):
        self.x.flags.writeable = False
        self.v_ext.flags.writeable = False

    @classmethod
    def from_wells(cls, x, wells, name: str = "gaussian wells") -> PotentialSet:
        """Potentials of stacked wells (M, K, 3) from :func:`random_wells` on the grid ``x`` (bohr)."""
        x = np.array(as_real_array(x, "x", ndim=1))
        wells = np.array(as_real_array(wells, "wells", ndim=3))
        return cls(x=x, v_ext=gaussian_wells(x, wells), parameters={"wells": wells}, name=name)

    def __len__(self) -> int:
        return self.v_ext.shape[0]

    def system(self, index: int, electrons: str = "u", *, interaction=None, stencil: int = 13,
               boundary: str = "reflect") -> System:
        """The ``index``-th potential as a :class:`~course_utils.onedim.System`."""
        index = as_int(index, "index", minimum=-len(self), maximum=len(self) - 1)
        return System(self.x, self.v_ext[index], interaction, electrons, stencil=stencil, boundary=boundary,
                      name=f"{self.name}[{index}]")

    def __repr__(self) -> str:
        return (f"PotentialSet({self.name!r}, {len(self)} potentials on {self.x.size} points "
                f"[{self.x[0]:.3g}, {self.x[-1]:.3g}])")


def gaussian_dips(n_samples: int, *, n_points: int = 500, seed=None, n_dips: int = 3, a_range=(1.0, 10.0),
                  b_range=(0.4, 0.6), c_range=(0.03, 0.1)) -> PotentialSet:
    """The potentials of Snyder, Rupp, Hansen, Mueller and Burke, Phys. Rev. Lett. 108, 253002 (2012).

    A hard-wall box [0, 1] (bohr) with ``v(x) = -sum_{i=1}^{3} a_i exp(-(x - b_i)**2 / (2 c_i**2))``, ``a_i``,
    ``b_i``, ``c_i`` drawn uniformly from [1, 10], [0.4, 0.6], [0.03, 0.1] (depth, centre, width: the paper's
    letters). The paper solves for N = 1..4 spinless (same-spin) fermions and represents densities on 500 grid
    points; here the 500 points are the interior points of [0, 1] (walls at 0 and 1, spacing 1/501), so use
    ``electrons="u" * N``. All ``a`` of the batch are drawn first, then all ``b``, then all ``c``.

    Returns
    -------
    PotentialSet
        With parameters ``a``, ``b``, ``c`` of shape ``(n_samples, n_dips)``.
    """
    n_samples = as_int(n_samples, "n_samples", minimum=1)
    n_points = as_int(n_points, "n_points", minimum=14)
    n_dips = as_int(n_dips, "n_dips", minimum=1)
    rng = as_rng(seed)
    ranges = {key[0]: _range(value, key) for key, value in
              (("a_range", a_range), ("b_range", b_range), ("c_range", c_range))}
    if ranges["c"][0] <= 0:
        raise ValueError(f"c_range must be positive (Gaussian widths), got {c_range}")
    a = rng.uniform(*ranges["a"], size=(n_samples, n_dips))
    b = rng.uniform(*ranges["b"], size=(n_samples, n_dips))
    c = rng.uniform(*ranges["c"], size=(n_samples, n_dips))
    x = box_grid(0.0, 1.0, n_points)
    v = gaussian_wells(x, a, c, b)
    return PotentialSet(x=x, v_ext=v, parameters={"a": a, "b": b, "c": c}, name="gaussian_dips")
