"""Build an executed, static HTML copy of the course in build/html (for reading offline, no kernel needed).

    python scripts/build_html.py [NOTEBOOK ...]

Each notebook is executed top to bottom in a fresh kernel (as in the tests), then exported with nbconvert;
widgets are saved with their last state, so they show but do not respond. An index.html lists the notebooks.
"""

from __future__ import annotations

import html
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "html"


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return cell.source.lstrip()[2:].splitlines()[0].strip()
    return "untitled"


def main(paths: list[str]) -> int:
    notebooks = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    OUT.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    rows, failures = [], 0
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                           store_widget_state=True).execute()
            status = f"{time.perf_counter() - start:.0f} s"
        except Exception as error:  # keep going: the page shows where it broke
            failures += 1
            status = f"FAILED: {type(error).__name__}"
            print(f"{path.name}: {error}", file=sys.stderr)
        body, _ = exporter.from_notebook_node(nb)
        (OUT / f"{path.stem}.html").write_text(body)
        rows.append((path.stem, title_of(nb), status))
        print(f"{path.name}: {status}")
    items = "\n".join(f'<li><a href="{html.escape(stem)}.html">{html.escape(title)}</a> <small>({status})</small></li>'
                      for stem, title, status in rows)
    (OUT / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>ML for condensed matter physics and quantum chemistry</title>"
        "<h1>Machine Learning for Condensed Matter Physics and Quantum Chemistry</h1>"
        f"<p>Executed copy built {time.strftime('%Y-%m-%d')}.</p><ol start='0'>{items}</ol>")
    (OUT / "build.json").write_text(json.dumps(rows, indent=1))
    print(f"wrote {OUT / 'index.html'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
