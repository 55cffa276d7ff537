"""Binding curves of 1D molecules: exact against restricted Kohn-Sham LDA (Hartree atomic units).

:func:`h2_curve` solves 1D H2 (soft-Coulomb) exactly and in the restricted LDA at each bond length on one common
grid, and splits the exact energy into its Kohn-Sham parts (two electrons in a singlet: ``T_s`` is von
Weizsaecker's functional, :func:`course_utils.onedim.observables.von_weizsaecker`). :func:`lda_error_split`
divides the LDA's energy error into its functional-driven and density-driven parts (density-corrected DFT:
M.-C. Kim, E. Sim, K. Burke, Phys. Rev. Lett. 111, 073003 (2013)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_real_array
from . import exact, kohn_sham, systems
from . import lda as lda_module
from .observables import von_weizsaecker

__all__ = ["H2_GRID", "BindingCurve", "ErrorSplit", "h2_curve", "lda_error_split"]


H2_GRID = {"n_points": 120, "half_width": 15.0}
"""One grid for every separation (so densities can be compared by a kernel): 120 points on [-15, 15] bohr."""


@dataclass(frozen=True, eq=False)
class BindingCurve:
    """Exact (and restricted KS-LDA) ground states of a 1D molecule at ``P`` bond lengths, on one grid of ``G``
    points; arrays are read-only.

    Attributes
    ----------
    R : array (P,)
        Bond lengths (bohr).
    x : array (G,)
        The common grid (bohr); ``dx`` its spacing.
    nuclear_repulsion, energy : arrays (P,)
        Nucleus-nucleus repulsion and exact electronic energy (Ha); the binding curve is their sum.
    density : array (P, G)
        Exact densities (1/bohr).
    natural_occupations : array (P, 2)
        The two largest natural occupations (spin-summed).
    external, hartree, kinetic_s, xc : arrays (P,)
        The exact Kohn-Sham decomposition (Ha): ``xc = E - T_s - V_ext - E_H`` with ``T_s`` von Weizsaecker's.
    lda_energy, lda_xc_on_exact : arrays (P,) or None
        Restricted KS-LDA energy, and the LDA xc energy of the exact density (Ha); ``None`` without LDA.
    lda_density : array (P, G) or None
        The KS-LDA densities.
    """

    R: np.ndarray
    x: np.ndarray
    dx: float
    nuclear_repulsion: np.ndarray
    energy: np.ndarray
    density: np.ndarray
    natural_occupations: np.ndarray
    external: np.ndarray
    hartree: np.ndarray
    kinetic_s: np.ndarray
    xc: np.ndarray
    lda_energy: np.ndarray | None
    lda_density: np.ndarray | None
    lda_xc_on_exact: np.ndarray | None

    def __post_init__(self):
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False


def h2_curve(separations, *, n_points: int = H2_GRID["n_points"], half_width: float = H2_GRID["half_width"],
             lda: bool = True) -> BindingCurve:
    """Exact (and restricted KS-LDA) ground states of 1D H2 at each separation R (bohr), soft-Coulomb.

    Returns a :class:`BindingCurve`; its LDA fields are ``None`` when ``lda=False``.
    """

    rs = as_real_array(separations, "separations", ndim=1)
    keys = ["energy", "nuclear_repulsion", "external", "hartree", "kinetic_s", "xc", "lda_energy",
            "lda_xc_on_exact"]
    out = {k: np.full(rs.size, np.nan) for k in keys}
    density, lda_density, occupations = [], [], []
    functional = lda_module.SoftCoulombLDA()
    x = None
    for i, r in enumerate(rs):
        system = systems.hydrogen_molecule(float(r), n_points=n_points, half_width=half_width)
        x = system.x
        gs = exact.solve(system)
        n = gs.density
        out["energy"][i] = gs.energy
        out["nuclear_repulsion"][i] = system.nuclear_repulsion
        out["external"][i] = float(system.v_ext @ n) * system.dx
        out["hartree"][i] = kohn_sham.hartree_energy(system, n)
        out["kinetic_s"][i] = von_weizsaecker(system, n)
        out["xc"][i] = gs.energy - out["kinetic_s"][i] - out["external"][i] - out["hartree"][i]
        density.append(n)
        occupations.append(gs.natural_occupations[:2])
        if lda:
            ks = kohn_sham.solve(system, functional)
            out["lda_energy"][i] = ks.energy
            lda_density.append(ks.density)
            out["lda_xc_on_exact"][i] = functional.evaluate(n / 2, n / 2, system.dx)[2]
    out.update({"R": rs, "x": np.array(x), "dx": float(x[1] - x[0]), "density": np.array(density),
                "natural_occupations": np.array(occupations),
                "lda_density": np.array(lda_density) if lda else None})
    if not lda:
        out["lda_energy"] = out["lda_xc_on_exact"] = None
    return BindingCurve(**out)


@dataclass(frozen=True, eq=False)
class ErrorSplit:
    """An approximate functional's energy error split as in density-corrected DFT; arrays (P,) in Ha, read-only.

    Attributes
    ----------
    total : array (P,)
        ``E~[n~] - E[n]``: the self-consistent approximate energy minus the exact one.
    functional : array (P,)
        ``E~[n] - E[n]``, the functional-driven error: the approximate functional on the *exact* density.
    density : array (P,)
        ``E~[n~] - E~[n]``, the density-driven error: what the approximate density adds. Never positive for a
        self-consistent ``n~``, which minimises ``E~``.
    """

    total: np.ndarray
    functional: np.ndarray
    density: np.ndarray

    def __post_init__(self):
        for value in vars(self).values():
            value.flags.writeable = False


def lda_error_split(curve: BindingCurve) -> ErrorSplit:
    """Split the restricted KS-LDA energy error of ``curve`` into functional- and density-driven parts.

    ``Delta E = E~[n~] - E[n] = (E~[n] - E[n]) + (E~[n~] - E~[n])`` with ``E~`` the LDA energy functional, ``n~``
    its self-consistent density and ``n`` the exact one (Kim, Sim and Burke, PRL 111, 073003 (2013)). For two
    electrons in a singlet the exact ``T_s[n]`` is von Weizsaecker's, so ``E~[n] = E[n] - E_xc[n] + E_xc^LDA[n]``
    and the functional-driven error is ``E_xc^LDA[n] - E_xc[n]``. Needs a curve computed with ``lda=True``.
    """
    if not isinstance(curve, BindingCurve):
        raise TypeError(f"curve must be a BindingCurve from h2_curve, got {type(curve).__name__}")
    if curve.lda_energy is None:
        raise ValueError("the curve has no LDA results; compute it with h2_curve(..., lda=True)")
    total = np.array(curve.lda_energy) - curve.energy
    functional = np.array(curve.lda_xc_on_exact) - curve.xc
    return ErrorSplit(total=total, functional=functional, density=total - functional)
