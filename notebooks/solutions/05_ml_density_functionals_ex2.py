# Solution to notebook 05, exercise 2 (check: exercises.check_projection_rank(errors, l_best, l_useless, model=model))
import numpy as np

from course_utils.learn import kernels
from course_utils.onedim import datasets

# the objects of section 3, rebuilt as the notebook builds them (the box data are prefix-consistent in the seed)
train_box = datasets.box_data(100, seed=2012, max_electrons=1)
test_box = datasets.box_data(4, seed=1, max_electrons=1)
dx = train_box["dx"]
model = kernels.KernelFunctionalCV().fit(train_box["density"][0], train_box["kinetic"][0])
n_test = test_box["density"][0, 3]
exact_derivative = test_box["eigenvalues"][3, 0] - test_box["v_ext"][3]  # mu - v, mu = eps_1 for N = 1
m_near = 30

g = exact_derivative - exact_derivative.mean()  # defined only up to a constant at fixed N
ml_derivative = model.gradient(n_test) / dx
errors = []
for l in range(1, 16):
    basis = kernels.local_pca_basis(n_test, model.X_fit_, m=m_near, l=l)
    errors.append(np.sqrt(np.mean((kernels.project(ml_derivative, basis) - g) ** 2)) / np.sqrt(np.mean(g**2)))
errors = np.array(errors)
l_best = int(np.argmin(errors)) + 1
l_useless = int(np.flatnonzero(errors > 1)[0]) + 1
print("e(l), l = 1..15:", np.round(errors, 2))
print(f"smallest at l = {l_best}; worse than no derivative at all from l = {l_useless}")
