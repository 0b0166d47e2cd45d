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
"""
from __future__ import annotations

import re

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


def on_page_content(html, page, config, files):
    return BLANKLINE.sub("", html)
