"""The Chinese edition keeps its terms and its typography: one term per concept, one quotation style.

The terms are ``hooks/glossary.yml`` (also the glossary page's table). Checked: every Chinese page, the
Chinese cells of every lesson, the Chinese navigation titles, the figures' Chinese text and the claims'
Chinese names, in their prose (code, inline code, formulas and link targets are not prose).
"""
import re
import textwrap
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS, LESSONS = ROOT / "docs", ROOT / "lessons"
GENERATED = {"claims.zh.md", "corrections.zh.md"}  # written by hooks/pages.py from the sources checked here
TERMS = yaml.safe_load((ROOT / "hooks" / "glossary.yml").read_text(encoding="utf-8"))
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
CJK = f"{HAN}\u3000-\u303f\uff00-\uffef"  # ideographs, CJK punctuation, full-width forms


def prose(markdown: str) -> str:
    """The text a reader reads: code blocks, inline code, formulas, HTML and link targets removed."""
    text = re.sub(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", "", markdown, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.DOTALL)
    text = re.sub(r"(?<![\\$])\$[^$\n]+\$", " ", text)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"\]\([^)\s]*\)", "]", text)      # a link's target
    text = re.sub(r"\{[#.][^}]*\}", "", text)      # attribute lists, {#anchor}
    text = re.sub(r"<[^>\n]+>", " ", text)          # HTML tags and their attributes
    # an admonition's title is prose; the quotes around it are syntax
    return re.sub(r'^([ \t]*(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+[\w-]+)*)[ \t]+"(.*)"[ \t]*$', r"\1 \2", text,
                  flags=re.MULTILINE)


def chinese_sources() -> list[tuple[str, str]]:
    """(where, Markdown) for every piece of Chinese text the site shows."""
    sources = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(DOCS.glob("*.zh.md")) if p.name not in GENERATED]
    for lesson in sorted(LESSONS.glob("*.py")):
        cells = [c for c in jupytext.read(lesson).cells if c.cell_type == "markdown" and c.metadata.get("lang") == "zh"]
        sources += [(f"{lesson.name} cell {i}", c.source) for i, c in enumerate(cells, 1)]
        sources += [(f"{lesson.name} cell {i} claim", c.metadata["statement"]) for i, c in enumerate(cells, 1)
                    if "statement" in c.metadata]
    figure_text = yaml.safe_load((LESSONS / "figure_text.zh.yml").read_text(encoding="utf-8"))
    # a figure's text breaks its lines on purpose (a tick label on two lines): each line stands alone
    sources += [(f"figure_text.zh.yml {lesson}", "\n\n".join(str(v).replace("\n", "\n\n") for v in strings.values()))
                for lesson, strings in figure_text.items()]
    claims = yaml.safe_load((ROOT / "hooks" / "claim_names.yml").read_text(encoding="utf-8"))
    sources.append(("claim_names.yml", "\n\n".join(c["zh"] for c in claims.values())))
    sources.append(("mkdocs.yml nav", "\n\n".join(nav_translations().values())))
    return sources


def nav_translations() -> dict[str, str]:
    """mkdocs.yml's Chinese navigation titles, English title -> Chinese title."""
    block = re.search(r"^( +)nav_translations:\n((?:\1 +.*\n)+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"),
                      re.MULTILINE).group(2)
    return yaml.safe_load(textwrap.dedent(block))


SOURCES = chinese_sources()
# Lines that are not part of a paragraph: headings, admonition titles, table rows.
BLOCK_START = re.compile(r"^[ \t]*(#|!!!|\?\?\?|\|)")


def variants_used(text: str) -> list[str]:
    """'variant (use TERM)' for each glossary variant in ``text``'s prose; （variant） is a gloss."""
    found = []
    for term in TERMS:
        for variant in term.get("avoid", ()):
            for m in re.finditer(variant, text):
                if not (text[: m.start()].endswith("（") and text[m.end():].startswith("）")):  # a gloss
                    found.append(f"{m.group(0)!r} (use {term['zh']!r}) in {text[max(0, m.start() - 12): m.end() + 12]!r}")
    return found


