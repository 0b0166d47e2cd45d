"""Is site/ up to date with what it is built from? `make docs` asks before it builds.

    python tools/site_inputs.py check   # exit 0 when site/ was built from exactly these inputs
    python tools/site_inputs.py record  # after a successful strict build: remember them

The inputs are the files the build reads (pages, lessons, the package, the hooks,
the theme overrides, mkdocs.yml, pyproject.toml, the Makefile), by content; the site's
address (``DLNOTES_SITE_URL``); the
installed distributions, by name and version; and the data files the lessons
read (listed by hooks/lessons.py), by size and modification time. A build that
fails leaves no record (mkdocs empties site/ first), so the next `make docs`
builds again.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["docs", "lessons", "src/dlnotes", "hooks", "overrides", "mkdocs.yml", "pyproject.toml", "Makefile"]
SKIP = {"__pycache__", ".ipynb_checkpoints"}
RECORD = ROOT / "site" / ".inputs.sha256"
LESSON_STAMP = ROOT / ".cache" / "lessons" / "inputs.json"  # written by hooks/lessons.py


def _files(entry: Path):
    if entry.is_file():
        yield entry
    elif entry.is_dir():
        for path in sorted(entry.rglob("*")):
            if path.is_file() and not SKIP.intersection(path.relative_to(ROOT).parts):
                yield path


def digest() -> str:
    # the site's address decides its 404 pages and sitemap (mkdocs.yml reads it from the environment)
    h = hashlib.sha256(f"python {sys.version}\nsite_url {os.environ.get('DLNOTES_SITE_URL')}\n".encode())
    for name in SOURCES:
        for path in _files(ROOT / name):
            h.update(f"{path.relative_to(ROOT)}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    site_packages = Path(sysconfig.get_paths()["purelib"])
    h.update("\n".join(sorted(p.name for p in site_packages.glob("*.dist-info"))).encode())
    try:
        data_files = json.loads(LESSON_STAMP.read_text())["data_files"]
    except (OSError, ValueError, KeyError):
        data_files = ["(no record of the lessons' data files)"]
    for name in data_files:
        path = Path(name)
        stat = f"{path.stat().st_size}:{path.stat().st_mtime_ns}" if path.exists() else "missing"
        h.update(f"{name}\0{stat}\n".encode())
    return h.hexdigest()


def main(argv: list[str]) -> int:
    if argv[1:] == ["check"]:
        fresh = RECORD.exists() and RECORD.read_text().strip() == digest()
        if fresh:
            print("site/ is up to date with its inputs: nothing to build (delete site/ to force a build)")
        return 0 if fresh else 1
    if argv[1:] == ["record"]:
        RECORD.write_text(digest() + "\n")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
