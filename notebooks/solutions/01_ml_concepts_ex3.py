# Notebook 01, ex 3 (check: exercises.check_grouped_cv(leaky_mae, grouped_mae, group_model, X_groups, y_groups, groups))
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import GroupKFold, KFold, cross_val_score
from sklearn.preprocessing import StandardScaler

from course_utils.onedim import datasets, potentials

SEED = 0
x = datasets.load_wells()["x"]
# The data of the exercise, as the notebook builds them: 40 systems, each five times with its wells perturbed.
variants = np.repeat(datasets.wells_parameters(range(40), seed=SEED + 2), 5, axis=0)
jitter = np.random.default_rng(SEED)
variants[..., 0] *= 1 + 0.02 * jitter.standard_normal(variants[..., 0].shape)  # depths, about 2%
variants[..., 2] += 0.02 * jitter.standard_normal(variants[..., 2].shape)  # centres, about 0.02 bohr
X_groups = potentials.gaussian_wells(x, variants)
y_groups = datasets.solve_wells(x, X_groups).energy
groups = np.repeat(np.arange(40), 5)  # which system each sample is a copy of
group_model = TransformedTargetRegressor(KernelRidge(kernel="rbf", alpha=1e-6, gamma=3e-2),
                                         transformer=StandardScaler())

# Random folds: four of the five copies of a validation system sit in the training folds.
leaky_scores = cross_val_score(group_model, X_groups, y_groups, cv=KFold(n_splits=5, shuffle=True, random_state=SEED),
                               scoring="neg_mean_absolute_error")
# Folds by system: every copy of a system is in the same fold, so validation systems are new to the model.
grouped_scores = cross_val_score(group_model, X_groups, y_groups, groups=groups, cv=GroupKFold(n_splits=5),
                                 scoring="neg_mean_absolute_error")
leaky_mae = -leaky_scores.mean() * 1000  # mHa
grouped_mae = -grouped_scores.mean() * 1000  # mHa
print(f"random folds: {leaky_mae:.1f} mHa; folds by system: {grouped_mae:.1f} mHa")
