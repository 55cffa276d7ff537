"""The course site (`make html`, scripts/build_html.py) works offline.

The browser part builds the site into a scratch folder from the executed notebooks that `make test`'s browser
pass saved in build/executed (it executes notebook 00 itself only when none is there), follows every link of the
landing page and of the pages it reaches, and opens the landing page and a notebook page with equations in
headless Chromium with every request other than file:// and data: aborted and recorded: no request may leave the
machine, MathJax must have rendered the equations, and every file MathJax asks for must exist. Screenshots go to
build/site/. The fast tests check the builder's helpers and their argument checks.
"""

from __future__ import annotations

import re
import shutil
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from scripts import build_html

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "site"
MATH_PAGES = ("00_welcome", "05_ml_density_functionals", "06_deep_learning_functionals")


# ------------------------------------------------------------------------------------------------ fast unit tests

def _nb(*cells):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(c) for c in cells])


def test_notebook_paths_checks_its_arguments():
    assert [p.name[:2] for p in build_html.notebook_paths([5, 0])] == ["05", "00"]
    assert len(build_html.notebook_paths()) == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    with pytest.raises(TypeError, match="list of notebook numbers"):
        build_html.notebook_paths(5)
    with pytest.raises(TypeError, match="must be an int"):
        build_html.notebook_paths(["05"])
    with pytest.raises(TypeError, match="must be an int"):
        build_html.notebook_paths([True])
    with pytest.raises(ValueError, match="no notebook number 99"):
        build_html.notebook_paths([99])


def test_facts_come_from_the_notebook():
    nb = _nb("# 42 · A talk\n\n*After the talk by Ada K. Lovelace (Somewhere), \"Engines\".*",
             "## Key points\n\n* First point, which runs\n  onto a second line.\n* Second point.\n\n## References")
    assert build_html.title_of(nb) == "42 · A talk"
    assert build_html.speaker_of(nb) == "Ada K. Lovelace"
    assert build_html.key_result(nb) == "First point, which runs onto a second line."
    with pytest.raises(ValueError, match="level-1 heading"):
        build_html.title_of(_nb("no heading"))
    with pytest.raises(ValueError, match="no speaker"):
        build_html.speaker_of(_nb("# 1 · x", "nobody named here"))
    with pytest.raises(ValueError, match="no '## Key points' section"):
        build_html.key_result(_nb("# 1 · x"))
    with pytest.raises(ValueError, match="has no bullet"):
        build_html.key_result(_nb("## Key points\n\nJust prose."))


def test_every_notebook_has_the_facts_of_the_course_map():
    for path in build_html.notebook_paths():
        nb = nbformat.read(path, as_version=4)
        assert build_html.title_of(nb).startswith(path.name[:2] + " ·"), path.name
        assert len(build_html.speaker_of(nb).split()) >= 2, path.name
        assert len(build_html.key_result(nb)) > 40, path.name


def test_executed_source_takes_a_copy_run_from_the_same_code(tmp_path):
    def notebook(path, code, text="# Title"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(text), nbformat.v4.new_code_cell(code)]
        nbformat.write(nb, path)

    path, executed = tmp_path / "00_x.ipynb", tmp_path / "executed"
    notebook(path, "x = 1")
    executed.mkdir()
    assert build_html.executed_source(path, executed) is None  # no copy
    copy = executed / "00_x.ipynb"
    notebook(copy, "x = 2")
    assert build_html.executed_source(path, executed) is None  # other code: stale
    notebook(copy, "x = 1", text="# Old title")
    assert build_html.executed_source(path, executed) == copy  # same code, other markdown: usable
    merged = build_html.with_current_markdown(nbformat.read(copy, as_version=4), nbformat.read(path, as_version=4))
    assert merged.cells[0].source == "# Title" and merged.cells[1].source == "x = 1"
    copy.write_text("not json")
    assert build_html.executed_source(path, executed) is None
    with pytest.raises(ValueError, match="no notebook at"):
        build_html.executed_source(tmp_path / "missing.ipynb", executed)


