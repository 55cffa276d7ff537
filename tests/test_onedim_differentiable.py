"""The TensorFlow Kohn-Sham solver of notebook 09 against the NumPy one, and its derivatives against finite
differences; the Cohen-Bergstresser silicon gap derivative; argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import ConvergenceError
from course_utils.onedim import differentiable as dft
from course_utils.onedim import kohn_sham, lda, systems
from course_utils.onedim import ks_regularizer as ksr

tf = pytest.importorskip("tensorflow")

GRID = {"n_points": 80, "half_width": 9.0}


@pytest.fixture(scope="module")
def h2():
    return systems.hydrogen_molecule(1.5, **GRID)


@pytest.fixture(scope="module")
def lithium():
    return systems.molecule([0.0], [3.0], "uud", **GRID)


@pytest.fixture(scope="module")
def h2_result(h2):
    return dft.solve(h2, dft.scaled_lda(), tol=1e-11, energy_tol=1e-12)


def test_exchange_quadrature_matches_closed_form():
    n = np.geomspace(1e-6, 4.0, 50)
    e_np, _ = lda.uniform_gas_exchange(n, lda.soft_coulomb(1.0))
    e_tf = dft.exchange_polarised(tf.constant(n)).numpy()
    np.testing.assert_allclose(e_tf, e_np, atol=1e-11, rtol=0)


@pytest.mark.parametrize("name", ["h2", "lithium"])
def test_matches_numpy_solver(name, request):
    system = request.getfixturevalue(name)
    ref = kohn_sham.solve(system, tol=1e-11, energy_tol=1e-12)
    res = dft.solve(system, tol=1e-11, energy_tol=1e-12)
    assert abs(float(res.energy) - ref.energy) < 1e-8
    k = min(len(ref.eigenvalues_up), 3)
    np.testing.assert_allclose(res.eigenvalues_up.numpy()[:k], ref.eigenvalues_up[:k], atol=1e-8)
    np.testing.assert_allclose(res.eigenvalues_down.numpy()[:k], ref.eigenvalues_down[:k], atol=1e-8)
    np.testing.assert_allclose(res.density.numpy(), ref.density, atol=1e-8)
    np.testing.assert_allclose(res.density_up.numpy(), ref.density_up, atol=1e-8)


def test_scaled_lda_numpy_matches_tensorflow(h2, lithium):
    theta = (0.8, 1.3)
    ref = kohn_sham.solve(h2, xc=dft.scaled_lda_numpy(h2, *theta), tol=1e-11, energy_tol=1e-12)
    res = dft.solve(h2, dft.scaled_lda(*theta), tol=1e-11, energy_tol=1e-12)
    assert abs(float(res.energy) - ref.energy) < 1e-8
    np.testing.assert_allclose(res.density.numpy(), ref.density, atol=1e-8)
    with pytest.raises(ValueError, match="n_up == n_down"):
        dft.scaled_lda_numpy(lithium)
    with pytest.raises(TypeError, match="System"):
        dft.scaled_lda_numpy("h2")


def _gap(system, theta):
    return float(dft.solve(system, dft.scaled_lda(*theta), tol=1e-12, energy_tol=1e-13).gap)


@pytest.mark.slow
def test_gap_derivative_three_ways(h2, h2_result):
    response = dft.Response(h2_result)
    jac = dft.xc_potential_jacobian(h2_result)
    w = dft.gap_weights(h2_result)
    forward = np.array([np.sum(w * (jac[p] + response.kernel(response.forward(jac[p])))) * h2.dx
                        for p in range(2)])
    adjoint = dft.xc_vjp(h2_result, response.adjoint(eigen_weight=w))
    h = 1e-4
    fd = np.array([(_gap(h2, 1 + h * np.eye(2)[p]) - _gap(h2, 1 - h * np.eye(2)[p])) / (2 * h) for p in range(2)])
    np.testing.assert_allclose(forward, fd, rtol=1e-6)
    np.testing.assert_allclose(adjoint, forward, rtol=1e-9)
    xc = dft.scaled_lda()
    with tf.GradientTape() as tape:
        res = dft.solve(h2, xc, tol=1e-11, energy_tol=1e-12)
        gap = res.gap_history[-1]
    np.testing.assert_allclose(tape.gradient(gap, xc.params[0]).numpy(), fd, rtol=1e-6)


def test_energy_hellmann_feynman_and_density_response(h2, h2_result):
    hf = dft.xc_energy_gradient(h2_result)
    h = 1e-4
    energies = [float(dft.solve(h2, dft.scaled_lda(1 + s * h, 1.0), tol=1e-12, energy_tol=1e-13).energy)
                for s in (1, -1)]
    assert abs(hf[0] - (energies[0] - energies[1]) / (2 * h)) < 1e-7
    dn = dft.Response(h2_result).forward(dft.xc_potential_jacobian(h2_result)[0])
    plus = dft.solve(h2, dft.scaled_lda(1 + h, 1.0), tol=1e-12, energy_tol=1e-13).density.numpy()
    minus = dft.solve(h2, dft.scaled_lda(1 - h, 1.0), tol=1e-12, energy_tol=1e-13).density.numpy()
    np.testing.assert_allclose(dn[0] + dn[1], (plus - minus) / (2 * h), atol=1e-6)


def test_force_from_external_potential(h2):
    x = tf.constant(h2.x)
    position = tf.Variable(0.75, dtype=tf.float64)
    with tf.GradientTape() as tape:
        v = -1.0 / tf.sqrt((x + 0.75) ** 2 + 1.0) - 1.0 / tf.sqrt((x - position) ** 2 + 1.0)
        res = dft.solve(h2, v_ext=v, tol=1e-11, energy_tol=1e-12)
        energy = res.energy_history[-1] + 1.0 / tf.sqrt((position + 0.75) ** 2 + 1.0)
    grad = float(tape.gradient(energy, position))
    h = 1e-4
    total = [kohn_sham.solve(s, tol=1e-12, energy_tol=1e-13).energy + s.nuclear_repulsion
             for s in (systems.molecule([-0.75, 0.75 + d], [1.0, 1.0], "ud", **GRID) for d in (h, -h))]
    assert abs(grad - (total[0] - total[1]) / (2 * h)) < 1e-6


@pytest.mark.slow
def test_adjoint_of_density_loss_matches_finite_difference(h2, h2_result):
    target = h2_result.density.numpy() * (1 + 0.1 * np.cos(h2.x))
    xc = dft.NeuralXC(hidden=(4,), seed=1)
    xc.params[-2].assign(0.05 * np.ones((4, 1)))
    refs = [{"energy": -2.0, "xc_energy": -0.7, "density_up": 0.5 * target, "density_down": 0.5 * target}]
    loss, grad, _ = ksr.loss_and_gradient(xc, [h2], refs)
    p, k = xc.params[0], (0, 1)
    base = p.numpy()
    values = []
    for s in (1, -1):
        shifted = base.copy()
        shifted[k] += s * 1e-5
        p.assign(shifted)
        values.append(ksr.loss_and_gradient(xc, [h2], refs)[0])
    p.assign(base)
    fd = (values[0] - values[1]) / 2e-5
    assert abs(grad[k[0] * base.shape[1] + k[1]] - fd) < 1e-4 * max(1.0, abs(fd))
    assert np.isfinite(loss)


def test_silicon_gap_derivative_matches_finite_differences():
    from course_utils.atoms import empirical_pseudopotential as epm

    v = tf.Variable(epm.FORM_FACTORS_RY, dtype=tf.float64)
    with tf.GradientTape() as tape:
        gap = epm.indirect_gap(v, max_g2=11)
    grad = tape.gradient(gap, v).numpy()
    h = 1e-5
    fd = [(float(epm.indirect_gap(np.array(epm.FORM_FACTORS_RY) + h * e, max_g2=11))
           - float(epm.indirect_gap(np.array(epm.FORM_FACTORS_RY) - h * e, max_g2=11))) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(grad, fd, rtol=1e-5)
    assert 0.5 < float(gap) < 1.5


def test_argument_checks(h2, h2_result):
    from course_utils.atoms import empirical_pseudopotential as epm

    with pytest.raises(TypeError, match="System"):
        dft.solve("h2")
    with pytest.raises(TypeError, match="LocalXC"):
        dft.solve(h2, xc="lda")
    with pytest.raises(ValueError, match="mixing"):
        dft.solve(h2, mixing=0.0)
    with pytest.raises(ValueError, match="v_ext"):
        dft.solve(h2, v_ext=np.zeros(3))
    with pytest.raises(ValueError, match="method"):
        dft.solve(h2, method="broyden")
    with pytest.raises(ConvergenceError):
        dft.solve(h2, max_iterations=2)
    with pytest.raises(TypeError, match="callable"):
        dft.LocalXC(3.0, [])
    with pytest.raises(ValueError, match="at least one"):
        dft.NeuralXC(hidden=())
    with pytest.raises(ValueError, match="expected"):
        dft.NeuralXC(hidden=(2,)).set_weights([np.zeros(1)])
    with pytest.raises(ValueError, match="shape"):
        xc = dft.NeuralXC(hidden=(2,))
        xc.set_weights([np.zeros((3, 3))] * len(xc.params))
    with pytest.raises(TypeError, match="DifferentiableResult"):
        dft.Response(None)
    with pytest.raises(ValueError, match="systems"):
        ksr.loss_and_gradient(dft.scaled_lda(), [h2], [])
    with pytest.raises(ValueError, match="name"):
        ksr.system("H7")
    with pytest.raises(ValueError, match="k_points"):
        epm.bands(np.zeros((2, 2)), epm.FORM_FACTORS_RY)
    with pytest.raises(ValueError, match="form_factors"):
        epm.bands(np.zeros((1, 3)), [1.0, 2.0])
    with pytest.raises(ValueError, match="n_bands"):
        epm.bands(np.zeros((1, 3)), epm.FORM_FACTORS_RY, max_g2=3, n_bands=100)


def test_import_stays_free_of_tensorflow():
    import subprocess
    import sys

    code = ("import sys, course_utils; from course_utils import onedim; onedim.differentiable; "
            "onedim.ks_regularizer; print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
