# Solution to notebook 04, exercise 3 (check: exercises.check_rdm_correlation_kinetic(t_c, index=sample))
import numpy as np

from course_utils.onedim import datasets, observables

rdm_data = datasets.load_rdm1_wells()
sample = 568
n = rdm_data["density"][sample]
gamma_s = np.sqrt(np.outer(n, n))  # two electrons in one orbital sqrt(n/2): the Kohn-Sham 1-RDM
t_s = observables.rdm1_kinetic_energy(gamma_s, rdm_data["kinetic_matrix"], rdm_data["dx"])
t_c = float(rdm_data["kinetic_energy"][sample] - t_s)
print(f"T = {rdm_data['kinetic_energy'][sample]:.5f} Ha, T_s = {t_s:.5f} Ha, T_c = {1000 * t_c:.2f} mHa")