def test_static_widget_shows_controls_and_saved_output():
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_d", "IPY_MODEL_o"]}},
        "s": {"model_name": "FloatSliderModel", "state": {"description": "length L (bohr)", "value": 10.0}},
        "d": {"model_name": "DropdownModel", "state": {"description": "model", "index": 1,
                                                        "_options_labels": ["LDA", "exact"]}},
        "o": {"model_name": "OutputModel", "state": {"outputs": [
            {"output_type": "stream", "name": "stdout", "text": "E = 1.5 Ha\n"},
            {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}}]}},
    }
    out = build_html.static_widget_html("box", state)
    assert build_html.STATIC_NOTE in out
    assert "length L (bohr): <b>10.0</b>" in out and "model: <b>exact</b>" in out
    assert "E = 1.5 Ha" in out and 'src="data:image/png;base64,iVBORw0KGgo="' in out
    with pytest.raises(ValueError, match="not in the saved widget state"):
        build_html.static_widget_html("nope", state)
    with pytest.raises(TypeError, match="widget state"):
        build_html.static_widget_html("box", [])


def test_staticise_widgets_replaces_views_and_drops_state():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("w", outputs=[nbformat.v4.new_output(
        "display_data", data={build_html.WIDGET_VIEW: {"model_id": "m", "version_major": 2}, "text/plain": "x"})])])
    nb.metadata["widgets"] = {build_html.WIDGET_STATE: {"state": {
        "m": {"model_name": "IntSliderModel", "state": {"description": "n", "value": 3}}}}}
    static, count = build_html.staticise_widgets(nb)
    assert count == 1 and "widgets" not in static.metadata and "widgets" in nb.metadata  # the input is untouched
    data = static.cells[0].outputs[0]["data"]
    assert list(data) == ["text/html"] and "n: <b>3</b>" in data["text/html"]


def test_remote_resources_and_mathjax_head():
    page = ('<script src="https://cdn.example/x.js"></script><a href="https://doi.org/10.1/x">paper</a>'
            '<link rel="stylesheet" href="//fonts.example/a.css"><img src="data:image/png;base64,AA==">'
            '<style>p { background: url("http://x.example/a.png") }</style>')
    found = build_html.remote_resources(page)
    assert len(found) == 3 and not any("doi.org" in f.split(">")[0] for f in found)
    assert build_html.remote_resources('<a href="https://doi.org/x">x</a><script src="assets/a.js"></script>') == []
    with pytest.raises(TypeError, match="HTML of a page"):
        build_html.remote_resources(b"<html>")
    head = build_html.mathjax_head("../")
    assert 'src="../assets/mathjax/MathJax.js?config=' in head and build_html.remote_resources(head) == []
    with pytest.raises(ValueError, match="relative path"):
        build_html.mathjax_head("https://cdn.example/")


def test_build_site_checks_its_arguments(tmp_path):
    with pytest.raises(ValueError, match="jobs must be a positive int"):
        build_html.build_site([0], out_dir=tmp_path, jobs=0)
    with pytest.raises(ValueError, match="no notebook number 77"):
        build_html.build_site([0], out_dir=tmp_path, decks=[77])
    assert not any(tmp_path.iterdir())  # nothing written before the arguments are checked


def test_mathjax_comes_from_the_pinned_package(tmp_path):
    target = build_html.copy_mathjax(tmp_path)
    for rel in build_html.MATHJAX_FILES:
        assert (target / rel).exists(), rel
    assert (target / "config" / f"{build_html.MATHJAX_CONFIG_FILE}.js").is_file()


# ----------------------------------------------------------------------------------------- the site in a browser

class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "a" and key == "src"):
                self.links.append(attrs[key])


_PARSED: dict[Path, _Links] = {}


