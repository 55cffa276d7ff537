# Solution to notebook 06, exercise 2 (check: exercises.check_nb06_split(train_idx, val_idx, test_idx, train_n, arrays))
import numpy as np

from course_utils.onedim import datasets

arrays = datasets.load_xc_data(progress=False)  # as in the notebook
rng = np.random.default_rng(1)

wells = np.flatnonzero(arrays["family"] == 0)  # only the training family; 'double' and 'shallow' stay out
shuffled = rng.permutation(wells)
n_train, n_val = round(0.7 * wells.size), round(0.15 * wells.size)
train_idx = shuffled[:n_train]
val_idx = shuffled[n_train:n_train + n_val]
test_idx = shuffled[n_train + n_val:]

# augment after the split, and the training set only
train_n = np.concatenate([arrays["density"][train_idx], arrays["density"][train_idx][:, ::-1]])
print(len(train_idx), len(val_idx), len(test_idx), train_n.shape)
