"""Checks for notebook 01 (machine learning: concepts and applications).

Every check recomputes the right answer from the data it is given, so it cannot drift from the notebook, and
recognises the typical mistakes (folds that split near-copies of one system, mHa vs Ha, the sign of scikit-learn's
"neg_" scores, a grid whose best point lies on its edge, a network that predicts standardised energies).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._feedback import checker, is_placeholder

MHA = 1000.0  # Ha -> mHa


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _close(a: float, b: float, rel: float = 2e-3, abs_: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def _kfold(seed: int):
    from sklearn.model_selection import KFold

    return KFold(n_splits=5, shuffle=True, random_state=seed)


def _one_blas_thread():
    """Context manager: one BLAS thread while a check refits small models (much faster than two for matrices of a
    few hundred rows)."""
    from ..threads import one_blas_thread

    return one_blas_thread()


def _cv_mae_mha(estimator, X, y, seed: int) -> float:
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    with _one_blas_thread():
        scores = cross_val_score(clone(estimator), X, y, cv=_kfold(seed), scoring="neg_mean_absolute_error")
    return float(-scores.mean() * MHA)


# --------------------------------------------------------------------------------------------------- exercise 3
def _grouped_mae(estimator, X, y, groups) -> float:
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold, cross_val_score

    with _one_blas_thread():
        scores = cross_val_score(clone(estimator), X, y, cv=GroupKFold(n_splits=5), groups=groups,
                                 scoring="neg_mean_absolute_error")
    return float(-scores.mean() * MHA)


def _plain_kfold_mae_mha(estimator, X, y) -> float:
    from sklearn.base import clone
    from sklearn.model_selection import KFold, cross_val_score

    with _one_blas_thread():
        scores = cross_val_score(clone(estimator), X, y, cv=KFold(n_splits=5), scoring="neg_mean_absolute_error")
    return float(-scores.mean() * MHA)


def _unit_or_sign_slip(value: float, right: float, name: str) -> str | None:
    if _close(-value, right):
        return (f"the sign of `{name}` is off: scikit-learn's 'neg_mean_absolute_error' scores are minus the MAE "
                "(so that larger is better). Use -scores.mean().")
    if _close(value * MHA, right):
        return f"`{name}` is in Ha; the exercise asks for mHa (multiply by 1000)."
    return None


@checker("a leak through near-copies of the same system, and cross-validation by groups")
def check_grouped_cv(leaky_mae, grouped_mae, model, X, y, groups, seed: int = 0):
    """``leaky_mae``: the 5-fold CV MAE (mHa) of ``model`` on ``X, y`` with ``KFold(5, shuffle=True,
    random_state=seed)``, which puts near-copies of one system on both sides of a split; ``grouped_mae``:
    the same with ``GroupKFold(5)`` and ``groups`` (one system index per sample), which keeps every system in one
    fold."""
    if is_placeholder(leaky_mae) or is_placeholder(grouped_mae):
        raise NotImplementedError
    for name, value in (("leaky_mae", leaky_mae), ("grouped_mae", grouped_mae)):
        if not _is_number(value):
            return False, f"`{name}` must be a number (an MAE in mHa), got {type(value).__name__}."
    if not hasattr(model, "fit") or not hasattr(model, "predict"):
        return False, f"`model` must be a scikit-learn regressor, got {type(model).__name__}."
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    if groups.shape != y.shape:
        return False, f"`groups` must give one system index per sample: shape {groups.shape} for {y.size} samples."
    leaky_value, grouped_value = float(leaky_mae), float(grouped_mae)
    leaky = _cv_mae_mha(model, X, y, seed)
    grouped = _grouped_mae(model, X, y, groups)
    if not _close(leaky_value, leaky):
        slip = _unit_or_sign_slip(leaky_value, leaky, "leaky_mae")
        if slip:
            return False, slip
        if _close(leaky_value, grouped):
            return False, ("`leaky_mae` is the grouped number. The leaky one comes from ordinary random "
                           f"folds: cv=KFold(n_splits=5, shuffle=True, random_state={seed}), no groups.")
        return False, (f"`leaky_mae` is {leaky_value:.4g} mHa, expected {leaky:.4g} mHa: use "
                       f"cross_val_score(model, X_groups, y_groups, cv=KFold(n_splits=5, shuffle=True, "
                       f"random_state={seed}), scoring='neg_mean_absolute_error'), then -scores.mean() * 1000.")
    if not _close(grouped_value, grouped):
        slip = _unit_or_sign_slip(grouped_value, grouped, "grouped_mae")
        if slip:
            return False, slip
        if _close(grouped_value, leaky):
            return False, ("`grouped_mae` equals the leaky number: the folds still split the systems. Use "
                           "cv=GroupKFold(n_splits=5) and pass groups=groups to cross_val_score.")
        if _close(grouped_value, _plain_kfold_mae_mha(model, X, y)):
            return False, ("that is KFold without shuffling, which happens to keep neighbouring rows together but "
                           "knows nothing of the systems. Use GroupKFold(n_splits=5) with groups=groups.")
        return False, (f"`grouped_mae` is {grouped_value:.4g} mHa, expected {grouped:.4g} mHa: use "
                       "cross_val_score(model, X_groups, y_groups, groups=groups, cv=GroupKFold(n_splits=5), "
                       "scoring='neg_mean_absolute_error').")
    return True, (f"random folds report {leaky:.2f} mHa, folds by system {grouped:.2f} mHa, {grouped / leaky:.0f} "
                  "times more: with near-copies of each validation system in the training folds, random "
                  "cross-validation measures how well the model interpolates between copies, not how well it "
                  "predicts a new system.")


# --------------------------------------------------------------------------------------------------- exercise 1
def _reference_search_mae(X, y, seed: int) -> float:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import StandardScaler

    model = TransformedTargetRegressor(regressor=KernelRidge(kernel="rbf"), transformer=StandardScaler())
    grid = {"regressor__alpha": [1e-9, 1e-7, 1e-5, 1e-3], "regressor__gamma": [3e-3, 1e-2, 3e-2, 0.1, 0.3]}
    with _one_blas_thread():
        search = GridSearchCV(model, grid, cv=_kfold(seed), scoring="neg_mean_absolute_error").fit(X, y)
    return float(-search.best_score_ * MHA)


def _edge_parameters(search, flat: float = 0.02) -> list[tuple[str, float, str]]:
    """``(name, value, side)`` of each numeric hyperparameter whose best value lies on the edge of the grid while
    the CV error still falls towards that edge by more than ``flat`` (relative)."""
    grid = getattr(search, "param_grid", None)
    if not isinstance(grid, dict):
        return []
    results = search.cv_results_
    best = search.best_params_
    best_score = float(search.best_score_)
    edges = []
    for name, values in grid.items():
        numeric = sorted(v for v in values if _is_number(v))
        value = best.get(name)
        if len(numeric) < 3 or not _is_number(value) or value not in (numeric[0], numeric[-1]):
            continue
        neighbour = numeric[1] if value == numeric[0] else numeric[-2]
        for params, score in zip(results["params"], results["mean_test_score"], strict=True):
            same_others = all(params.get(k) is v or params.get(k) == v for k, v in best.items() if k != name)
            # scores are minus errors: the edge matters only when it is clearly better than its neighbour
            if same_others and params.get(name) == neighbour and best_score - float(score) > flat * abs(best_score):
                edges.append((name, value, "smallest" if value == numeric[0] else "largest"))
    return edges


@checker("hyperparameters of kernel ridge regression chosen by cross-validation")
def check_kernel_ridge_search(search, X, y, seed: int = 0):
    """``search``: a fitted ``GridSearchCV`` (MAE scoring, at least 3 folds) of a kernel ridge model on ``X, y``
    whose best point is not on the edge of its grid and whose CV error is close to a reference search's."""
    if is_placeholder(search):
        raise NotImplementedError
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    if not isinstance(search, (GridSearchCV, RandomizedSearchCV)):
        return False, (f"expected a GridSearchCV object, got {type(search).__name__}. Build "
                       "GridSearchCV(model, param_grid, cv=..., scoring='neg_mean_absolute_error') and call .fit.")
    if not hasattr(search, "best_params_"):
        return False, "the search has not been fitted yet: call search.fit(X_cv, y_cv) before checking."
    if search.scoring not in ("neg_mean_absolute_error",):
        return False, (f"scoring is {search.scoring!r}. Without scoring='neg_mean_absolute_error' GridSearchCV ranks "
                       "by R², not by the error in Ha that we care about.")
    if getattr(search, "n_splits_", 0) < 3:
        return False, f"use at least 3 folds (you used {getattr(search, 'n_splits_', 0)}); 5 is the usual choice."
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if getattr(search.best_estimator_, "n_features_in_", X.shape[1]) != X.shape[1]:
        return False, "the search was fitted on inputs with another number of features than X_cv."
    edges = _edge_parameters(search)
    if edges:
        where = "; ".join(f"the best {name} = {value:g} is the {side} value of your grid"
                          for name, value, side in edges)
        return False, (f"{where}. The CV error still falls towards that edge, so the optimum may lie beyond it: "
                       "extend the grid in that direction (factors of about 3 per step) and search again.")
    mine = _cv_mae_mha(clone(search.best_estimator_), X, y, seed)
    claimed = -float(search.best_score_) * MHA
    if not math.isclose(mine, claimed, rel_tol=0.5):
        return False, (f"the search reports a CV MAE of {claimed:.3g} mHa, but its best model scores {mine:.3g} mHa "
                       "on X_cv, y_cv: fit the search on X_cv and y_cv (the 300 training samples), nothing else.")
    reference = _reference_search_mae(X, y, seed)
    if mine > 1.25 * reference:
        return False, (f"your best model's 5-fold CV MAE is {mine:.2f} mHa, but a search over alpha and gamma can "
                       f"reach {reference:.2f} mHa on the same data. Search a wider range of gamma (the kernel "
                       "width) as well as alpha, with a factor of about 3 between neighbouring values.")
    params = ", ".join(f"{k.split('__')[-1]} = {v:g}" if _is_number(v) else f"{k} = {v}"
                       for k, v in search.best_params_.items())
    return True, (f"best {params}, CV MAE {claimed:.2f} mHa (a reference search reaches {reference:.2f} mHa), and "
                  "the optimum lies inside the grid.")


