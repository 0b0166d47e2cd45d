"""hooks/pages.py: the claims and corrections pages, written from the lessons and pages they quote."""
import importlib.util
import re
from pathlib import Path

import jupytext
import pytest
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("pages_hook", ROOT / "hooks" / "pages.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)

LESSON = '''# %% [markdown] lang="en"
# # Tiny lesson
#
# The notes say that $x^2$ grows.

# %% [markdown] lang="zh"
# # 小实验
#
# 笔记说 $x^2$ 会增长。

# %%
print(1)

# %% [markdown] lang="en"
# ## What `x` shows
#
# !!! warning "Correction"
#     The notes say $x^2 < 0$; see [losses](../losses.md).

# %% [markdown] lang="zh"
# ## `x` 说明了什么
#
# !!! warning "更正"
#     笔记说 $x^2 < 0$。

# %% [markdown] lang="en"
# ## What we found

# %% [markdown] lang="zh"
# ## 我们的发现

# %% [markdown] lang="en" claim="C10" verdict="holds" statement="Squares grow."
# !!! note "Verdict on claim C10"
#     **Holds.** $x^2$ grew by 4 ± 1.

# %% [markdown] lang="zh" claim="C10" verdict="holds" statement="平方会增长。"
# !!! note "论断 C10 的结论"
#     **成立。** $x^2$ 增长了 4 ± 1。
'''

PAGE = '''# Losses

## Notes

Text.

## Notes

!!! warning "Correction"
    The notes say $a_1 = 2$; it is $a_1 = 3$ (see [below](#more)).

```python
!!! warning "Correction"
    not a box: code
```

## More {#more}
'''
TITLE_ONLY = '''# Title

!!! warning "Correction"
    Under the title.
'''


def lesson(text=LESSON):
    return jupytext.reads(text, fmt="py:percent")


@pytest.fixture(scope="module")
def new_markdown():
    return hook.markdown_factory({
        "markdown_extensions": ["toc", "tables", "fenced_code", "admonition", "attr_list", "pymdownx.superfences",
                                "pymdownx.arithmatex"],
        "mdx_configs": {"toc": {"slugify": hook.slugify(case="lower")}, "pymdownx.arithmatex": {"generic": True}},
    })


# --- small made-up inputs ----------------------------------------------------------------------

def test_a_verdict_cell_gives_its_claim_in_each_language_under_its_heading():
    verdicts, _ = hook.read_lesson(lesson(), "tiny")
    (en,), (zh,) = verdicts["en"], verdicts["zh"]
    assert (en.claim, en.verdict, en.statement) == ("C10", "holds", "Squares grow.")
    assert (zh.claim, zh.verdict, zh.statement) == ("C10", "holds", "平方会增长。")
    assert en.box.anchor == "what-we-found" and zh.box.anchor == "我们的发现"
    assert en.box.body == "**Holds.** $x^2$ grew by 4 ± 1."


def test_the_claims_page_quotes_the_box_links_the_lesson_and_orders_by_number():
    verdicts, _ = hook.read_lesson(lesson(), "tiny")
    other, _ = hook.read_lesson(lesson(LESSON.replace("C10", "C9")), "other")
    for language, label, intro in (("en", "holds", "generated"), ("zh", "成立", "自动生成")):
        page = hook.claims_page(verdicts[language] + other[language], language,
                                {"lessons/tiny.ipynb": "Lesson: tiny"})
        assert intro in page.split("\n|")[0]  # the opening paragraph says where the page comes from
        assert page.index("## C9") < page.index("## C10")  # by number, not as text
        # each claim's section named by what it claims
        named = {"en": "## C9: weight decay shrinks the weights and the test loss {#c9}",
                 "zh": "## C9：权重衰减缩小权重并降低测试损失 {#c9}"}
        assert named[language] in page
        assert f"| {label} |" in page
        anchor = "what-we-found" if language == "en" else "我们的发现"
        assert f"[Lesson: tiny](lessons/tiny.ipynb#{anchor})" in page
        assert "\n    " + verdicts[language][0].box.body + "\n" in page  # quoted as it stands, math included
        assert verdicts[language][0].statement in page
        assert "```" not in page


@pytest.mark.parametrize("header, message", [
    ('lang="en"', "no claim="),
    ('lang="en" claim="10" verdict="holds" statement="Squares grow."', "not a claim number"),
    ('lang="en" claim="C10" verdict="roughly" statement="Squares grow."', "verdict='roughly'"),
    ('lang="en" claim="C10" verdict="holds"', "no statement"),
])
def test_a_verdict_without_its_fields_stops_the_build(header, message):
    broken = LESSON.replace('lang="en" claim="C10" verdict="holds" statement="Squares grow."', header, 1)
    with pytest.raises(PluginError, match=message):
        hook.read_lesson(lesson(broken), "tiny")


def test_the_two_languages_must_agree_on_the_verdict():
    broken = LESSON.replace('claim="C10" verdict="holds" statement="平方', 'claim="C10" verdict="depends" statement="平方')
    with pytest.raises(PluginError, match="differ"):
        hook.read_lesson(lesson(broken), "tiny")


def test_a_lesson_correction_keeps_its_section_and_its_links_lead_where_they_did():
    _, corrections = hook.read_lesson(lesson(), "tiny")
    (en,), (zh,) = corrections["en"], corrections["zh"]
    # mkdocs-jupyter drops inline code from a notebook's table of contents, hence the id; the words keep it.
    assert (en.anchor, en.section) == ("what-shows", "What `x` shows")
    assert (zh.anchor, zh.section) == ("说明了什么", "`x` 说明了什么")
    assert en.body == "The notes say $x^2 < 0$; see [losses](losses.md)."  # from docs/lessons/ to docs/


def test_page_corrections_skip_code_and_take_the_id_the_site_gives_their_heading(new_markdown):
    (box,) = hook.corrections_in_page(PAGE, "losses.md", "en", new_markdown)
    assert (box.anchor, box.section) == ("notes_1", "Notes")  # the second "Notes" heading
    assert box.body == "The notes say $a_1 = 2$; it is $a_1 = 3$ (see [below](losses.md#more))."
    (top,) = hook.corrections_in_page(TITLE_ONLY, "top.md", "en", new_markdown)
    assert top.anchor is None  # under the page's title: link the page


def test_the_corrections_page_groups_boxes_by_page(new_markdown):
    boxes = hook.corrections_in_page(PAGE, "losses.md", "en", new_markdown)
    top = hook.corrections_in_page(TITLE_ONLY, "top.md", "en", new_markdown)
    page = hook.corrections_page([("Loss functions", boxes), ("Nothing", []), ("Top", top)], "en")
    assert page.startswith("# Corrections\n\n") and "generated" in page.split("\n## ")[0]
    assert "## Nothing" not in page
    assert page.index("## Loss functions") < page.index("From [Notes](losses.md#notes_1):") < page.index("## Top")
    assert "From [the top of the page](top.md):" in page
    assert '!!! warning "Correction"\n    The notes say $a_1 = 2$' in page
    zh = hook.corrections_page([("损失函数", boxes)], "zh")
    assert zh.startswith("# 更正汇总\n\n") and "出自[Notes](losses.md#notes_1)：" in zh


def test_a_quoted_code_block_is_not_tested_twice(new_markdown):
    page = "# P\n\n## S\n\n!!! warning \"Correction\"\n    Run\n\n    ```python\n    >>> 1 + 1\n    3\n    ```\n"
    text = hook.corrections_page([("P", hook.corrections_in_page(page, "p.md", "en", new_markdown))], "en")
    assert "<!-- skip: start -->" in text and text.rstrip().endswith("<!-- skip: end -->")


def test_on_config_writes_the_four_pages_and_reuses_them_in_the_second_pass(monkeypatch, tmp_path):
    made, written = [], []
    monkeypatch.setattr(hook, "_made", {})
    monkeypatch.setattr(hook, "STAMP", tmp_path / "pages.digest")
    monkeypatch.setattr(hook, "generate", lambda config: made.append(1) or {p: "x" for p in hook.GENERATED})
    monkeypatch.setattr(hook, "_inputs_digest", lambda config: "same")
    monkeypatch.setattr(hook._lessons, "_write_if_changed", lambda path, text: written.append(path))
    hook.on_config({})
    hook.on_config({})
    assert len(made) == 1 and written == hook.GENERATED * 2


def test_a_new_process_finds_the_pages_written_from_the_same_inputs(monkeypatch, tmp_path):
    generated = [tmp_path / name for name in ("claims.md", "claims.zh.md")]
    for path in generated:
        path.write_text("written")
    monkeypatch.setattr(hook, "GENERATED", generated)
    monkeypatch.setattr(hook, "STAMP", tmp_path / "pages.digest")
    monkeypatch.setattr(hook, "_inputs_digest", lambda config: "inputs")
    monkeypatch.setattr(hook, "generate", lambda config: {p: "written" for p in generated})
    monkeypatch.setattr(hook, "_made", {})
    hook.on_config({})  # writes the stamp
    monkeypatch.setattr(hook, "_made", {})  # a new process
    monkeypatch.setattr(hook, "generate", lambda config: pytest.fail("unchanged inputs were read again"))
    hook.on_config({})
    generated[0].write_text("edited by hand")  # a generated page that is not what its inputs give
    monkeypatch.setattr(hook, "generate", lambda config: {p: "written" for p in generated})
    hook.on_config({})
    assert generated[0].read_text() == "written"


# --- the real site -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def config():
    from mkdocs.config import load_config
    return load_config(str(ROOT / "mkdocs.yml"))


@pytest.fixture(scope="module")
def pages(config):
    return {path.name: text for path, text in hook.generate(config).items()}


LESSONS = sorted((ROOT / "lessons").glob("*.py"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_verdict_on_a_claim_has_its_fields_in_both_languages(path):
    cells = [c for c in jupytext.read(path).cells if c.cell_type == "markdown"]
    for i, cell in enumerate(cells):
        titled = re.findall(r'Verdict on claim (C\d+)"|论断 (C\d+) 的结论"', cell.source)
        if not titled:
            continue
        (claim,) = {a or b for a, b in titled}
        meta = cell.metadata
        assert meta.get("claim") == claim, f"{path.name}: the verdict box on {claim} lacks claim=\"{claim}\""
        assert meta.get("verdict") in hook.VERDICTS and meta.get("statement"), f"{path.name}: {claim} {meta}"
        if meta["lang"] == "en":
            twin = cells[i + 1].metadata
            assert (twin.get("lang"), twin.get("claim"), twin.get("verdict")) == ("zh", claim, meta["verdict"])
            assert twin.get("statement") and twin["statement"] != meta["statement"]


def test_the_claims_pages_list_every_tested_claim_in_both_languages_in_order(pages):
    tested = {c.metadata["claim"] for path in LESSONS for c in jupytext.read(path).cells if "claim" in c.metadata}
    assert {"C1", "C2", "C8", "C12", "C13", "C15"} <= tested
    for name in ("claims.md", "claims.zh.md"):
        listed = re.findall(r"^## (C\d+)(?:: |：)[^{]+ \{#c\d+\}$", pages[name], re.MULTILINE)
        assert listed == sorted(tested, key=lambda c: int(c[1:])), name
        rows = re.findall(r"^\| \[(C\d+)\]\(#c\d+\) \|", pages[name], re.MULTILINE)
        assert rows == listed, name


def _source_corrections(language):
    title = hook.CORRECTION_TITLE[language]
    suffix = hook.LANGUAGES[language]
    docs = [p for p in (ROOT / "docs").glob(f"*{suffix}.md")
            if (language == "zh" or not p.name.endswith(".zh.md")) and p not in hook.GENERATED]
    texts = [p.read_text(encoding="utf-8") for p in docs]
    texts += [c.source for path in LESSONS for c in jupytext.read(path).cells
              if c.cell_type == "markdown" and c.metadata.get("lang") == language]
    return title, [body for text in texts for _, _, body in hook.find_boxes(text, title)]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_correction_box_is_on_the_corrections_page_of_its_language(pages, language):
    title, bodies = _source_corrections(language)
    page = pages[f"corrections{hook.LANGUAGES[language]}.md"]
    assert len(bodies) >= 40
    assert page.count(f'!!! warning "{title}"') == len(bodies)
    for body in bodies:
        quoted = "\n".join(f"    {line}" if line else "" for line in body.split("\n"))
        assert quoted in page, f"missing from the corrections page: {body[:60]!r}"


def test_the_corrections_pages_follow_the_nav_and_link_sections(pages, config):
    order = [uri for _, uri in hook.nav_pages(config["nav"])]
    for name, language in (("corrections.md", "en"), ("corrections.zh.md", "zh")):
        links = re.findall(r"^(?:From |出自)\[.*\]\(([^)#]+)(?:#[^)]+)?\)(?::|：)$", pages[name], re.MULTILINE)
        boxes = pages[name].count(f'!!! warning "{hook.CORRECTION_TITLE[language]}"')
        assert len(links) == boxes, f"{name}: a box without its link line"
        ranks = [order.index(uri) for uri in links]
        assert ranks == sorted(ranks), f"{name}: pages out of nav order"


def test_both_pages_are_in_the_nav_with_chinese_titles(config):
    uris = [uri for _, uri in hook.nav_pages(config["nav"])]
    assert "claims.md" in uris and "corrections.md" in uris
    zh = hook.nav_translations(config)["zh"]
    for title, uri in hook.nav_pages(config["nav"]):
        if uri in ("claims.md", "corrections.md"):
            assert title in zh


def test_the_generated_pages_are_build_outputs():
    ignored = (ROOT / ".gitignore").read_text().split()
    clean = next(line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("\trm -rf"))
    for path in hook.GENERATED:
        relative = path.relative_to(ROOT).as_posix()
        assert relative in ignored and relative in clean.split()