def typography_faults(markdown: str) -> list[str]:
    faults, text = [], prose(markdown)
    for m in re.finditer(r"^[ \t>]*(?:!!!|\?\?\?)\+?[ \t]+[\w-]+[ \t]+“.*$", markdown, re.MULTILINE):
        faults.append(f"an admonition's title needs ASCII quotes (they are syntax): {m.group(0).strip()!r}")
    for m in re.finditer('"', text):
        faults.append(f"ASCII quote (use “”) in {text[max(0, m.start() - 15): m.end() + 15]!r}")
    for m in re.finditer(f"[{HAN}][,;:?!](?!//)|[,;?!][ \t]*[{HAN}]|\\((?:\\d|[a-z])\\)[ \t]*[{HAN}]", text):
        faults.append(f"half-width punctuation in Chinese text: {text[max(0, m.start() - 10): m.end() + 10]!r}")
    for m in re.finditer(r"\d[ \t]+%", text):
        faults.append(f"a space before % (write 20%): {text[max(0, m.start() - 10): m.end() + 5]!r}")
    # thousands separated as on the English pages: 6,000 张, 10,000 (years, ports and 1024 as a size stay)
    for m in re.finditer(r"(?<![\d.,\w$/-])(?:\d{5,}|\d{4}(?=[ \t]*(?:[+×]|[张步个次颗行倍轮])))(?![\d.,]\d)", text):
        faults.append(f"a number of four digits or more without thousands separators: "
                      f"{text[max(0, m.start() - 10): m.end() + 5]!r}")
    lines = text.split("\n")
    for line, following in zip(lines, lines[1:]):
        if BLOCK_START.match(line) or not re.search(f"[{CJK}][*_]*$", line):
            continue
        if re.match(f"[ \t>]*[*_\\[]*[{HAN}]", following):
            faults.append(f"a line break between two Chinese characters (a browser shows a space): "
                          f"{line[-10:]!r} / {following.strip()[:10]!r}")
    return faults


@pytest.mark.parametrize("where,text", SOURCES, ids=[w for w, _ in SOURCES])
def test_chinese_text_uses_the_glossary_terms(where, text):
    found = variants_used(prose(text))
    assert not found, f"{where}: " + "; ".join(found)


@pytest.mark.parametrize("where,text", SOURCES, ids=[w for w, _ in SOURCES])
def test_chinese_typography(where, text):
    faults = typography_faults(text)
    assert not faults, f"{where}: " + "; ".join(faults)


def test_the_checks_see_what_they_should():
    assert variants_used("批大小为 128") and not variants_used("批量大小为 128")
    assert not variants_used("独热（one-hot）编码") and variants_used("one-hot 编码")
    assert variants_used("本课程") and not variants_used("原课程笔记") and variants_used("课程里")
    assert typography_faults('他说"好"') and typography_faults("（反面, 正面）") and typography_faults("约 10 %")
    assert typography_faults("第一行\n第二行") and not typography_faults("第一段\n\n第二段")
    assert typography_faults('!!! note “结论”\n    正文')
    assert not typography_faults('!!! note "结论"\n    正文') and not typography_faults("`a, b`，`\"x\"`")
    assert typography_faults("(1) 第一") and not typography_faults("$f(1)$ 和")
    assert typography_faults("训练集 6000 张") and typography_faults("共 10000 个") and typography_faults("6000 + 6000 张")
    assert not typography_faults("6,000 张，2017 年，批量 1024") and not typography_faults("0.0001 和 3.14159")


def test_glossary_terms_are_unique_and_pages_exist():
    assert len({t["en"] for t in TERMS}) == len(TERMS)
    for term in TERMS:
        assert (DOCS / term["page"]).exists() and (DOCS / term["page"].replace(".md", ".zh.md")).exists(), term


def test_page_titles_agree_with_the_navigation():
    """A page's H1 is its title in the navigation, in both languages (lessons have shorter nav titles)."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    translations = nav_translations()
    for title, page in re.findall(r"^ +- \"?(.+?)\"?: (\w+\.md)", config, re.MULTILINE):
        if page == "index.md" or page.replace(".md", ".zh.md") in GENERATED:  # the build writes those
            continue
        for path, expected in ((DOCS / page, title), (DOCS / page.replace(".md", ".zh.md"), translations[title])):
            h1 = next(line[2:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
            assert h1 == expected, f"{path.name}: H1 {h1!r}, navigation {expected!r}"


def test_the_glossary_page_table_has_a_row_per_term_in_each_language():
    import importlib.util
    spec = importlib.util.spec_from_file_location("glossary_hook", ROOT / "hooks" / "glossary.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    for lang in ("en", "zh"):
        rows = hook.table(DOCS, lang).splitlines()[2:]
        assert len(rows) == len(TERMS)
        assert "| epoch | 轮（epoch） | [" in "\n".join(rows)
    for page in ("glossary.md", "glossary.zh.md"):
        assert hook.MARKER in (DOCS / page).read_text(encoding="utf-8")
