"""Exact (full configuration interaction on the grid) solver for one, two and three electrons.

``solve(system, k)`` returns the ``k``-th eigenstate of the many-electron Hamiltonian

    H = sum_i [-1/2 d^2/dx_i^2 + v_ext(x_i)] + sum_{i<j} w(x_i - x_j)

discretised on the system's grid with its kinetic stencil (with ``boundary="truncate"`` this is exactly the matrix
iDEA builds), solved in a symmetry-adapted space (see :mod:`course_utils.onedim._manybody`). Energies in Ha.

Spin sectors: for ``"ud"`` the spatial wavefunction is symmetric (singlet, S = 0) or antisymmetric (triplet,
S = 1, M_s = 0); ``spin=None`` orders the states of both sectors together, as iDEA does. For ``"uu"`` only the
triplet exists. For three electrons ``"uud"`` (any order of the letters) the wavefunction is antisymmetric in the
two up-spin coordinates, and the states found are doublets (S = 1/2) and quartets (S = 3/2, M_s = 1/2);
``"uuu"`` is fully antisymmetric (S = 3/2).
"""

from __future__ import annotations

import itertools

import numpy as np

from .._checks import as_int, as_number, one_of
from ..threads import limited_blas
from ._manybody import OrbitalBasisHamiltonian, SymmetricSpace, davidson, permutation_parity, symmetry_group
from .results import ExactResult
from .system_definition import System

MAX_ELECTRONS = 3
_SPACES: dict = {}


def solve(system: System, k: int = 0, *, spin: str | None = None, tol: float = 1e-8,
          max_iterations: int = 300, max_memory_gb: float = 4.0) -> ExactResult:
    """The ``k``-th exact eigenstate of ``system`` (``k = 0``: ground state).

    Parameters
    ----------
    system : System
        A :class:`~course_utils.onedim.System` with 1, 2 or 3 electrons.
    k : int
        Index of the state, counting from 0 in increasing energy within the spin sector(s) asked for.
    spin : str or None
        For two electrons of opposite spin, ``"singlet"``, ``"triplet"`` or ``None`` (both, interleaved).
    tol : float
        Residual norm ``|(H - E) Psi|`` (Ha) at which the eigensolver stops; energies are then accurate to
        about ``tol**2 / gap``.
    max_iterations : int
        Davidson iterations before :class:`~course_utils.ConvergenceError` is raised.
    max_memory_gb : float
        Refuse (``ValueError``) problems whose working memory would exceed this estimate.

    Returns
    -------
    ExactResult
        An :class:`~course_utils.onedim.results.ExactResult` (energy, densities, 1-RDMs, natural orbitals, the
        wavefunction on the grid, the energy breakdown).
    """
    k = as_int(k, "k", minimum=0)
    return solve_states(system, k + 1, spin=spin, tol=tol, max_iterations=max_iterations,
                        max_memory_gb=max_memory_gb, _only_last=True)[-1]


