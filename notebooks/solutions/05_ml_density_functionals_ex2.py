# Solution to notebook 05, exercise 2 (check: exercises.check_kinetic_functional_derivative(dT_dn, v_ext, eigenvalues))
from course_utils.onedim import datasets

sample = datasets.box_data(1, seed=7, max_electrons=2)
v_ext = sample["v_ext"][0]
eigenvalues = sample["eigenvalues"][0]
# Euler equation of orbital-free DFT: delta T/delta n + v = mu, with mu the highest occupied level (N = 2: eps_2)
dT_dn = eigenvalues[1] - v_ext
print(f"mu = eps_2 = {eigenvalues[1]:.4f} Ha; delta T/delta n ranges from {dT_dn.min():.2f} to {dT_dn.max():.2f} Ha")
