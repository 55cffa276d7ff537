# Solution to notebook 01, exercise 1 (check: exercises.check_kernel_ridge_search(my_search, X_cv, y_cv, seed=SEED))
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.preprocessing import StandardScaler

from course_utils.onedim import datasets

SEED = 0
wells = datasets.load_wells()
X, y = wells["potential"], wells["energy"]
idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=SEED)
X_cv, y_cv = X[idx_train][400:700], y[idx_train][400:700]

kernel_ridge = TransformedTargetRegressor(KernelRidge(kernel="rbf"), transformer=StandardScaler())
# The best gamma of the starting grid was its largest value (1e-3, a very wide kernel): extend gamma upwards,
# and alpha downwards, in steps of about 3, until the best point is surrounded by worse ones.
param_grid = {"regressor__alpha": [1e-10, 1e-8, 1e-6, 1e-4, 1e-2],
              "regressor__gamma": [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]}
my_search = GridSearchCV(kernel_ridge, param_grid, cv=KFold(n_splits=5, shuffle=True, random_state=SEED),
                         scoring="neg_mean_absolute_error")
my_search.fit(X_cv, y_cv)
print(f"best: {my_search.best_params_}, CV MAE {-my_search.best_score_ * 1000:.2f} mHa")
