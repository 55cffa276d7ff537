# Solution to notebook 05, exercise 4 (check: exercises.check_single_pole(omega_spa, omega_sma))
import numpy as np

from course_utils.onedim import kohn_sham, lda, tddft

molecule = tddft.tddft_system()  # as in section 7
ks_ground = kohn_sham.solve(molecule, "lda")
lda_functional = lda.SoftCoulombLDA()

n, dx = ks_ground.density, molecule.dx
h = 1e-5  # central difference in the TOTAL density: each spin density moves by h/2
f_xc = (lda_functional.evaluate((n + h) / 2, (n + h) / 2, dx)[0]
        - lda_functional.evaluate((n - h) / 2, (n - h) / 2, dx)[0]) / (2 * h)
pair = ks_ground.orbitals_up[:, 0] * ks_ground.orbitals_up[:, 1]  # phi_0 phi_1 (normalised: sum phi^2 dx = 1)
k_hartree = pair @ molecule.interaction @ pair * dx * dx
k_xc = np.sum(pair**2 * f_xc) * dx
gap = ks_ground.eigenvalues_up[1] - ks_ground.eigenvalues_up[0]
omega_spa = gap + 2 * (k_hartree + k_xc)
omega_sma = np.sqrt(gap**2 + 4 * gap * (k_hartree + k_xc))
print(f"gap {gap:.3f} Ha; K = {k_hartree:.3f} (Hartree) {k_xc:+.3f} (xc) Ha; SPA {omega_spa:.3f} Ha, "
      f"SMA {omega_sma:.3f} Ha")
