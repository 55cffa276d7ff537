"""The ``alloys`` data set: binary and ternary alloys of Al, Ni, Cu, Pd, Ag, Pt and Au relaxed with EMT.

Every compound is an ordered prototype (:mod:`.prototypes`) decorated with elements, started at its Vegard
lattice constant and relaxed (cell and positions) with ASE's EMT potential -- the course's cheap stand-in for
DFT. The catalogue, in sample order:

1. each element on A1, A2 and A3 (these are also the elemental references: the lowest per element);
2. every pair of elements on every binary prototype (the named ones and the fcc/bcc derivative superstructures
   with up to four atoms per cell), in each symmetry-distinct decoration;
3. every triple of elements on the ternary prototypes, in each symmetry-distinct decoration.

``ALLOYS`` (a :class:`course_utils.data.DatasetSpec`) is created on first access, since counting the samples
needs the prototype enumeration (about 2 s). Load the arrays with ``course_utils.data.load("alloys")``; turn a
row back into atoms with :func:`atoms_from_arrays`; compute a new compound exactly as the data set does with
:func:`compute_alloy`.

Arrays (``N`` samples, ``M = params["max_atoms"]``; lengths in Angstrom, energies in eV/atom):
``prototype`` (N,) str; ``parent`` (N,) str; ``elements`` (N, 3) str, the element on site label A, B, C ('' if
absent); ``formula`` (N,) str; ``fractions`` (N, 7) atomic fractions over ``params["elements"]``; ``n_atoms`` (N,);
``numbers`` (N, M) atomic numbers, 0-padded; ``cell_unrelaxed``, ``cell_relaxed`` (N, 3, 3);
``positions_unrelaxed``, ``positions_relaxed`` (N, M, 3), 0-padded; ``energy_per_atom``, ``formation_energy``,
``max_force`` (eV/Angstrom) (N,); ``n_steps`` (N,); ``converged`` (N,) bool; and from ``finalize``:
``energy_above_hull`` (N,) within each compound's chemical system, ``on_hull`` (N,) bool.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Mapping, Sequence

import numpy as np

from .elements import ELEMENTS

TERNARY_PROTOTYPES = ("L2_1", "XA", "fcc_A2BC", "fcc_ABC_111")
ELEMENTAL_PROTOTYPES = ("A1", "A2", "A3")
ON_HULL_TOL = 1e-6
"""eV/atom: a compound with energy above the hull below this is counted as on the hull."""


def _binary_prototypes(max_atoms_enumerated: int) -> list[str]:
    from .prototypes import PROTOTYPES, enumerate_derivatives

    names = [n for n, p in PROTOTYPES.items() if len(p.site_labels) == 2]
    for parent in ("fcc", "bcc"):
        names += [p.name for p in enumerate_derivatives(parent, max_atoms_enumerated, 2) if p.name not in names]
    return names


def default_params() -> dict:
    """The generator parameters of the shipped data set (JSON-serialisable)."""
    return {
        "elements": list(ELEMENTS),
        "elemental_prototypes": list(ELEMENTAL_PROTOTYPES),
        "binary_prototypes": _binary_prototypes(4),
        "ternary_prototypes": list(TERNARY_PROTOTYPES),
        "calculator": "EMT",
        "optimizer": "BFGS",
        "cell_filter": "unit",
        "fmax": 0.005,
        "max_steps": 1000,
        "max_atoms": 8,
    }


@functools.lru_cache(maxsize=8)
def _catalogue_cached(params_json: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    from .prototypes import distinct_decorations, get_prototype

    params = json.loads(params_json)
    elements = params["elements"]
    entries = [(p, (e,)) for e in elements for p in params["elemental_prototypes"]]
    for k, names in ((2, params["binary_prototypes"]), (3, params["ternary_prototypes"])):
        for combo in itertools.combinations(elements, k):
            for name in names:
                if len(get_prototype(name).site_labels) != k:
                    raise ValueError(f"prototype {name} does not have {k} site labels")
                entries += [(name, deco) for deco in distinct_decorations(name, combo)]
    for name, _ in entries:
        if get_prototype(name).n_atoms > params["max_atoms"]:
            raise ValueError(f"prototype {name} has more than max_atoms={params['max_atoms']} atoms")
    return tuple(entries)


def catalogue(params: Mapping | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """The samples in order: ``(prototype name, elements on its site labels)``."""
    params = default_params() if params is None else params
    return list(_catalogue_cached(json.dumps(dict(params), sort_keys=True)))


def _calculator(name: str):
    from .calculators import emt

    if name != "EMT":
        raise ValueError(f"the alloys data set supports calculator 'EMT' only, got {name!r}")
    return emt()


def _relax_entry(prototype: str, elements: Sequence[str], params: Mapping):
    from .prototypes import decorate
    from .relax import relax

    atoms = decorate(prototype, list(elements))
    relaxed_input = atoms.copy()
    relaxed_input.calc = _calculator(params["calculator"])
    result = relax(relaxed_input, fmax=params["fmax"], max_steps=params["max_steps"], optimizer=params["optimizer"],
                   cell_filter=params["cell_filter"], raise_on_failure=False)
    return atoms, result


@functools.lru_cache(maxsize=8)
def _references_cached(params_json: str) -> dict[str, float]:
    params = json.loads(params_json)
    references = {}
    for element in params["elements"]:
        energies = []
        for name in params["elemental_prototypes"]:
            _, result = _relax_entry(name, [element], params)
            if not result.converged:
                raise RuntimeError(f"the elemental reference {element} on {name} did not converge")
            energies.append(result.energy_per_atom)
        references[element] = min(energies)
    return references


def reference_energies(params: Mapping | None = None) -> dict[str, float]:
    """Energy per atom (eV) of each element's ground state among the elemental prototypes."""
    params = default_params() if params is None else params
    return dict(_references_cached(json.dumps(dict(params), sort_keys=True)))


