"""The dipole-and-polarizability model of notebook 07: covariance, derivatives of one energy, charge, errors."""

import numpy as np
import pytest

from course_utils.learn import field_schnet as fs

Z = np.array([[6, 6, 8, 1, 1, 1, 1, 1, 1]], dtype=np.int32)
R = np.array([[[0.0, 0.0, 0.0], [1.52, 0.0, 0.0], [2.0, 1.35, 0.0], [-0.4, 1.0, 0.1], [-0.4, -0.5, 0.9],
               [-0.4, -0.5, -0.9], [1.9, -0.5, 0.9], [1.9, -0.6, -0.9], [2.95, 1.3, 0.1]]])


@pytest.fixture(scope="module")
def model():
    return fs.build_model(seed=3, dtype="float64")


def _rotation(seed=0):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    return q * np.sign(np.linalg.det(q))


def test_rotating_positions_and_field_rotates_dipole_and_polarizability(model):
    rot = _rotation()
    field = np.array([[0.03, -0.02, 0.05]])
    e, mu, alpha = fs.predict_response(model, Z, R, field)
    e2, mu2, alpha2 = fs.predict_response(model, Z, R @ rot.T + 0.7, field @ rot.T)
    np.testing.assert_allclose(e2, e, atol=1e-12)
    np.testing.assert_allclose(mu2, mu @ rot.T, atol=1e-12)
    np.testing.assert_allclose(alpha2[0], rot @ alpha[0] @ rot.T, atol=1e-12)


def test_dipole_and_polarizability_equal_finite_differences_of_the_energy(model):
    field = np.array([[0.02, 0.01, -0.03]])
    _, mu, alpha = fs.predict_response(model, Z, R, field)
    h = 1e-4
    fd_mu, fd_alpha = np.zeros(3), np.zeros((3, 3))
    for k in range(3):
        step = np.zeros((1, 3))
        step[0, k] = h
        e_plus = fs.predict_response(model, Z, R, field + step)
        e_minus = fs.predict_response(model, Z, R, field - step)
        fd_mu[k] = -(e_plus[0][0] - e_minus[0][0]) / (2 * h)
        fd_alpha[:, k] = (e_plus[1][0] - e_minus[1][0]) / (2 * h)
    np.testing.assert_allclose(mu[0], fd_mu, atol=1e-9)
    np.testing.assert_allclose(alpha[0], fd_alpha, atol=1e-9)
    # and the zero-field dipole and polarizability are the model's mu(R), alpha(R)
    direct_mu, direct_alpha, _ = model.dipole_and_polarizability(Z, R)
    _, mu0, alpha0 = fs.predict_response(model, Z, R)
    np.testing.assert_allclose(mu0, np.asarray(direct_mu), atol=1e-12)
    np.testing.assert_allclose(alpha0, np.asarray(direct_alpha), atol=1e-12)


def test_polarizability_is_symmetric_positive_definite(model):
    _, _, alpha = fs.predict_response(model, Z, R)
    np.testing.assert_allclose(alpha[0], alpha[0].T, atol=1e-14)
    assert np.linalg.eigvalsh(alpha[0]).min() > 0


def test_charges_sum_to_the_total_charge_with_padding():
    charged = fs.build_model(seed=1, dtype="float64", total_charge=-1.0)
    z = np.concatenate([Z, [[0, 0]]], axis=1)
    r = np.concatenate([R, np.zeros((1, 2, 3))], axis=1)
    _, _, q = charged.dipole_and_polarizability(z, r)
    q = np.asarray(q) / charged.dipole_scale
    assert abs(q.sum() + 1.0) < 1e-12 and np.all(q[0, -2:] == 0)
    # padding changes nothing
    mu_pad, alpha_pad, _ = charged.dipole_and_polarizability(z, r)
    mu, alpha, _ = charged.dipole_and_polarizability(Z, R)
    np.testing.assert_allclose(np.asarray(mu_pad), np.asarray(mu), atol=1e-12)
    np.testing.assert_allclose(np.asarray(alpha_pad), np.asarray(alpha), atol=1e-12)


def test_neutral_dipole_does_not_depend_on_the_origin_and_like_atoms_permute(model):
    _, mu, alpha = fs.predict_response(model, Z, R)
    _, mu_shift, _ = fs.predict_response(model, Z, R + np.array([5.0, -3.0, 2.0]))
    np.testing.assert_allclose(mu_shift, mu, atol=1e-12)
    order = np.array([0, 1, 2, 5, 3, 4, 7, 6, 8])  # swap hydrogens of each carbon
    _, mu_p, alpha_p = fs.predict_response(model, Z[:, order], R[:, order])
    np.testing.assert_allclose(mu_p, mu, atol=1e-12)
    np.testing.assert_allclose(alpha_p, alpha, atol=1e-12)


def test_bad_inputs_raise(model):
    with pytest.raises(ValueError, match="batch, atoms"):
        fs.predict_response(model, Z[0], R[0])
    with pytest.raises(ValueError, match="positions must have shape"):
        fs.predict_response(model, Z, R[:, :5])
    with pytest.raises(ValueError, match="field must have shape"):
        fs.predict_response(model, Z, R, np.zeros(3))
    with pytest.raises(ValueError, match="0..max_z"):
        fs.predict_response(model, Z + 20, R)
    with pytest.raises(TypeError, match="integer"):
        fs.predict_response(model, Z.astype(float), R)
    with pytest.raises(TypeError, match="FieldSchNet"):
        fs.predict_response("model", Z, R)
    with pytest.raises(TypeError, match="'field'"):
        model({"numbers": Z, "positions": R})
    with pytest.raises(ValueError, match="n_polarizability_vectors"):
        fs.FieldSchNet(n_polarizability_vectors=0)


def test_config_round_trip(model):
    clone = fs.FieldSchNet.from_config(model.get_config())
    fs._build(clone)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(fs.predict_response(clone, Z, R)[1], fs.predict_response(model, Z, R)[1], atol=1e-12)


def test_dipole_ascent_raises_the_dipole_and_checks_its_arguments(model):
    from course_utils.learn import schnet

    energy_model = schnet.build_model(n_features=8, n_interactions=1, n_rbf=8)
    run = fs.dipole_ascent(energy_model, model, Z[0], R[0], steps=4, step_size=1e-3, record_every=2)
    assert run["positions"].shape == (3, 9, 3) and list(run["step"]) == [0, 2, 4]
    norms = np.linalg.norm(run["dipole"], axis=1)
    assert norms[-1] > norms[0]
    with pytest.raises(ValueError, match="one molecule"):
        fs.dipole_ascent(energy_model, model, Z, R)
    with pytest.raises(TypeError, match="FieldSchNet"):
        fs.dipole_ascent(energy_model, energy_model, Z[0], R[0])
    with pytest.raises(ValueError, match="step_size"):
        fs.dipole_ascent(energy_model, model, Z[0], R[0], step_size=0.0)
