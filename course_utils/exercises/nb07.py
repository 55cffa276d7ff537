"""Checks for notebook 07 (SchNet). No TensorFlow: the references are written in NumPy here. Every check explains
in words what is wrong and recognises the typical mistakes."""

from __future__ import annotations

import numpy as np

from ._feedback import checker, is_placeholder

_FS_PER_PS = 1000.0


def _reference_cutoff(r, cutoff):
    r = np.asarray(r, dtype=float)
    return np.where(r < cutoff, 0.5 * (np.cos(np.pi * r / cutoff) + 1.0), 0.0)


# ----------------------------------------------------------------------------------------------------------------
# Exercise 1: the cosine cutoff
# ----------------------------------------------------------------------------------------------------------------


@checker("the cosine cutoff function")
def check_nb07_cosine_cutoff(cosine_cutoff):
    """``cosine_cutoff(r, cutoff)`` must be ``(1 + cos(pi r / cutoff)) / 2`` inside and 0 outside the cutoff, for
    NumPy arrays of any shape."""
    if is_placeholder(cosine_cutoff):
        raise NotImplementedError
    if not callable(cosine_cutoff):
        return False, f"cosine_cutoff must be a function of (r, cutoff), got {type(cosine_cutoff).__name__}"
    cutoff = 3.0
    r = np.linspace(0.0, 5.0, 101).reshape(1, 101)
    answer = cosine_cutoff(r, cutoff)
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    if np.shape(answer) != r.shape:
        return False, (f"for r of shape {r.shape} the function returned shape {np.shape(answer)}; it should act "
                       "element-wise and return the same shape (use NumPy functions, not a loop over a list)")
    expected = _reference_cutoff(r, cutoff)
    if np.allclose(answer, expected, atol=1e-10):
        slope = (cosine_cutoff(np.array([cutoff - 1e-6]), cutoff)[0] - 0.0) / 1e-6
        return True, (f"f_c(0) = {answer[0, 0]:.1f}, f_c(r_c) = 0 with slope {slope:.1e} per Angstrom just inside "
                      "the cutoff, and 0 beyond: pairs enter and leave smoothly.")
    inside = r < cutoff
    raw = 0.5 * (np.cos(np.pi * r / cutoff) + 1.0)
    if np.allclose(answer[inside], expected[inside], atol=1e-10):
        if np.allclose(answer, raw, atol=1e-10):
            return False, ("inside the cutoff it is right, but beyond it the cosine rises again (it is periodic): "
                           "set the function to 0 for r >= cutoff, e.g. with np.where(r < cutoff, ..., 0.0)")
        return False, "inside the cutoff it is right, but beyond the cutoff it should be exactly 0"
    if np.allclose(answer, 2 * expected, atol=1e-10):
        return False, "the factor 1/2 is missing: f_c(0) must be 1, not 2"
    if np.allclose(answer, np.where(r < cutoff, np.cos(np.pi * r / cutoff), 0.0), atol=1e-10):
        return False, ("cos(pi r / r_c) alone is -1 at the cutoff, so the function jumps there; use "
                       "(1 + cos(pi r / r_c)) / 2, which goes smoothly from 1 to 0")
    if np.allclose(answer, np.where(r < cutoff, 0.5 * (np.cos(r / cutoff) + 1.0), 0.0), atol=1e-10):
        return False, "the argument of the cosine needs the factor pi: cos(pi r / r_c) is -1 exactly at r = r_c"
    return False, (f"at r = 1.5 Angstrom (half the cutoff of 3) the function gives {answer[0, 30]:.4f}, expected "
                   f"{expected[0, 30]:.4f}")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 2: the energy drift of an NVE run
# ----------------------------------------------------------------------------------------------------------------


@checker("the energy drift of an NVE run")
def check_nb07_energy_drift(energy_drift):
    """``energy_drift(time_fs, total_energy)`` (eV/ps): the slope of a least-squares straight line through the
    total energy against time, tested on a made-up series (a slow drift plus the fast oscillation a velocity
    Verlet integrator leaves in the total energy)."""
    if is_placeholder(energy_drift):
        raise NotImplementedError
    if not callable(energy_drift):
        return False, f"energy_drift must be a function of (time_fs, total_energy), got {type(energy_drift).__name__}"
    time_fs = np.arange(0.0, 500.0 + 1e-9, 2.5)
    true_drift = 2.0e-3  # eV/ps
    total = -309.5 + true_drift * time_fs / _FS_PER_PS + 4e-4 * np.sin(2 * np.pi * time_fs / 11.0 + 0.3)
    answer = energy_drift(time_fs, total)
    if is_placeholder(answer):
        raise NotImplementedError
    if isinstance(answer, bool) or np.ndim(answer) != 0:
        return False, f"energy_drift must return one number (eV/ps), got {type(answer).__name__} {np.shape(answer)}"
    answer = float(answer)
    slope_fs = np.polyfit(time_fs, total, 1)[0]
    expected = slope_fs * _FS_PER_PS
    if abs(answer - expected) <= 1e-6 * abs(expected):
        return True, (f"on a test series with a drift of {true_drift:.1e} eV/ps under an oscillation of 0.4 meV your "
                      f"function gives {answer:.3e} eV/ps.")
    if abs(answer - slope_fs) <= 1e-6 * abs(slope_fs):
        return False, "that is the slope per fs; the time axis is in fs, so multiply by 1000 fs/ps"
    end_to_end = (total[-1] - total[0]) / (time_fs[-1] - time_fs[0]) * _FS_PER_PS
    if abs(answer - end_to_end) <= 1e-6 * abs(end_to_end):
        return False, ("that is (last - first) / duration: it depends on the two end points, which carry the "
                       "oscillation of the integrator. Fit a straight line through all points (np.polyfit(t, E, 1))")
    if abs(answer + expected) <= 1e-6 * abs(expected):
        return False, "the sign is reversed: a total energy that grows with time has a positive drift"
    return False, (f"on a test series whose straight-line fit rises by {expected:.3e} eV/ps your function gives "
                   f"{answer:.3e} eV/ps")
