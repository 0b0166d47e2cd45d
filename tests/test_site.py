"""The built site in headless Chromium (Debian's), served on 127.0.0.1.

Run after `make docs`. Every page of both languages is loaded; the test fails
on a request to another host, an unexplained console error, unrendered math,
a broken internal link or anchor, a language switcher that leads elsewhere
than the same page in the other language, and a search that finds nothing.
"""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

SITE = Path(__file__).resolve().parent.parent / "site"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]
# Console errors we understand and accept, each with the reason.
EXPLAINED_CONSOLE_ERRORS: list[tuple[str, str]] = [
    (r"^HTTP 404: .*/sitemap\.xml$",
     "Material fetches sitemap.xml beside each <link rel=alternate> (one per language) to map pages "
     "between languages; mkdocs-static-i18n's alternates point at pages, not language roots, so these "
     "same-origin fetches 404. The switcher itself uses the alternates and is tested below."),
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
    handler = functools.partial(QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def visit(browser, url: str):
    """Load ``url``; return the page, the foreign requests and the console errors seen."""
    page = browser.new_page()
    foreign, errors = [], []
    origin = urlsplit(url).netloc
    page.on("request", lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in (origin, "")
            and not r.url.startswith(("data:", "blob:")) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return page, foreign, errors


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
        broken = [why for href in hrefs if href.startswith(server)
                  and (why := target_exists(here, href[len(server):], server))]
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

        # The language switcher leads to the same page in the other language.
        other = "en" if page_path.startswith("zh/") else "zh"
        switch = page.evaluate(f"() => document.querySelector('a[hreflang=\"{other}\"]').href")
        expected = f"{server}/{other_language(page_path)}".removesuffix("index.html")
        assert switch == expected, f"switcher leads to {switch}, expected {expected}"
    finally:
        page.close()


@pytest.mark.parametrize("query, page_path", [("softmax", "index.html"), ("归一化", "zh/index.html")])
def test_search_finds(browser, server, query, page_path):
    page, _, errors = visit(browser, f"{server}/{page_path}")
    try:
        page.evaluate("() => { document.getElementById('__search').checked = true; }")
        # Typing Chinese with the keyboard does not trigger Material's search: dispatch the events.
        page.evaluate("""(q) => { const i = document.querySelector('input[data-md-component=search-query]');
            i.value = q; i.dispatchEvent(new Event('input')); i.dispatchEvent(new KeyboardEvent('keyup')); }""",
                      query)
        page.wait_for_selector(".md-search-result__item", state="attached", timeout=20_000)
        assert page.locator(".md-search-result__item").count() > 0
        assert not unexplained(errors)
    finally:
        page.close()
