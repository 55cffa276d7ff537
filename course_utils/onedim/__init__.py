"""1D quantum mechanics for the course: model systems, exact and Kohn-Sham solvers, reverse engineering, dynamics.

Everything is in Hartree atomic units (lengths in bohr, energies in Ha, times in Ha^-1). The interface follows
iDEA (one object per system, one ``solve`` per method, results with the same field names)::

    from course_utils import onedim

    he = onedim.systems.helium()                     # or onedim.System(x, v_ext, interaction, "ud")
    exact = onedim.exact.solve(he)                   # .energy, .density, .rdm1, .natural_occupations, ...
    lda = onedim.kohn_sham.solve(he, xc="lda")       # .energy (and its breakdown), .density, .v_ks, ...
    ks = onedim.reverse.solve(he, exact.density)     # .v_ks, .v_xc, .density_error
    free = onedim.noninteracting.solve(he)           # ignores the interaction
    many = onedim.noninteracting.solve_many(x, potentials, "u")   # thousands of potentials, fast
    evolution = onedim.propagate.evolve(exact, dv, times)         # .density(t), .dipole(t), .norm, .energy

Modules: :mod:`~.system_definition` (the ``System`` class), :mod:`~.systems` (ready-made systems),
:mod:`~.potentials` (Gaussian wells and their seeded generators), :mod:`~.interactions`, :mod:`~.grid`,
:mod:`~.noninteracting`, :mod:`~.exact`, :mod:`~.kohn_sham`, :mod:`~.lda`, :mod:`~.reverse` (including the
closed-form two-electron and time-dependent xc potentials), :mod:`~.propagate`, :mod:`~.tddft` (the kicked-H2
set-up), :mod:`~.curves` (binding curves), :mod:`~.observables` (natural orbitals, von Weizsaecker, 1-RDM
kinetic energy), :mod:`~.datasets` (the 1D data sets), :mod:`~.results`, :mod:`~.differentiable` (a Kohn-Sham
solver in TensorFlow and its linear response) and :mod:`~.ks_regularizer` (a neural xc trained through it). Only
numpy and scipy are imported; TensorFlow only when a function of ``differentiable`` is called.
The solvers use one BLAS thread (faster for these matrix sizes, and robust on busy machines); see
:func:`course_utils.threads.set_blas_threads`.
"""

from __future__ import annotations

from ..threads import set_blas_threads
from . import (
    curves,
    datasets,
    differentiable,
    exact,
    grid,
    interactions,
    kohn_sham,
    ks_regularizer,
    lda,
    noninteracting,
    observables,
    potentials,
    propagate,
    results,
    reverse,
    systems,
    tddft,
)
from .system_definition import System

__all__ = ["System", "set_blas_threads", "curves", "datasets", "differentiable", "exact", "grid", "interactions",
           "kohn_sham", "ks_regularizer", "lda", "noninteracting", "observables", "potentials", "propagate", "results",
           "reverse", "systems", "tddft"]
