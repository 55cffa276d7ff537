"""Every exercise solution in notebooks/solutions runs and passes its own check.

Each solution file names its check in its first line: ``# ... (check: exercises.check_x(answer))``.
The solution runs in the notebooks folder (where ``%load`` runs it), in a fresh namespace.
"""

import os
import re
from pathlib import Path

import pytest

SOLUTIONS = sorted((Path(__file__).resolve().parents[1] / "notebooks" / "solutions").glob("*.py"))
CHECK = re.compile(r"\(check: (exercises\.check_\w+\(.*\))\)\s*$")


def test_there_are_solutions():
    assert SOLUTIONS, "no solution files found in notebooks/solutions"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_solution_passes_its_check(path, monkeypatch, capsys):
    first_line = path.read_text().splitlines()[0]
    match = CHECK.search(first_line)
    assert match, f"{path.name}: the first line must name its check as '(check: exercises.check_...(...))'"
    monkeypatch.chdir(path.parents[1])
    namespace = {"__name__": "__solution__"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    from course_utils import exercises

    namespace["exercises"] = exercises
    feedback = eval(match.group(1), namespace)
    assert feedback.passed, f"{path.name}: {feedback}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_solution_is_loaded_by_its_notebook(path):
    notebook = path.parents[1] / (path.stem.rsplit("_ex", 1)[0] + ".ipynb")
    assert notebook.exists(), f"{path.name}: no notebook {notebook.name}"
    assert f"%load solutions/{path.name}" in notebook.read_text(), f"{notebook.name} does not %load {path.name}"
    assert os.sep not in path.stem
