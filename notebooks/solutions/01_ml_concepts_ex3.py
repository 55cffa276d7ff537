# Solution to notebook 01, exercise 3 (check: exercises.check_leak_free_cv(pipeline, cv_mae_mha, X_200, y_200))
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_utils.onedim import datasets

SEED = 0
wells = datasets.load_wells()
X, y = wells["potential"], wells["energy"]
idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=0.2, random_state=SEED)
X_200, y_200 = X[idx_train][:200], y[idx_train][:200]
cv = KFold(n_splits=5, shuffle=True, random_state=SEED)
standard_krr = TransformedTargetRegressor(KernelRidge(kernel="rbf", alpha=1e-6, gamma=1e-2),
                                          transformer=StandardScaler())

# The scaler is a step of the pipeline: cross_val_score refits it on the four training folds of every round.
pipeline = make_pipeline(StandardScaler(), standard_krr)
scores = cross_val_score(pipeline, X_200, y_200, cv=cv, scoring="neg_mean_absolute_error")
cv_mae_mha = -scores.mean() * 1000  # scikit-learn's scores are minus the MAE, in Ha
print(f"honest 5-fold CV MAE: {cv_mae_mha:.2f} mHa")