# --------------------------------------------------------------------------------------------------- exercise 4
KERAS_MAX_PARAMETERS = 5000
KERAS_MAX_MAE_MHA = 30.0
"""The network must beat this validation MAE: well below a random forest trained on all 2400 samples (~40 mHa)."""


@checker("a small Keras network for the ground-state energy")
def check_keras_energy_model(model, X_val, y_val):
    """``model``: a trained Keras model with at most 5000 parameters mapping potentials (M, N) in Ha to energies
    in Ha, with a validation MAE below 30 mHa on ``X_val, y_val``."""
    if is_placeholder(model):
        raise NotImplementedError
    if not (hasattr(model, "predict") and hasattr(model, "count_params")):
        return False, f"expected a Keras model (keras.Sequential or keras.Model), got {type(model).__name__}."
    n_params = int(model.count_params())
    if n_params > KERAS_MAX_PARAMETERS:
        return False, (f"the network has {n_params} parameters; keep it at most {KERAS_MAX_PARAMETERS} "
                       "(e.g. two hidden layers of 32 units) so it trains in seconds.")
    X_val, y_val = np.asarray(X_val, dtype="float32"), np.asarray(y_val, dtype=float)
    raw = np.asarray(model.predict(X_val, verbose=0))
    if raw.size != y_val.size:
        return False, (f"the model returns {raw.shape} for {X_val.shape[0]} potentials; it should give one energy "
                       "per potential (a final Dense(1) layer).")
    pred = raw.reshape(-1).astype(float)
    if not np.all(np.isfinite(pred)):
        return False, "the predictions contain NaN or inf: lower the learning rate, or normalise the inputs."
    mae = float(np.mean(np.abs(pred - y_val)) * MHA)
    if mae <= KERAS_MAX_MAE_MHA:
        return True, f"validation MAE {mae:.1f} mHa with {n_params} parameters."
    spread = float(np.std(pred))
    if spread < 0.05 * float(np.std(y_val)):
        return False, (f"the predictions hardly vary (std {spread:.3g} Ha against {np.std(y_val):.3g} Ha for the "
                       "energies): the network has not learned yet. Did you call model.fit, with enough epochs?")
    corr = float(np.corrcoef(pred, y_val)[0, 1])
    slope, intercept = np.polyfit(pred, y_val, 1)
    if corr > 0.99 and np.mean(np.abs(slope * pred + intercept - y_val)) * MHA <= KERAS_MAX_MAE_MHA:
        if math.isclose(slope, 1 / MHA, rel_tol=0.1):
            return False, "the predictions look like mHa; the model should return energies in Ha."
        return False, (f"the predictions follow the energies (correlation {corr:.4f}) but on another scale "
                       f"(E ≈ {slope:.3g} × prediction + {intercept:.3g} Ha). If you trained on standardised "
                       "energies, convert the predictions back: E = prediction × std + mean.")
    return False, (f"validation MAE {mae:.1f} mHa; it should be below {KERAS_MAX_MAE_MHA:g} mHa. Normalise the "
                   "inputs (a Normalization layer adapted on the training potentials), standardise the energies, "
                   "train for more epochs with early stopping on the validation loss.")


