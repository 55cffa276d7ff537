"""The shipped NVT distributions of notebook 07 (scripts/sample_schnet_nvt.py): small, consistent with their
settings, the xTB half recomputed from the data set's trajectories, the SchNet half re-sampled (slow)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import sample_schnet_nvt as nvt  # noqa: E402


def _shipped():
    """The shipped arrays and record, read directly (schnet.load_nvt_distributions would import TensorFlow)."""
    from course_utils.data import DATA_DIR

    with np.load(DATA_DIR / f"{nvt.OUT}.npz") as stored:
        arrays = {k: stored[k] for k in stored.files}
    return arrays, json.loads((DATA_DIR / f"{nvt.OUT}.json").read_text())


def test_shipped_files_are_small_and_consistent_with_their_settings():
    from course_utils.data import DATA_DIR

    files = [DATA_DIR / f"{nvt.OUT}.npz", DATA_DIR / f"{nvt.OUT}.json"]
    assert sum(f.stat().st_size for f in files) < 200_000
    arrays, record = _shipped()
    settings = record["settings"]
    bond_edges, dihedral_edges = nvt.edges(settings)
    assert np.allclose(arrays["bond_edges"], bond_edges) and np.allclose(arrays["dihedral_edges"], dihedral_edges)
    frames = int(round(settings["production_fs"] / settings["stride_fs"]))
    assert arrays["schnet_dihedral_counts"].shape == (settings["n_replicas"], len(dihedral_edges) - 1)
    assert np.all(arrays["schnet_dihedral_counts"].sum(axis=1) == frames)  # every dihedral falls in a bin
    assert record["schnet_frames"] == settings["n_replicas"] * frames
    assert arrays["schnet_bond_counts"].sum() > 0.99 * record["schnet_frames"]  # the bond range holds the sample


def test_xtb_reference_histograms_are_those_of_the_data_sets_trajectories():
    from course_utils.atoms.molecule_datasets import ethanol_trajectories

    arrays, record = _shipped()
    traj = ethanol_trajectories()
    # the indices found from the xTB minimum are those of the trajectories' first frame too
    assert nvt.ethanol_indices(traj["numbers"], traj["positions"][0]) == record["indices"]
    bond, dihedral = nvt.observables(traj["positions"], record["indices"])
    for k, label in enumerate(arrays["xtb_replica"]):
        split, replica = str(label)[:-1], int(str(label)[-1])
        rows = (traj["split"] == split) & (traj["replica"] == replica)
        hb, hd = nvt.histograms(bond[rows][:, None], dihedral[rows][:, None], record["settings"])
        assert np.array_equal(hb[0], arrays["xtb_bond_counts"][k])
        assert np.array_equal(hd[0], arrays["xtb_dihedral_counts"][k])
    assert arrays["xtb_dihedral_counts"].sum() == record["reference"]["frames"] == len(traj["positions"])


@pytest.mark.slow
def test_a_short_resample_agrees_with_the_shipped_sample():
    result = subprocess.run([sys.executable, "scripts/sample_schnet_nvt.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"--check failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert json.loads((ROOT / "course_utils" / "datasets" / f"{nvt.OUT}.json").read_text())["md_seconds"] > 0
