# Solution to notebook 06, exercise 1 (check: exercises.check_nb06_xc_energy(xc_energy, system))
from course_utils import onedim
from course_utils.onedim import datasets

system = datasets.make_system(datasets.sample_potential(0))  # as in the notebook
exact = onedim.exact.solve(system)
ionisation = onedim.exact.solve(system.with_electrons("u")).energy - exact.energy
ks = onedim.reverse.solve(system, exact.density, ionisation_energy=ionisation)

phi = ks.orbitals[:, 0]  # one orbital, normalised: sum(phi**2) * dx = 1, holding both electrons
T_s = 2 * phi @ system.kinetic_matrix() @ phi * system.dx
E_H = onedim.kohn_sham.hartree_energy(system, exact.density)  # (1/2) integral v_H n dx
E_ext = system.v_ext @ exact.density * system.dx
xc_energy = exact.energy - T_s - E_H - E_ext
print(f"T_s = {T_s:.6f}, E_H = {E_H:.6f}, E_ext = {E_ext:.6f}, E_xc = {xc_energy:.6f} Ha")
