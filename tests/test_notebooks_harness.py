"""The notebook harness itself: a notebook that errors, or runs over its time or memory budget, fails the run;
a good one passes and lands in the measured table."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, *sources: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)


def _run(folder: Path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.plugins.notebook_budget",
               "--nbval-lax", f"--notebook-report={folder / 'report.md'}", *options, str(folder)]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_error_and_over_budget_notebooks_fail(tmp_path):
    _notebook(tmp_path / "good.ipynb", "x = 1", "x + 1")
    _notebook(tmp_path / "error.ipynb", "x = 1", "raise RuntimeError('broken cell')")
    # The time budget leaves room for a kernel start on a busy machine (make test runs this beside other tests),
    # so that only slow.ipynb breaks it and fat.ipynb fails for its memory.
    _notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(12)")
    _notebook(tmp_path / "fat.ipynb", "import numpy as np\nblock = np.ones(80_000_000)  # 640 MB, touched")
    result = _run(tmp_path, "--notebook-time-budget=10", "--notebook-memory-budget=0.5")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "broken cell" in output
    assert "slow.ipynb took" in output and "over the budget of 10 s" in output
    assert "fat.ipynb peaked at" in output and "over the budget of 0.5 GB" in output
    report = (tmp_path / "report.md").read_text()
    assert "| good.ipynb |" in report and "| ok |" in report
    assert "4 failed" not in output  # the good notebook passed


@pytest.mark.slow
def test_good_notebook_passes(tmp_path):
    _notebook(tmp_path / "good.ipynb", "print('hello')")
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "good.ipynb" in (tmp_path / "report.md").read_text()
