"""What readers see of the pages' sources: doctest markers and Chinese line breaks.

* A doctest marks an empty line of expected output as ``<BLANKLINE>``
  (doctest cannot tell an empty line from the end of the output otherwise).
  The tests need the marker; a reader, and the text the copy button copies,
  need the empty line it stands for.
* A line break inside a paragraph renders as a space: right between English
  words, wrong between Chinese characters, which are written without spaces.
  Breaks between two CJK characters are removed from the Markdown of the pages
  (here) and of the lessons (``hooks/lessons.py`` calls ``join_cjk_lines``),
  outside code blocks.
* A claim of the course notes is named by what it claims, not by its code alone: the first mention of
  each claim on a page, and each verdict box's title, carry its short name (``claim_names.yml``).
* A doctest block shows ``>>>`` prompts and expected output; pasted into Python they fail. Its copy
  button copies the code alone (Material copies an element's ``data-copy`` when it has one).
"""
from __future__ import annotations

import html as _html
import re
from pathlib import Path

import yaml

# Highlighted as output, the marker is one span; when the output looks like code (a printed function),
# Pygments splits it into three (`<`, `BLANKLINE`, `>`): the tags between them go too, balanced.
BLANKLINE = re.compile(r"&lt;(?:<[^>]+>)*BLANKLINE(?:<[^>]+>)*&gt;")
# CJK punctuation and symbols, ideographs, compatibility ideographs, full-width forms.
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
ENDS_CJK = re.compile(f"[{CJK}]\\**$")           # bold or italic may close on the character
STARTS_CJK = re.compile(f"^[ \t]*[*\\[]*[{CJK}]")     # or bold, italic or a link's text may open on it
FENCE = re.compile(r"^[ \t]*(```|~~~)")
HEADING = re.compile(r"^[ \t]*#")


def join_cjk_lines(text: str) -> str:
    """``text`` with each line break between two CJK characters removed, except inside fenced code."""
    lines, out, fence = text.split("\n"), [], None
    for line in lines:
        opener = FENCE.match(line)
        if fence is None and opener:
            fence = opener.group(1)
        elif fence is not None and opener and opener.group(1) == fence:
            fence = None
        elif (fence is None and out and STARTS_CJK.match(line) and ENDS_CJK.search(out[-1])
              and not HEADING.match(out[-1])):  # a heading ends at its line; the next one starts a paragraph
            out[-1] += line.lstrip(" \t")
            continue
        out.append(line)
    return "\n".join(out)


def on_page_markdown(markdown, page, config, files):
    return join_cjk_lines(markdown)


HIGHLIGHT = re.compile(r'<div class="((?:language-\w+ )?highlight)"><pre([^>]*)>(<span></span>)?<code>(.*?)</code></pre></div>',
                       re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def code_of_doctest(text: str) -> str | None:
    """The code of a doctest (its ``>>>`` and ``...`` lines without their prompts), or None if none."""
    if not any(line.startswith(">>>") for line in text.split("\n")):
        return None
    code = [line[4:] if len(line) > 3 else "" for line in text.split("\n")
            if line.startswith((">>> ", "... ")) or line in (">>>", "...")]
    return "\n".join(code)


def copy_code_only(html: str) -> str:
    """Each highlighted doctest block with a ``data-copy`` of its code alone."""
    def block(m):
        code = code_of_doctest(_html.unescape(TAG.sub("", m.group(4))))
        if code is None:
            return m.group(0)
        return m.group(0).replace(f'<div class="{m.group(1)}">',
                                  f'<div class="{m.group(1)}" data-copy="{_html.escape(code)}">', 1)
    return HIGHLIGHT.sub(block, html)


CLAIM_NAMES = yaml.safe_load(Path(__file__).with_name("claim_names.yml").read_text(encoding="utf-8"))
VERDICT_TITLE = {"en": re.compile(r'(<p class="admonition-title">Verdict on claim (C\d+))(</p>)'),
                 "zh": re.compile(r'(<p class="admonition-title">论断 (C\d+))( 的结论</p>)')}
CLAIM = re.compile(r"\bC(\d{1,2})\b")
SKIPPED = {"code", "pre", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6", "title", "svg", "a"}
TOKEN = re.compile(r"(<[^>]+>)")


def name_claims(html: str, language: str) -> str:
    """Each verdict box titled with its claim's name; the first mention of a claim in prose followed by it."""
    names = {code: entry[language] for code, entry in CLAIM_NAMES.items()}
    colon, opened, closed = ("：", "（", "）") if language == "zh" else (": ", " (", ")")
    named: set[str] = set()

    def title(m):
        named.add(m.group(2))
        name = names.get(m.group(2))
        if name is None:
            return m.group(0)
        return m.group(1) + (f"{opened}{name}{closed}" if language == "zh" else f"{colon}{name}") + m.group(3).lstrip()
    html = VERDICT_TITLE[language].sub(title, html)

    out, inside, after_link = [], [], None
    for part in TOKEN.split(html):
        if part.startswith("<"):
            tag = re.match(r"</?([a-zA-Z0-9]+)", part)
            name = tag.group(1).lower() if tag else ""
            if name in SKIPPED and not part.endswith("/>"):
                if part.startswith("</"):
                    if name in inside:
                        del inside[len(inside) - 1 - inside[::-1].index(name)]
                    if name == "a" and after_link and "a" not in inside:
                        part, after_link = part + after_link, None
                else:
                    inside.append(name)
            out.append(part)
            continue
        if inside and set(inside) != {"a"}:
            out.append(part)
            continue

        def mention(m, text=part, in_link=bool(inside)):
            nonlocal after_link
            code = f"C{m.group(1)}"
            if code not in names or code in named:
                return m.group(0)
            named.add(code)
            rest = text[m.end():]
            if rest.startswith((":", "：")) or rest.lstrip(" *").startswith(("(", "（")):
                return m.group(0)   # named there already
            if in_link:
                after_link = f"{opened}{names[code]}{closed}"
                return m.group(0)
            before = text[:m.start()]
            if before.endswith(("(", "（")) and rest.startswith((")", "）")):
                return m.group(0) + colon + names[code]
            return m.group(0) + f"{opened}{names[code]}{closed}"
        out.append(CLAIM.sub(mention, part))
    return "".join(out)


def on_page_content(html, page, config, files):
    html = copy_code_only(BLANKLINE.sub("", html))
    if page is not None and page.file.src_uri.split(".")[0] not in ("claims", "notes", "corrections", "index"):
        html = name_claims(html, "zh" if config["theme"]["language"] == "zh" else "en")
    return html
