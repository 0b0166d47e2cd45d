"""The built site in headless Chromium (Debian's), served on 127.0.0.1 under a sub-path.

Run after `make docs`. The site is served under ``/dlnotes/``, as a GitHub Pages
project site is, with each language's 404 page for a missing path. Every page of
both languages is loaded at 1400 px and at 390 px (a phone); the test fails on a
request to another host, an unexplained console error, unrendered math, a broken
internal link or anchor, a language switcher that leads elsewhere than the same
page in the other language, a page that scrolls sideways on a phone, and a search
that finds nothing. Lesson figures are checked as files: lazy, described, legible
at both widths, and in Chinese on the Chinese pages.
"""
from __future__ import annotations

import contextlib
import functools
import html
import http.server
import importlib.util
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
PREFIX = "/dlnotes"   # the sub-path the site is served under here
WIDTHS = {"desktop": 1400, "phone": 390}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
# Console errors we understand and accept, each with the reason.
EXPLAINED_CONSOLE_ERRORS: list[tuple[str, str]] = [
    (r"^Failed to load resource: the server responded with a status of",
     "Chromium's generic line for every failed load; each one is also recorded with its URL as an "
     "'HTTP <status>: <url>' line, which must itself be explained."),
]
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_BREAK = re.compile(f"[{_CJK}][ \t]*\n\\s*[{_CJK}]")
UNRENDERED_MATH = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[")

if not SITE.joinpath("index.html").exists():
    pytest.skip("site/ is not built: run `make docs` first", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api")

PAGES = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("index.html"))


def other_language(page: str) -> str:
    return page[len("zh/"):] if page.startswith("zh/") else f"zh/{page}"


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(SubPathHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}"
    httpd.shutdown()


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """site/ under PREFIX, like a project site; a missing path gets its language's 404 page."""

    def translate_path(self, path):
        inside = urlsplit(path).path.startswith(PREFIX + "/")
        return super().translate_path(path[len(PREFIX):] if inside else "/.outside-the-site")

    def send_head(self):
        path = self.translate_path(self.path)
        if Path(path).exists() and not (Path(path).is_dir() and not Path(path, "index.html").exists()):
            return super().send_head()
        language = "zh/" if urlsplit(self.path).path.startswith(f"{PREFIX}/zh/") else ""
        body = (SITE / language / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body) if self.command != "HEAD" else None
        return None

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def visit(browser, url: str, width: int = WIDTHS["desktop"]):
    """Load ``url``; return the page, the foreign requests and the console errors seen."""
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    foreign, errors = [], []
    origin = urlsplit(url).netloc
    page.on("request", lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in (origin, "")
            and not r.url.startswith(("data:", "blob:")) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return page, foreign, errors


@contextlib.contextmanager
def opened(browser, url: str, width: int = WIDTHS["desktop"]):
    """``visit`` as a context: the page is closed after."""
    page, foreign, errors = visit(browser, url, width)
    try:
        yield page, foreign, errors
    finally:
        page.close()


def unexplained(errors):
    return [e for e in errors if not any(re.search(pat, e) for pat, _ in EXPLAINED_CONSOLE_ERRORS)]


def target_exists(base: str, href: str, server: str) -> str | None:
    """None if an internal link resolves (file, and anchor if any); else why not."""
    parts = urlsplit(href)
    path = unquote(parts.path)
    rel = path[1:] if path.startswith("/") else path
    file = SITE / rel
    if path.endswith("/") or file.is_dir():
        file = file / "index.html"
    if not file.exists():
        return f"{href}: no {file.relative_to(SITE)}"
    if parts.fragment and file.suffix == ".html":
        ids = set(re.findall(r'\sid="([^"]+)"', file.read_text(encoding="utf-8")))
        if unquote(parts.fragment) not in ids:
            return f"{href}: no id {unquote(parts.fragment)!r} in {file.relative_to(SITE)}"
    return None


def test_both_languages_have_the_same_pages():
    en = {p for p in PAGES if not p.startswith("zh/")}
    zh = {p[len("zh/"):] for p in PAGES if p.startswith("zh/")}
    assert en == zh and len(en) >= 3


@pytest.mark.parametrize("page_path", PAGES)
def test_page(browser, server, page_path):
    page, foreign, errors = visit(browser, f"{server}/{page_path}")
    try:
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not unexplained(errors), f"console errors: {errors}"

        # Math: every formula rendered by KaTeX, no delimiters left in the prose.
        page.wait_for_selector("body[data-math-rendered]", state="attached", timeout=20_000)
        text = page.evaluate("""() => {
            const root = document.querySelector('article').cloneNode(true);
            // Not prose: code, outputs, styles, and the hidden raw code behind a notebook cell's copy button.
            root.querySelectorAll('pre, code, .katex, .highlight, .jp-OutputArea, script, style, .clipboard-copy-txt')
                .forEach(e => e.remove());
            return root.textContent; }""")
        leftover = UNRENDERED_MATH.findall(text)
        assert not leftover, f"unrendered math: {leftover[:3]}"
        assert page.locator(".katex-error").count() == 0
        # A `$` in code stays code: the text the copy button copies must not be typeset.
        assert page.locator(".clipboard-copy-txt .katex, .highlight .katex").count() == 0

        # Internal links and anchors.
        hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
        here = f"{server}/{page_path}"
        origin = server[:-len(PREFIX)]
        broken = [f"{href}: outside {PREFIX}/" for href in hrefs
                  if href.startswith(origin) and not href.startswith(server + "/")]
        broken += [why for href in hrefs if href.startswith(server + "/")
                   and (why := target_exists(here, href[len(server):], server))]
        assets = page.evaluate("""() => performance.getEntriesByType('resource').map(r => r.name)""")
        broken += [f"asset {a}: outside {PREFIX}/" for a in assets
                   if a.startswith(origin) and not a.startswith(server + "/")]
        assert not broken, f"broken internal links: {broken}"

        # A doctest's <BLANKLINE> marker shows as the empty line it stands for.
        assert "<BLANKLINE>" not in page.locator("article").inner_text()
        # No line break of the source between two Chinese characters (it would show as a space). Code and
        # formulas stand in as "x", so what surrounds them is not taken as adjacent.
        if page_path.startswith("zh/"):
            text = page.evaluate("""() => Array.from(document.querySelectorAll('article p, article li'), p => {
                const c = p.cloneNode(true);
                c.querySelectorAll('code, pre, .katex, script').forEach(e => e.replaceWith('x'));
                // a list item's own text only: its paragraphs and boxes are blocks, checked on their own
                c.querySelectorAll('p, details, ul, ol, div, table').forEach(e => e.replaceWith(' | '));
                return c.textContent; }).join(' | ')""")
            breaks = CJK_BREAK.findall(text)
            assert not breaks, f"line breaks between Chinese characters: {breaks[:5]}"
        # Previous and next pages at the foot of every page.
        assert page.locator("a.md-footer__link").count() >= 1

        # Figures are files, loaded lazily, each described in the page's language.
        images = page.evaluate("""() => Array.from(document.querySelectorAll('article img'),
            i => ({src: i.getAttribute('src'), alt: i.alt, loading: i.loading}))""")
        for image in images:
            assert not image["src"].startswith("data:"), "an image inlined in the page"
            assert image["alt"] and "No description" not in image["alt"], f"no alt text: {image['src']}"
            if "/figures/" in image["src"]:
                assert image["loading"] == "lazy", image
                if page_path.startswith("zh/"):
                    assert re.search(f"[{_CJK}]", image["alt"]), f"alt text not in Chinese: {image['alt']}"
        # The tab's title is the page's title in the navigation (a lesson's, not its notebook's heading).
        active = page.evaluate("() => (document.querySelector('.md-nav__link--active') || {}).textContent")
        if active and page_path not in ("index.html", "zh/index.html"):
            assert page.title().startswith(" ".join(active.split())), (page.title(), active)
        # A doctest's copy button copies its code alone, without prompts or outputs.
        copies = page.evaluate("() => Array.from(document.querySelectorAll('[data-copy]'), e => e.dataset.copy)")
        assert not [c for c in copies if ">>>" in c], "a copy button copies >>> prompts"
        if page_path.startswith("zh/lessons/"):
            assert re.search(f"[{_CJK}]", page.get_attribute("a.dl-notebook", "title")), "download tooltip in English"
        if "lessons/" in page_path:
            # The copy icon sits beside the code, not over its first line.
            clash = page.evaluate("""() => { const pre = document.querySelector('.jp-InputArea-editor pre');
                const icon = document.querySelector('.jp-InputArea-editor clipboard-copy');
                if (!pre || !icon) return null;
                return icon.getBoundingClientRect().left < pre.getBoundingClientRect().right - 1; }""")
            assert not clash, "the copy icon covers the code"

        # The language switcher leads to the same page in the other language.
        other = "en" if page_path.startswith("zh/") else "zh"
        switch = page.evaluate(f"() => document.querySelector('a[hreflang=\"{other}\"]').href")
        expected = f"{server}/{other_language(page_path)}".removesuffix("index.html")
        assert switch == expected, f"switcher leads to {switch}, expected {expected}"
    finally:
        page.close()


# ---------------------------------------------------------------- search (hooks/search_i18n.py)

# A query, the page it is typed on, and a page that must be among the first results. Each language searches
# its own pages: English pages load search/search_index.json, Chinese pages zh/search/search_index.json.
SEARCHES = [
    ("softmax", "index.html", "classification/"),
    ("momentum", "index.html", "optimizers/"),
    ("dropout", "index.html", "regularisation/"),
    ("SELU", "lessons/selu/", "selu/"),
    ("vanishing gradients", "index.html", "vanishing_gradients/"),
    ("softmax", "zh/index.html", "zh/classification/"),
    ("momentum", "zh/index.html", "zh/optimizers/"),
    ("dropout", "zh/index.html", "zh/regularisation/"),
    ("SELU", "zh/lessons/selu/", "zh/selu/"),
    ("可执行", "zh/classification/", "zh/"),   # 可 is a stop word of lunr's Chinese pipeline
    ("交叉熵", "zh/index.html", "zh/classification/"),
    ("反向传播", "zh/index.html", "zh/backprop/"),
    ("批量规范化", "zh/index.html", "zh/batch_norm/"),
    ("批归一化", "zh/index.html", "zh/batch_norm/"),     # the other common name, given on the page
    ("学习率", "zh/index.html", "zh/schedules/"),    # not 学习曲线 (learning curves): the whole query counts
    ("过拟合", "zh/index.html", ("zh/regularisation/", "zh/lessons/regularisation_mlp/")),
    ("梯度消失", "zh/index.html", "zh/vanishing_gradients/"),
    ("早停", "zh/index.html", "zh/classifier/"),
    ("归一化", "zh/index.html", "zh/lessons/input_normalisation/"),
    ("softmax", "no/such/page/", "classification/"),       # a 404 page searches its language too
    ("梯度消失", "zh/no/such/page/", "zh/vanishing_gradients/"),
]
FIRST_RESULTS = 5


def search(browser, server, page_path, query):
    """The results of ``query`` typed on ``page_path``: [(page, text of the result)], best first, and the
    console errors. A page is its path from the site's root, without query or anchor."""
    page, _, errors = visit(browser, f"{server}/{page_path}")
    try:
        page.evaluate("() => { document.getElementById('__search').checked = true; }")
        # Typing Chinese with the keyboard does not trigger Material's search: dispatch the events.
        page.evaluate("""(q) => { const i = document.querySelector('input[data-md-component=search-query]');
            i.value = q; i.dispatchEvent(new Event('input')); i.dispatchEvent(new KeyboardEvent('keyup')); }""",
                      query)
        page.wait_for_selector(".md-search-result__item", state="attached", timeout=20_000)
        results = page.evaluate("""() => Array.from(document.querySelectorAll('.md-search-result__item'),
            li => [li.querySelector('a').href, li.textContent])""")
    finally:
        page.close()
    errors = [e for e in errors if "/no/such/page/" not in e]  # the 404 pages' own status
    return [(urlsplit(href).path.removeprefix(PREFIX + "/"), text) for href, text in results], errors


@pytest.mark.parametrize("query, page_path, expected", SEARCHES)
def test_search_finds(browser, server, query, page_path, expected):
    results, errors = search(browser, server, page_path, query)
    pages = [page for page, _ in results]
    expected = (expected,) if isinstance(expected, str) else expected   # one of these pages
    assert set(expected) & set(pages[:FIRST_RESULTS]), \
        f"{query!r} on {page_path}: {expected} not in {pages[:FIRST_RESULTS]}"
    # Each language searches its own pages only.
    chinese = page_path.startswith("zh/")
    assert all(page.startswith("zh/") == chinese for page in pages), f"other language's pages: {pages}"
    assert not unexplained(errors)


@pytest.mark.parametrize("query, page_path", [("SELU", "lessons/selu/"), ("softmax", "index.html"),
                                               ("SELU", "zh/lessons/selu/"), ("softmax", "zh/index.html")])
def test_search_previews_are_prose(browser, server, query, page_path):
    # Lessons' code, prompts and outputs are not indexed; formulas show as text, not TeX.
    results, _ = search(browser, server, page_path, query)
    for page, text in results:
        assert not re.search(r"In\s*\[\d*\]:|Copied!|\\[()\[\]]|\$", text), f"{page}: {text[:300]}"


@pytest.mark.parametrize("page_path", PAGES)
def test_phone(browser, server, page_path):
    """At 390 px nothing scrolls sideways (formulas, tables and outputs scroll in their own box), and a
    lesson's code has the width: no prompt column."""
    page, _, errors = visit(browser, f"{server}/{page_path}", WIDTHS["phone"])
    try:
        page.wait_for_selector("body[data-math-rendered]", state="attached", timeout=20_000)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        if wide > WIDTHS["phone"]:
            culprits = page.evaluate("""(w) => Array.from(document.querySelectorAll('article *'))
                .filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 3)
                .map(e => e.tagName + '.' + e.className)""", WIDTHS["phone"])
            pytest.fail(f"{page_path} is {wide} px wide at {WIDTHS['phone']} px: {culprits}")
        prompts = page.locator(".jp-InputPrompt")
        assert prompts.count() == 0 or not prompts.first.is_visible(), "prompt column on a phone"
        assert not unexplained(errors), errors
    finally:
        page.close()


FIGURE_PAGES = ["lessons/cross_entropy_vs_mse/", "lessons/optimizer_traces/", "lessons/search_basics/"]
MIN_FONT_PX = {"desktop": 11.0, "phone": 9.0}   # the smallest text (tick labels) as rendered, CSS px
SVG_FONT = re.compile(r"<text\b[^>]*font-size: ([\d.]+)px")   # text, not a superscript's tspan
SVG_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) [\d.]+"')


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["", "zh/"])
@pytest.mark.parametrize("lesson", FIGURE_PAGES)
def test_figure_text_is_legible(browser, server, lesson, language, width):
    page, _, _ = visit(browser, f"{server}/{language}{lesson}", WIDTHS[width])
    try:
        figures = page.locator("article img[src*='/figures/']")
        assert figures.count() >= 1
        for i in range(figures.count()):
            figure = figures.nth(i)
            figure.scroll_into_view_if_needed()
            figure.evaluate("i => i.decode()")
            src = figure.evaluate("i => i.currentSrc")   # on a phone, the narrow drawing
            if width == "phone":
                assert src.endswith("-narrow.svg") or "-narrow" not in (figure.evaluate(
                    "i => i.parentElement.innerHTML")), src
            svg = (SITE / src[len(server) + 1:]).read_text(encoding="utf-8")
            smallest = min(float(v) for v in SVG_FONT.findall(svg))
            shown = figure.evaluate("i => i.getBoundingClientRect().width") / float(SVG_VIEWBOX.search(svg).group(1))
            assert smallest * shown >= MIN_FONT_PX[width], \
                f"{src}: text {smallest * shown:.1f} px at {WIDTHS[width]} px (need {MIN_FONT_PX[width]})"
    finally:
        page.close()


