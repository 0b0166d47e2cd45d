"""Every lesson page ends with exercises, each with a worked solution that Sybil runs.

The format, in both languages (the Chinese page says "## 练习" and "解答"):

    ## Exercises

    **1. Compute.** The question ...

    ??? success "Solution"

        The worked answer, with at least one Python block (run by Sybil like every other block):

        ```python
        (doctests: the prompt, then the expected output)
        ```
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Pages that teach; the home page, the page about the notes, the glossary, the generated claim and correction
# pages and the API reference have nothing to practise.
NOT_LESSONS = {"index", "notes", "glossary", "claims", "corrections", "reference"}
LESSON_PAGES = sorted(p for p in DOCS.glob("*.md") if not p.name.endswith(".zh.md") and p.stem not in NOT_LESSONS)
HEADING = {"en": "## Exercises", "zh": "## 练习"}
SOLUTION = {"en": '??? success "Solution"', "zh": '??? success "解答"'}
QUESTION = re.compile(r"^\*\*(\d+)\.", re.MULTILINE)


def exercises(text: str, lang: str) -> list[tuple[int, str]]:
    """(number, the text up to the next exercise) for each exercise of the page's last section."""
    sections = re.split(r"^(?=## )", text, flags=re.MULTILINE)
    last = sections[-1]
    assert last.startswith(HEADING[lang] + "\n"), \
        f"the last section must be {HEADING[lang]!r}, found {last.splitlines()[0]!r}"
    starts = list(QUESTION.finditer(last))
    return [(int(m.group(1)), last[m.start(): starts[i + 1].start() if i + 1 < len(starts) else len(last)])
            for i, m in enumerate(starts)]


def check(text: str, lang: str) -> int:
    found = exercises(text, lang)
    assert 3 <= len(found) <= 5, f"{len(found)} exercises; a page closes with three to five"
    assert [n for n, _ in found] == list(range(1, len(found) + 1)), "exercises are numbered 1, 2, 3, ..."
    for n, body in found:
        head, sep, solution = body.partition("\n" + SOLUTION[lang] + "\n")
        assert sep, f"exercise {n} has no collapsed {SOLUTION[lang]!r} block"
        assert re.search(r"^    ```python\n", solution, re.MULTILINE), \
            f"exercise {n}: its solution has no Python block for Sybil to run"
    return len(found)


@pytest.mark.parametrize("page", LESSON_PAGES, ids=lambda p: p.stem)
def test_each_lesson_page_ends_with_tested_exercises(page):
    en = check(page.read_text(encoding="utf-8"), "en")
    zh = check(page.with_name(page.stem + ".zh.md").read_text(encoding="utf-8"), "zh")
    assert en == zh, f"{page.stem}: {en} exercises in English, {zh} in Chinese"


def test_the_check_rejects_a_solution_without_code():
    page = "# t\n\n## Exercises\n\n" + "".join(
        f"**{n}. Compute.** Why?\n\n??? success \"Solution\"\n\n    Because.\n\n" for n in (1, 2, 3))
    with pytest.raises(AssertionError, match="no Python block"):
        check(page, "en")


def test_the_check_rejects_exercises_that_are_not_last():
    with pytest.raises(AssertionError, match="last section"):
        check("# t\n\n## Exercises\n\n**1. x**\n\n## More\n", "en")
