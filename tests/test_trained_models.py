"""Shipped trained weights are reproduced by their training scripts (same data, same seeds, same metrics)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("script", ["scripts/train_xc_models.py", "scripts/train_xc_molecules.py",
                                    "scripts/train_stability_gnn.py", "scripts/train_schnet.py",
                                    "scripts/train_spectra.py"])
def test_training_script_reproduces_shipped_metrics(script):
    result = subprocess.run([sys.executable, script, "--check"], cwd=ROOT, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, f"{script} --check failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
