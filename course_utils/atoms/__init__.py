"""Atomistic tools of the course, built on ASE (eV and Angstrom throughout, ASE's units).

Sub-modules, each loaded on first use so that ``import course_utils.atoms`` stays light (ASE, tblite and PySCF
are imported inside the functions that need them):

``elements``     elemental property table (cited) and EMT lattice constants
``prototypes``   fcc-, bcc- and hcp-derived ordered crystal prototypes, their decoration, symmetry operations,
                 and an enumeration of small derivative superstructures
``relax``        cell + position relaxation with any ASE calculator
``hull``         formation energies, lower convex hulls, energy above the hull (binary, ternary, any order)
``descriptors``  Magpie-style composition descriptors from elemental properties
``graphs``       crystal graphs (neighbour-shell / hop-count or distance edge features) and padding for batching
``calculators``  reference calculators behind ASE's Calculator API: EMT, GFN2-xTB (tblite), PySCF
``molecules``    small molecules: SMILES -> RDKit 3D conformers -> ase.Atoms, GFN2-xTB optimisation and single
                 points (dipoles, charges, orbital energies), connectivity checks from Wiberg bond orders
``md``           a small seeded molecular-dynamics sampler (Langevin or velocity Verlet)
``datasets``     the ``alloys`` data set specification (binary and ternary EMT alloys)
``chemspace``    an enumeration of small organic molecules by valence rules with GDB-like filters
``molecule_datasets``  the ``molecules_small`` data set (GFN2-xTB minima and properties of enumerated molecules)
"""

from __future__ import annotations

import importlib

_SUBMODULES = ("calculators", "chemspace", "datasets", "descriptors", "elements", "graphs", "hull", "md",
               "molecule_datasets", "molecules", "prototypes", "relax")

__all__ = list(_SUBMODULES)


def __getattr__(name: str):
    # PEP 562 lazy import: `course_utils.atoms.hull` works without importing ASE for the others.
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'course_utils.atoms' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
