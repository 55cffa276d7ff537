"""The long GFN2-xTB runs of ethanol (scripts/sample_xtb_torsion.py): small, consistent with their settings and
record, and the sample test (a re-run of the start of a replica, single points of stored frames)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils.atoms import molecule_datasets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import sample_xtb_torsion as torsion  # noqa: E402


def test_shipped_run_is_small_and_matches_its_record():
    arrays, record = molecule_datasets.ethanol_torsion_reference()
    assert molecule_datasets.TORSION_FILE.stat().st_size < 3e6
    s = record["settings"]
    assert s == torsion.SETTINGS
    frames = int(round(s["production_fs"] / s["stride_fs"]))
    assert arrays["bond"].shape == arrays["dihedral"].shape == (s["replicas"], frames)
    assert arrays["early_positions"].shape == (s["replicas"], s["early_frames"], 9, 3)
    # every replica starts from the same geometry (ethanol_md's), with its own velocities and noise
    assert np.allclose(arrays["early_positions"][:, 0], arrays["early_positions"][0, 0])
    assert not np.allclose(arrays["early_positions"][0, 5], arrays["early_positions"][1, 5])
    assert np.all(np.abs(arrays["dihedral"]) <= 180.0) and np.all((arrays["bond"] > 1.2) & (arrays["bond"] < 1.8))
    assert np.all(np.abs(arrays["temperature_mean"] - s["temperature_K"]) < 0.05 * s["temperature_K"])
    again = torsion.summary(arrays["bond"], arrays["dihedral"])
    assert again.keys() == record["summary"].keys()
    for key, value in record["summary"].items():
        assert np.allclose(again[key], value, rtol=1e-6), key
    assert record["indices"] == {"bond": [1, 2], "dihedral": [8, 2, 1, 0]}  # as in schnet_ethanol_nvt


def test_loader_reports_a_changed_file(tmp_path, monkeypatch):
    copy = tmp_path / molecule_datasets.TORSION_FILE.name
    copy.write_bytes(molecule_datasets.TORSION_FILE.read_bytes() + b"x")
    copy.with_suffix(".json").write_text(molecule_datasets.TORSION_FILE.with_suffix(".json").read_text())
    monkeypatch.setattr(molecule_datasets, "TORSION_FILE", copy)
    with pytest.raises(ValueError, match="checksum"):
        molecule_datasets.ethanol_torsion_reference()
    monkeypatch.setattr(molecule_datasets, "TORSION_FILE", tmp_path / "missing.npz")
    with pytest.raises(FileNotFoundError, match="sample_xtb_torsion"):
        molecule_datasets.ethanol_torsion_reference()


@pytest.mark.slow
def test_start_of_a_replica_and_stored_frames_are_reproduced():
    result = subprocess.run([sys.executable, "scripts/sample_xtb_torsion.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
