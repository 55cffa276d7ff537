"""Checks of notebook 07's exercises: placeholders and typical mistakes fail with an explanation, the right
answers pass."""

from pathlib import Path

import numpy as np

from course_utils import exercises

ROOT_SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def test_cosine_cutoff_check():
    check = exercises.check_nb07_cosine_cutoff

    def placeholder(r, cutoff):
        ...

    assert not check(placeholder) and "placeholder" in check(placeholder).message
    assert not check(...)
    assert not check(3.0)
    right = check(lambda r, c: np.where(r < c, 0.5 * (np.cos(np.pi * r / c) + 1), 0.0))
    assert right, right.message
    periodic = check(lambda r, c: 0.5 * (np.cos(np.pi * r / c) + 1))
    assert not periodic and "rises again" in periodic.message
    assert "1/2 is missing" in check(lambda r, c: np.where(r < c, np.cos(np.pi * r / c) + 1, 0.0)).message
    assert "factor pi" in check(lambda r, c: np.where(r < c, 0.5 * (np.cos(r / c) + 1), 0.0)).message
    assert "jumps" in check(lambda r, c: np.where(r < c, np.cos(np.pi * r / c), 0.0)).message
    assert "same shape" in check(lambda r, c: 1.0).message


def test_energy_drift_check():
    check = exercises.check_nb07_energy_drift
    right = check(lambda t, e: np.polyfit(t, e, 1)[0] * 1000)
    assert right, right.message
    assert "per fs" in check(lambda t, e: np.polyfit(t, e, 1)[0]).message
    assert "last - first" in check(lambda t, e: (e[-1] - e[0]) / (t[-1] - t[0]) * 1000).message
    assert "sign" in check(lambda t, e: -np.polyfit(t, e, 1)[0] * 1000).message
    assert not check(lambda t, e: np.zeros(2))
    assert not check(lambda t, e: None) and "placeholder" in check(lambda t, e: None).message
    assert not check("drift")


def test_dihedral_check():
    check = exercises.check_nb07_dihedral

    def signed(p0, p1, p2, p3):
        b1, b2, b3 = p1 - p0, p2 - p1, p3 - p2
        n1, n2 = np.cross(b1, b2), np.cross(b2, b3)
        return np.degrees(np.arctan2(np.linalg.norm(b2, axis=-1) * np.sum(b1 * n2, axis=-1), np.sum(n1 * n2, -1)))

    def unsigned(*p):
        return np.abs(signed(*p))

    right = check(signed)
    assert right, right.message
    assert "radians" in check(lambda *p: np.radians(signed(*p))).message
    assert "no sign" in check(unsigned).message
    assert "reversed" in check(lambda *p: -signed(*p)).message
    assert "modulo 360" in check(lambda *p: np.mod(signed(*p), 360.0)).message
    assert "shape" in check(lambda *p: signed(*p)[:3]).message
    assert "which atoms" in check(lambda p0, p1, p2, p3: signed(p1, p0, p2, p3)).message
    assert not check(lambda *p: None) and "placeholder" in check(lambda *p: None).message
    assert not check(42)


def test_dihedral_check_agrees_with_course_utils():
    from course_utils.atoms.md import dihedral_angles
    from course_utils.exercises import nb07

    angles, frames = nb07._dihedral_test_frames()
    assert np.allclose(dihedral_angles(frames, (0, 1, 2, 3)), angles, atol=1e-9)


def test_polarizability_check():
    namespace = {}
    exec((ROOT_SOLUTIONS / "07_schnet_ex4.py").read_text(), namespace)
    right = namespace["finite_difference_polarizability"]
    assert exercises.check_nb07_polarizability(right).passed
    assert not exercises.check_nb07_polarizability(lambda d, h: -right(d, h)).passed
    assert not exercises.check_nb07_polarizability(lambda d, h: 2 * right(d, h)).passed
    assert not exercises.check_nb07_polarizability(lambda d, h: np.zeros(3)).passed
    assert not exercises.check_nb07_polarizability(lambda d, h: ...).passed
