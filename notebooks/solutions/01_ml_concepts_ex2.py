# Solution to notebook 01, exercise 2 (check: exercises.check_pca_components(k_needed, density_train, density_test))
import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from course_utils.onedim import datasets

SEED = 0
wells = datasets.load_wells()
density = wells["density"].astype(float)
idx_train, idx_test = train_test_split(np.arange(len(density)), test_size=0.2, random_state=SEED)
density_train, density_test = density[idx_train], density[idx_test]

for k_needed in range(1, density.shape[1] + 1):
    pca = PCA(n_components=k_needed).fit(density_train)  # fitted on the training densities only
    rebuilt = pca.inverse_transform(pca.transform(density_test))
    rmse = np.sqrt(np.mean((rebuilt - density_test) ** 2))
    print(f"K = {k_needed}: RMS error {rmse:.2e} electrons/bohr")
    if rmse < 1e-3:
        break
