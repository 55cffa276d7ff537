"""Binding curves of 1D molecules: exact against restricted Kohn-Sham LDA (Hartree atomic units).

:func:`h2_curve` solves 1D H2 (soft-Coulomb) exactly and in the restricted LDA at each bond length on one common
grid, and splits the exact energy into its Kohn-Sham parts (two electrons in a singlet: ``T_s`` is von
Weizsaecker's functional, :func:`course_utils.onedim.observables.von_weizsaecker`). :func:`lda_error_split`
divides the LDA's energy error into its functional-driven and density-driven parts (density-corrected DFT:
M.-C. Kim, E. Sim, K. Burke, Phys. Rev. Lett. 111, 073003 (2013)).

Two-electron diatomics of any nuclear charges (notebook 03, part B): :func:`diatomic` builds one, nuclei at
``-R/2`` and ``+R/2``; :func:`hellmann_feynman_forces` and :func:`bond_force` give the force on the nuclei from a
density, :func:`dipole` its dipole, :func:`equilibrium` the bond length and harmonic frequency of an energy
curve, and :func:`kohn_sham_curve` the self-consistent curve of any exchange-correlation functional. The data set
``xc_molecules_1d`` (:data:`XC_MOLECULES`, :func:`load_molecules`) holds the exact answers and exact xc
potentials of these molecules across bond lengths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import data
from .._checks import ConvergenceError, as_int, as_number, as_real_array
from . import exact, kohn_sham, systems
from . import lda as lda_module
from .interactions import Interaction, soft_coulomb
from .observables import von_weizsaecker
from .system_definition import System

__all__ = ["H2_GRID", "MOLECULES_PARAMS", "XC_MOLECULES", "BindingCurve", "Equilibrium", "ErrorSplit", "KohnShamCurve",
           "bond_force", "diatomic", "dipole", "equilibrium", "h2_curve", "hellmann_feynman_forces",
           "kohn_sham_curve", "lda_error_split", "load_molecules", "molecule_sample"]


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


# --------------------------------------------------------------------------------------------------------------
# Two-electron diatomics of any nuclear charges: forces, dipoles, equilibrium (notebook 03, part B)
# --------------------------------------------------------------------------------------------------------------

MOLECULES_PARAMS = {
    "charges": [[1.0, 1.0], [1.25, 0.75]],  # (Z_A, Z_B) of each molecule; Z_A at -R/2, Z_B at +R/2; sum 2 = neutral
    "separations": [round(0.4 + 0.2 * k, 2) for k in range(29)],  # bond lengths R (bohr), 0.4 to 6.0
    "n_points": H2_GRID["n_points"],  # grid linspace(-half_width, half_width, n_points), the same for every R
    "half_width": H2_GRID["half_width"],  # bohr
    "softening": 1.0,  # soft-Coulomb 1/sqrt(u^2 + a^2), electron-electron and (attractive) electron-nucleus
    "stencil": 13,
    "exact_tol": 1e-10,  # residual of the exact eigensolver (Ha)
}
"""Generator parameters of the ``xc_molecules_1d`` data set (Hartree atomic units)."""


def diatomic(separation: float, charges=(1.0, 1.0), params: Mapping | None = None) -> System:
    """Two electrons ("ud") and two soft-Coulomb nuclei of charges ``(Z_A, Z_B)`` at ``-R/2`` and ``+R/2`` (bohr),
    on the grid and interaction of ``params`` (default :data:`MOLECULES_PARAMS`). The binding curve is
    ``E(R) + system.nuclear_repulsion``."""
    p = MOLECULES_PARAMS if params is None else params
    r = as_number(separation, "separation", minimum=0.0)
    z = as_real_array(charges, "charges", shape=(2,))
    return systems.molecule(nuclear_positions(r), z, "ud", interaction=soft_coulomb(float(p["softening"])),
                            n_points=int(p["n_points"]), half_width=float(p["half_width"]),
                            stencil=int(p["stencil"]), name=f"Z=({z[0]:g}, {z[1]:g}) R={r:g}")


def nuclear_positions(separation: float) -> np.ndarray:
    """``[-R/2, +R/2]`` (bohr): where :func:`diatomic` puts the nuclei."""
    r = as_number(separation, "separation", minimum=0.0)
    return np.array([-0.5 * r, 0.5 * r])


def _slope(interaction, u: np.ndarray) -> np.ndarray:
    """``dw/du`` of the interaction: closed form for soft-Coulomb, a central difference otherwise."""
    u = np.asarray(u, dtype=float)
    if isinstance(interaction, Interaction) and interaction.kind == "soft_coulomb":
        p = interaction.parameters
        return -p["strength"] * u / (u**2 + p["softening"] ** 2) ** 1.5
    h = 1e-5
    return (np.asarray(interaction(u + h), dtype=float) - np.asarray(interaction(u - h), dtype=float)) / (2 * h)


def hellmann_feynman_forces(system: System, density, positions, charges) -> np.ndarray:
    """Forces on the nuclei (Ha/bohr), shape ``(K,)``: ``F_A = -dE/dX_A`` by the Hellmann-Feynman theorem.

    With ``v_ext(x) = -sum_A Z_A w(x - X_A)`` and the repulsion ``sum_{A<B} Z_A Z_B w(X_A - X_B)``,

        F_A = -Z_A integral n(x) w'(x - X_A) dx - sum_{B != A} Z_A Z_B w'(X_A - X_B),

    where ``w'`` is the slope of the system's interaction. Only the explicit dependence of the Hamiltonian on
    ``X_A`` appears: this is the exact ``-dE/dX_A`` for the exact density, and for a Kohn-Sham density only when it
    is self-consistent with a functional whose potential is the derivative of its energy (see notebook 03).
    ``system`` gives the grid and the interaction (``system.interaction_model``); ``positions`` and ``charges``
    (shape ``(K,)``) must be those that built its ``v_ext``.
    """
    if not isinstance(system, System):
        raise TypeError(f"system must be a course_utils.onedim.System, got {type(system).__name__}")
    if system.interaction_model is None:
        raise ValueError("the system's interaction is a raw matrix; forces need the interaction as a function "
                         "(build the molecule with onedim.systems.molecule or curves.diatomic)")
    n = as_real_array(density, "density", shape=(system.n_points,))
    positions = as_real_array(positions, "positions", ndim=1)
    charges = as_real_array(charges, "charges", shape=positions.shape)
    w = system.interaction_model
    x = np.asarray(system.x)
    forces = np.empty(positions.size)
    for a, (xa, za) in enumerate(zip(positions, charges, strict=True)):
        electronic = -za * float(np.sum(n * _slope(w, x - xa)) * system.dx)
        nuclear = -sum(za * charges[b] * float(_slope(w, xa - positions[b])) for b in range(positions.size) if b != a)
        forces[a] = electronic + nuclear
    return forces


def bond_force(system: System, density, separation: float, charges) -> float:
    """``-dE/dR`` (Ha/bohr) of a :func:`diatomic` molecule from its density: with the nuclei at ``-R/2`` and
    ``+R/2``, ``-dE/dR = (F_B - F_A) / 2`` (Hellmann-Feynman forces). Positive: the nuclei are pushed apart."""
    forces = hellmann_feynman_forces(system, density, nuclear_positions(separation), charges)
    return 0.5 * float(forces[1] - forces[0])


def dipole(x, density, positions, charges) -> float:
    """Dipole moment ``d = sum_A Z_A X_A - integral x n(x) dx`` (e bohr) of nuclei and electrons on the line.

    Only defined here for a neutral system (``sum Z_A`` equal to the electron count to 1e-6): then moving the origin
    by ``a`` changes ``d`` by ``a (sum Z_A - N) = 0``; for an ion the dipole depends on the origin, and a
    ``ValueError`` says so.
    """
    x = as_real_array(x, "x", ndim=1)
    n = as_real_array(density, "density", shape=x.shape)
    positions = as_real_array(positions, "positions", ndim=1)
    charges = as_real_array(charges, "charges", shape=positions.shape)
    dx = float(x[1] - x[0])
    electrons = float(np.sum(n) * dx)
    if abs(electrons - charges.sum()) > 1e-6 * max(electrons, 1.0):
        raise ValueError(f"the dipole of a charged system depends on the origin: the nuclear charges sum to "
                         f"{charges.sum():g}, the density integrates to {electrons:.6g} electrons")
    return float(charges @ positions - np.sum(x * n) * dx)


@dataclass(frozen=True)
class Equilibrium:
    """The minimum of a binding curve and the harmonic vibration about it (:func:`equilibrium`).

    Attributes
    ----------
    bond_length : float
        ``R_e`` (bohr), the minimum of the fitted polynomial.
    energy : float
        ``E(R_e)`` (Ha).
    curvature : float
        ``k = E''(R_e)`` (Ha/bohr^2), the force constant.
    frequency : float
        ``omega = sqrt(k / mu)`` (Ha, with hbar = 1), ``mu`` the reduced mass (electron masses).
    wavenumber : float
        ``omega`` in cm^-1.
    """

    bond_length: float
    energy: float
    curvature: float
    frequency: float
    wavenumber: float


def equilibrium(separations, energies, reduced_mass: float, *, window: float = 0.6,
                degree: int = 4) -> Equilibrium:
    """Bond length, energy, force constant and harmonic frequency at the minimum of a binding curve.

    A polynomial of ``degree`` is fitted to the points within ``window`` (bohr) of the lowest point (at least
    ``degree + 1`` of them); its minimum gives ``R_e`` and its second derivative ``k``; ``omega = sqrt(k / mu)``.
    ``separations`` (P,) in bohr, ``energies`` (P,) in Ha (total, including the nuclear repulsion),
    ``reduced_mass`` ``mu = M_A M_B / (M_A + M_B)`` in electron masses. Raises ``ValueError`` when the lowest
    point is at an end of the curve (no minimum inside) or the window holds too few points.
    """
    from ..units import HARTREE_TO_INVERSE_CM

    r = as_real_array(separations, "separations", ndim=1)
    e = as_real_array(energies, "energies", shape=r.shape)
    mu = as_number(reduced_mass, "reduced_mass", minimum=0.0, strict_minimum=True)
    window = as_number(window, "window", minimum=0.0, strict_minimum=True)
    degree = as_int(degree, "degree", minimum=2, maximum=8)
    if not np.all(np.isfinite(e)):
        raise ValueError("energies must be finite (a failed self-consistent run leaves nan: drop those points)")
    order = np.argsort(r)
    r, e = r[order], e[order]
    lowest = int(np.argmin(e))
    if lowest in (0, r.size - 1):
        raise ValueError(f"the lowest energy is at an end of the curve (R = {r[lowest]:g} bohr): no minimum inside "
                         f"[{r[0]:g}, {r[-1]:g}] bohr")
    near = np.abs(r - r[lowest]) <= window + 1e-12
    if near.sum() < degree + 1:
        raise ValueError(f"only {int(near.sum())} points within {window:g} bohr of the minimum; a polynomial of "
                         f"degree {degree} needs at least {degree + 1} (widen the window or add points)")
    centre = r[lowest]
    poly = np.polynomial.Polynomial.fit(r[near] - centre, e[near], degree)
    stationary = poly.deriv().roots()
    stationary = stationary[np.isreal(stationary)].real
    stationary = stationary[np.abs(stationary) <= window]
    if stationary.size == 0:
        raise ValueError("the fitted polynomial has no minimum inside the window")
    best = stationary[np.argmin(poly(stationary))]
    k = float(poly.deriv(2)(best))
    if k <= 0:
        raise ValueError(f"the curvature at the stationary point is not positive ({k:.3g} Ha/bohr^2)")
    omega = float(np.sqrt(k / mu))
    return Equilibrium(bond_length=float(best + centre), energy=float(poly(best)), curvature=k, frequency=omega,
                       wavenumber=omega * HARTREE_TO_INVERSE_CM)


def molecule_sample(index: int, params: Mapping | None = None) -> tuple[np.ndarray, float]:
    """The nuclear charges ``(Z_A, Z_B)`` and bond length R (bohr) of sample ``index`` of ``xc_molecules_1d``:
    molecule ``index // P``, separation ``index % P``, with ``P`` the number of separations."""
    p = MOLECULES_PARAMS if params is None else params
    count = len(p["charges"]) * len(p["separations"])
    index = as_int(index, "index", minimum=0, maximum=count - 1)
    molecule, k = divmod(index, len(p["separations"]))
    return np.array(p["charges"][molecule], dtype=float), float(p["separations"][k])


