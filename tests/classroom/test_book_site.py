"""The website (``make book``, Jupyter Book 1 in ``_build/html/``) works with no network at all.

Checked on the built pages themselves:

- every notebook of notebooks/series.toml that exists has a page, and there are ten or more;
- no page, and no style sheet, loads anything from outside the site (scripts, styles, fonts,
  images, frames);
- every local link and image address resolves to a file of the site, and a ``#fragment`` to an
  element of the target page (README contents, the notebooks' navigation lines, the theme's
  previous/next links, ``../README.md#the-notebooks``);
- every image has real alt text (at least 8 characters, not a file name); the committed
  notebooks give it in cell metadata ``mystnb.image.alt`` (checked there too, with the cell);

and for students: the front page is written for learners (book/index.md) and lists every lesson;
worked solutions are folded away (code behind a toggle, written answers in closed dropdowns) and
CI/grading cells are left out; the download button serves the student copy of each notebook;
the theme's unrendered ``webpack-macros.html`` is not published;

and in headless Chromium, with every request that is not to the local test server blocked and
recorded: every page loads with all its images, the "next" link leads from each notebook to the
next one, a folded solution opens on a click, every formula is typeset by the bundled MathJax,
the bokeh hover explorer of 06 draws and shows a digit's tooltip on hover, and no request tried
to leave the machine. Screenshots go to screenshots/site/ (gitignored).
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from support import ROOT, offline_site_page

NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "screenshots" / "site"
SERIES = tomllib.loads((NOTEBOOKS / "series.toml").read_text(encoding="utf-8"))["notebook"]
STEMS = [Path(e["file"]).stem for e in SERIES if (NOTEBOOKS / e["file"]).is_file()]
FILE_NAME = re.compile(r"^[\w./-]*\.(png|jpe?g|svg|gif|webp)$|^[\w-]+\.\w{2,4}$", re.IGNORECASE)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
SKIPPED_DIRS = ("_static", "_sources", "_images", "_downloads")
LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
           ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
           ("object", "data"), ("input", "src")}


class Page(HTMLParser):
    """What the checks need from one HTML page: ids, addresses, images, loaded resources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.addresses: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.images: list[dict[str, str | None]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])
        for key in ("href", "src", "data"):
            if values.get(key):
                self.addresses.append((tag, key, values[key]))
        if tag == "img":
            self.images.append(values)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@functools.cache
def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def is_external(address: str) -> bool:
    return bool(re.match(r"^(https?:)?//", address, re.IGNORECASE))


def is_local(address: str) -> bool:
    return not is_external(address) and not re.match(r"^[a-z][a-z0-9+.-]*:", address, re.I)


@pytest.fixture(scope="module")
def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html")
                  if p.relative_to(site).parts[0] not in SKIPPED_DIRS)


def notebook_page(site: Path, stem: str) -> Path:
    return site / "notebooks" / f"{stem}.html"


def test_every_notebook_has_a_page(site: Path) -> None:
    missing = [stem for stem in STEMS if not notebook_page(site, stem).is_file()]
    assert not missing, f"notebooks without a page: {missing}"
    assert len(STEMS) >= 10, f"only {len(STEMS)} notebook pages"
    assert (site / "README.html").is_file(), "README.md has no page"