@limited_blas
def solve_states(system: System, n_states: int = 1, *, spin: str | None = None, tol: float = 1e-8,
                 max_iterations: int = 300, max_memory_gb: float = 4.0, _only_last: bool = False
                 ) -> list[ExactResult]:
    """The lowest ``n_states`` exact eigenstates, in increasing energy (arguments as :func:`solve`).

    Cheaper than calling :func:`solve` for each ``k``: the states come from one eigensolver run per sector.
    """
    if not isinstance(system, System):
        raise TypeError(f"system must be a course_utils.onedim.System, got {type(system).__name__}")
    n_states = as_int(n_states, "k + 1" if _only_last else "n_states", minimum=1)
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    as_int(max_iterations, "max_iterations", minimum=1)
    max_memory_gb = as_number(max_memory_gb, "max_memory_gb", minimum=0.0, strict_minimum=True)
    n_up, n_down = system.n_up, system.n_down
    n = n_up + n_down
    if n > MAX_ELECTRONS:
        raise ValueError(f"the exact solver handles at most {MAX_ELECTRONS} electrons (its cost grows as "
                         f"N**n), got {n} ({system.electrons!r})")
    if spin is not None:
        one_of(spin, "spin", ("singlet", "triplet"))
        if not (n_up == 1 and n_down == 1):
            raise ValueError(f"spin='{spin}' only applies to two electrons of opposite spin ('ud'), "
                             f"got electrons={system.electrons!r}")
    flipped = n_down > n_up  # "udd" is the mirror image of "uud": solve with the majority spin first
    majority, minority = (n_down, n_up) if flipped else (n_up, n_down)
    npts = system.n_points
    sectors = _sectors(majority, minority, spin, n_states)
    _check_size(npts, n, sectors, n_states, max_memory_gb)

    h = system.kinetic_matrix() + np.diag(system.v_ext)
    eps, orbitals = np.linalg.eigh(h)
    found = []  # (energy, sector label, packed vector, residual, hamiltonian)
    for label, group in sectors:
        space = _space(npts, n, group)
        if space.dim == 0:
            continue
        ham = OrbitalBasisHamiltonian(eps, orbitals, system.interaction, space)
        want = min(n_states, space.dim)
        # One vector per wanted state (plus one for excited states, which may be nearly degenerate): extra block
        # vectors cost a Hamiltonian application each and barely reduce the iteration count.
        block = min(space.dim, want if want == 1 else want + 1)
        max_subspace = _max_subspace(n, block)
        energies, vectors, residuals, _ = davidson(ham.apply, ham.preconditioner, want, block=block, tol=tol,
                                                   max_iterations=max_iterations, max_subspace=max_subspace)
        for e, v, r in zip(energies, vectors, residuals, strict=True):
            found.append((float(e), label, v, float(r), ham))
    if len(found) < n_states:
        raise ValueError(f"the grid of {npts} points supports only {len(found)} states of this symmetry; "
                         f"asked for state {n_states - 1}")
    found.sort(key=lambda item: item[0])
    found = found[:n_states]
    all_energies = np.array([f[0] for f in found])
    chosen = found[-1:] if _only_last else found
    first = n_states - len(chosen)
    return [_result(system, index, label, vector, energy, residual, ham, all_energies[: index + 1], flipped)
            for index, (energy, label, vector, residual, ham) in enumerate(chosen, start=first)]


@limited_blas
def ionisation_energy(system: System, **options) -> float:
    """Exact first ionisation energy ``E(N-1) - E(N)`` (Ha), the ion in its lowest state (an up or a down electron
    removed, whichever costs less). Options (``tol``, ...) are passed to :func:`solve`."""
    if not isinstance(system, System):
        raise TypeError(f"system must be a course_utils.onedim.System, got {type(system).__name__}")
    energy = solve(system, **options).energy
    if system.count == 1:
        return -energy
    ions = {system.electrons.replace(spin, "", 1) for spin in "ud" if spin in system.electrons}
    return min(solve(system.with_electrons(ion), **options).energy for ion in sorted(ions)) - energy


def _sectors(majority: int, minority: int, spin: str | None, n_states: int):
    if majority == 1 and minority == 1:
        if spin == "singlet":
            return [("singlet", symmetry_group(1, 1, "symmetric"))]
        if spin == "triplet":
            return [("triplet", symmetry_group(1, 1, "antisymmetric"))]
        if n_states == 1:
            # 1D Lieb-Mattis: the ground state has the lowest spin, so the triplet cannot come first.
            return [("singlet", symmetry_group(1, 1, "symmetric"))]
        return [("singlet", symmetry_group(1, 1, "symmetric")), ("triplet", symmetry_group(1, 1, "antisymmetric"))]
    return [("auto", symmetry_group(majority, minority))]


def _space(npts: int, n: int, group) -> SymmetricSpace:
    key = (npts, n, tuple(group))
    space = _SPACES.get(key)
    if space is None:
        if len(_SPACES) > 8:
            _SPACES.clear()
        space = _SPACES[key] = SymmetricSpace(npts, n, group)
    return space


