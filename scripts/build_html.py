"""Build the course site in build/html: an executed, static copy of every notebook, the decks, the solutions and a
landing page, readable offline (no kernel, no network).

    python scripts/build_html.py [NN ...]        (no arguments: every notebook)

- Notebook pages: the executed notebook saved by `make test`'s browser pass, ``build/executed/NN_name.ipynb``, when
  it exists and was run from the same code as ``notebooks/NN_name.ipynb`` (its markdown is taken from the notebook);
  otherwise the notebook is executed here with nbclient in a fresh kernel (as the tests do). Each page says which.
  Exported with nbconvert's ``lab`` template extended by ``scripts/html_templates/course_offline``: MathJax 2
  comes from the pinned ``jupyter-server-mathjax`` package
  (copied to ``build/html/assets/mathjax``), and no require.js, widget manager or mermaid is loaded from a CDN.
- Widgets cannot run without a kernel and no pinned package ships the standalone widget manager, so each widget
  output is replaced by a static snapshot of its saved state (its controls' values and the output it showed)
  under a note saying so.
- Decks: ``scripts/build_slides.py``'s ``build_decks(out_dir=build/html/slides)`` when that script exists.
- Solutions: ``notebooks/solutions/*.py`` as highlighted code pages in ``build/html/solutions/``.
- ``index.html``: the course map (talk, speaker, the first of the notebook's key points, links), the measured
  run-time table of ``reports/notebooks.md`` and what is static.
"""

from __future__ import annotations

import base64
import copy
import html
import importlib.util
import json
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "html"
EXECUTED = ROOT / "build" / "executed"
TEMPLATES = Path(__file__).resolve().parent / "html_templates"
TITLE = "Machine Learning for Condensed Matter Physics and Quantum Chemistry"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# The MathJax 2 files a page needs. jupyter-server-mathjax ships a trimmed MathJax 2.7: one combined
# configuration (TeX input, HTML-CSS output, the extensions it preloads) and the STIX-Web fonts of the HTML-CSS
# output (woff files served from assets/, not a web-font service). The SVG output is not shipped in full. TeX
# extensions that a formula loads on demand (\\boldsymbol, ...) and the element tables are copied too; anything
# else MathJax asks for would be a missing file, which tests/test_site.py catches.
MATHJAX_CONFIG_FILE = "TeX-AMS-MML_HTMLorMML-full"
MATHJAX_FILES = (
    "MathJax.js",
    f"config/{MATHJAX_CONFIG_FILE}.js",
    "extensions/TeX",
    "jax/element",
    "jax/output/HTML-CSS",
    "fonts/HTML-CSS/STIX-Web/woff",
)

MATHJAX_CONFIG = {
    "TeX": {"equationNumbers": {"autoNumber": "AMS", "useLabelIds": True}},
    "tex2jax": {"inlineMath": [["$", "$"], ["\\(", "\\)"]], "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
                "processEscapes": True, "processEnvironments": True},
    # Always the shipped STIX-Web fonts: the same rendering on every machine, no look-up of installed fonts.
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web", "imageFont": None,
                 "linebreaks": {"automatic": True}},
    # The combined configuration would pick native MathML in browsers that have it (Firefox): one output for all.
    "MMLorHTML": {"prefer": "HTML"},
    "displayAlign": "center",
    "messageStyle": "none",
    "showMathMenu": False,
    "menuSettings": {"zoom": "None"},
}

STATIC_NOTE = ("Interactive explorer, shown here as a static snapshot of its first state: run the notebook in "
               "JupyterLab or on Binder to move its controls.")

