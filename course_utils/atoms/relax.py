"""Relaxation of cell and positions with any ASE calculator.

The cell is relaxed through a filter of ``ase.filters`` that exposes the cell degrees of freedom as generalised
forces (stress times volume, in eV); an ASE optimizer (BFGS or FIRE) stops when every generalised force is below
``fmax`` (eV/Angstrom).

Filters: ``FrechetCellFilter`` (default; ASE's recommended one, it parametrises the cell by the matrix logarithm
of the deformation), ``ExpCellFilter`` (its deprecated predecessor) and ``UnitCellFilter`` (linear in the
deformation). All three have the same minima; on cells of a few atoms the first two spend most of their time in
``scipy.linalg.expm_frechet``/``logm`` (5-150 ms per step against ~1 ms for EMT itself), so the data set builder
uses ``UnitCellFilter``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import ConvergenceError, _describe, as_int, as_number, one_of

OPTIMIZERS = ("BFGS", "FIRE")
CELL_FILTERS = ("frechet", "exp", "unit", None)


@dataclass
class RelaxationResult:
    """Outcome of :func:`relax`.

    ``atoms``: the relaxed structure (a copy carrying the calculator); ``energy`` (eV) and ``energy_per_atom``
    (eV/atom) at the end; ``max_force``: largest residual generalised force (eV/Angstrom); ``n_steps``;
    ``converged``.
    """

    atoms: object
    energy: float
    energy_per_atom: float
    max_force: float
    n_steps: int
    converged: bool


def relax(atoms, *, fmax: float = 0.01, max_steps: int = 500, optimizer: str = "BFGS",
          cell_filter: str | None = "frechet", raise_on_failure: bool = True) -> RelaxationResult:
    """Relax the positions (and the cell, unless ``cell_filter=None``) of a copy of ``atoms``.

    Parameters
    ----------
    atoms : ase.Atoms
        With a calculator attached (``atoms.calc``); it is not modified.
    fmax : float
        Force tolerance in eV/Angstrom (applied to the filter's generalised forces, which include the stress).
    max_steps : int
        Step budget of the optimizer.
    optimizer : {"BFGS", "FIRE"}
    cell_filter : {"frechet", "exp", "unit", None}
        ``"frechet"``: ``FrechetCellFilter``; ``"exp"``: ``ExpCellFilter`` (deprecated by ASE, which warns);
        ``"unit"``: ``UnitCellFilter`` (fastest on small cells); ``None``: fixed cell, positions only.
    raise_on_failure : bool
        Raise :class:`course_utils.ConvergenceError` when the budget runs out (default); otherwise return the
        result with ``converged=False``.
    """
    from ase import Atoms

    if not isinstance(atoms, Atoms):
        raise TypeError(f"atoms must be an ase.Atoms, got {_describe(atoms)}")
    if atoms.calc is None:
        raise ValueError("atoms has no calculator: attach one first, e.g. atoms.calc = calculators.emt()")
    if len(atoms) == 0:
        raise ValueError("atoms is empty")
    fmax = as_number(fmax, "fmax", minimum=0.0, strict_minimum=True)
    max_steps = as_int(max_steps, "max_steps", minimum=1)
    one_of(optimizer, "optimizer", OPTIMIZERS)
    one_of(cell_filter, "cell_filter", CELL_FILTERS)
    if cell_filter is not None and not all(atoms.pbc):
        raise ValueError("a cell relaxation needs a periodic structure (pbc all True); use cell_filter=None")

    from ase import filters
    from ase.optimize import BFGS, FIRE

    work = atoms.copy()
    work.calc = atoms.calc
    target = work
    if cell_filter is not None:
        filter_class = {"frechet": filters.FrechetCellFilter, "exp": filters.ExpCellFilter,
                        "unit": filters.UnitCellFilter}[cell_filter]
        target = filter_class(work)
    opt = (BFGS if optimizer == "BFGS" else FIRE)(target, logfile=None)
    converged = bool(opt.run(fmax=fmax, steps=max_steps))
    forces = target.get_forces()
    max_force = float(np.sqrt((forces**2).sum(axis=1)).max())
    energy = float(work.get_potential_energy())
    if not converged and raise_on_failure:
        raise ConvergenceError(f"relaxation did not converge in {max_steps} steps: largest force {max_force:.3g} "
                               f"eV/Angstrom > fmax {fmax} (optimizer {optimizer}, filter {cell_filter})")
    return RelaxationResult(work, energy, energy / len(work), max_force, int(opt.nsteps), converged)
