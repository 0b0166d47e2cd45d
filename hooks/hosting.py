"""The site works wherever it is served: at a domain's root or under a sub-path (``/dlnotes/``).

* Pages link only relatively. mkdocs-static-i18n writes the home pages' language links root-absolute
  (``/``, ``/zh/``), which leave a site served under a sub-path: they are made relative.
* Material fetches a ``sitemap.xml`` beside each ``<link rel="alternate">`` to map pages between
  languages; the i18n plugin points those links at pages, so every page fetched a sitemap that does not
  exist. The language switcher links each page to its twin already, and the sitemap lists the
  alternates for search engines, so the head links go.
* A 404 page is served at any depth, so it cannot link relatively: it links from the site's path
  (``site_url``, set by ``DLNOTES_SITE_URL``; mkdocs.yml). Each language gets its own, ``404.html`` and
  ``zh/404.html`` (the second build pass used to overwrite the first's), its switcher leading to the
  other language's home page.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

HEAD_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')
SWITCH = re.compile(r'(<a href=")([^"]*)(" hreflang="([a-z-]+)")')
HOMES = {"en": "", "zh": "zh/"}  # each language's home, from the site's root
_NOT_FOUND: dict[str, str] = {}  # language -> its 404 page, until the build's end


def site_path(config) -> str:
    """The path the site is served under, ``/`` or e.g. ``/dlnotes/``."""
    path = urlsplit(config.get("site_url") or "/").path or "/"
    return path if path.endswith("/") else path + "/"


def relative(href: str, page_url: str, root: str) -> str:
    """A root-absolute ``href`` (under ``root``) as seen from the page at ``page_url`` (``zh/losses/``)."""
    if not href.startswith("/"):
        return href
    target = href[len(root):] if href.startswith(root) else href.lstrip("/")
    here = posixpath.dirname(page_url.rstrip("/") + "/x") if page_url else ""
    rel = posixpath.relpath(target or ".", here or ".")
    return (rel + "/" if target.endswith("/") or not target else rel) if rel != "." else "./"


def relative_language_links(html: str, page_url: str, root: str) -> str:
    html = HEAD_ALTERNATE.sub("", html)
    return SWITCH.sub(lambda m: m.group(1) + relative(m.group(2), page_url, root) + m.group(3), html)


def on_post_page(output, page, config):
    return relative_language_links(output, page.url, site_path(config))


def on_post_template(output, template_name, config):
    if template_name != "404.html":
        return output
    root, language = site_path(config), config["theme"]["language"]
    output = HEAD_ALTERNATE.sub("", output)
    output = SWITCH.sub(lambda m: m.group(1) + root + HOMES.get(m.group(4), "") + m.group(3), output)
    _NOT_FOUND[language] = output
    return output


def on_post_build(config):
    # Both passes share site_dir, and the i18n plugin builds the other languages inside the first pass's
    # on_post_build, before this hook runs for that pass: by the last call every language's page is here.
    for language, home in HOMES.items():
        if language in _NOT_FOUND:
            target = Path(config["site_dir"]) / home / "404.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_NOT_FOUND[language], encoding="utf-8")
