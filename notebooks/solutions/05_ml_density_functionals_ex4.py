# Solution to notebook 05, exercise 4 (check: exercises.check_tddft_peak(omega_peak))
import numpy as np

from course_utils.onedim import tddft

td = tddft.load_tddft()
omegas = np.linspace(0.05, 1.2, 2301)  # Ha, step 0.0005
spectrum = tddft.dipole_spectrum(td["times"], td["dipole"][0], omegas)  # sample 0: exact
omega_peak = omegas[np.argmax(spectrum)]
print(f"main peak of the exact dipole spectrum: {omega_peak:.3f} Ha")