_MOLECULE_FIELDS = ("energy", "ionisation_energy", "kinetic_energy_ks", "hartree_energy", "external_energy",
                    "xc_energy", "inversion_error")


def _build_molecules(params: Mapping, indices) -> dict[str, np.ndarray]:
    from .datasets import xc_reference

    rows = {key: [] for key in ("molecule", "charges", "separation", "nuclear_repulsion", "density", "v_xc",
                                "force", "dipole", *_MOLECULE_FIELDS)}
    for index in np.atleast_1d(indices):
        charges, r = molecule_sample(int(index), params)
        system = diatomic(r, charges, params)
        ref = xc_reference(system, exact_tol=float(params["exact_tol"]))
        rows["molecule"].append(int(index) // len(params["separations"]))
        rows["charges"].append(charges)
        rows["separation"].append(r)
        rows["nuclear_repulsion"].append(system.nuclear_repulsion)
        rows["force"].append(bond_force(system, ref["density"], r, charges))
        rows["dipole"].append(dipole(system.x, ref["density"], nuclear_positions(r), charges))
        for key in ("density", "v_xc", *_MOLECULE_FIELDS):
            rows[key].append(ref[key])
    out = {key: np.array(value, dtype=float) for key, value in rows.items()}
    out["molecule"] = np.array(rows["molecule"], dtype=np.int64)
    return out


XC_MOLECULES = data.DatasetSpec(
    name="xc_molecules_1d",
    build=_build_molecules,
    params=MOLECULES_PARAMS,
    n_samples=len(MOLECULES_PARAMS["charges"]) * len(MOLECULES_PARAMS["separations"]),
    version=1,
    description="Two soft-Coulomb electrons (singlet) and two soft-Coulomb nuclei, charges (1, 1) and (1.25, 0.75), "
                "at bond lengths 0.4-6.0 bohr (step 0.2) on 120 points in [-15, 15] bohr: exact energies, "
                "densities, Hellmann-Feynman bond forces and dipoles, exact Kohn-Sham xc potentials (eps_HOMO = -I) "
                "and xc energies (Ha, bohr).",
)
"""The exact binding curves of notebook 03, part B (registered in :data:`course_utils.data.DATASETS`)."""


def load_molecules(*, progress: bool = False) -> dict[str, np.ndarray]:
    """The ``xc_molecules_1d`` data set (built and cached on first use, a few seconds), plus ``x`` (G,), ``dx``,
    ``separations`` (P,) and ``molecule_charges`` (2, 2). Per sample (M = 2 P): ``molecule`` (index into
    ``molecule_charges``), ``charges`` (M, 2), ``separation``, ``nuclear_repulsion``, ``energy`` (electronic),
    ``force`` (``-dE/dR``, Ha/bohr), ``dipole`` (e bohr), ``ionisation_energy``, ``kinetic_energy_ks``,
    ``hartree_energy``, ``external_energy``, ``xc_energy``, ``inversion_error`` (M,); ``density``, ``v_xc`` (M, G)."""
    arrays = dict(data.load(XC_MOLECULES, progress=progress))
    x = diatomic(1.0, (1.0, 1.0), XC_MOLECULES.params).x
    arrays.update({"x": np.array(x), "dx": float(x[1] - x[0]),
                   "separations": np.array(XC_MOLECULES.params["separations"], dtype=float),
                   "molecule_charges": np.array(XC_MOLECULES.params["charges"], dtype=float)})
    return arrays


@dataclass(frozen=True, eq=False)
class KohnShamCurve:
    """Self-consistent Kohn-Sham results of one functional along a binding curve (:func:`kohn_sham_curve`);
    read-only arrays, ``nan`` where the SCF did not converge.

    Attributes
    ----------
    separations : array (P,)
        Bond lengths (bohr).
    charges : array (2,)
        ``(Z_A, Z_B)``.
    energy : array (P,)
        Binding curve: electronic energy plus nuclear repulsion (Ha).
    density : array (P, G)
        Self-consistent densities (1/bohr).
    force : array (P,)
        Hellmann-Feynman ``-dE/dR`` on the self-consistent density (Ha/bohr).
    dipole : array (P,)
        Dipole (e bohr).
    converged : array (P,) of bool
    iterations : array (P,) of int
        SCF iterations (-1 where it failed).
    """

    separations: np.ndarray
    charges: np.ndarray
    energy: np.ndarray
    density: np.ndarray
    force: np.ndarray
    dipole: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray

    def __post_init__(self):
        for value in vars(self).values():
            value.flags.writeable = False


def kohn_sham_curve(separations, charges=(1.0, 1.0), xc="lda", *, params: Mapping | None = None,
                    **options) -> KohnShamCurve:
    """Self-consistent Kohn-Sham binding curve of a :func:`diatomic` molecule with any xc functional.

    ``xc`` is anything :func:`course_utils.onedim.kohn_sham.solve` accepts (``"lda"``, a callable
    ``density -> (v_xc, E_xc)`` such as a learned functional); ``options`` go to it (``tol``, ``mixing``, ...). A
    run that does not converge (``ConvergenceError``) leaves ``nan`` in its row and ``converged=False``; any other
    error propagates.
    """
    rs = as_real_array(separations, "separations", ndim=1)
    z = as_real_array(charges, "charges", shape=(2,))
    p = MOLECULES_PARAMS if params is None else params
    g = int(p["n_points"])
    out = {"energy": np.full(rs.size, np.nan), "force": np.full(rs.size, np.nan), "dipole": np.full(rs.size, np.nan),
           "density": np.full((rs.size, g), np.nan), "converged": np.zeros(rs.size, dtype=bool),
           "iterations": np.full(rs.size, -1, dtype=int)}
    for i, r in enumerate(rs):
        system = diatomic(float(r), z, p)
        try:
            result = kohn_sham.solve(system, xc=xc, **options)
        except ConvergenceError:
            continue
        out["energy"][i] = result.energy + system.nuclear_repulsion
        out["density"][i] = result.density
        out["force"][i] = bond_force(system, result.density, float(r), z)
        out["dipole"][i] = dipole(system.x, result.density, nuclear_positions(float(r)), z)
        out["converged"][i] = True
        out["iterations"][i] = result.iterations
    return KohnShamCurve(separations=np.array(rs), charges=np.array(z), **out)
