"""Make a rebuild cost what changed, not the whole site.

Profiled on a 2-core machine, a build with nothing changed spent a third of its
time in Material's search plugin, re-parsing every page's HTML (a lesson page
is tens of thousands of highlighted code tokens) and re-segmenting its Chinese
with jieba, and a tenth compiling the same Jinja templates again. Both have
exact keys, so both are cached in ``.cache/``:

* a page's search entries, keyed on everything the plugin reads from the page
  (URL, title, HTML, table of contents, metadata) and the plugin's settings;
* compiled Jinja templates, through Jinja's own bytecode cache (keyed on each
  template's source).

Entries a build did not use are removed when mkdocs shuts down, so the cache
holds one build's worth.
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.rebuild")
ROOT = Path(__file__).resolve().parent.parent
SEARCH_CACHE = ROOT / ".cache" / "search"
JINJA_CACHE = ROOT / ".cache" / "jinja"
_used: set[Path] = set()  # search entries this process read or wrote


def _toc(items) -> list:
    return [[item.id, item.title, item.level, _toc(item.children)] for item in items]


def search_key(index, page) -> str:
    """Everything SearchIndex.add_entry_from_context reads, hashed."""
    from material import __version__

    settings = {k: index.config.get(k) for k in ("lang", "separator", "pipeline", "fields", "jieba_dict",
                                                 "jieba_dict_user")}
    meta = {k: page.meta.get(k) for k in ("title", "tags", "search")}
    digest = hashlib.sha256(json.dumps([__version__, settings, page.url, page.title, meta, _toc(page.toc)],
                                       sort_keys=True, default=str).encode())
    digest.update(page.content.encode())
    return digest.hexdigest()


_highlighted: dict[tuple, str] = {}


def _memoise_highlighting() -> None:
    # Under `mkdocs serve` every rebuild highlights every code block of every page again with Pygments
    # (a quarter of a rebuild): same block, same settings, same HTML.
    import inspect

    from pymdownx import highlight

    original = getattr(highlight.Highlight.highlight, "__wrapped__", highlight.Highlight.highlight)
    signature = inspect.signature(original)

    def highlight_(self, *args, **kwargs):
        arguments = signature.bind(self, *args, **kwargs).arguments
        if arguments.get("title"):  # a title goes to the page's own HTML stash: not memoisable
            return original(self, *args, **kwargs)
        settings = sorted((k, v) for k, v in vars(self).items() if k != "md")
        key = repr((settings, sorted((k, v) for k, v in arguments.items() if k != "self")))
        if key not in _highlighted:
            if len(_highlighted) > 20_000:
                _highlighted.clear()
            _highlighted[key] = original(self, *args, **kwargs)
        return _highlighted[key]

    highlight_.__wrapped__ = original
    highlight.Highlight.highlight = highlight_


def _cache_search_entries() -> None:
    from material.plugins.search import plugin

    original = getattr(plugin.SearchIndex.add_entry_from_context, "__wrapped__",
                       plugin.SearchIndex.add_entry_from_context)

    def add_entry_from_context(self, page):
        path = SEARCH_CACHE / f"{search_key(self, page)}.json"
        _used.add(path)
        try:
            self.entries.extend(json.loads(path.read_text(encoding="utf-8")))
            return
        except (OSError, ValueError):
            pass
        before = len(self.entries)
        original(self, page)
        SEARCH_CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(self.entries[before:], ensure_ascii=False), encoding="utf-8")
        partial.replace(path)  # a build stopped mid-write leaves no half entry behind

    add_entry_from_context.__wrapped__ = original
    plugin.SearchIndex.add_entry_from_context = add_entry_from_context


def on_config(config):
    _cache_search_entries()
    _memoise_highlighting()
    return config


def _bytecode_cache(kind: str):
    # One folder per environment: Jinja's cache keys on a template's name and source, not on the
    # environment's settings, so two environments must not share one.
    from jinja2 import FileSystemBytecodeCache

    folder = JINJA_CACHE / kind
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def on_pre_build(config):
    plugin = config["plugins"].get("mkdocstrings")
    if plugin is not None:  # the API reference's templates, compiled once per build without this
        plugin.handlers.get_handler("python").env.bytecode_cache = _bytecode_cache("mkdocstrings-python")


def on_env(env, config, files):
    env.bytecode_cache = _bytecode_cache("theme")
    return env


def on_shutdown():
    if not _used or not SEARCH_CACHE.is_dir():
        return
    for path in SEARCH_CACHE.iterdir():
        if path not in _used:
            path.unlink(missing_ok=True)
