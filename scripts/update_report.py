"""Copy the notebook timings measured by the last `make test` into the tracked report and the notebooks' headers.

    python scripts/update_report.py   # (what `make report` runs)

`make test` writes the measured table to build/reports/notebooks.md (so a test run never modifies tracked files).
This script copies it to reports/notebooks.md (and the browser pass's table, build/browser/report.md, to
reports/browser.md) and rewrites the "Run time / memory" row of every notebook's header
table from it, rounding the time to a readable figure. tests/test_notebook_headers.py fails when a header and the
tracked report disagree by more than a factor of 1.5.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEASURED = ROOT / "build" / "reports" / "notebooks.md"
TRACKED = ROOT / "reports" / "notebooks.md"
# The browser pass's table (seconds, widget controls driven, tracebacks per notebook), copied as it is.
BROWSER, BROWSER_TRACKED = ROOT / "build" / "browser" / "report.md", ROOT / "reports" / "browser.md"
ROW = re.compile(r"^\| (\d\d_\w+\.ipynb) \| ([\d.]+) \| ([\d.]+|n/a) \|")
HEADER = re.compile(r"^\| \*\*Run time / memory\*\* \|.*\|\s*$")


def read_report(path: Path) -> dict[str, tuple[float, float | None]]:
    """``{notebook file name: (seconds, gigabytes or None)}`` from a report table."""
    rows = {}
    for line in path.read_text().splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = (float(match.group(2)), None if match.group(3) == "n/a" else float(match.group(3)))
    return rows


def readable_seconds(seconds: float) -> str:
    return f"{max(1, round(seconds)):d}" if seconds < 20 else f"{int(round(seconds / 5.0) * 5)}"


def header_row(seconds: float, gigabytes: float | None) -> str:
    memory = "" if gigabytes is None else f" and {max(gigabytes, 0.1):.1f} GB"
    return (f"| **Run time / memory** | about {readable_seconds(seconds)} s{memory} on 2 CPU cores (measured by "
            f"`make test`, see `reports/notebooks.md`; a busy or slower machine takes longer) |")


def main() -> int:
    if not MEASURED.exists():
        print(f"{MEASURED} does not exist: run `make test` first", file=sys.stderr)
        return 1
    TRACKED.parent.mkdir(exist_ok=True)
    shutil.copyfile(MEASURED, TRACKED)
    for name, (seconds, gigabytes) in read_report(TRACKED).items():
        path = ROOT / "notebooks" / name
        if not path.exists():
            continue
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            lines = "".join(cell["source"]).splitlines(keepends=True)
            changed = False
            for i, line in enumerate(lines):
                if HEADER.match(line.rstrip("\n")):
                    lines[i] = header_row(seconds, gigabytes) + ("\n" if line.endswith("\n") else "")
                    changed = True
            if changed:
                cell["source"] = lines
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        print(f"{name}: {header_row(seconds, gigabytes)}")
    print(f"copied {MEASURED.relative_to(ROOT)} to {TRACKED.relative_to(ROOT)}")
    if BROWSER.exists():
        shutil.copyfile(BROWSER, BROWSER_TRACKED)
        print(f"copied {BROWSER.relative_to(ROOT)} to {BROWSER_TRACKED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