def _figure_hook():
    spec = importlib.util.spec_from_file_location("figures_hook", ROOT / "hooks" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _font_chars() -> set[int]:
    """The characters the fonts a Chinese figure names (DejaVu Sans, Noto Sans CJK) can draw here."""
    from fontTools.ttLib import TTCollection, TTFont
    from matplotlib import font_manager
    chars: set[int] = set()
    for family in ("DejaVu Sans", "Noto Sans CJK SC"):
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        fonts = TTCollection(path).fonts if path.endswith(".ttc") else [TTFont(path)]
        for font in fonts:
            chars |= set(font.getBestCmap())
    return chars


def test_chinese_figures_speak_chinese():
    """Every Chinese lesson figure: its text in Chinese (names such as SGD aside), every glyph in a font."""
    hook, glyphs = _figure_hook(), _font_chars()
    figures = sorted((SITE / "zh" / "lessons" / "figures").glob("*.svg"))
    assert len(figures) >= 40
    for figure in figures:
        texts = [html.unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", figure.read_text("utf-8"))]
        english = [t for t in texts if hook.untranslated(t)]
        assert not english, f"{figure.name}: untranslated {english[:5]}"
        boxes = sorted({c for t in texts for c in t if not c.isspace() and ord(c) not in glyphs})
        assert not boxes, f"{figure.name}: no glyph for {boxes}"
    assert any(re.search(f"[{_CJK}]", f.read_text("utf-8")) for f in figures)


def test_downloaded_notebooks_hold_their_figures():
    """The executed notebook offered for download shows its figures on the reader's disk: inline SVG,
    in the page's language, not the page's links to the site's files."""
    notebooks = sorted(SITE.glob("lessons/*/*.ipynb")) + sorted(SITE.glob("zh/lessons/*/*.ipynb"))
    assert len(notebooks) >= 40
    for notebook in notebooks:
        text = notebook.read_text(encoding="utf-8")
        assert "../figures/" not in text, notebook
    assert "image/svg+xml" in (SITE / "zh/lessons/cross_entropy_vs_mse/cross_entropy_vs_mse.zh.ipynb").read_text()
    assert "交叉熵" in (SITE / "zh/lessons/cross_entropy_vs_mse/cross_entropy_vs_mse.zh.ipynb").read_text()


def test_figure_opens_full_size(browser, server):
    with opened(browser, f"{server}/lessons/cross_entropy_vs_mse/") as (page, _, errors):
        page.locator("article img[src*='/figures/']").first.click()
        page.wait_for_selector(".gslide-image img", state="visible", timeout=10_000)
        assert not unexplained(errors)


@pytest.mark.parametrize("language", ["", "zh/"])
def test_home_page_maps_the_course(browser, server, language):
    """The home page links every page of its language."""
    with opened(browser, f"{server}/{language}") as (page, _, _):
        hrefs = page.evaluate("() => Array.from(document.querySelectorAll('article a[href]'), a => a.href)")
        linked = {h[len(server) + 1:].split("#")[0] for h in hrefs if h.startswith(server + "/")}
        linked = {h + "index.html" if h.endswith("/") or not h else h for h in linked}
        wanted = {p for p in PAGES if p.startswith("zh/") == bool(language)} - {f"{language}index.html"}
        assert not wanted - linked, f"not on the course map: {sorted(wanted - linked)}"


@pytest.mark.parametrize("language, other", [("", "zh/"), ("zh/", "")])
def test_not_found_page(browser, server, language, other):
    """A missing path under the sub-path shows that language's 404 page, styled, linking home."""
    with opened(browser, f"{server}/{language}no/such/page/") as (page, foreign, errors):
        assert not foreign
        failed = [e for e in errors if e.startswith("HTTP") and "/no/such/page/" not in e]
        assert not failed, failed
        assert page.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position") != "static"
        assert page.evaluate("() => document.documentElement.lang").startswith("zh" if language else "en")
        switch = page.evaluate("() => Array.from(document.querySelectorAll('a[hreflang]'), a => a.href)")
        assert f"{server}/{other}" in switch, switch
        home = page.evaluate("() => document.querySelector('a.md-header__button.md-logo').href")
        assert home == f"{server}/{language}", home


@pytest.mark.parametrize("language", ["", "zh/"])
def test_api_reference_reads_as_a_reference(browser, server, language):
    """No raw Sphinx roles, examples as highlighted code blocks, names linking to their entries."""
    with opened(browser, f"{server}/{language}reference/") as (page, _, _):
        text = page.locator("article").inner_text()
        assert not re.search(r":(class|func|meth|attr|mod|data|exc|obj):", text)
        assert page.locator("article blockquote").count() == 0
        assert page.locator(".doc-contents .highlight pre .gp").count() >= 10
        link = page.locator("#dlnotes\\.training\\.fit ~ .doc-contents a.autorefs:has(code:text-is('TensorLoader'))")
        assert link.first.get_attribute("href").endswith("#dlnotes.loader.TensorLoader")
        assert page.locator("h2#dlnotes\\.training").count() == 1
    with opened(browser, f"{server}/{language}classifier/") as (page, _, _):
        hrefs = page.evaluate("""() => Array.from(document.querySelectorAll('article a.autorefs'),
            a => [a.textContent, a.href])""")
        fit = [h for t, h in hrefs if t == "dlnotes.fit"]
        assert fit and all(h == f"{server}/{language}reference/#dlnotes.training.fit" for h in fit), hrefs[:5]
        bare = page.evaluate("""() => Array.from(document.querySelectorAll('article code'))
            .filter(c => /^dlnotes\\.[A-Za-z]/.test(c.textContent) && !c.closest('a, pre')).map(c => c.textContent)""")
        assert not bare, f"dlnotes names not linked: {bare[:5]}"
