"""Result objects of the ``onedim`` solvers: small frozen dataclasses with read-only arrays.

Every result has ``energy`` (Ha), ``density`` (1/bohr, shape ``(N,)``, integrates to the electron number with
``sum(density) * system.dx``), ``density_up`` and ``density_down``, and, where defined, the one-body reduced density
matrix ``rdm1`` (1/bohr, shape ``(N, N)``, spin-summed; ``rdm1[i, i] == density[i]``) with its spin parts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .system_definition import System


class _Frozen:
    """Mixin: make array fields read-only and print a short summary instead of the arrays."""

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                parts.append(f"{f.name}=<{value.dtype} array {value.shape}>")
            elif isinstance(value, float):
                parts.append(f"{f.name}={value:.10g}")
            elif isinstance(value, System):
                continue
            else:
                parts.append(f"{f.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _common_potential(up: np.ndarray, down: np.ndarray, name: str) -> np.ndarray:
    if np.allclose(up, down, rtol=0.0, atol=1e-10 * max(1.0, float(np.max(np.abs(up))))):
        return up
    raise ValueError(f"the two spin channels see different potentials here; use {name}_up and {name}_down")


@dataclass(frozen=True, eq=False, repr=False)
class NonInteractingResult(_Frozen):
    """Ground state (or excitation) of non-interacting electrons in ``system.v_ext``.

    Attributes
    ----------
    system : System
        The :class:`~course_utils.onedim.System` solved.
    energy : float
        Total energy (Ha) = sum of occupied eigenvalues.
    density, density_up, density_down : ndarray, shape (N,)
        Densities (1/bohr).
    orbitals_up, orbitals_down : ndarray, shape (N, M)
        Orbitals as columns (1/sqrt(bohr)): the occupied ones and a few above them; normalised so that
        ``sum(phi**2) * dx == 1``.
    eigenvalues_up, eigenvalues_down : ndarray, shape (M,)
        Orbital energies (Ha).
    occupations_up, occupations_down : ndarray, shape (M,)
        0/1 occupation of each orbital.
    rdm1, rdm1_up, rdm1_down : ndarray, shape (N, N)
        One-body reduced density matrices (1/bohr).
    kinetic_energy, external_energy : float
        The two parts of ``energy`` (Ha).
    """

    system: System
    energy: float
    density: np.ndarray
    density_up: np.ndarray
    density_down: np.ndarray
    orbitals_up: np.ndarray
    orbitals_down: np.ndarray
    eigenvalues_up: np.ndarray
    eigenvalues_down: np.ndarray
    occupations_up: np.ndarray
    occupations_down: np.ndarray
    rdm1: np.ndarray
    rdm1_up: np.ndarray
    rdm1_down: np.ndarray
    kinetic_energy: float
    external_energy: float


@dataclass(frozen=True, eq=False, repr=False)
class KohnShamResult(NonInteractingResult):
    """A converged Kohn-Sham ground state (fields as :class:`NonInteractingResult`, plus the energy breakdown).

    ``energy = kinetic_energy + external_energy + hartree_energy + xc_energy`` (Ha), where ``kinetic_energy`` is
    the non-interacting kinetic energy T_s. ``v_ks_up``/``v_ks_down`` are the Kohn-Sham potentials (Ha, shape
    ``(N,)``), ``v_hartree`` the Hartree potential and ``v_xc_up``/``v_xc_down`` the xc potentials; the properties
    ``v_ks`` and ``v_xc`` return the common potential when both spins see the same one.
    ``iterations``, ``density_residual`` (integral of ``|n_out - n_in|``, electrons) and ``energy_change`` (Ha)
    describe the convergence reached; ``xc`` names the functional used.
    """

    hartree_energy: float
    xc_energy: float
    v_ks_up: np.ndarray
    v_ks_down: np.ndarray
    v_hartree: np.ndarray
    v_xc_up: np.ndarray
    v_xc_down: np.ndarray
    iterations: int
    density_residual: float
    energy_change: float
    xc: str

    @property
    def v_ks(self) -> np.ndarray:
        """Kohn-Sham potential (Ha), shape ``(N,)``, when both spins share it."""
        return _common_potential(self.v_ks_up, self.v_ks_down, "v_ks")

    @property
    def v_xc(self) -> np.ndarray:
        """Exchange-correlation potential (Ha), shape ``(N,)``, when both spins share it."""
        return _common_potential(self.v_xc_up, self.v_xc_down, "v_xc")


@dataclass(frozen=True, eq=False, repr=False)
class ExactResult(_Frozen):
    """An exact many-electron eigenstate.

    Attributes
    ----------
    system : System
        The system solved.
    energy : float
        Eigenvalue (Ha).
    state : int
        Which state it is (0 = ground state) among the states of the requested spin sector(s).
    spin : float
        Total spin S of the state (0, 1 for two electrons; 1/2, 3/2 for three).
    energies : ndarray, shape (state + 1,)
        The lowest ``state + 1`` energies (Ha) of those sector(s), in increasing order.
    density, density_up, density_down : ndarray, shape (N,)
        Densities (1/bohr).
    rdm1, rdm1_up, rdm1_down : ndarray, shape (N, N)
        One-body reduced density matrices (1/bohr).
    natural_orbitals : ndarray, shape (N, N)
        Eigenfunctions of ``rdm1`` as columns (1/sqrt(bohr)), in order of decreasing occupation;
        ``natural_occupations`` their occupations, shape ``(N,)``, summing to the number of electrons (each in
        [0, 2]; the spin parts are in [0, 1]).
    natural_occupations : ndarray, shape (N,)
        See ``natural_orbitals``.
    wavefunction : ndarray, shape (N,) * n
        Spatial wavefunction ``Psi(x_1, ..., x_n)`` (bohr^(-n/2)), normalised so that
        ``sum(Psi**2) * dx**n == 1``. Coordinates are ordered with the spin that has more electrons first (spin
        up first for "ud" and "uud", spin down first for "udd").
    kinetic_energy, external_energy, interaction_energy : float
        Parts of ``energy`` (Ha).
    residual : float
        Norm of ``(H - E) Psi`` reached by the eigensolver (Ha, in the normalised discrete basis).
    """

    system: System
    energy: float
    state: int
    spin: float
    energies: np.ndarray
    density: np.ndarray
    density_up: np.ndarray
    density_down: np.ndarray
    rdm1: np.ndarray
    rdm1_up: np.ndarray
    rdm1_down: np.ndarray
    natural_orbitals: np.ndarray
    natural_occupations: np.ndarray
    wavefunction: np.ndarray
    kinetic_energy: float
    external_energy: float
    interaction_energy: float
    residual: float


@dataclass(frozen=True, eq=False, repr=False)
class ReverseResult(_Frozen):
    """The Kohn-Sham potential that reproduces a target density.

    Attributes
    ----------
    system : System
        The system whose density was inverted (its ``v_ext`` and interaction define ``v_hartree``, ``v_xc``).
    v_ks : ndarray, shape (N,)
        Kohn-Sham potential (Ha).
    v_hartree : ndarray, shape (N,)
        Hartree potential of the target density (Ha).
    v_xc : ndarray, shape (N,)
        ``v_ks - v_ext - v_hartree`` (Ha).
    density : ndarray, shape (N,)
        Density of the Kohn-Sham system in ``v_ks`` (1/bohr).
    density_error : float
        ``integral |density - target| dx`` reached (electrons).
    orbitals : ndarray, shape (N, M)
        Occupied and a few unoccupied Kohn-Sham orbitals as columns.
    eigenvalues : ndarray, shape (M,)
        Their energies (Ha).
    homo : float
        Highest occupied Kohn-Sham eigenvalue (Ha); ``-ionisation_energy`` when that was given.
    constant : str
        How the additive constant of ``v_ks`` was fixed.
    method : str
        ``"two_electron"`` (orbital from ``sqrt(n / N)``) or ``"iterative"``.
    iterations : int
        Iterations of the iterative inversion (0 for the direct formula).
    reliable : ndarray of bool, shape (N,)
        Mask of grid points where the target density was large enough to determine ``v_ks``; outside it
        ``v_ks`` is continued smoothly (see :func:`course_utils.onedim.reverse.solve`).
    """

    system: System
    v_ks: np.ndarray
    v_hartree: np.ndarray
    v_xc: np.ndarray
    density: np.ndarray
    density_error: float
    orbitals: np.ndarray
    eigenvalues: np.ndarray
    homo: float
    constant: str
    method: str
    iterations: int
    reliable: np.ndarray


@dataclass(frozen=True, eq=False, repr=False)
class Evolution(_Frozen):
    """A time propagation.

    Attributes
    ----------
    system : System
        The static system (``v_ext`` is the potential at rest; the perturbation is added to it).
    times : ndarray, shape (T,)
        Times (Ha^-1 = atomic time units).
    density : ndarray, shape (T, N)
        Density at each time (1/bohr).
    dipole : ndarray, shape (T,)
        First moment ``integral x n(x, t) dx`` (bohr, electron charge not included).
    norm : ndarray, shape (T,)
        ``<psi|psi>`` of the many-body wavefunction, or the mean of the orbitals' ``<phi|phi>``; 1 while the
        propagation conserves the norm.
    energy : ndarray, shape (T,)
        ``<H(t)>`` including the perturbation (Ha).
    final : ndarray
        The final state: the many-body wavefunction (complex, shape ``(N,) * n``) or the orbitals (complex,
        shape ``(2, N, M)``: spin up, spin down).
    method : str
        Which dynamics: ``"exact"``, ``"non_interacting"`` or ``"kohn_sham"`` (adiabatic xc).
    """

    system: System
    times: np.ndarray
    density: np.ndarray
    dipole: np.ndarray
    norm: np.ndarray
    energy: np.ndarray
    final: np.ndarray
    method: str


@dataclass(frozen=True, eq=False, repr=False)
class NonInteractingBatch(_Frozen):
    """Non-interacting ground states of many potentials on one grid (from :func:`noninteracting.solve_many`).

    Attributes
    ----------
    x : ndarray, shape (N,)
        The grid (bohr).
    electrons : str
        The spin string.
    energy : ndarray, shape (M,)
        Total energies (Ha).
    kinetic_energy : ndarray, shape (M,)
        Kinetic energies (Ha).
    density : ndarray, shape (M, N)
        Densities (1/bohr).
    eigenvalues : ndarray, shape (M, K)
        Lowest orbital energies (Ha), with ``K = max(n_up, n_down) + extra``.
    orbitals : ndarray, shape (M, N, max(n_up, n_down)), or None
        The occupied orbitals of each sample (only when asked).
    """

    x: np.ndarray
    electrons: str
    energy: np.ndarray
    kinetic_energy: np.ndarray
    density: np.ndarray
    eigenvalues: np.ndarray
    orbitals: np.ndarray | None = None
