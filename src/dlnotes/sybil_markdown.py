"""Sybil parsers that collect every Python fence in the Markdown lessons.

Sybil's stock Markdown parser compares a fence's whole info string with
``python``, so ```` ```python title="x.py" ```` is silently skipped (sybil
issue #155). Here the first word of the info string decides.
"""
from __future__ import annotations

import doctest

from sybil.evaluators.doctest import NUMBER
import re
from pathlib import Path

from sybil import Document
from sybil.parsers.markdown import ClearNamespaceParser, SkipParser
from sybil.parsers.markdown.codeblock import CodeBlockParser, PythonCodeBlockParser

from dlnotes import _checks

DOCTEST_FLAGS = NUMBER | doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# Any fence a reader would take for Python, attributes allowed, list items and quotes too.
PYTHON_FENCE = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d+[.)])[ \t]+)?(`{3,}|~{3,})[ \t]*\{?\.?(python3?|py|pycon)\b",
                          re.MULTILINE)


class FirstWordCodeBlockParser(CodeBlockParser):
    def __call__(self, document):
        for region in self.lexers(document):
            words = region.lexemes["arguments"].split()
            if words and words[0] == self.language:
                region.parsed = region.lexemes["source"]
                region.evaluator = self._evaluator or self.evaluate
                yield region


class PythonBlockParser(PythonCodeBlockParser):
    codeblock_parser_class = FirstWordCodeBlockParser


def parsers():
    return [PythonBlockParser(doctest_optionflags=DOCTEST_FLAGS), SkipParser(), ClearNamespaceParser()]


def count_python_fences(text: str) -> int:
    """How many fences in ``text`` a reader would take for Python code."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (a page's Markdown), got {_checks.show(text)}")
    return len(PYTHON_FENCE.findall(text))


def count_collected_blocks(path: Path) -> int:
    """How many Python code blocks Sybil collects from the page at ``path``."""
    text = _checks.path(path, "path").read_text(encoding="utf-8")
    document = Document(text, str(path))
    return sum(1 for _ in FirstWordCodeBlockParser("python", evaluator=lambda e: None)(document))
