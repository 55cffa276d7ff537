"""The slide decks (scripts/build_slides.py): format checks on small decks, and every deck of slides/ built,
checked for remote URLs and opened in headless Chromium (screenshots of the title and key-result slides go to
build/slides/screenshots/). Without Chromium the browser part skips loudly, like tests/test_browser.py."""

from __future__ import annotations

import html
import importlib.util
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "slides"
_spec = importlib.util.spec_from_file_location("build_slides", ROOT / "scripts" / "build_slides.py")
build_slides = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("build_slides", build_slides)  # dataclasses look their module up there
_spec.loader.exec_module(build_slides)

FRONT = "+++\nnotebook: 00_welcome.ipynb\ntitle: A test deck\nspeaker: Nobody\n+++\n"


def _slide(k: int, body: str = "") -> str:
    return f"## Slide {k}\n\n{body}\n\nNote:\nWhat to say about slide {k}.\n"


def _deck(tmp_path: Path, n_slides: int = 8, *, front: str = FRONT, key_result_on=(2,), extra: dict | None = None,
          figures: str | None = None, name: str = "00_test.md") -> Path:
    slides = []
    for k in range(1, n_slides + 1):
        body = ("<!-- key-result -->\n" * key_result_on.count(k)) + (extra or {}).get(k, "")
        slides.append(_slide(k, body))
    path = tmp_path / name
    path.write_text(front + "\n---\n".join(slides), encoding="utf-8")
    if figures is not None:
        (tmp_path / f"figures_{name[:2]}.py").write_text(figures, encoding="utf-8")
    return path


FIGURES_OK = '''
VALUES = {"answer": lambda: "42", "number": lambda: 42}


def line():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("x (bohr)")
    ax.set_ylabel("y (Ha)")
    return fig


def unlabelled():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    return fig


def huge():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(20, 10))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("x (bohr)")
    ax.set_ylabel("y (Ha)")
    return fig


FIGURES = {"line": line, "unlabelled": unlabelled, "huge": huge, "not_a_figure": lambda: None}
'''


def _build(tmp_path, path):
    return build_slides.build_decks(None, tmp_path / "out", slides_dir=path.parent)


def test_small_deck_builds_with_figure_value_math_and_notes(tmp_path):
    path = _deck(tmp_path, figures=FIGURES_OK,
                 extra={3: "![a line](figure:line)\n\nThe answer is {{answer}}; $E = \\frac{a<b}{2}$ and\n\n"
                           "$$\\int_0^1 x\\,dx = \\tfrac12$$\n\nRun time {{run_time}} s; $a\\,\nb_1 * c_2 * d$ wraps."})
    (page,) = _build(tmp_path, path)
    text = page.read_text(encoding="utf-8")
    assert text.count("<section") == 8 and text.count('<aside class="notes">') == 8
    assert text.count("data-key-result") == 1 and 'src="data:image/png;base64,' in text
    assert "The answer is 42" in text and "$E = \\frac{a&lt;b}{2}$" in text and "$$\\int_0^1 x\\,dx" in text
    assert "$a\\,\nb_1 * c_2 * d$" in text, "inline math across a line break must reach MathJax untouched"
    assert "{{" not in text and "figure:" not in text
    assert (tmp_path / "out" / "assets" / "reveal" / "dist" / "reveal.js").is_file()
    assert (tmp_path / "out" / "index.html").read_text(encoding="utf-8").count("00_test.html") == 1


@pytest.mark.parametrize("front, problem", [
    ("", "no front matter"),
    ("+++\nnotebook: 00_welcome.ipynb\ntitle: x\n", "not closed"),
    ("+++\nnotebook: 00_welcome.ipynb\nspeaker: x\n+++\n", "lacks 'title:'"),
    ("+++\nnotebook: 99_nothing.ipynb\ntitle: x\nspeaker: y\n+++\n", "not in notebooks/"),
    ("+++\nnotebook 00_welcome.ipynb\n+++\n", "is not 'key: value'"),
])
def test_front_matter_problems_are_named(tmp_path, front, problem):
    path = _deck(tmp_path, front=front)
    with pytest.raises(ValueError, match=re.escape(problem)) as error:
        _build(tmp_path, path)
    assert "00_test.md" in str(error.value)


