"""The glossary pages' table, written from ``glossary.yml`` (the data ``tests/test_glossary.py`` enforces).

``docs/glossary.md`` and ``docs/glossary.zh.md`` hold the prose and a ``<!-- glossary -->`` line; this
hook replaces that line by the table, in the page's language, each term linked to the first page that
explains it (its title read from that page's heading).
"""
from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MARKER = "<!-- glossary -->"


def terms() -> list[dict]:
    return yaml.safe_load((HERE / "glossary.yml").read_text(encoding="utf-8"))


def title(docs: Path, page: str, lang: str) -> str:
    path = docs / (page if lang == "en" else page.replace(".md", ".zh.md"))
    heading = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
    return heading[2:].strip()


def table(docs: Path, lang: str) -> str:
    """The glossary as a Markdown table: English and Chinese term, and where the site explains it."""
    def chinese(term):
        gloss = term.get("gloss")
        return f"{term['zh']}（{gloss}）" if gloss else term["zh"]

    rows = sorted(terms(), key=lambda t: t["en"].lower())
    if lang == "en":
        lines = ["| English | 中文 | explained in |", "|---|---|---|"]
        lines += [f"| {t['en']} | {chinese(t)} | [{title(docs, t['page'], 'en')}]({t['page']}) |" for t in rows]
    else:
        lines = ["| 英文 | 中文 | 首次讲解 |", "|---|---|---|"]
        lines += [f"| {t['en']} | {chinese(t)} | [{title(docs, t['page'], 'zh')}]({t['page']}) |" for t in rows]
    return "\n".join(lines)


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    lang = "zh" if config["theme"]["language"] == "zh" else "en"  # the i18n plugin builds each language apart
    return markdown.replace(MARKER, table(Path(config["docs_dir"]), lang))
