"""Execute the lessons once per build and hand each language its notebook.

A lesson is one jupytext percent file in ``lessons/``: its code cells are
shared, its Markdown cells come in pairs tagged ``lang="en"`` / ``lang="zh"``.
Before mkdocs collects files, this hook

1. executes each lesson with nbclient (a failing cell fails the build), unless
   ``.cache/lessons`` already holds a run whose key matches. The key hashes the
   code cells, every file of ``src/dlnotes`` and the torch version, so prose
   edits never re-run training while code or library changes always do;
2. writes ``docs/lessons/NAME.ipynb`` and ``docs/lessons/NAME.zh.ipynb``: the
   executed code cells, that language's Markdown, and a box saying what
   produced the outputs (device, torch version, wall time, date).

mkdocs-static-i18n builds each language in its own pass and calls this hook
again; the second pass finds the cache, so training runs once per build.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import logging
import re
import time
from pathlib import Path

import jupytext
import markdown
import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.lessons")
ROOT = Path(__file__).resolve().parent.parent
LESSONS, PACKAGE = ROOT / "lessons", ROOT / "src" / "dlnotes"
CACHE, OUT = ROOT / ".cache" / "lessons", ROOT / "docs" / "lessons"
LANGUAGES = {"en": "", "zh": ".zh"}  # language -> file suffix (mkdocs-static-i18n's suffix layout)
RUN_INFO_CELL = ("import json, torch, dlnotes\n"
                 "print(json.dumps({'device': dlnotes.device_name(dlnotes.device()), 'torch': torch.__version__}))")
RUN_INFO_TEXT = {
    "en": "Executed on <b>{device}</b> with torch {torch} in {seconds:.0f} s on {date}.",
    "zh": "运行环境：<b>{device}</b>，torch {torch}，用时 {seconds:.0f} 秒，日期 {date}。",
}
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
ADMONITION = re.compile(r"^!!! .*\n(?:(?: {4}.*)?\n)*", re.MULTILINE)


def code_key(notebook) -> str:
    import torch  # the installed version is part of what produced the outputs
    digest = hashlib.sha256(f"torch {torch.__version__}\n".encode())
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode() + b"\0")
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def execute(notebook, name: str):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    run = copy.deepcopy(notebook)
    run.cells.append(nbformat.v4.new_code_cell(RUN_INFO_CELL))
    client = NotebookClient(run, timeout=None, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(ROOT)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as err:
        raise PluginError(f"lesson {name} failed:\n{err}") from None
    seconds = time.perf_counter() - start
    info = json.loads(run.cells.pop().outputs[0]["text"])
    info.update(seconds=seconds, date=dt.date.today().isoformat())
    run.metadata["dlnotes"] = info
    log.info("executed lesson %s in %.1f s", name, seconds)
    return run


def executed(path: Path):
    """The executed notebook of the lesson at ``path``, from the cache when possible."""
    notebook = jupytext.read(path)
    cached = CACHE / f"{path.stem}-{code_key(notebook)}.ipynb"
    if cached.exists():
        run = nbformat.read(cached, as_version=4)
    else:
        run = execute(notebook, path.name)
        CACHE.mkdir(parents=True, exist_ok=True)
        for stale in CACHE.glob(f"{path.stem}-*.ipynb"):
            stale.unlink()
        nbformat.write(run, cached)
    # Prose may have changed since the run: take it from the source, outputs from the run.
    outputs = iter(cell for cell in run.cells if cell.cell_type == "code")
    merged = copy.deepcopy(notebook)
    for cell in merged.cells:
        if cell.cell_type == "code":
            ran = next(outputs)
            cell.outputs, cell.execution_count = ran.outputs, ran.execution_count
    merged.metadata["dlnotes"] = run.metadata["dlnotes"]
    return merged


def _admonitions_to_html(text: str) -> str:
    # Notebook Markdown is rendered by mistune, which knows no `!!!` boxes.
    if "!!!" not in text:
        return text
    return ADMONITION.sub(lambda m: markdown.markdown(m.group(0), extensions=["admonition"]) + "\n", text + "\n")


def _as_terminal_shows(outputs):
    # A progress bar redraws its line with carriage returns; a page shows only its last state.
    for output in outputs:
        if output.get("output_type") == "stream" and "\r" in output.text:
            output.text = "\n".join(line.rsplit("\r", 1)[-1] if line.rstrip("\r") else line
                                    for line in output.text.split("\n"))
    return outputs


def for_language(notebook, language: str):
    """The notebook a reader of ``language`` sees: shared code, that language's prose."""
    page = nbformat.v4.new_notebook(metadata={"kernelspec": notebook.metadata.get("kernelspec") or KERNELSPEC,
                                              "dlnotes": notebook.metadata["dlnotes"]})
    info = RUN_INFO_TEXT[language].format(**notebook.metadata["dlnotes"])
    box = nbformat.v4.new_markdown_cell(f'<div class="admonition info run-info"><p>{info}</p></div>')
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            if cell.metadata.get("lang", language) != language:
                continue
            page.cells.append(nbformat.v4.new_markdown_cell(_admonitions_to_html(cell.source)))
            if box is not None:  # right under the title
                page.cells.append(box)
                box = None
        elif cell.cell_type == "code":
            page.cells.append(nbformat.v4.new_code_cell(cell.source, outputs=_as_terminal_shows(cell.outputs),
                                                        execution_count=cell.execution_count))
    for i, cell in enumerate(page.cells):
        cell.id = f"cell-{i}"
    return page


def _write_if_changed(path: Path, text: str) -> None:
    # Rewriting an unchanged file would make `mkdocs serve` rebuild forever.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


class _NotebookPage(File):
    def is_documentation_page(self) -> bool:
        return True


def _keep_notebooks_as_pages() -> None:
    # mkdocs-static-i18n rebuilds every File after mkdocs-jupyter has marked
    # notebooks as pages, and the rebuilt .ipynb becomes a plain asset, copied
    # raw (ultrabug/mkdocs-static-i18n#198). Give lesson notebooks back their page status.
    from mkdocs_static_i18n import suffix
    original = getattr(suffix.create_i18n_file, "__wrapped__", suffix.create_i18n_file)

    def create_i18n_file(file, *args, **kwargs):
        i18n_file = original(file, *args, **kwargs)
        if i18n_file.src_uri.startswith("lessons/") and i18n_file.src_uri.endswith(".ipynb"):
            i18n_file.__class__ = _NotebookPage
        return i18n_file

    create_i18n_file.__wrapped__ = original
    suffix.create_i18n_file = create_i18n_file


def on_config(config):
    _keep_notebooks_as_pages()
    OUT.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for path in sorted(LESSONS.glob("*.py")):
        notebook = executed(path)
        for language, suffix in LANGUAGES.items():
            target = OUT / f"{path.stem}{suffix}.ipynb"
            _write_if_changed(target, nbformat.writes(for_language(notebook, language)))
            wanted.add(target)
    for leftover in set(OUT.glob("*.ipynb")) - wanted:
        leftover.unlink()
    return config
