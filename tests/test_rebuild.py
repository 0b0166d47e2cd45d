"""The caches that make a rebuild cost what changed: each gives what the uncached work gives, and
misses when an input changes (hooks/rebuild.py, hooks/pages.py, hooks/lessons.py, tools/site_inputs.py)."""
import importlib.util
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


rebuild = load("rebuild_hook", ROOT / "hooks" / "rebuild.py")
site_inputs = load("site_inputs", ROOT / "tools" / "site_inputs.py")


# ---------------------------------------------------------------- search entries

def page(content, url="losses/", title="Losses"):
    from mkdocs.structure.toc import get_toc
    toc = get_toc([{"level": 2, "id": "a", "name": "A", "html": "A", "data-toc-label": "A", "children": []}])
    return SimpleNamespace(url=url, title=title, meta={}, toc=toc, content=content)


HTML = '<h1 id="losses">Losses</h1><p>Cross-entropy, 交叉熵。</p><h2 id="a">A</h2><p>More <code>x</code>.</p>'


def test_cached_search_entries_are_those_the_plugin_makes(tmp_path, monkeypatch):
    from material.plugins.search import plugin
    monkeypatch.setattr(rebuild, "SEARCH_CACHE", tmp_path)
    original = getattr(plugin.SearchIndex.add_entry_from_context, "__wrapped__",
                       plugin.SearchIndex.add_entry_from_context)
    monkeypatch.setattr(plugin.SearchIndex, "add_entry_from_context", original)
    settings = {"lang": ["en", "zh"], "separator": r"[\s\-]+", "pipeline": [], "fields": {}}

    plain = plugin.SearchIndex(**settings)
    plain.add_entry_from_context(page(HTML))
    rebuild._cache_search_entries()
    first, second = plugin.SearchIndex(**settings), plugin.SearchIndex(**settings)
    first.add_entry_from_context(page(HTML))   # computed and stored
    monkeypatch.setattr(plugin.SearchIndex.add_entry_from_context, "__wrapped__",
                        lambda *a: pytest.fail("a cached page was parsed again"))
    second.add_entry_from_context(page(HTML))  # read back
    assert plain.entries == first.entries == second.entries and len(plain.entries) == 2
    assert len(list(tmp_path.glob("*.json"))) == 1


def test_the_search_key_changes_with_anything_the_plugin_reads():
    index = SimpleNamespace(config={"lang": ["en"], "separator": " "})
    key = rebuild.search_key(index, page(HTML))
    assert rebuild.search_key(index, page(HTML)) == key
    assert rebuild.search_key(index, page(HTML + "<p>x</p>")) != key
    assert rebuild.search_key(index, page(HTML, url="other/")) != key
    assert rebuild.search_key(index, page(HTML, title="Other")) != key
    assert rebuild.search_key(SimpleNamespace(config={"lang": ["en", "zh"], "separator": " "}), page(HTML)) != key


# ---------------------------------------------------------------- highlighting

CODE = "```python\nimport torch\nx = torch.ones(3)  # (3,)\n```\n\n```python\nprint(1)\n```\n"


def render(text, **highlight):
    return markdown.markdown(text, extensions=["pymdownx.superfences", "pymdownx.highlight"],
                             extension_configs={"pymdownx.highlight": highlight})


def test_memoised_highlighting_gives_the_same_html_and_follows_the_settings():
    from pymdownx import highlight
    original = getattr(highlight.Highlight.highlight, "__wrapped__", highlight.Highlight.highlight)
    highlight.Highlight.highlight = original
    plain, numbered = render(CODE), render(CODE, linenums=True)
    try:
        rebuild._memoise_highlighting()
        assert render(CODE) == render(CODE) == plain
        assert render(CODE, linenums=True) == numbered != plain
    finally:
        highlight.Highlight.highlight = original


# ---------------------------------------------------------------- the claims pages' readings

