"""Figures and measured values of deck 01 (ML concepts): learning curves for the energy of electrons in 1D wells.

The same recipe as section 10 of the notebook: the shipped ``wells_1d`` data, the same seeded split, kernel ridge
hyperparameters chosen by the same 5-fold grid search on 400 samples, the same three model families and sizes.
"""

from __future__ import annotations

import functools

import numpy as np

SEED = 0
SIZES = np.array([25, 50, 100, 200, 400, 800, 1600, 2400])


@functools.cache
def _split():
    from sklearn.model_selection import train_test_split

    from course_utils.onedim import datasets

    wells = datasets.load_wells()
    X, y = wells["potential"], wells["energy"]
    idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=SEED)
    return X[idx_train], X[idx_test], y[idx_train], y[idx_test]


@functools.cache
def _curves() -> dict[str, np.ndarray]:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    X_train, X_test, y_train, y_test = _split()
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: one thread is faster
        search = GridSearchCV(
            Pipeline([("scale", StandardScaler()),
                      ("krr", TransformedTargetRegressor(KernelRidge(kernel="rbf"), transformer=StandardScaler()))]),
            {"scale": [StandardScaler(), "passthrough"], "krr__regressor__alpha": [1e-10, 1e-8, 1e-6, 1e-4, 1e-1],
             "krr__regressor__gamma": [1e-3, 1e-2, 3e-2, 1e-1]},
            cv=KFold(n_splits=5, shuffle=True, random_state=SEED), scoring="neg_mean_absolute_error",
        ).fit(X_train[:400], y_train[:400])
        best = search.best_params_
        families = {
            "ridge regression": lambda: RidgeCV(alphas=np.logspace(-6, 2, 17)),
            "kernel ridge regression": lambda: TransformedTargetRegressor(
                KernelRidge(kernel="rbf", alpha=best["krr__regressor__alpha"], gamma=best["krr__regressor__gamma"]),
                transformer=StandardScaler()),
            "random forest": lambda: RandomForestRegressor(n_estimators=50, max_features=1 / 3, random_state=SEED,
                                                           n_jobs=2),
        }
        curves = {name: np.array([np.mean(np.abs(make().fit(X_train[:m], y_train[:m]).predict(X_test) - y_test))
                                  for m in SIZES]) * 1000.0 for name, make in families.items()}
    mean = DummyRegressor().fit(X_train, y_train).predict(X_test)
    curves["baseline: the mean"] = np.full(len(SIZES), np.mean(np.abs(mean - y_test)) * 1000.0)
    return curves


def learning_curves():
    import matplotlib.pyplot as plt

    from course_utils import units

    curves = _curves()
    fig, ax = plt.subplots(figsize=(8.8, 4.8))
    for (name, values), marker in zip(list(curves.items())[:3], "osD", strict=True):
        ax.loglog(SIZES, values, marker + "-", label=name)
    ax.axhline(curves["baseline: the mean"][0], color="0.5", ls="--", label="baseline: the mean")
    ax.axhline(1000.0 / units.HARTREE_TO_KCAL_PER_MOL, color="k", lw=1, label="1 kcal/mol")
    ax.set_xlabel("number of training samples m")
    ax.set_ylabel("test MAE (mHa)")
    ax.set_title("Learning curves for $E_0[v]$ (600 test potentials)")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=13)
    fig.tight_layout()
    return fig


def _slope(name: str) -> float:
    return float(np.polyfit(np.log(SIZES[3:]), np.log(_curves()[name][3:]), 1)[0])


def _data_size() -> str:
    X_train, X_test, _, _ = _split()
    return f"{len(X_train) + len(X_test)}"


VALUES = {
    "krr_mae": lambda: f"{_curves()['kernel ridge regression'][-1]:.1f}",
    "krr_slope": lambda: f"{_slope('kernel ridge regression'):.2f}",
    "forest_mae": lambda: f"{_curves()['random forest'][-1]:.0f}",
    "ridge_mae": lambda: f"{_curves()['ridge regression'][-1]:.0f}",
    "mean_mae": lambda: f"{_curves()['baseline: the mean'][0]:.0f}",
    "n_samples": _data_size,
    "largest_m": lambda: f"{SIZES[-1]}",
}
FIGURES = {"learning_curves": learning_curves}