def _parse(path: Path) -> _Links:
    if path not in _PARSED:
        parser = _Links()
        parser.feed(path.read_text(errors="replace"))
        _PARSED[path] = parser
    return _PARSED[path]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built into a scratch folder from the executed notebooks of build/executed."""
    have = [int(p.name[:2]) for p in build_html.notebook_paths()
            if build_html.executed_source(p) is not None]
    numbers = have or [0]
    if not have:
        print("\n!!! test_site: no executed notebooks in build/executed: executing 00_welcome here")
    out = tmp_path_factory.mktemp("site") / "html"
    # One deck (the welcome's, the quickest to build) proves the landing page's deck links; tests/test_slides.py
    # builds and checks every deck.
    decks = [0] if 0 in numbers else numbers[:1]
    start = time.perf_counter()
    rows = build_html.build_site(numbers, out_dir=out, decks=decks)
    seconds = time.perf_counter() - start
    print(f"\ntest_site: built {len(rows)} notebook pages ({sum(r['source'] == 'make test' for r in rows)} from "
          f"build/executed) and decks {decks} in {seconds:.1f} s")
    return out, rows


@pytest.mark.browser
@pytest.mark.slow
def test_every_link_of_the_site_resolves(site):
    out, rows = site
    index = (out / "index.html").resolve()
    landing = _parse(index)
    for row in rows:
        assert f"{row['stem']}.html" in landing.links, f"the landing page does not link {row['stem']}"
    assert any(link.startswith("solutions/") for link in landing.links)
    seen, queue, checked, problems = set(), [index], 0, []
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        parsed = _parse(page)
        for link in parsed.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "data") or link.startswith("//"):
                continue
            assert parts.scheme in ("", "file"), f"{page.name}: unexpected link {link}"
            target = (page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else page
            rel = page.relative_to(out.resolve())
            checked += 1
            if not target.exists():
                problems.append(f"{rel} -> {link}: no such file")
                continue
            if not target.resolve().is_relative_to(out.resolve()):
                problems.append(f"{rel} -> {link}: outside the site")
            fragment = urllib.parse.unquote(parts.fragment)
            if target.suffix == ".html":
                # "#/3" is reveal.js's slide routing; nbconvert writes heading ids percent-encoded, which a
                # browser matches as written or decoded.
                if fragment and not fragment.startswith("/"):
                    if not {fragment, parts.fragment} & _parse(target).ids:
                        problems.append(f"{rel} -> {link}: no anchor #{fragment}")
                if page == index or page.parent != out.resolve():  # follow the landing page and the pages it links
                    queue.append(target)
    assert not problems, "\n".join(problems)
    assert checked > 20


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("NO CHROMIUM FOUND: the offline site test did not run. Install Debian's chromium "
                    "(apt-get install chromium; make browser-deps) and run it again.")
    return path


def _open_offline(browser, path: Path, shot: Path) -> dict:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    remote, missing = [], []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file://", "data:")):
            request_route.continue_()
        else:
            remote.append(url)
            request_route.abort()

    page.route("**/*", route)
    # MathJax probes web-font support with a font at about:blank, which Chromium refuses from file://: not a
    # request to anywhere.
    # The hidden MathML copy that MathJax's AssistiveMML extension keeps for screen readers asks for MathJax's TeX
    # .otf fonts, which jupyter-server-mathjax does not ship; the visible formulas use its STIX-Web fonts, so those
    # requests change nothing on screen. Any other missing file is a failure.
    page.on("requestfailed", lambda request: missing.append(request.url)
            if request.url.startswith("file://") and "/fonts/HTML-CSS/TeX/otf/" not in request.url else None)
    page.goto(path.as_uri())
    try:
        page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.Hub.queue"
                               " && MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0"
                               " && document.querySelectorAll('.MathJax_Processing').length === 0", timeout=30_000)
    except Exception as error:  # playwright's TimeoutError: say why instead
        page.screenshot(path=str(shot))
        pytest.fail(f"{path.name}: MathJax did not finish typesetting in 30 s ({type(error).__name__}); requests "
                    f"refused: {remote}; missing files: {missing}")
    result = {
        "remote": remote, "missing": missing,
        "math": page.locator("span.MathJax, div.MathJax_Display").count(),
        "errors": page.locator(".MathJax_Error, .noError, merror").count(),
        # Text that a reader sees outside code: markdown cells, or the whole landing page.
        "prose": "\n".join(page.locator(".jp-RenderedMarkdown").all_inner_texts()) or page.inner_text("body"),
    }
    page.screenshot(path=str(shot))
    snapshot = page.locator(".course-static-widget").first
    if snapshot.count():
        snapshot.scroll_into_view_if_needed()
        snapshot.screenshot(path=str(shot.with_name(shot.stem + "_widget.png")))
    page.close()
    return result


@pytest.mark.browser
@pytest.mark.slow
def test_pages_render_math_offline(site):
    out, rows = site
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    built = {row["stem"] for row in rows}
    math_page = next((stem for stem in MATH_PAGES if stem in built), sorted(built)[0])
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        try:
            for stem in ("index", math_page):
                seen = _open_offline(browser, out / f"{stem}.html", SHOTS / f"{stem}.png")
                assert seen["remote"] == [], f"{stem}.html tried to reach the network: {seen['remote']}"
                assert seen["missing"] == [], f"{stem}.html asked for files the site lacks: {seen['missing']}"
                assert seen["math"] > 3, f"{stem}.html: MathJax rendered {seen['math']} formulas"
                assert seen["errors"] == 0, f"{stem}.html: {seen['errors']} TeX errors"
                assert "$$" not in seen["prose"], f"{stem}.html shows raw display math"
                raw = re.findall(r"\$[^$\s][^$\n]{0,80}\$", seen["prose"])
                assert raw == [], f"{stem}.html shows raw inline math: {raw[:5]}"
        finally:
            browser.close()
