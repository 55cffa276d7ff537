"""The checks of notebook 01: right answers pass, typical mistakes fail with a helpful message, placeholders and
broken answers give feedback instead of exceptions."""

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, cross_val_score, train_test_split
from sklearn.preprocessing import StandardScaler

from course_utils import exercises
from course_utils.exercises import nb01
from course_utils.onedim import datasets, potentials

SEED = 0


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    # As in the notebook: small matrices are much faster with one BLAS thread.
    from course_utils.threads import one_blas_thread

    with one_blas_thread():
        yield


@pytest.fixture(scope="module")
def wells():
    data = datasets.load_wells()
    idx_train, idx_test = train_test_split(np.arange(len(data["energy"])), test_size=0.2, random_state=SEED)
    return data, idx_train, idx_test


@pytest.fixture(scope="module")
def cv_data(wells):
    data, idx_train, _ = wells
    return data["potential"][idx_train][400:700], data["energy"][idx_train][400:700]


def kernel_ridge(**params):
    return TransformedTargetRegressor(KernelRidge(kernel="rbf", **params), transformer=StandardScaler())


def search_over(grid, X, y, **options):
    options.setdefault("scoring", "neg_mean_absolute_error")
    return GridSearchCV(kernel_ridge(), grid, cv=KFold(5, shuffle=True, random_state=SEED), **options).fit(X, y)


# ------------------------------------------------------------------------------------------ the data set itself
def test_wells_data_set_is_reproducible_and_physical(wells):
    data, _, _ = wells
    assert data["potential"].shape == (3000, 64) and data["energy"].shape == (3000,)
    rows = np.array([0, 1234, 2999])
    fresh = datasets.WELLS.build(datasets.WELLS.params, rows)
    assert np.allclose(fresh["energy"], data["energy"][rows], rtol=0, atol=1e-12)
    # two electrons: the density integrates to 2; the energy lies above twice the potential minimum
    dx = data["x"][1] - data["x"][0]
    assert np.allclose(data["density"].sum(axis=1) * dx, 2.0, atol=1e-5)
    assert np.all(data["energy"] > 2 * data["potential"].min(axis=1))


def test_random_wells_depend_only_on_seed_and_index():
    both = datasets.wells_parameters([3, 7], seed=5)
    assert np.array_equal(both[1], datasets.wells_parameters([7], seed=5)[0])
    assert not np.array_equal(both[0], datasets.wells_parameters([3], seed=6)[0])
    deep = datasets.wells_parameters(range(50), depth=(1.5, 2.5))
    assert deep[:, :, 0].min() >= 1.5 and deep[:, :, 0].max() <= 2.5
    with pytest.raises(ValueError, match="width"):
        datasets.wells_parameters([0], width=(-1.0, 1.0))
    with pytest.raises(ValueError, match="shape"):
        potentials.gaussian_wells(np.linspace(0, 1, 5), np.ones((2, 3, 2)))


def test_first_order_energy_bounds_the_interacting_energy(wells):
    data, _, _ = wells
    from course_utils.onedim import interactions

    x, dx = data["x"], data["x"][1] - data["x"][0]
    energy, density = datasets.interacting_energies(x, data["potential"][:3])
    w = interactions.soft_coulomb().matrix(x)
    n0 = data["density"][:3].astype(float)
    first_order = data["energy"][:3] + 0.25 * np.einsum("mi,ij,mj->m", n0, w, n0) * dx**2
    assert np.all(first_order >= energy - 1e-6)  # variational principle
    assert np.allclose(density.sum(axis=1) * dx, 2.0, atol=1e-6)


# ------------------------------------------------------------------------------------------ exercise 1: grid search
def test_search_right_answer_passes(cv_data):
    X, y = cv_data
    grid = {"regressor__alpha": [1e-10, 1e-8, 1e-6, 1e-4, 1e-2], "regressor__gamma": [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3]}
    feedback = exercises.check_kernel_ridge_search(search_over(grid, X, y), X, y, seed=SEED)
    assert feedback.passed, feedback.message


