"""Each notebook's header states its run time and memory as measured (reports/notebooks.md, written by
`make report` from the last `make test`): a header more than 1.5x off the report fails."""

import json
import re
from pathlib import Path

import pytest

from scripts.update_report import HEADER, TRACKED, read_report

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STATED = re.compile(r"about (\d+(?:\.\d+)?) s(?: and (\d+(?:\.\d+)?) GB)?")


def _header(notebook: Path) -> str:
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if HEADER.match(line):
                    return line
    raise AssertionError(f"{notebook.name}: no '| **Run time / memory** | ... |' row in its header table")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_header_agrees_with_the_measured_report(notebook):
    report = read_report(TRACKED)
    assert notebook.name in report, f"{notebook.name} is not in {TRACKED.name}: run `make test` then `make report`"
    seconds, gigabytes = report[notebook.name]
    match = STATED.search(_header(notebook))
    assert match, f"{notebook.name}: the run-time row must say 'about N s and M GB'"
    stated_s = float(match.group(1))
    assert max(stated_s / seconds, seconds / stated_s) <= 1.5, (
        f"{notebook.name}: header says about {stated_s:g} s, the report measured {seconds:.1f} s; run `make report`")
    if gigabytes is not None and match.group(2):
        stated_gb = float(match.group(2))
        assert max(stated_gb / gigabytes, gigabytes / stated_gb) <= 1.5 or abs(stated_gb - gigabytes) < 0.1, (
            f"{notebook.name}: header says {stated_gb:g} GB, the report measured {gigabytes:.2f} GB")