def test_a_lesson_read_from_disk_equals_one_read_afresh(tmp_path, monkeypatch):
    pages = load("pages_hook_rebuild", ROOT / "hooks" / "pages.py")
    from test_pages_hook import LESSON
    lesson = tmp_path / "tiny.py"
    lesson.write_text(LESSON, encoding="utf-8")
    monkeypatch.setattr(pages, "READINGS", tmp_path / "readings")
    fresh_titles, (fresh_verdicts, fresh_boxes) = pages._read_lesson_file(lesson)
    pages._lessons_read.clear()  # a new process: only the disk remembers
    monkeypatch.setattr(pages, "read_lesson", lambda *a: pytest.fail("an unchanged lesson was read again"))
    titles, (verdicts, boxes) = pages._read_lesson_file(lesson)
    assert titles == fresh_titles == {"en": "Tiny lesson", "zh": "小实验"}
    assert repr(verdicts) == repr(fresh_verdicts) and verdicts["en"][0].statement == "Squares grow."
    for language in ("en", "zh"):
        assert [(b.markdown(), b.anchor, b.section) for b in boxes[language]] == \
               [(b.markdown(), b.anchor, b.section) for b in fresh_boxes[language]]
    assert boxes["en"][0].anchor is not None

    lesson.write_text(LESSON.replace("grew by 4", "grew by 5"), encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="read again"):  # edited: read afresh
        pages._read_lesson_file(lesson)


# ---------------------------------------------------------------- the lessons hook's stamp

def test_the_lessons_stamp_sees_lessons_package_hooks_and_data_files(tmp_path, monkeypatch):
    lessons = load("lessons_hook_rebuild", ROOT / "hooks" / "lessons.py")
    for name in ("CACHE", "OUT", "PACKAGE", "HOOKS"):
        (tmp_path / name).mkdir()
        monkeypatch.setattr(lessons, name, tmp_path / name)
    monkeypatch.setattr(lessons, "STAMP", tmp_path / "CACHE" / "inputs.json")
    lesson, data, module = tmp_path / "a.py", tmp_path / "data.bin", tmp_path / "PACKAGE" / "m.py"
    hook = tmp_path / "HOOKS" / "reading.py"  # an edit to how notebooks are written must write them again
    for path in (lesson, data, module, hook):
        path.write_text("1")
    stamp = lessons._inputs_stamp([lesson], [str(data)])
    lessons.STAMP.write_text(json.dumps({"python": sys.executable, "data_files": [str(data)], "stamp": stamp}))

    assert lessons._unchanged_since_last_build([lesson])  # a fresh process reads the stamp
    for path in (lesson, data, module, hook):
        lessons._LAST_STAMP[0] = None
        path.write_text("22")
        assert not lessons._unchanged_since_last_build([lesson]), path.name
        path.write_text("1")


# ---------------------------------------------------------------- make docs: is site/ up to date?

def test_the_site_record_follows_its_inputs(tmp_path, monkeypatch):
    for name in ("docs", "lessons", "src/dlnotes", "hooks"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Home")
    (tmp_path / "site").mkdir()
    monkeypatch.setattr(site_inputs, "ROOT", tmp_path)
    monkeypatch.setattr(site_inputs, "RECORD", tmp_path / "site" / ".inputs.sha256")
    monkeypatch.setattr(site_inputs, "LESSON_STAMP", tmp_path / "inputs.json")
    data = tmp_path / "data.bin"
    data.write_text("1")
    (tmp_path / "inputs.json").write_text(json.dumps({"data_files": [str(data)]}))

    assert site_inputs.main(["x", "check"]) == 1  # never built
    assert site_inputs.main(["x", "record"]) == 0
    assert site_inputs.main(["x", "check"]) == 0
    for path in (tmp_path / "docs" / "index.md", data):
        path.write_text("changed")
        assert site_inputs.main(["x", "check"]) == 1, path.name
        site_inputs.main(["x", "record"])
    (tmp_path / "hooks" / "new.py").write_text("")
    assert site_inputs.main(["x", "check"]) == 1
    (tmp_path / "docs" / "__pycache__").mkdir()
    site_inputs.main(["x", "record"])
    (tmp_path / "docs" / "__pycache__" / "x.pyc").write_text("")  # not an input
    assert site_inputs.main(["x", "check"]) == 0
