"""Build the slide decks in ``slides/`` into self-contained reveal.js pages under ``build/slides/``.

Usage: ``python scripts/build_slides.py [NN ...]`` (no argument: every ``slides/[0-9][0-9]_*.md``); ``make slides``.

The pages open from the file system with no network: reveal.js 5 comes from the pinned ``sphinx-revealjs``
package (its static files only, never Sphinx) and MathJax 2.7 from the pinned ``jupyter-server-mathjax``; the
files needed are copied once into ``build/slides/assets/``. Figures are PNGs embedded as ``data:`` URIs.

Format of one deck, ``slides/NN_<short>.md`` (UTF-8 Markdown, rendered with markdown-it-py):

- a front-matter block between two lines ``+++`` with ``notebook: NN_<short>.ipynb``, ``title: ...`` and
  ``speaker: ...`` (one ``key: value`` a line);
- slides separated by a line ``---``; the first slide is the title slide; 8 to 15 slides;
- speaker notes from a line ``Note:`` to the end of the slide (every slide has notes);
- exactly one slide carries the line ``<!-- key-result -->`` (the key-result slide; its ``<section>`` gets
  ``data-key-result``);
- ``![alt](figure:NAME)``: ``FIGURES[NAME]()`` of ``slides/figures_NN.py`` returns a matplotlib ``Figure``,
  saved as PNG at 110 dpi (at most 1000 x 560 px) and embedded;
- ``{{NAME}}``: ``VALUES[NAME]()`` of the same module returns a short string computed at build time; two
  names are built in: ``{{run_time}}`` and ``{{peak_memory}}``, the deck's notebook's measured wall time (s) and
  peak memory (GB) from ``reports/notebooks.md``;
- math: ``$...$`` inline and ``$$...$$`` display (kept away from the Markdown parser, typeset by MathJax); values
  are substituted first, so write a TeX group around a value as ``m^{ {{slope}} }`` and never ``{{`` in TeX.

Bad input (no front matter, an unknown figure or value, zero or two key-result markers, a slide count outside
8-15, a slide without notes) raises ``ValueError`` naming the deck and the problem.
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib.util
import io
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLIDES = ROOT / "slides"
MIN_SLIDES, MAX_SLIDES = 8, 15
KEY_RESULT = "<!-- key-result -->"
FIGURE_DPI = 110
MAX_FIGURE_PX = (1000, 560)
THEME = "white"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full"
# Figures are read from the back of a lecture hall: at least 14 pt everywhere.
FIGURE_STYLE = {"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15, "xtick.labelsize": 14,
                "ytick.labelsize": 14, "legend.fontsize": 14, "figure.titlesize": 16}

_DECK_NAME = re.compile(r"^(\d\d)_[A-Za-z0-9_]+\.md$")
_FIGURE = re.compile(r"!\[([^\]]*)\]\(figure:([^)\s]*)\)")
_VALUE = re.compile(r"\{\{\s*([^}\s]*)\s*\}\}")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)((?:[^$\n]|\n(?![ \t]*\n))+?)(?<!\\)\$")  # no blank line inside
_PLACEHOLDER = "\u2063M{}\u2063"  # invisible separator: never typed by an author, left alone by markdown-it


@dataclass
class Slide:
    body: str
    notes: str
    key_result: bool


@dataclass
class Deck:
    path: Path
    number: str
    meta: dict[str, str]
    slides: list[Slide] = field(default_factory=list)

    @property
    def html_name(self) -> str:
        return self.path.stem + ".html"


def _fail(path: Path, problem: str) -> ValueError:
    return ValueError(f"deck {path.name}: {problem}")


def deck_sources(numbers: list[str] | None = None, slides_dir: Path = SLIDES) -> list[Path]:
    """The deck files ``slides_dir/NN_*.md``, all of them or those of the given two-digit numbers, sorted."""
    found: dict[str, Path] = {}
    for path in sorted(Path(slides_dir).glob("[0-9][0-9]_*.md")):
        match = _DECK_NAME.match(path.name)
        if match is None:
            continue
        if match.group(1) in found:
            raise ValueError(f"two decks for talk {match.group(1)}: {found[match.group(1)].name} and {path.name}")
        found[match.group(1)] = path
    if numbers is None:
        return list(found.values())
    if isinstance(numbers, str) or not all(isinstance(n, str) for n in numbers):
        raise TypeError(f"numbers must be a list of two-digit strings like '07', got {numbers!r}")
    paths = []
    for number in numbers:
        if not re.fullmatch(r"\d\d", number):
            raise ValueError(f"deck number must be two digits like '07', got {number!r}")
        if number not in found:
            raise ValueError(f"no deck for talk {number} in {slides_dir} (expected {number}_<short>.md)")
        paths.append(found[number])
    return paths


def parse_deck(path: Path) -> Deck:
    """Split a deck file into its front matter and slides, checking the format (see the module docstring)."""
    path = Path(path)
    match = _DECK_NAME.match(path.name)
    if match is None:
        raise _fail(path, "file name must be NN_<short>.md")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "+++":
        raise _fail(path, "no front matter: the file must start with a line '+++'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise _fail(path, "front matter is not closed by a second line '+++'") from None
    meta = {}
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise _fail(path, f"front-matter line {line!r} is not 'key: value'")
        meta[key.strip()] = value.strip()
    for key in ("notebook", "title", "speaker"):
        if not meta.get(key):
            raise _fail(path, f"front matter lacks '{key}:'")
    if not (ROOT / "notebooks" / meta["notebook"]).is_file():
        raise _fail(path, f"front matter names notebook {meta['notebook']!r}, which is not in notebooks/")
    deck = Deck(path=path, number=match.group(1), meta=meta)
    chunks: list[list[str]] = [[]]
    for line in lines[end + 1:]:
        if line.rstrip() == "---":
            chunks.append([])
        else:
            chunks[-1].append(line)
    chunks = [c for c in chunks if any(line.strip() for line in c)]
    if not MIN_SLIDES <= len(chunks) <= MAX_SLIDES:
        raise _fail(path, f"{len(chunks)} slides; a deck has {MIN_SLIDES} to {MAX_SLIDES}")
    for k, chunk in enumerate(chunks, start=1):
        note_at = next((i for i, line in enumerate(chunk) if line.strip() == "Note:"), None)
        if note_at is None:
            raise _fail(path, f"slide {k} has no speaker notes (a line 'Note:' followed by the notes)")
        body, notes = "\n".join(chunk[:note_at]), "\n".join(chunk[note_at + 1:])
        if not notes.strip():
            raise _fail(path, f"slide {k}: the notes after 'Note:' are empty")
        deck.slides.append(Slide(body=body, notes=notes, key_result=KEY_RESULT in body))
    if KEY_RESULT in "\n".join(s.notes for s in deck.slides):
        raise _fail(path, f"the marker {KEY_RESULT} belongs in a slide's body, not in its notes")
    markers = sum(s.body.count(KEY_RESULT) for s in deck.slides)
    if markers != 1:
        raise _fail(path, f"{markers} key-result markers ({KEY_RESULT}); a deck has exactly one")
    return deck


def _figure_module(deck: Deck):
    """``slides/figures_NN.py`` of the deck (imported by path), or None when the deck has none."""
    path = deck.path.parent / f"figures_{deck.number}.py"
    if not path.is_file():
        return None
    if str(path.parent) not in sys.path:  # figure modules share helpers of their folder (slides/deck_style.py)
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"_slides_figures_{deck.number}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a fresh copy on every build; dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def _lookup(deck: Deck, module, table: str, name: str):
    functions = getattr(module, table, None) if module is not None else None
    if table == "VALUES" and name in ("run_time", "peak_memory") and not (functions and name in functions):
        return lambda: _report_row(deck)[name]
    if not functions or name not in functions:
        where = f"{table} of figures_{deck.number}.py" if module is not None else \
            f"slides/figures_{deck.number}.py (missing)"
        raise _fail(deck.path, f"unknown {'figure' if table == 'FIGURES' else 'value'} {name!r}: not in {where}")
    return functions[name]


def _report_row(deck: Deck) -> dict[str, str]:
    """The deck's notebook's row of ``reports/notebooks.md``: wall time (s) and peak memory (GB)."""
    report = ROOT / "reports" / "notebooks.md"
    for line in report.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] == deck.meta["notebook"]:
            return {"run_time": cells[1], "peak_memory": cells[2]}
    raise _fail(deck.path, f"no row for {deck.meta['notebook']} in {report.relative_to(ROOT)}")


def _figure_png(deck: Deck, name: str, make) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from course_utils.plots import check_labelled, course_style

    with course_style(), matplotlib.rc_context(FIGURE_STYLE):
        fig = make()
        if not isinstance(fig, Figure):
            raise _fail(deck.path, f"FIGURES[{name!r}]() returned {type(fig).__name__}, not a matplotlib Figure")
        unlabelled = check_labelled(fig)
        if unlabelled:
            plt.close(fig)
            raise _fail(deck.path, f"figure {name!r}: axes without an x or y label: {unlabelled}")
        width, height = (fig.get_size_inches() * FIGURE_DPI).round().astype(int)
        if width > MAX_FIGURE_PX[0] or height > MAX_FIGURE_PX[1]:
            plt.close(fig)
            raise _fail(deck.path, f"figure {name!r} is {width}x{height} px at {FIGURE_DPI} dpi; at most "
                                   f"{MAX_FIGURE_PX[0]}x{MAX_FIGURE_PX[1]} px fits a slide")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _render_markdown(deck: Deck, text: str, module, cache: dict) -> str:
    from markdown_it import MarkdownIt

    def value(match):
        key = match.group(1)
        if ("V", key) not in cache:
            result = _lookup(deck, module, "VALUES", key)()
            if not isinstance(result, str):
                raise _fail(deck.path, f"VALUES[{key!r}]() returned {type(result).__name__}, not a str")
            cache["V", key] = result
        return cache["V", key]

    text = _VALUE.sub(value, text)
    stash: list[str] = []

    def keep(replacement):
        stash.append(replacement)
        return _PLACEHOLDER.format(len(stash) - 1)

    def figure(match):
        alt, key = match.group(1), match.group(2)
        if ("F", key) not in cache:
            cache["F", key] = _figure_png(deck, key, _lookup(deck, module, "FIGURES", key))
        return keep(f'<img class="figure" src="{cache["F", key]}" alt="{html.escape(alt)}">')

    text = _FIGURE.sub(figure, text)
    text = _DISPLAY_MATH.sub(lambda m: keep("$$" + html.escape(m.group(1), quote=False) + "$$"), text)
    text = _INLINE_MATH.sub(lambda m: keep("$" + html.escape(m.group(1), quote=False) + "$"), text)
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    return re.sub("\u2063M(\\d+)\u2063", lambda m: stash[int(m.group(1))], rendered)


def _page(deck: Deck, sections: list[str]) -> str:
    title = html.escape(f"{deck.number} · {deck.meta['title']}")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="assets/reveal/dist/reset.css">
<link rel="stylesheet" href="assets/reveal/dist/reveal.css">
<link rel="stylesheet" href="assets/reveal/dist/theme/{THEME}.css">
<link rel="stylesheet" href="assets/course.css">
</head>
<body>
<div class="reveal"><div class="slides">
{chr(10).join(sections)}
</div></div>
<script src="assets/reveal/dist/reveal.js"></script>
<script src="assets/reveal/plugin/notes/notes.js"></script>
<script src="assets/reveal/plugin/math/math.js"></script>
<script>
Reveal.initialize({{
  hash: true, slideNumber: "c/t", width: 1280, height: 720, margin: 0.04, center: false,
  plugins: [RevealNotes, RevealMath.MathJax2],
  mathjax2: {{
    mathjax: "assets/mathjax/MathJax.js", config: "{MATHJAX_CONFIG}",
    "HTML-CSS": {{availableFonts: ["STIX-Web"], preferredFont: "STIX-Web", webFont: "STIX-Web",
                 imageFont: null, scale: 95}},
    menuSettings: {{zoom: "None"}}
  }}
}});
</script>
</body>
</html>
"""