def compute_alloy(prototype: str, elements: Sequence[str], params: Mapping | None = None) -> dict:
    """Relax one compound exactly as the data set does.

    Returns ``{"atoms": unrelaxed Atoms, "relaxed": relaxed Atoms, "energy_per_atom", "formation_energy",
    "converged", "n_steps", "max_force"}`` (eV/atom, eV/Angstrom).
    """
    from .hull import formation_energy

    params = default_params() if params is None else params
    atoms, result = _relax_entry(prototype, elements, params)
    references = reference_energies(params)
    return {"atoms": atoms, "relaxed": result.atoms, "energy_per_atom": result.energy_per_atom,
            "formation_energy": formation_energy(result.energy_per_atom, atoms, references),
            "converged": result.converged, "n_steps": result.n_steps, "max_force": result.max_force}


def build_alloys(params: Mapping, indices) -> dict[str, np.ndarray]:
    """Builder of the data set: arrays for samples ``indices`` (see the module docstring)."""
    from .prototypes import get_prototype

    entries = catalogue(params)
    elements = list(params["elements"])
    m = int(params["max_atoms"])
    indices = np.asarray(indices, dtype=int)
    n = len(indices)
    out = {
        "prototype": np.empty(n, dtype="<U16"), "parent": np.empty(n, dtype="<U3"),
        "elements": np.full((n, 3), "", dtype="<U2"), "formula": np.empty(n, dtype="<U16"),
        "fractions": np.zeros((n, len(elements))), "n_atoms": np.zeros(n, dtype=np.int64),
        "numbers": np.zeros((n, m), dtype=np.int64),
        "cell_unrelaxed": np.zeros((n, 3, 3)), "positions_unrelaxed": np.zeros((n, m, 3)),
        "cell_relaxed": np.zeros((n, 3, 3)), "positions_relaxed": np.zeros((n, m, 3)),
        "energy_per_atom": np.zeros(n), "formation_energy": np.zeros(n), "max_force": np.zeros(n),
        "n_steps": np.zeros(n, dtype=np.int64), "converged": np.zeros(n, dtype=bool),
    }
    for row, index in enumerate(indices):
        name, decoration = entries[index]
        record = compute_alloy(name, decoration, params)
        atoms, relaxed = record["atoms"], record["relaxed"]
        k = len(atoms)
        out["prototype"][row] = name
        out["parent"][row] = get_prototype(name).parent
        out["elements"][row, :len(decoration)] = decoration
        out["formula"][row] = atoms.get_chemical_formula(mode="metal", empirical=True)
        symbols = atoms.get_chemical_symbols()
        out["fractions"][row] = [symbols.count(e) / k for e in elements]
        out["n_atoms"][row] = k
        out["numbers"][row, :k] = atoms.numbers
        out["cell_unrelaxed"][row] = atoms.cell.array
        out["positions_unrelaxed"][row, :k] = atoms.positions
        out["cell_relaxed"][row] = relaxed.cell.array
        out["positions_relaxed"][row, :k] = relaxed.positions
        for key in ("energy_per_atom", "formation_energy", "max_force", "n_steps", "converged"):
            out[key][row] = record[key]
    return out


