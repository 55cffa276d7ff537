"""Time-dependent DFT set-up of the course: 1D H2 kicked by a short uniform field (Hartree atomic units).

:data:`TDDFT_H2` (a :class:`course_utils.data.DatasetSpec`, name ``"tddft_h2_1d"``) holds the exact and the
adiabatic-LDA propagations of the kicked molecule; :func:`load_tddft` returns them with their time grid;
:func:`dipole_spectrum` turns a dipole signal into an absorption-like spectrum. The exact time-dependent xc
potential of the propagated density is :func:`course_utils.onedim.reverse.time_dependent_xc_potential`.
Times in hbar/Ha, lengths in bohr, energies in Ha.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import data
from .._checks import as_number, as_real_array
from . import exact, kohn_sham, propagate, systems

__all__ = ["TDDFT_H2", "TDDFT_METHODS", "TDDFT_PARAMS", "dipole_spectrum", "kick_potential", "load_tddft",
           "tddft_system", "tddft_times"]


TDDFT_PARAMS = {
    "separation": 1.6,  # bohr, near the exact equilibrium of the soft-Coulomb molecule
    "n_points": 100,
    "half_width": 12.0,  # bohr
    "kick": 0.05,  # momentum kick k (a.u.): field E = kick / duration during the pulse
    "duration": 0.2,  # pulse length (hbar/Ha)
    "dt": 0.1,
    "t_max": 100.0,
}
"""Parameters of the ``tddft_h2_1d`` data set."""

TDDFT_METHODS = ("exact", "adiabatic LDA")
"""Sample ``i`` of ``tddft_h2_1d`` is the propagation by ``TDDFT_METHODS[i]``."""


def tddft_system(params: Mapping | None = None):
    """The 1D H2 molecule of the TDDFT data set."""
    p = TDDFT_PARAMS if params is None else params
    return systems.hydrogen_molecule(float(p["separation"]), n_points=int(p["n_points"]),
                                     half_width=float(p["half_width"]))


def tddft_times(params: Mapping | None = None) -> np.ndarray:
    """The time grid (hbar/Ha) of the TDDFT data set."""
    p = TDDFT_PARAMS if params is None else params
    return np.arange(0.0, float(p["t_max"]) + 0.5 * float(p["dt"]), float(p["dt"]))


def kick_potential(system, params: Mapping | None = None):
    """``dv(t) = E x`` for ``t < duration`` with ``E = kick / duration`` (Ha): a short uniform field whose impulse
    gives every electron the momentum ``kick`` (the dipole then rings at the optically allowed frequencies)."""
    p = TDDFT_PARAMS if params is None else params
    field = float(p["kick"]) / float(p["duration"])
    x = np.array(system.x)
    end = float(p["duration"]) - 1e-9

    def dv(t):
        return field * x if t < end else np.zeros_like(x)

    return dv


def _build_tddft(params: Mapping, indices) -> dict[str, np.ndarray]:
    system = tddft_system(params)
    times = tddft_times(params)
    dv = kick_potential(system, params)
    dipoles, densities, energies = [], [], []
    for i in np.atleast_1d(indices):
        method = TDDFT_METHODS[int(i)]
        if method == "exact":
            initial = exact.solve(system, tol=1e-10)
        else:
            initial = kohn_sham.solve(system, "lda", tol=1e-10, energy_tol=1e-11)
        evolution = propagate.evolve(initial, dv, times)
        dipoles.append(evolution.dipole)
        densities.append(evolution.density)
        energies.append(evolution.energy)
    return {"dipole": np.array(dipoles), "density": np.array(densities), "energy": np.array(energies)}


TDDFT_H2 = data.DatasetSpec(
    name="tddft_h2_1d",
    build=_build_tddft,
    params=TDDFT_PARAMS,
    n_samples=len(TDDFT_METHODS),
    version=1,
    description="1D soft-Coulomb H2 (R = 1.6 bohr, 100 points on [-12, 12] bohr) kicked by a 0.2 a.u. uniform "
                "field pulse (momentum 0.05 a.u.), propagated 100 a.u. (dt = 0.1) exactly and in the adiabatic "
                "LDA: dipole (2, T), density (2, T, G), energy (2, T)",
)
"""The :class:`course_utils.data.DatasetSpec` ``tddft_h2_1d`` (2 samples; about 25 s to build)."""


def load_tddft(*, progress: bool = False) -> dict[str, np.ndarray]:
    """The ``tddft_h2_1d`` data set from its cache (built on first use), plus ``times`` (T,) and ``x`` (G,)."""
    arrays = dict(data.load(TDDFT_H2, progress=progress))
    arrays["times"] = tddft_times(TDDFT_H2.params)
    arrays["x"] = np.array(tddft_system(TDDFT_H2.params).x)
    return arrays


def dipole_spectrum(times, dipole, omegas, *, damping: float = 30.0) -> np.ndarray:
    """``S(omega) = |integral (d(t) - <d>) exp(-t/damping) exp(i omega t) dt|`` on the frequencies ``omegas`` (Ha).

    The exponential window turns each excitation into a Lorentzian of half-width ``1/damping`` Ha.
    """
    t = as_real_array(times, "times", ndim=1)
    d = as_real_array(dipole, "dipole", shape=t.shape)
    w = np.atleast_1d(np.asarray(omegas, dtype=float))
    signal = (d - d.mean()) * np.exp(-t / as_number(damping, "damping", minimum=0.0, strict_minimum=True))
    dt = t[1] - t[0]
    return np.abs(np.exp(1j * np.outer(w, t)) @ signal) * dt
