# Solution to notebook 05, exercise 3 (check: exercises.check_h2_lda_error(lda_error_kcal))
from course_utils import units
from course_utils.onedim import exact, kohn_sham, systems

stretched = systems.hydrogen_molecule(8.0, n_points=120, half_width=15.0)
e_exact = exact.solve(stretched).energy
e_lda = kohn_sham.solve(stretched, "lda").energy
lda_error_kcal = (e_lda - e_exact) * units.HARTREE_TO_KCAL_PER_MOL  # the nuclear repulsion cancels
print(f"E_LDA - E_exact at R = 8 bohr: {lda_error_kcal:.1f} kcal/mol")
