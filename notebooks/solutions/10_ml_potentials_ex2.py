# Solution to notebook 10, exercise 2 (check: exercises.check_nb10_vacancy_energy(vacancy_formation_energy))
from ase.build import bulk


def vacancy_formation_energy(calc, a):
    perfect = bulk("Cu", "fcc", a=a, cubic=True).repeat(3)
    perfect.calc = calc
    e_perfect = perfect.get_potential_energy()
    vacant = perfect.copy()
    del vacant[0]
    vacant.calc = calc
    # compare equal numbers of atoms: the removed atom goes back into the bulk
    return vacant.get_potential_energy() - len(vacant) / len(perfect) * e_perfect
