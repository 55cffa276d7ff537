"""The xtb_vs_dft comparison: its figures quoted in the docstring are what the shipped cache gives, its groups
are what the docstring says, and bad input is refused. (Regeneration of a random sample against the cache is in
tests/test_data.py, as for every data set.)"""

import numpy as np
import pytest

from course_utils import data
from course_utils.atoms import xtb_vs_dft


@pytest.fixture(scope="module")
def cached():
    return data.load("xtb_vs_dft", rebuild=False)


def test_docstring_quotes_the_summary_of_the_shipped_cache(cached):
    doc = " ".join(xtb_vs_dft.__doc__.split())
    for line in xtb_vs_dft.summary_lines(xtb_vs_dft.summary(cached)):
        assert " ".join(line.split()) in doc, f"module docstring should quote: {line}"


def test_groups_sizes_and_sanity(cached):
    params = xtb_vs_dft.default_params()
    kinds = list(cached["kind"])
    assert kinds == (["molecule"] * params["n_molecules"] + ["g2"] * len(params["g2"])
                     + ["ethanol"] * params["n_ethanol"])
    g2 = cached["kind"] == "g2"
    assert list(cached["name"][g2]) == list(xtb_vs_dft.G2_MOLECULES)
    assert np.isfinite(cached["ie_exp"][g2]).all() and np.isnan(cached["ie_exp"][~g2]).all()
    for method in ("xtb", "dft"):  # occupied below empty, and both bound
        assert np.all(cached[f"{method}_homo"] < cached[f"{method}_lumo"])
        assert np.all(cached[f"{method}_homo"] < 0)
    eth = cached["kind"] == "ethanol"
    assert np.abs(cached["dft_forces"][eth]).max() > 0.1 and not cached["dft_forces"][~eth].any()
    # forces of a free molecule sum to zero (no external field) for both methods
    np.testing.assert_allclose(cached["dft_forces"][eth].sum(axis=1), 0, atol=2e-3)
    np.testing.assert_allclose(cached["xtb_forces"][eth].sum(axis=1), 0, atol=1e-6)


def test_molecules_are_the_stored_minima_of_molecules_small(cached):
    small = data.load("molecules_small", rebuild=False)
    rows = xtb_vs_dft._molecule_rows(xtb_vs_dft.default_params())
    mol = cached["kind"] == "molecule"
    assert list(cached["name"][mol]) == list(small["smiles"][rows])
    np.testing.assert_allclose(cached["positions"][mol], small["positions"][rows], atol=1e-6)
    np.testing.assert_allclose(cached["xtb_energy"][mol], small["energy"][rows], atol=1e-5)


def test_bad_input():
    params = xtb_vs_dft.default_params()
    n = params["n_molecules"] + len(params["g2"]) + params["n_ethanol"]
    assert xtb_vs_dft.sample_kind(params, n - 1) == ("ethanol", params["n_ethanol"] - 1)
    with pytest.raises(ValueError, match=rf"sample index {n} outside \[0, {n - 1}\]"):
        xtb_vs_dft.sample_kind(params, n)
    with pytest.raises(ValueError, match="all three kinds"):
        xtb_vs_dft.summary({"kind": np.array(["molecule", "g2"])})


def test_readme_data_table_quotes_the_shipped_figures(cached):
    from pathlib import Path

    row = next(line for line in (Path(__file__).resolve().parents[1] / "README.md").read_text().splitlines()
               if line.startswith("| `xtb_vs_dft` |"))
    s = xtb_vs_dft.summary(cached)
    for figure in (f"{s['dipole_mae_D']:.2f} D", f"{-s['homo_shift']:.1f} eV below", f"scatter {s['homo_std']:.2f}",
                   f"scatter {s['lumo_std']:.1f} eV", f"xTB MAE {s['ie_mae_xtb']:.2f} eV",
                   f"PBE0 {s['ie_mae_dft']:.2f} eV", f"relative energies {s['ethanol_energy_mae']:.3f} eV",
                   f"force components {s['ethanol_force_mae']:.2f} eV/Å"):
        assert figure in row, f"README's xtb_vs_dft row should say {figure!r}"
