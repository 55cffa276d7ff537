"""Hubbard dimer and chains: exact diagonalisation at fixed N and S_z, occupations and one-body density matrices.

    from course_utils import lattice
    model = lattice.Hubbard(sites=6, t=1.0, U=4.0, v=[0.0] * 6, electrons=(3, 3), periodic=True)
    result = lattice.solve(model)             # ground state; lattice.solve(model, k=1) for the next state
    result.energy, result.occupations, result.rdm1, result.natural_occupations_up

    dv = lattice.dimer_potential_difference(delta_n, U=4.0)      # arrays welcome: vectorised closed forms
    gamma_12 = lattice.dimer_ground_state(4.0, 1.0, dv).gamma_12

t, U, v and all energies share one energy unit of the caller's choice (the course quotes Hartree when it needs a
name); occupations and density matrices are dimensionless. Closed forms for the two-electron dimer
(``dimer_energy``, ``dimer_ground_state``, ``dimer_potential_difference``, ``dimer_noninteracting_rdm1``) follow
Carrascal, Ferrer, Smith and Burke, J. Phys.: Condens. Matter 27, 393001 (2015) and are vectorised. The 1-RDM
as a functional of the occupations (notebook 04): ``exact_dimer_gamma`` (the exact map), ``dimer_bound`` and
``bond_bound`` (N-representability), ``strong_coupling_gamma`` (U -> infinity); ``interpolating_form``,
``fit_kappa``, ``interpolating_gamma`` and ``fit_alpha`` (a one-parameter form joining the limits);
``dimer_samples`` (data).
"""

from .dimer import (
    DimerGroundState,
    bond_bound,
    dimer_bound,
    dimer_energy,
    dimer_ground_state,
    dimer_noninteracting_rdm1,
    dimer_potential_difference,
    dimer_samples,
    exact_dimer_gamma,
    fit_alpha,
    fit_kappa,
    interpolating_form,
    interpolating_gamma,
    strong_coupling_gamma,
)
from .exact import HubbardResult, basis, hamiltonian, solve
from .hubbard import Hubbard, spin_basis

__all__ = [
    "DimerGroundState",
    "Hubbard",
    "bond_bound",
    "dimer_bound",
    "dimer_samples",
    "exact_dimer_gamma",
    "fit_alpha",
    "fit_kappa",
    "interpolating_form",
    "interpolating_gamma",
    "strong_coupling_gamma",
    "HubbardResult",
    "basis",
    "dimer_energy",
    "dimer_ground_state",
    "dimer_noninteracting_rdm1",
    "dimer_potential_difference",
    "hamiltonian",
    "solve",
    "spin_basis",
]