@pytest.mark.parametrize("n_slides, markers, problem", [
    (7, (2,), "7 slides"), (16, (2,), "16 slides"), (8, (), "0 key-result markers"),
    (8, (2, 5), "2 key-result markers"), (8, (3, 3), "2 key-result markers"),
])
def test_slide_count_and_key_result_markers(tmp_path, n_slides, markers, problem):
    path = _deck(tmp_path, n_slides, key_result_on=markers)
    with pytest.raises(ValueError, match=problem):
        _build(tmp_path, path)
    assert not (tmp_path / "out").exists(), "a bad deck must leave the output folder untouched"


@pytest.mark.parametrize("extra, figures, problem", [
    ("![x](figure:nothing)", FIGURES_OK, "unknown figure 'nothing'"),
    ("{{nothing}}", FIGURES_OK, "unknown value 'nothing'"),
    ("![x](figure:line)", None, "figures_00.py (missing)"),
    ("{{number}}", FIGURES_OK, "returned int, not a str"),
    ("![x](figure:unlabelled)", FIGURES_OK, "axes without an x or y label"),
    ("![x](figure:huge)", FIGURES_OK, "2200x1100 px"),
    ("![x](figure:not_a_figure)", FIGURES_OK, "not a matplotlib Figure"),
])
def test_unknown_or_bad_figures_and_values(tmp_path, extra, figures, problem):
    path = _deck(tmp_path, figures=figures, extra={4: extra})
    with pytest.raises(ValueError, match=re.escape(problem)) as error:
        _build(tmp_path, path)
    assert "00_test.md" in str(error.value)


def test_slide_without_notes_and_marker_in_notes(tmp_path):
    path = _deck(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("Note:\nWhat to say about slide 5.\n", ""),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="slide 5 has no speaker notes"):
        _build(tmp_path, path)
    path = _deck(tmp_path, key_result_on=())
    path.write_text(path.read_text(encoding="utf-8").replace("about slide 4.", "about\n<!-- key-result -->"),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="not in its notes"):
        _build(tmp_path, path)


def test_deck_numbers_are_checked(tmp_path):
    _deck(tmp_path)
    with pytest.raises(ValueError, match="no deck for talk 07"):
        build_slides.build_decks(["07"], tmp_path / "out", slides_dir=tmp_path)
    with pytest.raises(ValueError, match="two digits"):
        build_slides.build_decks(["7"], tmp_path / "out", slides_dir=tmp_path)
    with pytest.raises(TypeError, match="list of two-digit strings"):
        build_slides.build_decks("00", tmp_path / "out", slides_dir=tmp_path)
    with pytest.raises(ValueError, match="no deck NN_<short>.md"):
        build_slides.build_decks(None, tmp_path / "out", slides_dir=tmp_path / "empty")
    _deck(tmp_path, name="00_other.md")
    with pytest.raises(ValueError, match="two decks for talk 00"):
        build_slides.build_decks(None, tmp_path / "out", slides_dir=tmp_path)


# --- every deck of slides/, built and opened in Chromium ------------------------------------------------------

_REMOTE = re.compile(r"""(?:\bsrc\s*=\s*["']?\s*|<(?:link|script)\b[^>]*\bhref\s*=\s*["']?\s*|url\(\s*["']?\s*|"""
                     r"""@import\s+["']?)(?:https?:)?//""", re.I)
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_remote_url_pattern():
    for remote in ('<img src="https://x.org/a.png">', "<script src=//cdn.x/y.js>", '<link rel="x" href="http://a">',
                   "a { background: url( 'https://x/y.png') }", '@import "https://fonts.x/css";'):
        assert _REMOTE.search(remote), remote
    for local in ('<a href="https://doi.org/10.1/x">', '<img src="data:image/png;base64,AAA">',
                  '<script src="assets/reveal/dist/reveal.js">', "url(./fonts/a.woff)"):
        assert not _REMOTE.search(local), local


