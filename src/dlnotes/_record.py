"""What data files dlnotes read in this process: the site build keys a lesson's cached run on them."""
from __future__ import annotations

from pathlib import Path

FILES_READ: set[str] = set()


def file_read(path) -> None:
    """Note that ``path`` was read (as an absolute path)."""
    FILES_READ.add(str(Path(path).resolve()))
