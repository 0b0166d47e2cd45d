"""The pages and lessons: Sybil sees every Python block, and both languages stay in step."""
import re
from pathlib import Path

import jupytext
import pytest

from dlnotes.sybil_markdown import count_collected_blocks, count_python_fences

ROOT = Path(__file__).resolve().parent.parent
DOCS, LESSONS = ROOT / "docs", ROOT / "lessons"
EN_PAGES = sorted(p for p in DOCS.rglob("*.md") if not p.name.endswith(".zh.md"))
ZH_PAGES = sorted(DOCS.rglob("*.zh.md"))
FENCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)


def zh_twin(page: Path) -> Path:
    return page.with_name(page.stem + ".zh.md")


def code_blocks(text: str) -> list[str]:
    return [m.group(0).split("\n", 1)[1] for m in FENCE.finditer(text)]


@pytest.mark.parametrize("page", EN_PAGES + ZH_PAGES, ids=lambda p: p.name)
def test_sybil_collects_every_python_fence(page):
    text = page.read_text(encoding="utf-8")
    assert count_collected_blocks(page) == count_python_fences(text), \
        f"{page.name}: Sybil misses a Python fence; open it with a plain ```python line outside list markers"


def test_the_fence_counter_sees_what_sybil_used_to_miss(tmp_path):
    page = tmp_path / "p.md"
    page.write_text('```python title="a.py"\nx = 1\n```\n\n```py\ny = 2\n```\n', encoding="utf-8")
    assert count_python_fences(page.read_text()) == 2
    assert count_collected_blocks(page) == 1  # the `py` fence: the test above would fail on it


def test_every_page_exists_in_both_languages():
    assert {zh_twin(p) for p in EN_PAGES} == set(ZH_PAGES)


@pytest.mark.parametrize("page", EN_PAGES, ids=lambda p: p.name)
def test_both_languages_have_the_same_code_blocks(page):
    en = code_blocks(page.read_text(encoding="utf-8"))
    zh = code_blocks(zh_twin(page).read_text(encoding="utf-8"))
    assert en == zh, f"{page.name} and its .zh.md differ in their code blocks"


@pytest.mark.parametrize("lesson", sorted(LESSONS.glob("*.py")), ids=lambda p: p.name)
def test_each_lesson_has_its_prose_in_both_languages(lesson):
    """Markdown cells come in en/zh pairs, so each language reads the same code in the same place."""
    cells = jupytext.read(lesson).cells
    langs = [c.metadata.get("lang") for c in cells if c.cell_type == "markdown"]
    assert None not in langs, f"{lesson.name}: a Markdown cell without lang=\"en\" or lang=\"zh\""
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and cell.metadata["lang"] == "en":
            twin = cells[i + 1] if i + 1 < len(cells) else None
            assert twin is not None and twin.cell_type == "markdown" and twin.metadata.get("lang") == "zh", \
                f"{lesson.name}: the English cell {cell.source[:40]!r} has no Chinese twin right after it"
    assert langs.count("en") == langs.count("zh")
