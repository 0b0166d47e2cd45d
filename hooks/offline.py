"""Keep the site self-contained and its Chinese headings linkable.

* KaTeX comes from Debian's ``libjs-katex``/``fonts-katex`` and is copied into
  the built site, so no page loads anything from another host.
* mkdocs-jupyter slugifies headings to ASCII, which gives every Chinese
  heading an empty id (broken table-of-contents links). Its table of contents
  gets the Unicode-aware slugify the Markdown pages use, and each notebook
  heading then takes the id of its table-of-contents entry.
"""
from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from pymdownx.slugs import slugify

log = logging.getLogger("mkdocs.hooks.offline")
HEADING = re.compile(r'<h[1-6] id="(?P<id>[^"]*)".*?</h[1-6]>', re.DOTALL)
KATEX = Path("/usr/share/javascript/katex")
KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.js")
unicode_slugify = slugify(case="lower")


def on_config(config):
    import markdown
    import mkdocs_jupyter.plugin as plugin
    from markdown.extensions.toc import TocExtension

    def markdown_toc(markdown_source, toc_depth):
        md = markdown.Markdown(extensions=[TocExtension(toc_depth=toc_depth, slugify=unicode_slugify)])
        md.convert(markdown_source)
        return md.toc_tokens

    plugin._get_markdown_toc = markdown_toc
    return config


def _toc_ids(items):
    for item in items:
        yield item.id
        yield from _toc_ids(item.children)


def on_page_content(html, page, config, files):
    # A notebook's table of contents comes from nbconvert's Markdown export and its headings
    # from mistune's HTML; the two slug slightly different text (inline code, spacing), so the
    # TOC's ids are given to the headings, which come in the same order.
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    ids = list(_toc_ids(page.toc))
    headings = list(HEADING.finditer(html))
    if len(ids) != len(headings):
        log.warning(f"{page.file.src_uri}: {len(headings)} headings but {len(ids)} table-of-contents entries")
        return html
    for match, new in reversed(list(zip(headings, ids))):
        old = match.group("id")
        element = html[match.start():match.end()].replace(f'id="{old}"', f'id="{new}"', 1)
        element = element.replace(f'href="#{old}"', f'href="#{new}"', 1)
        html = html[:match.start()] + element + html[match.end():]
    return html


def on_post_build(config):
    if not (KATEX / "katex.min.js").is_file():
        raise PluginError(f"KaTeX not found in {KATEX}: run `make setup` (it installs the Debian packages "
                          f"libjs-katex and fonts-katex)")
    target = Path(config.site_dir) / "assets" / "katex"
    for name in KATEX_FILES:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(KATEX / name, target / name)
    fonts = target / "fonts"
    fonts.mkdir(exist_ok=True)
    for font in (KATEX / "fonts").resolve().glob("*.woff2"):
        shutil.copyfile(font, fonts / font.name)
