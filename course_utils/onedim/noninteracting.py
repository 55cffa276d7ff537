"""Non-interacting electrons in ``v_ext``: orbitals, eigenvalues, density, kinetic energy, 1-RDM (Ha, bohr).

``solve(system)`` ignores ``system.interaction`` and fills the lowest ``n_up`` (``n_down``) orbitals of
``h = -1/2 d^2/dx^2 + v_ext`` with up (down) electrons. ``solve_many(x, potentials, electrons)`` does the same for
many potentials on one grid, fast enough to build machine-learning data sets in a notebook (about 1-3 ms per
potential on 100-500 points).
"""

from __future__ import annotations

import numpy as np

from .._checks import as_int, as_real_array
from ..threads import limited_blas
from ._onebody import BandedHamiltonian
from .grid import BOUNDARIES, STENCILS, check_uniform_grid
from .results import NonInteractingBatch, NonInteractingResult
from .system_definition import System, check_electrons


@limited_blas
def solve(system: System, *, n_extra: int = 4) -> NonInteractingResult:
    """Ground state of non-interacting electrons in ``system.v_ext`` (the interaction is ignored).

    Parameters
    ----------
    system : System
        The :class:`~course_utils.onedim.System`.
    n_extra : int
        How many unoccupied orbitals to return above the highest occupied one (per spin).

    Returns
    -------
    NonInteractingResult
        A :class:`~course_utils.onedim.results.NonInteractingResult`; ``energy`` is the sum of the occupied
        eigenvalues (Ha).
    """
    if not isinstance(system, System):
        raise TypeError(f"system must be a course_utils.onedim.System, got {type(system).__name__}")
    n_extra = as_int(n_extra, "n_extra", minimum=0)
    solver = system.one_body_solver()
    m = min(max(system.n_up, system.n_down) + n_extra, system.n_points)
    eigenvalues, vectors = solver.lowest(system.v_ext, m)
    return orbital_result(system, eigenvalues, vectors / np.sqrt(system.dx), eigenvalues, vectors / np.sqrt(system.dx))


def orbital_result(system: System, eps_up, orbitals_up, eps_down, orbitals_down) -> NonInteractingResult:
    """Assemble a :class:`NonInteractingResult` from orbitals (columns, normalised with ``dx``) of each spin."""
    dx = system.dx
    occ_up = (np.arange(eps_up.size) < system.n_up).astype(float)
    occ_down = (np.arange(eps_down.size) < system.n_down).astype(float)
    rdm_up = (orbitals_up * occ_up) @ orbitals_up.T
    rdm_down = (orbitals_down * occ_down) @ orbitals_down.T
    density_up = np.einsum("ij,j,ij->i", orbitals_up, occ_up, orbitals_up)
    density_down = np.einsum("ij,j,ij->i", orbitals_down, occ_down, orbitals_down)
    density = density_up + density_down
    energy = float(occ_up @ eps_up + occ_down @ eps_down)
    external = float(np.dot(system.v_ext, density) * dx)
    return NonInteractingResult(system=system, energy=energy, density=density, density_up=density_up,
                                density_down=density_down, orbitals_up=orbitals_up, orbitals_down=orbitals_down,
                                eigenvalues_up=np.array(eps_up), eigenvalues_down=np.array(eps_down),
                                occupations_up=occ_up, occupations_down=occ_down, rdm1=rdm_up + rdm_down,
                                rdm1_up=rdm_up, rdm1_down=rdm_down, kinetic_energy=energy - external,
                                external_energy=external)


@limited_blas
def solve_many(x, potentials, electrons: str = "u", *, stencil: int = 13, boundary: str = "reflect",
               n_extra: int = 0, return_orbitals: bool = False, progress: bool = False) -> NonInteractingBatch:
    """Non-interacting ground states for many external potentials on one grid.

    Parameters
    ----------
    x : array_like, shape (N,)
        Uniform grid (bohr); hard walls one spacing outside (see :mod:`~course_utils.onedim.grid`).
    potentials : array_like, shape (M, N) or (N,)
        External potentials (Ha), shape ``(M, N)`` (or ``(N,)`` for one).
    electrons : str
        Spin string, e.g. ``"u"``, ``"ud"``, ``"uuuu"`` (spin-polarised, as Snyder et al. 2012).
    stencil : int
        Kinetic finite-difference stencil (3, ..., 13); 3 is the fastest (tridiagonal).
    boundary : str
        Closure of the stencil at the walls, ``"reflect"`` or ``"truncate"`` (as for ``System``).
    n_extra : int
        Unoccupied eigenvalues to return as well.
    return_orbitals : bool
        Also return the occupied orbitals, shape ``(M, N, max(n_up, n_down))``.
    progress : bool
        Show a progress bar (``tqdm.auto``) over the potentials.

    Returns
    -------
    NonInteractingBatch
        A :class:`~course_utils.onedim.results.NonInteractingBatch` with ``energy`` (M,), ``kinetic_energy``
        (M,), ``density`` (M, N), ``eigenvalues`` (M, K) and optionally ``orbitals``.
    """
    x, dx = check_uniform_grid(x, "x")
    potentials = as_real_array(potentials, "potentials")
    if potentials.ndim == 1:
        potentials = potentials[None, :]
    if potentials.ndim != 2 or potentials.shape[1] != x.size:
        raise ValueError(f"potentials must have shape (M, {x.size}) (one potential per row, on the grid x), "
                         f"got {potentials.shape}")
    electrons = check_electrons(electrons)
    if isinstance(stencil, bool) or stencil not in STENCILS:
        raise ValueError(f"stencil must be one of {STENCILS}, got {stencil!r}")
    if x.size <= stencil:
        raise ValueError(f"x must have more points than the stencil ({stencil}), got {x.size}")
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {BOUNDARIES}, got {boundary!r}")
    n_extra = as_int(n_extra, "n_extra", minimum=0)
    n_up, n_down = electrons.count("u"), electrons.count("d")
    n_max = max(n_up, n_down)
    if n_max > x.size:
        raise ValueError(f"{n_max} electrons of one spin cannot fit on a grid of {x.size} points")
    k = min(n_max + n_extra, x.size)
    occupation = (np.arange(k) < n_up).astype(float) + (np.arange(k) < n_down).astype(float)
    solver = BandedHamiltonian.cached(x.size, dx, stencil, boundary)
    m = potentials.shape[0]
    energy = np.empty(m)
    density = np.empty((m, x.size))
    eigenvalues = np.empty((m, k))
    orbitals = np.empty((m, x.size, n_max)) if return_orbitals else None
    rows = range(m)
    if progress:
        from tqdm.auto import tqdm

        rows = tqdm(rows, desc="non-interacting solves", unit="potential")
    for i in rows:
        values, vectors = solver.lowest(potentials[i], k)
        eigenvalues[i] = values
        energy[i] = occupation @ values
        density[i] = (vectors**2) @ occupation / dx
        if return_orbitals:
            orbitals[i] = vectors[:, :n_max] / np.sqrt(dx)
    kinetic = energy - np.einsum("mi,mi->m", potentials, density) * dx
    return NonInteractingBatch(x=x.copy(), electrons=electrons, energy=energy, kinetic_energy=kinetic,
                               density=density, eigenvalues=eigenvalues, orbitals=orbitals)
