"""Unit conversions used across the course, in one place.

Values are CODATA 2018 (Tiesinga et al., Rev. Mod. Phys. 93, 025010 (2021)); ASE's ``ase.units`` defaults to
CODATA 2014, which differs in the 8th digit (``ase.units.create_units("2018")`` gives these values). They are
repeated here so that ``onedim`` and the notebooks about 1D models do not need ASE.
"""

HARTREE_TO_EV = 27.211386245988
"""1 Hartree in electronvolts."""
EV_TO_HARTREE = 1.0 / HARTREE_TO_EV
HARTREE_TO_KCAL_PER_MOL = 627.5094740631
"""1 Hartree in kcal/mol."""
HARTREE_TO_MILLIHARTREE = 1000.0
BOHR_TO_ANGSTROM = 0.529177210903
"""1 bohr in Angstrom."""
ANGSTROM_TO_BOHR = 1.0 / BOHR_TO_ANGSTROM
EV_TO_MEV = 1000.0
DEBYE_TO_E_ANGSTROM = 1e-21 / 299792458.0 / 1.602176634e-19 * 1e10
"""1 debye in e*Angstrom: exactly 1e-21/c C*m (c and e exact in the SI since 2019), 0.2081943327..."""
HARTREE_TO_INVERSE_CM = 219474.6313632
"""1 Hartree in wavenumbers (cm^-1), the unit of vibrational spectroscopy (CODATA 2018: 2.1947463136320e5)."""
PROTON_MASS = 1836.15267343
"""The proton mass in electron masses (the atomic unit of mass), CODATA 2018."""