def test_search_on_the_edge_of_the_grid_fails(cv_data):
    X, y = cv_data
    narrow = {"regressor__alpha": [1e-6, 1e-4, 1e-2], "regressor__gamma": [1e-4, 3e-4, 1e-3]}
    feedback = exercises.check_kernel_ridge_search(search_over(narrow, X, y), X, y, seed=SEED)
    assert not feedback.passed and "edge" in feedback.message and "gamma" in feedback.message


def test_search_typical_mistakes(cv_data):
    X, y = cv_data
    grid = {"regressor__alpha": [1e-8, 1e-6, 1e-4], "regressor__gamma": [1e-2, 3e-2, 0.1]}
    r2 = exercises.check_kernel_ridge_search(search_over(grid, X, y, scoring=None), X, y)
    assert not r2.passed and "R²" in r2.message
    unfitted = GridSearchCV(kernel_ridge(), grid, scoring="neg_mean_absolute_error")
    assert "not been fitted" in exercises.check_kernel_ridge_search(unfitted, X, y).message
    assert "GridSearchCV" in exercises.check_kernel_ridge_search(kernel_ridge(), X, y).message
    two_folds = GridSearchCV(kernel_ridge(), grid, cv=2, scoring="neg_mean_absolute_error").fit(X, y)
    assert "folds" in exercises.check_kernel_ridge_search(two_folds, X, y).message
    other_data = search_over(grid, X[:40], y[:40])
    feedback = exercises.check_kernel_ridge_search(other_data, X, y)
    assert not feedback.passed and "X_cv" in feedback.message


def test_search_placeholder_gives_feedback(cv_data):
    X, y = cv_data
    feedback = exercises.check_kernel_ridge_search(..., X, y)
    assert not feedback.passed and "placeholder" in feedback.message


# ------------------------------------------------------------------------------------------ exercise 2: PCA
@pytest.fixture(scope="module")
def densities(wells):
    data, idx_train, idx_test = wells
    density = data["density"].astype(float)
    return density[idx_train], density[idx_test]


def smallest_k(train, test):
    for k in range(1, 30):
        if nb01.pca_reconstruction_rmse(k, train, test) < 1e-3:
            return k
    raise AssertionError("no k found")


def test_pca_right_answer_passes_and_neighbours_fail(densities):
    train, test = densities
    k = smallest_k(train, test)
    assert 3 <= k <= 9
    assert exercises.check_pca_components(k, train, test).passed
    assert "count from 0" in exercises.check_pca_components(k - 1, train, test).message
    assert "smallest" in exercises.check_pca_components(k + 2, train, test).message
    assert "above the tolerance" in exercises.check_pca_components(1, train, test).message


def test_pca_wrong_types_give_feedback(densities):
    train, test = densities
    assert "whole number" in exercises.check_pca_components(4.0, train, test).message
    assert "placeholder" in exercises.check_pca_components(..., train, test).message
    assert "at least one" in exercises.check_pca_components(0, train, test).message


# ------------------------------------------------------------------------------------------ exercise 3: the leak
@pytest.fixture(scope="module")
def grouped_data(wells):
    # As in the notebook: 40 systems, each five times with its wells perturbed by about 2%.
    data, _, _ = wells
    x = data["x"]
    variants = np.repeat(datasets.wells_parameters(range(40), seed=SEED + 2), 5, axis=0)
    rng = np.random.default_rng(SEED)
    variants[..., 0] *= 1 + 0.02 * rng.standard_normal(variants[..., 0].shape)
    variants[..., 2] += 0.02 * rng.standard_normal(variants[..., 2].shape)
    X = potentials.gaussian_wells(x, variants)
    return X, datasets.solve_wells(x, X).energy, np.repeat(np.arange(40), 5)


def grouped_model():
    return kernel_ridge(alpha=1e-6, gamma=3e-2)


def cv_values(X, y, groups):
    leaky = cross_val_score(grouped_model(), X, y, cv=KFold(5, shuffle=True, random_state=SEED),
                            scoring="neg_mean_absolute_error")
    grouped = cross_val_score(grouped_model(), X, y, cv=GroupKFold(5), groups=groups, scoring="neg_mean_absolute_error")
    return -leaky.mean() * 1000, -grouped.mean() * 1000