SITE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       line-height: 1.5; color: #1b1b1b; background: #fff; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
a { color: #0b57a4; } a:visited { color: #5a3a8a; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .35rem .5rem; vertical-align: top; text-align: left; }
th { background: #f2f4f7; } td.num { white-space: nowrap; } td p { margin: 0; }
.links a { display: inline-block; margin-right: .5rem; white-space: nowrap; }
.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: .5rem .8rem; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; font-size: .9rem; }
small, .muted { color: #555; }
"""

BANNER_CSS = """<style>
.course-banner { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 14px;
  background: #fff8e1; border-bottom: 1px solid #e0c46c; padding: 6px 12px; margin-bottom: 8px; }
.course-static-widget { border: 1px dashed #b08900; background: #fffdf3; padding: 6px 10px; margin: 4px 0; }
.course-static-widget .course-static-note { font-size: 13px; color: #6b5500; margin: 0 0 4px; }
.course-static-widget ul { margin: 0 0 4px; padding-left: 20px; font-size: 13px; }
.course-static-widget img { max-width: 100%; }
</style>"""


# ----------------------------------------------------------------------------------------------- notebooks: facts

def notebook_paths(numbers=None) -> list[Path]:
    """The course notebooks ``notebooks/NN_*.ipynb`` in order, or those with the given numbers (ints 0-99)."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if numbers is None:
        return paths
    if isinstance(numbers, (str, bytes, int)) or not hasattr(numbers, "__iter__"):
        raise TypeError(f"numbers must be a list of notebook numbers such as [0, 5], got {numbers!r}")
    by_number = {int(p.name[:2]): p for p in paths}
    chosen = []
    for n in numbers:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"a notebook number must be an int such as 5, got {n!r}")
        if n not in by_number:
            raise ValueError(f"no notebook number {n}; the course has {sorted(by_number)}")
        chosen.append(by_number[n])
    return chosen


def title_of(nb) -> str:
    """The notebook's first level-1 heading, e.g. ``00 · Welcome``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return cell.source.lstrip()[2:].splitlines()[0].strip()
    raise ValueError("the notebook has no level-1 heading ('# NN · title') in a markdown cell")


_NAME = r"(?:[A-Z]\.\s*)*[A-Z][^\s,.()]*"
_SPEAKER = re.compile(rf"\bby\s+({_NAME}(?:[ \t\n]+{_NAME})*)")


def speaker_of(nb) -> str:
    """The speaker named in the notebook's opening paragraphs ("... talk ... by Kieron Burke (...)")."""
    for cell in nb.cells[:3]:
        if cell.cell_type != "markdown":
            continue
        match = _SPEAKER.search(cell.source)
        if match:
            return " ".join(match.group(1).split())
    raise ValueError("no speaker found: the notebook's first cells name no 'by First Last'")


def key_result(nb) -> str:
    """The first bullet of the notebook's ``## Key points`` section (markdown source, one paragraph)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"^#{2,3}\s*Key points\s*$", line.strip(), re.I):
                bullet = []
                for item in lines[i + 1:]:
                    if re.match(r"^[*-]\s+", item):
                        if bullet:
                            break
                        bullet.append(re.sub(r"^[*-]\s+", "", item))
                    elif bullet and item.startswith((" ", "\t")) and item.strip():
                        bullet.append(item.strip())
                    elif bullet:
                        break
                    elif item.strip().startswith("#"):
                        break
                if bullet:
                    return " ".join(bullet)
                raise ValueError("the notebook's 'Key points' section has no bullet")
    raise ValueError("the notebook has no '## Key points' section")


def _code_sources(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def executed_source(path: Path, executed_dir: Path = EXECUTED) -> Path | None:
    """``executed_dir/<name>`` when it exists and was executed from the same code as the notebook ``path`` (every
    code cell's source equal; markdown may differ, e.g. after `make report` rewrote the header), else None.
    File times are no guide: a checkout or a copy resets them."""
    path, executed_dir = Path(path), Path(executed_dir)
    if not path.is_file():
        raise ValueError(f"no notebook at {path}")
    candidate = executed_dir / path.name
    if not candidate.is_file():
        return None
    try:
        executed = json.loads(candidate.read_text())
        same = _code_sources(executed) == _code_sources(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError):
        return None
    return candidate if same else None


def with_current_markdown(executed, notebook):
    """The executed notebook with the markdown cells of the current ``notebook`` (same cell layout), so a page
    shows today's text beside the saved outputs."""
    if [c.cell_type for c in executed.cells] == [c.cell_type for c in notebook.cells]:
        for old, new in zip(executed.cells, notebook.cells, strict=True):
            if old.cell_type == "markdown":
                old.source = new.source
    return executed


# ------------------------------------------------------------------------------------------ widgets, statically

def _model_id(ref) -> str | None:
    return ref[len("IPY_MODEL_"):] if isinstance(ref, str) and ref.startswith("IPY_MODEL_") else None


def _outputs_html(outputs) -> str:
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            text = "".join(out.get("text", ""))
            if text.strip():
                parts.append(f"<pre>{html.escape(text)}</pre>")
            continue
        data = out.get("data", {})
        if "image/png" in data:
            png = "".join(data["image/png"]).replace("\n", "")
            parts.append(f'<img alt="figure shown by the explorer" src="data:image/png;base64,{png}">')
        elif "image/svg+xml" in data:
            svg = "".join(data["image/svg+xml"])
            parts.append(f'<img alt="figure shown by the explorer" '
                         f'src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">')
        elif "text/html" in data:
            parts.append("".join(data["text/html"]))
        elif "text/plain" in data:
            parts.append(f"<pre>{html.escape(''.join(data['text/plain']))}</pre>")
    return "\n".join(parts)


def static_widget_html(model_id: str, state: dict) -> str:
    """HTML of a widget's saved state: each control's description and value, the outputs it showed.

    ``state`` is the ``state`` mapping of the notebook's widget state (model id -> {model_name, state}).
    """
    if not isinstance(state, dict):
        raise TypeError(f"state must be the widget state's 'state' mapping (dict), got {type(state).__name__}")
    if not isinstance(model_id, str) or model_id not in state:
        raise ValueError(f"widget model {model_id!r} is not in the saved widget state")
    controls, shown = [], []

    def walk(mid, depth=0):
        model = state.get(mid)
        if model is None or depth > 20:
            return
        name, st = model.get("model_name", ""), model.get("state", {})
        if name == "OutputModel":
            shown.append(_outputs_html(st.get("outputs", [])))
            return
        if name in ("HTMLModel", "HTMLMathModel"):
            if st.get("value"):
                shown.append(str(st["value"]))
            return
        if name == "LabelModel":
            if st.get("value"):
                shown.append(f"<div>{html.escape(str(st['value']))}</div>")
            return
        for child in st.get("children", []):
            walk(_model_id(child), depth + 1)
        description = html.escape(str(st.get("description", "")).strip())
        if name in ("LayoutModel", "StyleModel") or name.endswith("StyleModel") or "children" in st:
            return
        if name == "ButtonModel":
            controls.append(f"button <b>{description}</b>")
        elif "_options_labels" in st and st.get("index") is not None:
            labels, index = st["_options_labels"], st["index"]
            picked = (", ".join(labels[i] for i in index) if isinstance(index, list)
                      else labels[index] if 0 <= index < len(labels) else "")
            controls.append(f"{description or 'choice'}: <b>{html.escape(str(picked))}</b>")
        elif name in ("FloatProgressModel", "IntProgressModel"):
            controls.append(f"{description} <progress value='{st.get('value', 0)}' max='{st.get('max', 100)}'>"
                            "</progress>")
        elif "value" in st:
            controls.append(f"{description or name.removesuffix('Model')}: <b>{html.escape(str(st['value']))}</b>")

    walk(model_id)
    items = "".join(f"<li>{c}</li>" for c in controls)
    return (f'<div class="course-static-widget"><p class="course-static-note">{html.escape(STATIC_NOTE)}</p>'
            + (f"<ul>{items}</ul>" if items else "") + "".join(shown) + "</div>")


def staticise_widgets(nb):
    """A copy of ``nb`` whose widget outputs are static HTML snapshots and which carries no widget state."""
    nb = copy.deepcopy(nb)
    widgets = nb.metadata.pop("widgets", {})
    state = widgets.get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            model_id = data[WIDGET_VIEW].get("model_id")
            if model_id in state:
                snapshot = static_widget_html(model_id, state)
            else:
                snapshot = (f'<div class="course-static-widget"><p class="course-static-note">'
                            f'{html.escape(STATIC_NOTE)} (no saved state for this widget)</p></div>')
            out["data"] = {"text/html": snapshot}
            count += 1
    return nb, count


# ----------------------------------------------------------------------------------------------- assets, pages

# What a browser would load by itself: script/img/iframe/source src, stylesheet and icon links, CSS url() and
# @import, JavaScript import(). Plain <a href> links (DOIs) are only followed when clicked, so they are allowed.
_REMOTE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\ssrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\shref\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//|import\(\s*["'](?:https?:)?//""",
    re.IGNORECASE)


def remote_resources(text: str) -> list[str]:
    """The places in an HTML page that would make a browser load something from another machine."""
    if not isinstance(text, str):
        raise TypeError(f"text must be the HTML of a page (str), got {type(text).__name__}")
    return [text[m.start():m.start() + 120] for m in _REMOTE.finditer(text)]


def mathjax_static() -> Path:
    """The static MathJax 2 folder shipped by the pinned jupyter-server-mathjax package."""
    spec = importlib.util.find_spec("jupyter_server_mathjax")
    if spec is None or spec.origin is None:
        raise RuntimeError("jupyter-server-mathjax is not installed; it is pinned in pyproject.toml: run make setup")
    folder = Path(spec.origin).parent / "static"
    if not (folder / "MathJax.js").is_file():
        raise RuntimeError(f"{folder} has no MathJax.js")
    return folder


def copy_mathjax(dest: Path) -> Path:
    """Copy the MathJax files of ``MATHJAX_FILES`` to ``dest/mathjax``; return that folder."""
    source, target = mathjax_static(), Path(dest) / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    for rel in MATHJAX_FILES:
        src = source / rel
        if src.is_dir():
            shutil.copytree(src, target / rel)
        else:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / rel)
    shutil.copy2(source / "LICENSE", target / "LICENSE")
    return target


def mathjax_head(prefix: str = "") -> str:
    """The ``<script>`` tags that configure and load the local MathJax, relative to a page at ``prefix``."""
    if not isinstance(prefix, str) or prefix.startswith(("/", "http:", "https:")) or "://" in prefix:
        raise ValueError(f"prefix must be a relative path such as '' or '../', got {prefix!r}")
    return ('<script type="text/x-mathjax-config">MathJax.Hub.Config('
            f"{json.dumps(MATHJAX_CONFIG)});</script>\n"
            f'<script src="{prefix}assets/mathjax/MathJax.js?config={MATHJAX_CONFIG_FILE}"></script>')


def page(title: str, body: str, prefix: str = "", math: bool = False) -> str:
    head = mathjax_head(prefix) if math else ""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title>"
            f'<link rel="stylesheet" href="{prefix}assets/site.css">{head}</head>\n<body>\n{body}\n</body></html>\n')


def markdown_html(text: str) -> str:
    """Markdown to HTML with ``$...$`` math left for MathJax (nbconvert's own converter)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    return markdown2html_mistune(text)


def solution_pages(out: Path) -> dict[str, list[tuple[str, str]]]:
    """Write ``out/solutions/<name>.html`` for every solution; return {notebook stem: [(label, href), ...]}."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    folder = out / "solutions"
    folder.mkdir(parents=True, exist_ok=True)
    stems = [p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    css = HtmlFormatter().get_style_defs(".highlight")
    links: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((NOTEBOOKS / "solutions").glob("[0-9][0-9]_*.py")):
        stem = next((s for s in stems if path.stem.startswith(s + "_ex")), None)
        label = path.stem.rsplit("_", 1)[-1]
        code = highlight(path.read_text(), PythonLexer(), HtmlFormatter())
        back = f'<a href="../{stem}.html">the notebook</a>' if stem and (out / f"{stem}.html").is_file() else ""
        nav = '<a href="../index.html">Course map</a>' + (f" · {back}" if back else "")
        body = (f"<p>{nav}</p><h1>{html.escape(path.name)}</h1>"
                f"<p>Solution file <code>notebooks/solutions/{html.escape(path.name)}</code>; in the notebook, "
                f"<code>%load solutions/{html.escape(path.name)}</code> in the exercise cell, then run its "
                f"check cell.</p><style>{css}</style>{code}")
        (folder / f"{path.stem}.html").write_text(page(path.name, body, prefix="../"))
        links.setdefault(stem or "", []).append((label, f"solutions/{path.stem}.html"))
    return links


def build_slides(out: Path, numbers=None) -> dict[str, str]:
    """Build the decks (all, or those of the notebook ``numbers`` that have one) into ``out/slides`` with
    scripts/build_slides.py when it exists; return {NN: href} of every deck in that folder."""
    script = Path(__file__).resolve().parent / "build_slides.py"
    if not script.is_file():
        print("decks: scripts/build_slides.py not found, no decks built")
        return {}
    spec = importlib.util.spec_from_file_location("build_slides", script)
    module = sys.modules.setdefault("build_slides", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)  # registered first: its dataclasses look their module up
    wanted = None
    if numbers is not None:
        have = {p.name[:2] for p in module.deck_sources()}
        wanted = [f"{n:02d}" for n in numbers if f"{n:02d}" in have]
    if wanted == [] or not module.deck_sources():
        print(f"decks: none to build (decks exist for {sorted(p.name[:2] for p in module.deck_sources())})")
    else:
        start = time.perf_counter()
        written = module.build_decks(numbers=wanted, out_dir=out / "slides")
        print(f"decks: {len(written)} built in {out / 'slides'} in {time.perf_counter() - start:.1f} s")
    return {p.name[:2]: f"slides/{p.name}" for p in sorted((out / "slides").glob("[0-9][0-9]_*.html"))}


def run_time_table() -> str:
    """The measured run-time table of reports/notebooks.md, as HTML (with its 'Last run' line)."""
    text = (ROOT / "reports" / "notebooks.md").read_text()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("# "))
    return markdown_html(body)


def export_notebook(path: Path, out: Path, exporter, executed_dir: Path = EXECUTED) -> dict:
    """Write ``out/<stem>.html`` from the executed copy, or execute the notebook first; return a summary row."""
    source = executed_source(path, executed_dir)
    start = time.perf_counter()
    failed = False
    if source is not None:
        nb = with_current_markdown(nbformat.read(source, as_version=4), nbformat.read(path, as_version=4))
        where = source.relative_to(ROOT) if source.is_relative_to(ROOT) else source
        how = f"outputs saved by the browser pass (make test or make browser) in {where}"
        print(f"{path.name}: using {source}")
    else:
        from nbclient import NotebookClient
        print(f"{path.name}: no build/executed copy of this code, executing it with nbclient")
        nb = nbformat.read(path, as_version=4)
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}, store_widget_state=True).execute()
            how = f"executed by scripts/build_html.py in {time.perf_counter() - start:.0f} s"
        except Exception as error:  # keep going: the page shows where it broke
            failed = True
            how = f"execution FAILED ({type(error).__name__}); the page shows the outputs up to the failure"
            print(f"{path.name}: {error}", file=sys.stderr)
    static, n_widgets = staticise_widgets(nb)
    built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    banner = (f'<nav class="course-banner"><a href="index.html">Course map</a> · static copy of '
              f"<code>notebooks/{html.escape(path.name)}</code>, {html.escape(how)}; page built {built}. "
              "Code cannot be run here"
              + (f"; its {n_widgets} interactive widget output(s) are static snapshots" if n_widgets else "")
              + ".</nav>")
    resources = {"metadata": {"name": path.stem, "path": str(path.parent)},
                 "offline_head": BANNER_CSS + mathjax_head(""), "offline_banner": banner}
    body, _ = exporter.from_notebook_node(static, resources=resources)
    (out / f"{path.stem}.html").write_text(body)
    origin = "make test" if source is not None else ("failed" if failed else "build_html.py")
    return {"stem": path.stem, "source": origin, "how": how, "widgets": n_widgets}


