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


# ----------------------------------------------------------------------------------------------------------------
# Exercise 3: the H-O-C-C dihedral from positions
# ----------------------------------------------------------------------------------------------------------------


def _dihedral_test_frames():
    """Four atoms i-j-k-l with j-k along z and chosen dihedrals (degrees), then rotated and shifted at random."""
    angles = np.array([60.0, -60.0, 179.0, -179.0, 0.0, 120.0, -100.0, 30.0])
    rng = np.random.default_rng(17)
    frames = []
    for phi in np.radians(angles):
        p = np.array([[1.0, 0.0, -0.4], [0.0, 0.0, 0.0], [0.0, 0.0, 1.5], [np.cos(phi), np.sin(phi), 1.9]])
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        frames.append(p @ (q * np.sign(np.linalg.det(q))).T + rng.normal(size=3))
    return angles, np.array(frames)


@checker("the H-O-C-C dihedral from positions")
def check_nb07_dihedral(dihedral):
    """``dihedral(p0, p1, p2, p3)``: arrays (M, 3) of the four atoms' positions in M frames; returns (M,) signed
    angles in degrees in [-180, 180], the IUPAC sign (positive when, looking along p1 -> p2, the bond p2-p3 is
    turned clockwise from p1-p0). Tested on rotated and shifted geometries of known dihedral."""
    if is_placeholder(dihedral):
        raise NotImplementedError
    if not callable(dihedral):
        return False, f"dihedral must be a function of (p0, p1, p2, p3), got {type(dihedral).__name__}"
    angles, frames = _dihedral_test_frames()
    expected = angles  # by construction (j-k along z, k-l turned by phi from i-j, counter-clockwise seen along z)
    answer = dihedral(*(frames[:, a] for a in range(4)))
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    if answer.shape != expected.shape:
        return False, (f"for {len(frames)} frames (arrays of shape {frames[:, 0].shape}) the function returned "
                       f"shape {answer.shape}; it should return one angle per frame, shape ({len(frames)},)")
    if not np.all(np.isfinite(answer)):
        return False, "some angles are NaN or infinite: check the normalisation of the plane normals"

    def close(a, b):
        return np.allclose(a, b, atol=1e-6)

    if close(answer, expected):
        return True, (f"the eight test geometries give {np.round(answer).astype(int).tolist()} degrees: signed, so "
                      "the two mirror-image gauche forms (+60 and -60) are told apart.")
    if close(answer, np.radians(expected)):
        return False, "those are radians; return degrees (np.degrees)"
    if close(answer, np.abs(expected)):
        return False, ("the angles have the right size but no sign (arccos of the normals' dot product gives 0 to "
                       "180 only): +60 and -60, the two mirror-image gauche forms, come out equal. Use "
                       "np.arctan2(y, x) with y from a cross product to get the sign")
    if close(answer, -expected):
        return False, ("the sign is reversed: with b1 = p1 - p0, b2 = p2 - p1, b3 = p3 - p2, the angle is "
                       "atan2(|b2| b1 . (b2 x b3), (b1 x b2) . (b2 x b3))")
    if close(np.mod(answer, 360.0), np.mod(expected, 360.0)):
        return False, "right modulo 360, but return angles in [-180, 180] (np.arctan2 does), not 0 to 360"
    k = int(np.argmax(np.abs(answer - expected)))
    return False, (f"for a geometry with dihedral {expected[k]:.1f} degrees the function gives {answer[k]:.1f}; "
                   "check which atoms span each plane (p0, p1, p2) and (p1, p2, p3)")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 4: the polarizability by finite differences of the dipole
# ----------------------------------------------------------------------------------------------------------------


def _linear_dipole(field):
    """A test dipole mu(F) = mu0 + alpha F + beta F^2 (component-wise), with a known alpha."""
    field = np.asarray(field, dtype=float)
    return np.array([0.3, -0.1, 0.2]) + _TEST_ALPHA @ field + 0.05 * field**2


_TEST_ALPHA = np.array([[0.16, 0.01, -0.02], [0.01, 0.14, 0.03], [-0.02, 0.03, 0.15]])


@checker("the polarizability by finite differences of the dipole")
def check_nb07_polarizability(finite_difference_polarizability):
    """``finite_difference_polarizability(dipole, h)`` must return the (3, 3) matrix ``alpha[:, k] =
    (dipole(h e_k) - dipole(-h e_k)) / (2 h)`` for a function ``dipole(field)`` of a (3,) field."""
    if is_placeholder(finite_difference_polarizability):
        raise NotImplementedError
    if not callable(finite_difference_polarizability):
        return False, ("finite_difference_polarizability must be a function of (dipole, h), got "
                       f"{type(finite_difference_polarizability).__name__}")
    answer = finite_difference_polarizability(_linear_dipole, 1e-3)
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    if answer.shape != (3, 3):
        return False, f"the polarizability is a 3 x 3 matrix, got shape {answer.shape}"
    if np.allclose(answer, -_TEST_ALPHA, atol=1e-6):
        return False, "the sign is wrong: alpha = +d(mu)/dF (the dipole grows along the field)"
    if np.allclose(answer, 2 * _TEST_ALPHA, atol=1e-6):
        return False, "twice too large: a central difference divides by 2 h, the distance between -h and +h"
    if not np.allclose(answer, _TEST_ALPHA, atol=1e-6):
        return False, ("for a test dipole with a known polarizability the result is off by up to "
                       f"{np.abs(answer - _TEST_ALPHA).max():.2e}; column k is (mu(+h e_k) - mu(-h e_k)) / (2 h)")
    return True, "right: a central difference of the dipole in the field, column by column"