def test_grouped_right_answer_passes_and_the_leak_is_large(grouped_data):
    X, y, groups = grouped_data
    leaky, grouped = cv_values(X, y, groups)
    assert grouped > 5 * leaky, "the exercise needs a leak with a visible effect"
    feedback = exercises.check_grouped_cv(leaky, grouped, grouped_model(), X, y, groups, seed=SEED)
    assert feedback.passed, feedback.message
    assert "times more" in feedback.message


def test_grouped_typical_mistakes(grouped_data):
    X, y, groups = grouped_data
    leaky, grouped = cv_values(X, y, groups)
    model = grouped_model()

    def message(leaky_value, grouped_value, **kwargs):
        feedback = exercises.check_grouped_cv(leaky_value, grouped_value, kwargs.get("model", model), X, y,
                                              kwargs.get("groups", groups), seed=SEED)
        assert not feedback.passed
        return feedback.message

    assert "sign" in message(-leaky, grouped)
    assert "sign" in message(leaky, -grouped)
    assert "in Ha" in message(leaky / 1000, grouped)
    assert "in Ha" in message(leaky, grouped / 1000)
    assert "grouped number" in message(grouped, grouped)
    assert "still split the systems" in message(leaky, leaky)
    plain = -cross_val_score(model, X, y, cv=KFold(5), scoring="neg_mean_absolute_error").mean() * 1000
    assert "without shuffling" in message(leaky, plain)
    assert "expected" in message(2 * leaky, grouped)
    assert "expected" in message(leaky, 2 * grouped)
    assert "must be a number" in message("1.0", grouped)
    assert "regressor" in message(leaky, grouped, model=42)
    assert "one system index" in message(leaky, grouped, groups=groups[:10])
    placeholder = exercises.check_grouped_cv(..., ..., model, X, y, groups)
    assert not placeholder.passed and "placeholder" in placeholder.message


# ------------------------------------------------------------------------------------------ exercise 4: Keras
class FakeModel:
    """Stands in for a Keras model (predict + count_params), so these tests need no TensorFlow."""

    def __init__(self, predictions, n_params=3000):
        self.predictions, self.n_params = np.asarray(predictions), n_params

    def predict(self, X, verbose=0):
        return self.predictions[: len(X)]

    def count_params(self):
        return self.n_params


@pytest.fixture(scope="module")
def val_data(wells):
    data, idx_train, _ = wells
    X_train, y_train = data["potential"][idx_train], data["energy"][idx_train]
    _, X_val, _, y_val = train_test_split(X_train, y_train, test_size=0.2, random_state=SEED)
    return X_val, y_val


def test_keras_good_model_passes(val_data):
    X, y = val_data
    noise = np.random.default_rng(1).normal(0, 0.01, y.size)  # ~8 mHa
    feedback = exercises.check_keras_energy_model(FakeModel((y + noise)[:, None]), X, y)
    assert feedback.passed, feedback.message


def test_keras_typical_mistakes(val_data):
    X, y = val_data
    good = y + np.random.default_rng(1).normal(0, 0.01, y.size)
    assert "parameters" in exercises.check_keras_energy_model(FakeModel(good, n_params=20000), X, y).message
    standardised = (good - y.mean()) / y.std()
    assert "standardised" in exercises.check_keras_energy_model(FakeModel(standardised), X, y).message
    assert "mHa" in exercises.check_keras_energy_model(FakeModel(good * 1000), X, y).message
    constant = np.full(y.size, y.mean()) + 1e-4 * np.arange(y.size) / y.size
    assert "not learned" in exercises.check_keras_energy_model(FakeModel(constant), X, y).message
    assert "one energy" in exercises.check_keras_energy_model(FakeModel(np.zeros((y.size, 3))), X, y).message
    nan = good.copy()
    nan[0] = np.nan
    assert "NaN" in exercises.check_keras_energy_model(FakeModel(nan), X, y).message
    rough = y + np.random.default_rng(2).normal(0, 0.2, y.size)
    assert "below 30 mHa" in exercises.check_keras_energy_model(FakeModel(rough), X, y).message
    assert "Keras model" in exercises.check_keras_energy_model(42, X, y).message
    assert "placeholder" in exercises.check_keras_energy_model(..., X, y).message
