"""Shipped trained weights are reproduced by their training scripts (same data, same seeds, same metrics).

``make test`` checks a sample of each record, to keep CI inside its time: the xc models without the non-local
one (its 80 s of training are half of the script's time) and the stability GNN's shell graphs (the distance graphs
take 90 s more). Each script with ``--check`` and no selection retrains and compares every model it ships:
``python scripts/train_xc_models.py --check`` and ``python scripts/train_stability_gnn.py --check``.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("command", [["scripts/train_xc_models.py", "local", "semilocal"],
                                     ["scripts/train_xc_molecules.py"],
                                     ["scripts/train_stability_gnn.py", "--kinds", "shell"],
                                     ["scripts/train_schnet.py"],
                                     ["scripts/train_spectra.py"],
                                     ["scripts/train_field_schnet.py"]], ids=lambda c: Path(c[0]).stem)
def test_training_script_reproduces_shipped_metrics(command):
    script, *selection = command
    result = subprocess.run([sys.executable, script, "--check", *selection], cwd=ROOT, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{script} --check failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