def test_nothing_loads_from_outside(site: Path, pages: list[Path]) -> None:
    found = []
    for path in pages:
        page = parse(path)
        found += [f"{path.relative_to(site)}: <{tag} {key}={value}>"
                  for tag, key, value in page.addresses
                  if (tag, key) in LOADING and is_external(value)
                  and not (tag == "link" and key == "href" and "canonical" in value)]
        found += [f"{path.relative_to(site)}: <style> {match}"
                  for css in page.styles
                  for match in re.findall(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", css)]
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        found += [f"{css.relative_to(site)}: {match}"
                  for match in re.findall(r"(?:url\(|@import\s+)\s*['\"]?(?:https?:)?//[^)'\";]*",
                                          text)]
    assert not found, "the site would load these from outside:\n" + "\n".join(found)


def test_local_links_resolve(site: Path, pages: list[Path]) -> None:
    broken = []
    for path in pages:
        for tag, key, value in parse(path).addresses:
            if not is_local(value) or value.startswith("#") and key != "href":
                continue
            parts = urlsplit(value)
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(site)}: <{tag} {key}={value}>"
            if not target.is_file():
                broken.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html" \
                    and unquote(parts.fragment) not in parse(target).ids:
                broken.append(f"{where}: no element with id {parts.fragment!r}")
    assert not broken, "broken local links:\n" + "\n".join(broken)


def test_notebooks_link_to_the_contents_and_each_other(site: Path) -> None:
    """The navigation lines' links survived: each page links to the README's contents."""
    for stem in STEMS:
        hrefs = [value for tag, key, value in parse(notebook_page(site, stem)).addresses
                 if tag == "a" and key == "href"]
        assert any(h.split("#")[0].endswith("README.html") for h in hrefs), (
            f"{stem}: no link to the contents page")


def test_images_have_real_alt_text(site: Path, pages: list[Path]) -> None:
    bad = []
    for path in pages:
        for image in parse(path).images:
            alt = (image.get("alt") or "").strip()
            if len(alt) < 8 or FILE_NAME.match(alt) or alt == image.get("src") \
                    or "_images/" in alt:
                bad.append(f"{path.relative_to(site)}: <img src={image.get('src')}> "
                           f"alt={alt!r}")
    assert not bad, (f"{len(bad)} images without real alt text (give each figure cell metadata "
                     '"mystnb": {"image": {"alt": "..."}}), the first 10:\n'
                     + "\n".join(bad[:10]))


def test_figure_cells_have_alt_metadata() -> None:
    """Where the site's alt text comes from: every committed figure cell says what it shows."""
    bad = []
    for stem in STEMS:
        notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
        for index, cell in enumerate(notebook.cells):
            tags = cell.metadata.get("tags", [])
            if cell.cell_type != "code" or {"remove-cell", "remove-output"} & set(tags):
                continue
            if not any(mime in output.get("data", {}) for output in cell.get("outputs", [])
                       for mime in IMAGE_TYPES):
                continue
            alt = str(cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")).strip()
            if len(alt) < 8 or FILE_NAME.match(alt):
                bad.append(f"{stem} cell {index} ({cell.source.strip()[:40]!r}): alt={alt!r}")
    assert not bad, f"{len(bad)} figure cells without real alt text:\n" + "\n".join(bad)


# --- in Chromium ------------------------------------------------------------------------------


def expected_figures(stem: str) -> int:
    """Figures the page shows: image outputs of cells the site keeps."""
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    return sum(any(m in o.get("data", {}) for m in IMAGE_TYPES)
               for c in notebook.cells if c.cell_type == "code"
               and not {"remove-cell", "remove-output"} & set(c.metadata.get("tags", []))
               for o in c.get("outputs", []))


def test_pages_load_offline_in_chromium(site: Path, server: str, chromium: str) -> None:
    outside: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    paths = ["index.html", "README.html", *[f"notebooks/{s}.html" for s in STEMS]]
    paths += [p.relative_to(site).as_posix() for p in sorted(site.glob("*.html"))
              if p.name not in ("index.html", "README.html", "genindex.html", "search.html")]

    with offline_site_page(chromium, server, outside, errors) as page:
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.on("requestfailed", lambda r: r.url.startswith(server)
                and failed.append(f"{r.failure} {r.url}"))
        for path in paths:
            page.goto(server + path, wait_until="load")
            page.wait_for_load_state("networkidle")
            broken = page.evaluate(
                "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                ".map(i => i.src.slice(0, 80))")
            assert not broken, f"{path}: images that did not load: {broken}"
            if path.startswith("notebooks/"):
                stem = Path(path).stem
                shown = page.locator(".cell_output img").count()
                assert shown >= expected_figures(stem), (
                    f"{path}: {shown} figures shown, {expected_figures(stem)} expected")
        # previous/next: the theme's "next" link walks through the series in order
        page.goto(server + f"notebooks/{STEMS[0]}.html")
        for stem in STEMS[1:]:
            page.locator("a.right-next").first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith(f"notebooks/{stem}.html"), (
                f"'next' led to {page.url}, not to {stem}")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.goto(server + "index.html")
        page.screenshot(path=SCREENSHOTS / "front-page.png")
    assert not outside, "requests that tried to leave the machine:\n" + "\n".join(outside)
    assert not failed, "requests that failed:\n" + "\n".join(failed)
    assert not errors, "JavaScript errors:\n" + "\n".join(json.dumps(e)[:300] for e in errors)


# --- for students: front page, folded solutions, downloads -------------------------------------


def solution_cells(stem: str) -> tuple[int, int]:
    """Return the numbers of code and markdown cells tagged ``solution`` in a notebook."""
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    tagged = [c for c in notebook.cells if "solution" in c.metadata.get("tags", [])]
    return (sum(c.cell_type == "code" for c in tagged),
            sum(c.cell_type == "markdown" for c in tagged))


def test_front_page_is_written_for_learners(site: Path) -> None:
    """index.html is book/index.md: how to start and every lesson linked, no developer set-up."""
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "How to start" in text and "The lessons" in text
    hrefs = {unquote(urlsplit(v).path) for tag, _, v in parse(site / "index.html").addresses
             if tag == "a"}
    missing = [s for s in STEMS if f"notebooks/{s}.html" not in hrefs]
    assert not missing, f"front page does not link to: {missing}"
    for developer_words in ("make test", "requirements.txt", ".ci/run"):
        assert developer_words not in text, f"front page mentions {developer_words!r}"


def test_solutions_are_folded_away(site: Path) -> None:
    """Every code solution sits in a closed toggle, every written one in a closed dropdown."""
    bad = []
    for stem in STEMS:
        text = notebook_page(site, stem).read_text(encoding="utf-8")
        code, written = solution_cells(stem)
        toggles = text.count("Show the worked solution")
        dropdowns = len(re.findall(r"<details[^>]*class=\"[^\"]*sd-dropdown[^\"]*solution", text))
        opened = len(re.findall(r"<details[^>]*sd-dropdown[^>]*\sopen", text))
        if (toggles, dropdowns, opened) != (code, written, 0):
            bad.append(f"{stem}: {toggles} toggles for {code} code solutions, {dropdowns} "
                       f"dropdowns for {written} written ones, {opened} open")
        if "autograde" in text or "BEGIN HIDDEN TESTS" in text:
            bad.append(f"{stem}: a grading cell is published")
    assert not bad, "\n".join(bad)


def test_downloads_are_student_copies(site: Path) -> None:
    """The download button's notebook has no solution, no grading cell and no outputs."""
    bad = []
    for stem in STEMS:
        link = f"../_sources/notebooks/{stem}.ipynb"
        if link not in notebook_page(site, stem).read_text(encoding="utf-8"):
            bad.append(f"{stem}: no download link {link}")
            continue
        notebook = nbformat.read(site / "_sources" / "notebooks" / f"{stem}.ipynb", as_version=4)
        tags = {t for c in notebook.cells for t in c.metadata.get("tags", [])}
        outputs = sum(len(c.get("outputs", [])) for c in notebook.cells if c.cell_type == "code")
        if tags & {"solution", "autograde", "check"} or outputs:
            bad.append(f"{stem}: download has tags {sorted(tags)} and {outputs} outputs")
    assert not bad, "\n".join(bad)


def test_theme_templates_are_not_published(site: Path) -> None:
    assert not list(site.rglob("webpack-macros.html"))


def math_pages() -> list[str]:
    """Pages whose notebook has markdown maths ($...$)."""
    return [s for s in STEMS if any(
        c.cell_type == "markdown" and re.search(r"\$[^$\n]+\$", c.source)
        for c in nbformat.read(NOTEBOOKS / f"{s}.ipynb", as_version=4).cells)]


def test_maths_solutions_and_explorer_work_offline(site: Path, server: str,
                                                    chromium: str) -> None:
    """In Chromium, network blocked: formulas typeset, a solution unfolds, the explorer hovers."""
    outside: list[str] = []
    errors: list[str] = []
    assert math_pages(), "no notebook has maths to check"
    with offline_site_page(chromium, server, outside, errors) as page:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for stem in math_pages():
            page.goto(server + f"notebooks/{stem}.html", wait_until="load")
            page.wait_for_function("window.MathJax && MathJax.startup && "
                                   "MathJax.startup.promise")
            page.evaluate("MathJax.startup.promise")
            typeset = page.locator("mjx-container").count()
            raw = page.evaluate("[...document.querySelectorAll('.math')]"
                                ".filter(e => !e.querySelector('mjx-container')).length")
            assert typeset > 0 and raw == 0, f"{stem}: {typeset} typeset, {raw} left as TeX"
        # a page with maths and folded solutions: one solution opened by a click
        page.locator("mjx-container").first.scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOTS / "maths.png")
        toggle = page.locator(".cell.tag_solution details.hide").first
        toggle.scroll_into_view_if_needed()
        page.mouse.wheel(0, -300)
        page.screenshot(path=SCREENSHOTS / "folded-solutions.png")
        assert not toggle.locator(".cell_input").is_visible()
        toggle.locator("summary").click()
        assert toggle.locator(".cell_input").is_visible(), "a solution did not unfold"
        # the hover explorer of 06: BokehJS inline, a tooltip with the digit's image
        page.goto(server + "notebooks/06_scatter_and_colormaps.html", wait_until="load")
        figure = page.locator(".bk-Figure").first
        figure.scroll_into_view_if_needed()
        box = figure.bounding_box()
        assert box and box["width"] > 200, "the explorer was not drawn"
        tooltip = page.locator(".bk-Tooltip img")
        found = False
        for fy in [i / 24 for i in range(2, 23)]:
            for fx in [i / 24 for i in range(2, 23)]:
                page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
                if tooltip.count() and tooltip.first.is_visible():
                    found = True
                    break
            if found:
                break
        page.screenshot(path=SCREENSHOTS / "explorer.png")
        assert found, "no tooltip appeared anywhere over the explorer"
    assert not outside, "requests that tried to leave the machine:\n" + "\n".join(outside)
    assert not errors, "JavaScript errors:\n" + "\n".join(e[:300] for e in errors)