# Course style on top of reveal's white theme: smaller body text so a slide holds a figure and a sentence.
COURSE_CSS = """\
.reveal { font-size: 32px; }
.reveal .slides section { text-align: left; }
.reveal .slides section.title-slide { text-align: center; }
.reveal h1 { font-size: 1.7em; }
.reveal h2 { font-size: 1.3em; margin-bottom: 0.4em; }
.reveal ul, .reveal ol { display: block; margin-left: 1.2em; }
.reveal li { margin: 0.15em 0; }
.reveal img.figure { display: block; margin: 0.2em auto; max-width: 100%; max-height: 500px; border: 0;
                     box-shadow: none; }
.reveal table { font-size: 0.8em; margin: 0.3em auto; }
.reveal .small, .reveal .references { font-size: 0.7em; }
.reveal .map table { font-size: 0.66em; }
.reveal p.speaker { font-size: 0.9em; color: #444; }
.reveal .MathJax_Display { margin: 0.4em 0; }
"""


def copy_assets(out_dir: Path) -> Path:
    """Copy the reveal.js and MathJax files the decks use into ``out_dir/assets`` (replacing an old copy)."""
    reveal = _package_dir("sphinx_revealjs") / "_static" / "revealjs"
    mathjax = _package_dir("jupyter_server_mathjax") / "static"
    assets = Path(out_dir) / "assets"
    if assets.exists():
        shutil.rmtree(assets)
    files = {
        reveal: ["LICENSE", "dist/reset.css", "dist/reveal.css", "dist/reveal.js", f"dist/theme/{THEME}.css",
                 "dist/theme/fonts/source-sans-pro/LICENSE", "plugin/notes/notes.js", "plugin/math/math.js"],
        mathjax: ["LICENSE", "MathJax.js", f"config/{MATHJAX_CONFIG}.js", "extensions/MathMenu.js",
                  "extensions/MathZoom.js"],
    }
    trees = {mathjax: ["jax/input/TeX", "jax/element/mml", "jax/output/HTML-CSS", "fonts/HTML-CSS/STIX-Web/woff",
                       "extensions/TeX"]}  # TeX extensions load on demand (\boldsymbol, \cancel, ...)
    target = {reveal: assets / "reveal", mathjax: assets / "mathjax"}
    for source, names in files.items():
        for name in names:
            (target[source] / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target[source] / name)
    for source, names in trees.items():
        for name in names:
            shutil.copytree(source / name, target[source] / name)
    # The theme's font sheet lists .eot/.woff/.ttf; ship the .woff files only and a sheet that names just them.
    fonts = reveal / "dist/theme/fonts/source-sans-pro"
    font_target = target[reveal] / "dist/theme/fonts/source-sans-pro"
    css = []
    for woff in sorted(fonts.glob("*.woff")):
        shutil.copyfile(woff, font_target / woff.name)
        style = "italic" if "italic" in woff.stem else "normal"
        weight = "600" if "semibold" in woff.stem else "normal"
        css.append(f"@font-face {{ font-family: 'Source Sans Pro'; src: url('./{woff.name}') format('woff'); "
                   f"font-weight: {weight}; font-style: {style}; }}")
    (font_target / "source-sans-pro.css").write_text("\n".join(css) + "\n", encoding="utf-8")
    (assets / "course.css").write_text(COURSE_CSS, encoding="utf-8")
    return assets


