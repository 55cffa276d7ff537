# Solution to notebook 06, exercise 3 (check: exercises.check_nb06_features(semilocal_features, densities, dx))
import numpy as np

from course_utils.onedim import datasets


def semilocal_features(density, dx):
    n = np.asarray(density, dtype=float)
    padded = np.pad(n, [(0, 0)] * (n.ndim - 1) + [(1, 1)])  # n = 0 beyond the walls
    slope = (padded[..., 2:] - padded[..., :-2]) / (2 * dx)
    return np.stack([n, slope**2], axis=-1)  # both unchanged by x -> -x


arrays = datasets.load_xc_data(progress=False)
densities, dx = arrays["density"][:5], arrays["dx"]
print(semilocal_features(densities, dx).shape)