@pytest.mark.slow
def test_every_deck_builds_offline_and_renders_in_chromium():
    start = time.perf_counter()
    sources = build_slides.deck_sources()
    assert sources, "no deck in slides/"
    pages = build_slides.build_decks(None, BUILD)
    build_time = time.perf_counter() - start
    assert [p.stem for p in pages] == [s.stem for s in sources]
    key_slides = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        sections = re.findall(r"<section\b[^>]*>.*?</section>", text, re.S)
        assert 8 <= len(sections) <= 15, f"{page.name}: {len(sections)} slides"
        assert all('<aside class="notes">' in s for s in sections), f"{page.name}: a slide without notes"
        marked = [k for k, s in enumerate(sections) if "data-key-result" in s.split(">", 1)[0]]
        assert len(marked) == 1, f"{page.name}: key-result slides {marked}"
        key_slides[page] = marked[0]
        assert "data:image/png;base64," in text, f"{page.name}: no embedded figure"
        assert not re.search(r'<img\b[^>]*\bsrc="(?!data:)', text), f"{page.name}: a figure that is not embedded"
        assert not _REMOTE.search(text), f"{page.name}: remote URL {_REMOTE.search(text).group(0)!r}"
    for css in (BUILD / "assets").rglob("*.css"):
        assert not _REMOTE.search(css.read_text(encoding="utf-8")), f"{css}: remote URL"

    chromium = _chromium()
    if chromium is None:
        pytest.skip("NO CHROMIUM FOUND: the decks were built and checked statically but not opened in a browser. "
                    "Install Debian's chromium (apt-get install chromium) and run the test again.")
    from playwright.sync_api import sync_playwright

    shots = BUILD / "screenshots"
    shots.mkdir(exist_ok=True)
    requests: list[str] = []

    def record(route):
        requests.append(route.request.url)
        # about:blank is MathJax's own font-detection probe, not a load from anywhere.
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.route("**/*", record)
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # A file the page asks for and the build did not copy (a MathJax extension loaded on demand, say).
        page.on("requestfailed", lambda request: request.url.startswith("file:") and errors.append(
            f"missing file {request.url}"))
        for deck, key in key_slides.items():
            page.goto(deck.as_uri())
            page.wait_for_function("window.Reveal && Reveal.isReady()")
            page.evaluate("Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
            page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0")
            assert page.evaluate("Reveal.getTotalSlides()") == len(
                re.findall(r"<section\b", deck.read_text(encoding="utf-8")))
            math_slides = page.evaluate("""[...document.querySelectorAll('.slides > section')]
                .map((s, k) => s.textContent.includes('$') || s.querySelector('.MathJax, script[type^="math/tex"]')
                     ? k : -1).filter(k => k >= 0)""")
            assert math_slides, f"{deck.name}: no slide with math (the key idea has its equation)"
            for k in math_slides[:1]:
                page.evaluate(f"Reveal.slide({k})")
                page.evaluate("new Promise(done => MathJax.Hub.Queue(done))")
                slide = page.locator(".slides > section").nth(k)
                assert slide.locator(".MathJax, .MathJax_Display, .MathJax_CHTML").count() > 0, \
                    f"{deck.name}: no typeset math on slide {k + 1}"
                assert "$" not in slide.inner_text().replace("\\$", ""), f"{deck.name}: raw $ on slide {k + 1}"
            number = deck.name[:2]
            for name, h in (("title", 0), ("result", key)):
                page.evaluate(f"Reveal.slide({h})")
                page.evaluate("new Promise(done => MathJax.Hub.Queue(done))")
                assert page.evaluate("Reveal.getIndices().h") == h
                page.screenshot(path=str(shots / f"{number}_{name}.png"))
        # The speaker view (key S) of the last deck: reveal's notes plugin opens a pop-up that loads the deck from
        # file:// in two iframes and shows the current slide's notes; it must work offline too.
        page.evaluate("Reveal.slide(1)")
        with page.expect_popup() as popup:
            page.keyboard.press("s")
        speaker = popup.value
        notes = speaker.locator(".speaker-controls-notes")
        notes.wait_for()
        speaker.wait_for_function("document.querySelector('.speaker-controls-notes').innerText.length > 40")
        second = re.findall(r'<aside class="notes">(.*?)</aside>', deck.read_text(encoding="utf-8"), re.S)[1]
        expected = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", second)).split())[:30]
        shown = " ".join(notes.inner_text().split())
        assert expected in shown, f"speaker view shows {shown[:80]!r}, not slide 2's notes {expected!r}"
        assert sum(frame.url.startswith(deck.as_uri()) for frame in speaker.frames) == 2, \
            [frame.url for frame in speaker.frames]
        speaker.screenshot(path=str(shots / f"{deck.name[:2]}_speaker_view.png"))
        browser.close()
    assert not errors, f"JavaScript errors or missing files: {errors}"
    remote = [url for url in requests if not url.startswith(("file:", "data:", "about:blank"))]
    assert not remote, f"requests that left the machine: {remote}"
    assert any(url.endswith("reveal.js") for url in requests) and any("MathJax.js" in url for url in requests)
    print(f"{len(pages)} decks built in {build_time:.1f} s, opened in {time.perf_counter() - start - build_time:.1f} s")