def course_map_rows(out: Path) -> list[dict]:
    """Title, speaker and key result of every notebook (from the stored notebook), and whether its page exists."""
    rows = []
    for path in notebook_paths():
        nb = nbformat.read(path, as_version=4)
        rows.append({"stem": path.stem, "title": title_of(nb), "speaker": speaker_of(nb),
                     "key_result": key_result(nb), "page": (out / f"{path.stem}.html").is_file()})
    return rows


def landing_page(built: list[dict], decks: dict[str, str], solutions: dict[str, list], out: Path) -> None:
    rows, lines = course_map_rows(out), []
    for row in rows:
        nn = row["stem"][:2]
        links = [f'<a href="{row["stem"]}.html">notebook</a>' if row["page"] else "<span>(page not built)</span>"]
        if nn in decks:
            links.append(f'<a href="{decks[nn]}">deck</a>')
        exercises = [f'<a href="{href}">{html.escape(label)}</a>' for label, href in solutions.get(row["stem"], [])]
        if exercises:
            links.append("<br>solutions: " + " ".join(exercises))
        result = markdown_html(row["key_result"]).strip()
        title = html.escape(row["title"])
        lines.append(f'<tr><td class="num">{nn}</td><td>'
                     + (f'<a href="{row["stem"]}.html">{title}</a>' if row["page"] else title) + '</td>'
                     f'<td>{html.escape(row["speaker"])}</td><td>{result}</td>'
                     f'<td class="links">{"".join(links)}</td></tr>')
    n_make_test = sum(r["source"] == "make test" for r in built)
    deck_note = (f"{len(decks)} talks have a deck (the <em>deck</em> links above, reveal.js from "
                 "<code>slides/assets/</code>); press S in a deck for its speaker notes." if decks
                 else "No decks were built.")
    body = f"""<h1>{html.escape(TITLE)}</h1>
<p class="muted">One notebook per talk of the GDR REST discussion meeting on Machine Learning (Palaiseau), in the
meeting's order. Site built {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by <code>make html</code>.</p>
<h2 id="map">Course map</h2>
<p>Key result: the first of each notebook's key points, taken from the notebook.</p>
<table><thead><tr><th>#</th><th>Talk (executed notebook)</th><th>Speaker</th><th>Key result</th><th>Links</th></tr>
</thead><tbody>
{chr(10).join(lines)}
</tbody></table>
<h2 id="static">What is static here</h2>
<p class="note">Every page opens from the file system with no network: MathJax is served from
<code>assets/</code>, and nothing is loaded from elsewhere. The notebook pages are executed copies
({n_make_test} of the {len(built)} pages built in this run from the outputs of <code>make test</code>'s run,
the others executed while building this site; each page says which). Code cannot be run here, and interactive
widgets are shown as static snapshots of their first state. To run and explore, open the notebooks in
JupyterLab (<code>make lab</code>) or on Binder. {deck_note}</p>
<h2 id="run-times">Measured run time and memory</h2>
{run_time_table()}
"""
    (out / "index.html").write_text(page(TITLE, body, math=True))


