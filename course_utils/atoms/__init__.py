"""Atomistic tools of the course, built on ASE (eV and Angstrom throughout, ASE's units).

Sub-modules, each loaded on first use so that ``import course_utils.atoms`` stays light (ASE, tblite and PySCF
are imported inside the functions that need them):

``elements``     elemental property table (cited) and EMT lattice constants
``prototypes``   fcc-, bcc- and hcp-derived ordered crystal prototypes, their decoration, symmetry operations,
                 and an enumeration of small derivative superstructures
``relax``        cell + position relaxation with any ASE calculator
``hull``         formation energies, lower convex hulls, energy above the hull (binary, ternary, any order)
``descriptors``  Magpie-style composition descriptors from elemental properties; the Coulomb matrix of molecules
``crystal_graphs`` crystal graphs (k nearest neighbours over periodic images, shell and bond-length features),
                 padded for batching
``calculators``  reference calculators behind ASE's Calculator API: EMT, GFN2-xTB (tblite), PySCF
``molecules``    small molecules: SMILES -> RDKit 3D conformers -> ase.Atoms, GFN2-xTB optimisation and single
                 points (dipoles, charges, orbital energies), connectivity checks from Wiberg bond orders
``md``           a small seeded molecular-dynamics sampler (Langevin or velocity Verlet)
``datasets``     the ``alloys`` data set specification (binary and ternary EMT alloys)
``chemspace``    an enumeration of small organic molecules by valence rules with GDB-like filters
``molecule_datasets``  the ``molecules_small`` data set (GFN2-xTB minima and properties of enumerated molecules)
``spectra``      photoemission-like spectra: occupied levels, Gaussian broadening, spectral errors, screening
``qeq``          charge equilibration with Gaussian charges: charges, dipole, polarizability, energy and forces
``empirical_pseudopotential``  Cohen-Bergstresser silicon bands in TensorFlow (differentiable band gap)
"""

from __future__ import annotations

from .._lazy import lazy_submodules

_SUBMODULES = ("calculators", "chemspace", "crystal_graphs", "datasets", "descriptors", "elements",
               "empirical_pseudopotential", "hull", "md", "molecule_datasets", "molecules", "prototypes", "qeq",
               "relax", "spectra")

__all__ = list(_SUBMODULES)


# Lazy import: `course_utils.atoms.hull` works without importing ASE for the others.
__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES, globals())