def _max_subspace(n: int, block: int) -> int:
    # three-electron vectors are large: a smaller search space (restarts are rare, ~15 iterations suffice)
    return max(2 * block + 1, 40 if n < 3 else 20)


def _check_size(npts: int, n: int, sectors, n_states: int, max_memory_gb: float):
    full = npts**n
    group_size = max(len(group) for _, group in sectors)
    dim = full // group_size if n > 1 else full
    block = n_states + 1
    # Davidson search space and its image, a few full tensors, the index arrays of the packed space
    estimate = 8.0 * (2 * _max_subspace(n, block) * dim + (block + 4) * full + (n + group_size + 3) * full)
    if estimate > max_memory_gb * 1e9:
        raise ValueError(f"{n} electrons on {npts} grid points need about {estimate / 1e9:.1f} GB "
                         f"(limit max_memory_gb={max_memory_gb:g}); use fewer grid points or raise the limit")


def _result(system: System, index: int, label: str, vector: np.ndarray, energy: float, residual: float,
            ham: OrbitalBasisHamiltonian, energies: np.ndarray, flipped: bool) -> ExactResult:
    n = ham.n_particles
    npts, dx = system.n_points, system.dx
    psi = ham.to_grid(vector[None, :])[0]
    psi /= np.linalg.norm(psi)
    psi = _fix_sign(psi)
    wavefunction = psi / dx ** (n / 2)
    majority = system.n_down if flipped else system.n_up
    rdms = []
    for particle in range(n):
        a = np.moveaxis(wavefunction, particle, 0).reshape(npts, -1)
        rdms.append(a @ a.T * dx ** (n - 1))
    rdm_major = sum(rdms[:majority], np.zeros((npts, npts)))
    rdm_minor = sum(rdms[majority:], np.zeros((npts, npts)))
    rdm_up, rdm_down = (rdm_minor, rdm_major) if flipped else (rdm_major, rdm_minor)
    rdm = rdm_up + rdm_down
    density_up, density_down = np.diag(rdm_up).copy(), np.diag(rdm_down).copy()
    density = density_up + density_down
    occupations, natural = np.linalg.eigh(rdm * dx)
    order = np.argsort(occupations)[::-1]
    occupations = occupations[order]
    natural = natural[:, order] / np.sqrt(dx)
    kinetic = float(np.sum(system.kinetic_matrix() * rdm.T) * dx)
    external = float(np.dot(system.v_ext, density) * dx)
    interaction = float(np.sum(ham.grid_potential * psi**2)) if n > 1 else 0.0
    if label == "singlet":
        spin = 0.0
    elif label == "triplet" or n == 2:
        spin = 1.0
    elif n == 1:
        spin = 0.5
    else:
        spin = 1.5 if _fully_antisymmetric_weight(psi) > 0.5 else 0.5
    return ExactResult(system=system, energy=float(energy), state=index, spin=spin, energies=np.array(energies),
                       density=density, density_up=density_up, density_down=density_down, rdm1=rdm,
                       rdm1_up=rdm_up, rdm1_down=rdm_down, natural_orbitals=natural,
                       natural_occupations=occupations, wavefunction=wavefunction, kinetic_energy=kinetic,
                       external_energy=external, interaction_energy=interaction, residual=residual)


def _fix_sign(psi: np.ndarray) -> np.ndarray:
    """Make the largest amplitude positive, so that results are reproducible."""
    flat = psi.reshape(-1)
    return psi if flat[np.argmax(np.abs(flat))] >= 0 else -psi


def _fully_antisymmetric_weight(psi: np.ndarray) -> float:
    """``<Psi|A|Psi>`` for the antisymmetriser A of three particles (1 for a quartet, 0 for a doublet)."""
    total = np.zeros_like(psi)
    for perm in itertools.permutations(range(3)):
        total += permutation_parity(perm) * np.transpose(psi, perm)
    return float(np.sum(psi * total) / 6.0 / np.sum(psi**2))