# --------------------------------------------------------------------------------------------------- exercise 2
def pca_reconstruction_rmse(n_components: int, train, test) -> float:
    """RMS error (same unit as the densities) of the test densities rebuilt from ``n_components`` principal
    components fitted on the training densities."""
    from sklearn.decomposition import PCA

    pca = PCA(n_components=n_components).fit(train)
    rebuilt = pca.inverse_transform(pca.transform(test))
    return float(np.sqrt(np.mean((rebuilt - test) ** 2)))


@checker("how many principal components describe the densities")
def check_pca_components(n_components, density_train, density_test, tolerance: float = 1e-3):
    """``n_components``: the smallest number of principal components, fitted on ``density_train``, that rebuild
    ``density_test`` with an RMS error below ``tolerance`` (electrons/bohr)."""
    if is_placeholder(n_components):
        raise NotImplementedError
    if not isinstance(n_components, numbers.Integral) or isinstance(n_components, bool):
        return False, f"the answer must be a whole number of components, got {n_components!r}."
    k = int(n_components)
    train = np.asarray(density_train, dtype=float)
    test = np.asarray(density_test, dtype=float)
    errors = {}
    answer = None
    for j in range(1, min(train.shape) + 1):
        errors[j] = pca_reconstruction_rmse(j, train, test)
        if errors[j] < tolerance:
            answer = j
            break
    if answer is None:
        return False, "no number of components reaches the tolerance on these data; check the inputs."
    if k == answer:
        return True, (f"{k} components rebuild the test densities to {errors[k]:.2g} electrons/bohr RMS "
                      f"({answer - 1} give {errors.get(answer - 1, float('nan')):.2g}): {train.shape[1]} grid values "
                      f"are described by {k} numbers.")
    if k < 1:
        return False, "at least one component is needed."
    if k == answer - 1:
        return False, (f"with {k} components the RMS error is {errors[k]:.2g}, still above {tolerance:g}. Did you "
                       "count from 0? The number of components is the index of the first one that passes plus one.")
    if k > answer:
        return False, (f"{k} components work, but fewer do too: the question asks for the smallest number. "
                       f"Try every k from 1 up and stop at the first with an RMS error below {tolerance:g}.")
    fit_on_test = pca_reconstruction_rmse(k, test, test) if k <= min(test.shape) else math.inf
    if fit_on_test < tolerance:
        return False, (f"with {k} components fitted on the *test* densities the error is small, but PCA must be "
                       "fitted on the training densities only and then applied to the test densities.")
    return False, (f"with {k} components the RMS error on the test densities is {errors.get(k, float('nan')):.2g}, "
                   f"above the tolerance {tolerance:g}. Compute it for each k: fit PCA(k) on the training densities, "
                   "then rebuild the test densities with inverse_transform(transform(...)).")