def finalize_alloys(arrays: Mapping[str, np.ndarray], params: Mapping) -> dict[str, np.ndarray]:
    """Energy above the hull (eV/atom) of every compound within its chemical system; unconverged relaxations
    are left out of the hulls."""
    from .hull import energy_above_hull_by_system

    e_hull = energy_above_hull_by_system(arrays["fractions"], arrays["formation_energy"],
                                         valid=arrays["converged"])
    return {"energy_above_hull": e_hull, "on_hull": (e_hull < ON_HULL_TOL) & arrays["converged"]}


def atoms_from_arrays(arrays: Mapping[str, np.ndarray], index: int, *, relaxed: bool = True):
    """Sample ``index`` of the loaded data set as an ``ase.Atoms`` (relaxed or the unrelaxed prototype)."""
    from ase import Atoms

    from .._checks import as_int

    index = as_int(index, "index", minimum=0, maximum=len(arrays["n_atoms"]) - 1)
    k = int(arrays["n_atoms"][index])
    kind = "relaxed" if relaxed else "unrelaxed"
    atoms = Atoms(arrays["numbers"][index, :k], positions=arrays[f"positions_{kind}"][index, :k],
                  cell=arrays[f"cell_{kind}"][index], pbc=True)
    atoms.info["prototype"] = str(arrays["prototype"][index])
    return atoms


def _make_spec():
    from ..data import DatasetSpec

    params = default_params()
    return DatasetSpec(
        name="alloys", build=build_alloys, params=params, n_samples=len(catalogue(params)), version=1,
        description="Binary and ternary alloys of Al, Ni, Cu, Pd, Ag, Pt, Au on fcc-, bcc- and hcp-derived "
                    "prototypes, cell+positions relaxed with ASE's EMT (a stand-in for DFT); formation energies "
                    "against the elemental ground states (lowest of A1/A2/A3) and energies above the convex hull "
                    "within each chemical system.",
        finalize=finalize_alloys,
        # The residual force where the optimiser stopped (below fmax = 0.005 eV/Angstrom) follows the round-off of
        # its last steps, which differs between CPUs and BLAS builds: compare it to 1e-5 eV/Angstrom, not to 1e-6
        # relative (the relaxed energies and positions still agree to that).
        extra={"sample_atol": {"max_force": 1e-5}})


def __getattr__(name: str):
    # ALLOYS is built on first access: counting its samples runs the prototype enumeration.
    if name == "ALLOYS":
        spec = _make_spec()
        globals()["ALLOYS"] = spec
        return spec
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
