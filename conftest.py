# Sybil runs every Python block of every page in docs/, both languages.
from sybil import Sybil

from dlnotes.sybil_markdown import parsers

pytest_collect_file = Sybil(parsers=parsers(), patterns=["*.md"], path="docs").pytest()