def _package_dir(name: str) -> Path:
    """A package's directory, found without importing it (sphinx_revealjs would import Sphinx)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {name} is not installed; run `make setup` (it is pinned in pyproject.toml)")
    return Path(list(spec.submodule_search_locations)[0])


def render_deck(deck: Deck, out_dir: Path) -> Path:
    """Write ``out_dir/NN_<short>.html`` for a parsed deck (figures and values computed now)."""
    module = _figure_module(deck)
    cache: dict = {}
    sections = []
    for k, slide in enumerate(deck.slides):
        body = _render_markdown(deck, slide.body, module, cache)
        notes = _render_markdown(deck, slide.notes, module, cache)
        attributes = ' class="title-slide"' if k == 0 else ""
        if slide.key_result:
            attributes += ' id="key-result" data-key-result'
        sections.append(f"<section{attributes}>\n{body}<aside class=\"notes\">\n{notes}</aside>\n</section>")
    path = Path(out_dir) / deck.html_name
    path.write_text(_page(deck, sections), encoding="utf-8")
    return path


def _index(decks: list[Deck], out_dir: Path) -> Path:
    rows = "\n".join(
        f'<li><a href="{d.html_name}">{d.number} · {html.escape(d.meta["title"])}</a> '
        f'({html.escape(d.meta["speaker"])}; notebook <code>{html.escape(d.meta["notebook"])}</code>)</li>'
        for d in decks)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Course slides</title>
<style>body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.5; }}</style>
</head><body>
<h1>Machine Learning for Condensed Matter Physics and Quantum Chemistry: slides</h1>
<p>One deck per talk. Press <kbd>S</kbd> for the speaker view, <kbd>F</kbd> for full screen; add
<code>?print-pdf</code> to a deck's address and print from Chromium for a PDF.</p>
<ul>
{rows}
</ul>
</body></html>
"""
    path = Path(out_dir) / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def build_decks(numbers: list[str] | None = None, out_dir: Path = ROOT / "build" / "slides",
                slides_dir: Path = SLIDES, verbose: bool = False) -> list[Path]:
    """Build decks (``numbers`` like ``["07"]``; None: every deck in ``slides_dir``) into ``out_dir``.

    Returns the paths of the written deck pages (the index and ``assets/`` are written too). Every deck is
    parsed and checked before anything is written, so a bad deck leaves ``out_dir`` untouched.
    """
    paths = deck_sources(numbers, slides_dir)
    if not paths:
        raise ValueError(f"no deck NN_<short>.md in {slides_dir}")
    decks = [parse_deck(p) for p in paths]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_assets(out_dir)
    written = []
    for deck in decks:
        start = time.perf_counter()
        written.append(render_deck(deck, out_dir))
        if verbose:
            print(f"{written[-1].relative_to(out_dir.parent) if out_dir.parent in written[-1].parents else written[-1]}"
                  f": {len(deck.slides)} slides in {time.perf_counter() - start:.1f} s")
    all_decks = [parse_deck(p) for p in deck_sources(None, slides_dir)] if numbers is not None else decks
    _index(all_decks, out_dir)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="two-digit talk numbers (default: every deck)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides", help="output folder")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:  # the figure modules import this checkout's course_utils, as the other scripts do
        sys.path.insert(0, str(ROOT))
    written = build_decks(args.numbers or None, args.out, verbose=True)
    size = sum(f.stat().st_size for f in (args.out / "assets").rglob("*") if f.is_file())
    print(f"{len(written)} decks in {args.out} (shared assets {size / 1e6:.1f} MB); open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
