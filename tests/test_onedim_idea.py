"""Cross-checks of course_utils.onedim against the iDEA code on the same grid, interaction and stencil."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from course_utils import onedim

iDEA = pytest.importorskip("iDEA", reason="iDEA (pip install idea-latest) is not installed; cross-checks skipped")


def _quiet(function, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def _pair(n_points, half_width, charge, electrons):
    x = np.linspace(-half_width, half_width, n_points)
    v_ext = -charge / (np.abs(x) + 1.0)
    # boundary="truncate" closes the 13-point stencil at the walls as iDEA does: the same matrix
    ours = onedim.System(x, v_ext, onedim.interactions.idea_softened(1.0), electrons, boundary="truncate")
    theirs = iDEA.system.System(x, v_ext, iDEA.interactions.softened_interaction(x), electrons)
    return ours, theirs


def test_kinetic_operator_matches_idea():
    ours, theirs = _pair(40, 8.0, 2.0, "ud")
    k_theirs = iDEA.methods.non_interacting.kinetic_energy_operator(theirs)
    np.testing.assert_allclose(ours.kinetic_matrix(), k_theirs, rtol=1e-13, atol=1e-12)
    reflected = onedim.System(ours.x, ours.v_ext, None, "ud").kinetic_matrix()
    # the default closure differs only in the corners, next to the walls
    np.testing.assert_allclose(reflected[6:-6, :], k_theirs[6:-6, :], rtol=1e-13, atol=1e-12)
    assert np.max(np.abs(reflected - k_theirs)) > 1e-3


@pytest.mark.parametrize("electrons, k", [("ud", 0), ("ud", 1), ("uu", 0)])
def test_two_electron_energies_match_idea(electrons, k):
    ours, theirs = _pair(60, 10.0, 2.0, electrons)
    reference = _quiet(iDEA.methods.interacting.solve, theirs, k=k)
    result = onedim.exact.solve(ours, k, tol=1e-9)
    assert result.energy == pytest.approx(reference.energy, abs=1e-6)
    n_theirs = iDEA.observables.density(theirs, state=reference)
    np.testing.assert_allclose(result.density, n_theirs, atol=1e-5)


def test_three_electron_energy_matches_idea():
    ours, theirs = _pair(20, 6.0, 3.0, "uud")
    reference = _quiet(iDEA.methods.interacting.solve, theirs, k=0)
    result = onedim.exact.solve(ours, tol=1e-9)
    assert result.energy == pytest.approx(reference.energy, abs=1e-6)
    n_theirs = iDEA.observables.density(theirs, state=reference)
    np.testing.assert_allclose(result.density, n_theirs, atol=1e-5)


def test_lda_matches_idea():
    ours, theirs = _pair(60, 10.0, 2.0, "ud")  # iDEA's LDA loop is slow in pure Python: keep the grid small
    reference = _quiet(iDEA.methods.lda.solve, theirs, tol=1e-8, silent=True)
    energy = iDEA.methods.lda.total_energy(theirs, reference)
    result = onedim.kohn_sham.solve(ours, xc="lda")
    assert result.xc == "lda_entwistle"
    assert result.energy == pytest.approx(energy, abs=1e-6)
    np.testing.assert_allclose(result.density, iDEA.observables.density(theirs, state=reference), atol=1e-6)