_NO_ALT = re.compile(r"<img(?![^>]*\salt=)")
_FOCUSABLE = re.compile(r'<div class="((?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?)"')


def offline_exporter():
    """nbconvert's HTMLExporter with the ``course_offline`` template, minus its final BeautifulSoup pass.

    That pass re-parses the finished page (megabytes of inline PNGs) only to add a default alt text to images
    and keyboard focus (tabindex) to cells, and took most of the export time; the same two edits are made here
    with regular expressions.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class OfflineHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # As HTMLExporter.from_notebook_node (nbconvert 7.17), without the BeautifulSoup pass.
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                     resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            text, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            text = _NO_ALT.sub('<img alt="No description has been provided for this image"', text)
            return _FOCUSABLE.sub(r'<div class="\1" tabindex="0"', text), resources

    return OfflineHTMLExporter(template_name="course_offline", extra_template_basedirs=[str(TEMPLATES)])


def _export_one(args) -> dict:
    """One notebook page (in a worker process when several are exported at once)."""
    path, out, executed_dir = args
    return export_notebook(path, out, offline_exporter(), executed_dir)


def build_site(numbers=None, out_dir: Path = OUT, executed_dir: Path = EXECUTED, decks=True,
               jobs: int = 2) -> list[dict]:
    """Build the site into ``out_dir``; return one summary row per notebook page built.

    ``numbers``: the notebooks to (re)build, default all; pages already in ``out_dir`` stay on the map.
    ``decks``: True (every deck), False (none; decks already in ``out_dir`` stay linked) or a list of numbers.
    ``jobs``: pages exported at once.
    """
    paths = notebook_paths(numbers)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got {jobs!r}")
    if decks is not True and decks is not False:
        notebook_paths(decks)  # the same checks: a list of existing notebook numbers
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "assets").mkdir(exist_ok=True)
    (out / "assets" / "site.css").write_text(SITE_CSS)
    copy_mathjax(out / "assets")
    # Pages from saved outputs are exported ``jobs`` at a time; a notebook without them is executed alone, so
    # that it has the machine's cores as in the tests.
    ready = [(p, out, Path(executed_dir)) for p in paths if executed_source(p, executed_dir) is not None]
    alone = [(p, out, Path(executed_dir)) for p in paths if executed_source(p, executed_dir) is None]
    done = {}
    if jobs > 1 and len(ready) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=min(jobs, len(ready))) as pool:
            done.update(zip((item[0] for item in ready), pool.map(_export_one, ready), strict=True))
    else:
        done.update((item[0], _export_one(item)) for item in ready)
    done.update((item[0], _export_one(item)) for item in alone)
    rows = [done[path] for path in paths]
    solutions = solution_pages(out)
    if decks is False:  # decks built earlier into out_dir stay on the map, as pages do
        deck_links = {p.name[:2]: f"slides/{p.name}" for p in sorted((out / "slides").glob("[0-9][0-9]_*.html"))}
    else:
        deck_links = build_slides(out, None if decks is True else list(decks))
    landing_page(rows, deck_links, solutions, out)
    remote = {str(p.relative_to(out)): found for p in sorted(out.rglob("*.html"))
              if (found := remote_resources(p.read_text(errors="replace")))}
    if remote:
        raise RuntimeError(f"pages that would load something from the network: {remote}")
    (out / "build.json").write_text(json.dumps(rows, indent=1))
    print(f"wrote {out / 'index.html'}")
    return rows


def main(argv: list[str]) -> int:
    numbers = [int(a[:2]) if not a.isdigit() else int(a) for a in (Path(x).name for x in argv)] or None
    rows = build_site(numbers)
    return 1 if any(r["source"] == "failed" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
