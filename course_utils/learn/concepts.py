"""Data and small helpers for notebook 01 (machine learning: concepts and applications).

The data set ``wells_1d``: two electrons of opposite spin (``"ud"``), *non-interacting*, in random smooth 1D
potentials made of a few Gaussian wells inside a hard-wall box, solved exactly on a grid by
:func:`course_utils.onedim.noninteracting.solve_many`. Hartree atomic units throughout (Ha, bohr).

The potential of sample ``i`` is

    v(x) = - sum_k a_k exp(-(x - c_k)**2 / (2 w_k**2)),   k = 1 .. n_wells,

with depths ``a_k``, widths ``w_k`` and centres ``c_k`` drawn uniformly from the ranges in ``params``, by a
``numpy`` generator seeded with ``[params["seed"], i]``: every sample depends only on the parameters and its index,
so any subset can be regenerated and compared with the cache (see :mod:`course_utils.data`).

.. note::
   This generator was written for notebook 01 while ``course_utils.onedim`` had no random-potential generator
   yet (a seeded smooth-well generator is planned in ``course_utils/onedim/systems.py``). When that lands, this
   module should call it; the data set's parameters and version make any change of samples visible.

Arrays of the data set (``M`` samples, ``N = params["n_points"]`` grid points):

* ``wells`` (M, n_wells, 3): depth (Ha), width (bohr), centre (bohr) of each well;
* ``energy`` (M,): ground-state energy (Ha), the sum of the two occupied orbital energies, ``2 eps_0``;
* ``kinetic_energy`` (M,): kinetic energy (Ha);
* ``eigenvalues`` (M, 2): the two lowest orbital energies (Ha);
* ``density`` (M, N): ground-state density (electrons/bohr), stored in single precision.

:func:`load_wells` adds the grid ``x`` (N,) and the potentials ``potential`` (M, N) (Ha), recomputed from ``wells``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import data
from .._checks import as_int

DEFAULT_PARAMS = {
    "box": [-6.0, 6.0],  # bohr: hard walls at the box ends
    "n_points": 64,  # interior grid points
    "stencil": 13,  # kinetic finite-difference stencil (converged to ~1e-6 Ha on this grid)
    "electrons": "ud",
    "n_wells": 3,
    "depth": [0.5, 1.5],  # Ha
    "width": [0.7, 1.4],  # bohr
    "centre": [-2.0, 2.0],  # bohr
    "seed": 2024,
}
"""Generator parameters of the ``wells_1d`` data set."""


def grid(params: Mapping | None = None) -> np.ndarray:
    """The grid (bohr), shape ``(n_points,)``: interior points of the box, walls one spacing outside."""
    from ..onedim.grid import box_grid

    p = DEFAULT_PARAMS if params is None else params
    return box_grid(float(p["box"][0]), float(p["box"][1]), int(p["n_points"]))


def random_wells(indices, *, seed: int = DEFAULT_PARAMS["seed"], n_wells: int = DEFAULT_PARAMS["n_wells"],
                 depth=DEFAULT_PARAMS["depth"], width=DEFAULT_PARAMS["width"],
                 centre=DEFAULT_PARAMS["centre"]) -> np.ndarray:
    """Random well parameters, shape ``(len(indices), n_wells, 3)``: depth (Ha), width (bohr), centre (bohr).

    Sample ``i`` is drawn by ``numpy.random.default_rng([seed, i])``, so it does not depend on which other samples
    are drawn. Pass ``indices=range(n)`` for ``n`` samples, other ``seed`` values for independent sets and other
    ranges (e.g. ``depth=(1.5, 2.5)``) for samples outside the training distribution.
    """
    indices = np.atleast_1d(np.asarray(indices))
    if indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(f"indices must be a 1D sequence of integers, got {indices!r}")
    n_wells = as_int(n_wells, "n_wells", minimum=1)
    for name, (low, high) in (("depth", depth), ("width", width), ("centre", centre)):
        if not low <= high:
            raise ValueError(f"{name} must be a range (low, high) with low <= high, got {(low, high)}")
    if width[0] <= 0:
        raise ValueError(f"widths must be positive, got the range {tuple(width)}")
    wells = np.empty((indices.size, n_wells, 3))
    for row, i in enumerate(indices):
        rng = np.random.default_rng([int(seed), int(i)])
        wells[row, :, 0] = rng.uniform(*depth, n_wells)
        wells[row, :, 1] = rng.uniform(*width, n_wells)
        wells[row, :, 2] = rng.uniform(*centre, n_wells)
    return wells


def well_potential(x, wells) -> np.ndarray:
    """Potentials (Ha) of Gaussian wells on the grid ``x`` (bohr): shape ``(M, N)`` for ``wells`` of shape
    ``(M, n_wells, 3)`` (depth, width, centre), or ``(N,)`` for one set of shape ``(n_wells, 3)``."""
    x = np.asarray(x, dtype=float)
    wells = np.asarray(wells, dtype=float)
    single = wells.ndim == 2
    if single:
        wells = wells[None]
    if wells.ndim != 3 or wells.shape[2] != 3:
        raise ValueError(f"wells must have shape (M, n_wells, 3) or (n_wells, 3), got {wells.shape}")
    depth, width, centre = (wells[:, :, k, None] for k in range(3))
    v = -(depth * np.exp(-((x - centre) ** 2) / (2 * width**2))).sum(axis=1)
    return v[0] if single else v


def solve_wells(x, potentials, params: Mapping | None = None):
    """Exact non-interacting ground states of ``potentials`` (Ha, shape ``(M, N)``) with the data set's electrons
    and stencil: a :class:`~course_utils.onedim.results.NonInteractingBatch`."""
    from ..onedim import noninteracting

    p = DEFAULT_PARAMS if params is None else params
    return noninteracting.solve_many(x, potentials, p["electrons"], stencil=int(p["stencil"]), n_extra=1)


def _build(params: Mapping, indices: np.ndarray) -> dict[str, np.ndarray]:
    x = grid(params)
    wells = random_wells(indices, seed=params["seed"], n_wells=params["n_wells"], depth=params["depth"],
                         width=params["width"], centre=params["centre"])
    result = solve_wells(x, well_potential(x, wells), params)
    return {"wells": wells, "energy": result.energy, "kinetic_energy": result.kinetic_energy,
            "eigenvalues": result.eigenvalues[:, :2], "density": result.density.astype(np.float32)}


WELLS = data.DatasetSpec(
    name="wells_1d",
    build=_build,
    params=DEFAULT_PARAMS,
    n_samples=3000,
    version=1,
    description="two non-interacting electrons ('ud') in random sums of three Gaussian wells in a 12 bohr "
                "hard-wall box, 64 grid points, exact ground-state energies (Ha) and densities",
)
"""The :class:`course_utils.data.DatasetSpec` of ``wells_1d`` (3000 samples, about 5 s to build)."""


def load_wells(*, progress: bool = False) -> dict[str, np.ndarray]:
    """The ``wells_1d`` data set from its cache (built on first use), plus ``x`` (N,) and ``potential`` (M, N).

    See the module docstring for the arrays and their units.
    """
    arrays = dict(data.load(WELLS, progress=progress))
    x = grid(WELLS.params)
    arrays["x"] = x
    arrays["potential"] = well_potential(x, arrays["wells"])
    return arrays


def interacting_energies(x, potentials, *, softening: float = 1.0, progress: bool = False):
    """Exact ground states of two electrons (``"ud"``, singlet) with the soft-Coulomb interaction
    ``1 / sqrt(u**2 + softening**2)`` in each potential (Ha, shape ``(M, N)``), by
    :func:`course_utils.onedim.exact.solve`.

    Returns ``(energy, density)``: energies (Ha) shape ``(M,)`` and densities (1/bohr) shape ``(M, N)``.
    """
    from ..onedim import System, exact, interactions

    potentials = np.atleast_2d(np.asarray(potentials, dtype=float))
    interaction = interactions.soft_coulomb(softening=softening)
    energy = np.empty(potentials.shape[0])
    density = np.empty(potentials.shape)
    rows = range(potentials.shape[0])
    if progress:
        from tqdm.auto import tqdm

        rows = tqdm(rows, desc="exact two-electron solves", unit="system")
    for i in rows:
        result = exact.solve(System(x, potentials[i], interaction, "ud", stencil=int(DEFAULT_PARAMS["stencil"])))
        energy[i] = result.energy
        density[i] = result.density
    return energy, density
