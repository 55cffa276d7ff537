"""Elemental properties of the course's alloy elements, with their sources.

The table covers the seven metals that ASE's EMT potential describes (Al, Ni, Cu, Pd, Ag, Pt, Au). Values come
from the sources below; nothing is fitted or estimated here.

Sources
-------
* atomic number, standard atomic mass, covalent radius: ``ase.data`` (masses: IUPAC standard atomic weights as
  tabulated by ASE; covalent radii: B. Cordero et al., *Dalton Trans.* 2008, 2832, doi:10.1039/b801115j).
* experimental fcc lattice constant: ``ase.data.reference_states`` (room-temperature values as tabulated by ASE,
  from C. Kittel, *Introduction to Solid State Physics*).
* period, group (IUPAC 1-18 numbering) and ground-state electron configuration: NIST Atomic Spectra Database,
  "Ground levels and ionization energies for the neutral atoms" (A. Kramida, Yu. Ralchenko, J. Reader and
  NIST ASD Team, https://physics.nist.gov/PhysRefData/IonEnergy/tblNew.html).
* first ionisation energy (eV, rounded to 3 decimals): the same NIST table.
* Pauling electronegativity: CRC Handbook of Chemistry and Physics, 97th ed. (2016), "Electronegativity"
  table, which lists the revised Pauling-scale values of A. L. Allred, *J. Inorg. Nucl. Chem.* 17, 215 (1961).
* melting point (K): CRC Handbook of Chemistry and Physics, 97th ed., "Melting, boiling ... of the elements"
  (degrees Celsius + 273.15; the Al, Cu, Ag and Au values are ITS-90 fixed points).
* EMT lattice constant: computed here (:func:`emt_lattice_constant`) by minimising the energy of the fcc
  element with ASE's EMT calculator; it is a property of the model, not of the element.

Valence-electron counts are derived from the configurations (:func:`valence_electrons`): electrons outside the
noble-gas core, not counting a filled f shell (Magpie's ``NValence`` convention, Ward et al. 2016).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import numpy as np

from .._checks import _describe, one_of

ELEMENTS: tuple[str, ...] = ("Al", "Ni", "Cu", "Pd", "Ag", "Pt", "Au")
"""The alloy elements of the course, in the order used for composition vectors."""

# symbol: (period, group, ground-state configuration (NIST ASD), first ionisation energy / eV (NIST ASD),
#          Pauling electronegativity (CRC 97th ed.), melting point / K (CRC 97th ed.))
_TABLE: dict[str, tuple[int, int, str, float, float, float]] = {
    "Al": (3, 13, "[Ne] 3s2 3p1", 5.986, 1.61, 933.47),
    "Ni": (4, 10, "[Ar] 3d8 4s2", 7.640, 1.91, 1728.15),
    "Cu": (4, 11, "[Ar] 3d10 4s1", 7.726, 1.90, 1357.77),
    "Pd": (5, 10, "[Kr] 4d10", 8.337, 2.20, 1828.05),
    "Ag": (5, 11, "[Kr] 4d10 5s1", 7.576, 1.93, 1234.93),
    "Pt": (6, 10, "[Xe] 4f14 5d9 6s1", 8.959, 2.28, 2041.35),
    "Au": (6, 11, "[Xe] 4f14 5d10 6s1", 9.226, 2.54, 1337.33),
}

PROPERTY_UNITS: dict[str, str] = {
    "atomic_number": "",
    "atomic_mass": "u",
    "period": "",
    "group": "",
    "electronegativity": "Pauling",
    "covalent_radius": "Angstrom",
    "valence_electrons": "",
    "d_electrons": "",
    "ionization_energy": "eV",
    "melting_point": "K",
    "lattice_constant_exp": "Angstrom",
    "lattice_constant_emt": "Angstrom",
}
"""Every tabulated property and its unit (empty for counts and indices)."""

PROPERTIES: tuple[str, ...] = tuple(PROPERTY_UNITS)


def check_element(symbol, name: str = "element") -> str:
    """Return ``symbol`` if it is one of :data:`ELEMENTS`, else raise a ``ValueError`` naming the known ones."""
    if not isinstance(symbol, str):
        raise TypeError(f"{name} must be a chemical symbol (str), got {_describe(symbol)}")
    if symbol not in _TABLE:
        raise ValueError(f"{name} {symbol!r} is not in the element table; known elements: {', '.join(ELEMENTS)}")
    return symbol


def configuration(symbol: str) -> str:
    """Ground-state electron configuration (NIST ASD notation), e.g. ``'[Ar] 3d10 4s1'`` for Cu."""
    return _TABLE[check_element(symbol)][2]


def valence_electrons(symbol: str) -> dict[str, int]:
    """Electrons outside the noble-gas core by shell type, a filled 4f shell excluded.

    Returns ``{"s": ..., "p": ..., "d": ..., "f": ...}``; e.g. Pt ``[Xe] 4f14 5d9 6s1`` -> s 1, p 0, d 9, f 0.
    """
    counts = {"s": 0, "p": 0, "d": 0, "f": 0}
    for shell, occupation in re.findall(r"\d([spdf])(\d+)", configuration(symbol)):
        if shell == "f" and int(occupation) == 14:
            continue  # a full 4f shell under the valence d shell is core-like (Magpie's convention)
        counts[shell] += int(occupation)
    return counts


@functools.cache
def emt_lattice_constant(symbol: str) -> float:
    """fcc lattice constant (Angstrom) that minimises ASE's EMT energy of the element.

    Brent minimisation of the one-atom fcc cell's energy; about 0.1 s per element, cached.
    """
    check_element(symbol)
    from ase.build import bulk
    from ase.calculators.emt import EMT
    from scipy.optimize import minimize_scalar

    def energy(a: float) -> float:
        atoms = bulk(symbol, "fcc", a=a)
        atoms.calc = EMT()
        return atoms.get_potential_energy()

    guess = experimental_lattice_constant(symbol)
    result = minimize_scalar(energy, bracket=(0.95 * guess, guess), tol=1e-10)
    return float(result.x)


def experimental_lattice_constant(symbol: str) -> float:
    """Experimental fcc lattice constant (Angstrom) from ``ase.data.reference_states``."""
    from ase.data import atomic_numbers, reference_states

    state = reference_states[atomic_numbers[check_element(symbol)]]
    return float(state["a"])


def element_property(symbol: str, name: str) -> float:
    """One property of one element (see :data:`PROPERTY_UNITS` for names and units)."""
    check_element(symbol)
    one_of(name, "property", PROPERTIES)
    period, group, _, ionization, electronegativity, melting = _TABLE[symbol]
    if name in ("period", "group", "ionization_energy", "electronegativity", "melting_point"):
        return float({"period": period, "group": group, "ionization_energy": ionization,
                      "electronegativity": electronegativity, "melting_point": melting}[name])
    if name == "valence_electrons":
        return float(sum(valence_electrons(symbol).values()))
    if name == "d_electrons":
        return float(valence_electrons(symbol)["d"])
    if name == "lattice_constant_exp":
        return experimental_lattice_constant(symbol)
    if name == "lattice_constant_emt":
        return emt_lattice_constant(symbol)
    from ase.data import atomic_masses, atomic_numbers, covalent_radii

    z = atomic_numbers[symbol]
    return float({"atomic_number": z, "atomic_mass": atomic_masses[z], "covalent_radius": covalent_radii[z]}[name])


def property_table(properties=PROPERTIES, elements=ELEMENTS) -> np.ndarray:
    """Array of shape ``(len(elements), len(properties))``: row ``i`` holds the properties of ``elements[i]``."""
    if isinstance(properties, str) or isinstance(elements, str):
        raise TypeError("properties and elements must be sequences of names, not a single string")
    return np.array([[element_property(e, p) for p in properties] for e in elements], dtype=float)


def as_fractions(composition, elements=ELEMENTS, *, name: str = "composition", tol: float = 1e-6) -> np.ndarray:
    """Atomic fractions over ``elements`` (shape ``(len(elements),)``) from a composition.

    ``composition`` may be a formula string (``"Cu3Au"``; counts), an ``ase.Atoms`` (counts), or a mapping
    ``{symbol: fraction}`` whose fractions are non-negative and sum to one (within ``tol``). Unknown elements
    and fractions that do not sum to one raise ``ValueError``.
    """
    if isinstance(composition, str):
        from ase.formula import Formula

        try:
            counts = Formula(composition).count()
        except ValueError as error:
            raise ValueError(f"{name} {composition!r} is not a chemical formula: {error}") from None
        total = sum(counts.values())
        if total == 0:
            raise ValueError(f"{name} {composition!r} contains no atoms")
        mapping = {k: v / total for k, v in counts.items()}
    elif hasattr(composition, "get_chemical_symbols"):
        symbols = composition.get_chemical_symbols()
        if not symbols:
            raise ValueError(f"{name} is an Atoms object without atoms")
        mapping = {s: symbols.count(s) / len(symbols) for s in set(symbols)}
    elif isinstance(composition, Mapping):
        mapping = {}
        for key, value in composition.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise TypeError(f"{name}[{key!r}] must be a number, got {_describe(value)}")
            mapping[key] = float(value)
        if any(not np.isfinite(v) or v < 0 for v in mapping.values()):
            raise ValueError(f"{name} fractions must be finite and non-negative, got {dict(composition)}")
        total = sum(mapping.values())
        if abs(total - 1.0) > tol:
            raise ValueError(f"{name} fractions must sum to one, got sum {total:.6g} for {dict(composition)} "
                             "(give a formula string such as 'Cu3Au' for counts)")
    else:
        raise TypeError(f"{name} must be a formula string, an ase.Atoms or a mapping symbol -> fraction, "
                        f"got {_describe(composition)}")
    elements = tuple(elements)
    from ase.data import chemical_symbols

    for symbol in mapping:
        if symbol not in chemical_symbols[1:]:
            raise ValueError(f"{name} contains {symbol!r}, which is not a chemical element")
        if symbol not in elements:
            raise ValueError(f"{name} contains {symbol!r}, which is not among the elements {', '.join(elements)}")
    return np.array([mapping.get(e, 0.0) for e in elements], dtype=float)
