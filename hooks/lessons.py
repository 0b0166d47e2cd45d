"""Execute the lessons once per build and hand each language its notebook.

A lesson is one jupytext percent file in ``lessons/``: its code cells are
shared, its Markdown cells come in pairs tagged ``lang="en"`` / ``lang="zh"``.
Before mkdocs collects files, this hook

1. executes each lesson with nbclient (a failing cell fails the build), unless
   ``.cache/lessons`` holds a run that is still exact. A run is keyed on the
   lesson's code cells and Python's version, and records what the lesson
   actually used: the ``dlnotes`` modules it imported (with their hashes), the
   data files it read (size and modification time) and the versions of the
   installed packages it imported. It is reused while all of those are
   unchanged: editing prose, or a module the lesson never imported, re-runs
   nothing; editing a module it imported re-runs it. Lessons that must run are
   executed concurrently, ``DLNOTES_JOBS`` at a time (default below), each
   kernel with its share of the CPU threads;
2. writes ``docs/lessons/NAME.ipynb`` and ``docs/lessons/NAME.zh.ipynb``: the
   executed code cells, that language's Markdown, and a box saying what
   produced the outputs (device, torch version, wall time, date).

mkdocs-static-i18n builds each language in its own pass and calls this hook
again; the second pass finds the cache, so training runs once per build.
"""
from __future__ import annotations

import asyncio
import copy
import datetime as dt
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
import sys
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
JOBS_ENV = "DLNOTES_JOBS"
_REPORTED: set[Path] = set()  # lessons this process has already said something about
# What the lesson used, read from its kernel after its last cell and before the run-info cell (which
# imports dlnotes.devices itself). dlnotes._record lists the data files dlnotes read.
MANIFEST_CELL = """\
import json as _json, sys as _sys, importlib.metadata as _metadata
def _used():
    modules = sorted({m.__file__ for n, m in list(_sys.modules.items())
                      if (n == "dlnotes" or n.startswith("dlnotes.")) and getattr(m, "__file__", None)})
    files = sorted(getattr(_sys.modules.get("dlnotes._record"), "FILES_READ", ()))
    distributions = _metadata.packages_distributions()
    versions = {}
    for top in sorted({n.partition(".")[0] for n in list(_sys.modules)}):
        for dist in distributions.get(top, ()):
            try:
                versions[dist] = _metadata.version(dist)
            except _metadata.PackageNotFoundError:
                pass
    return {"modules": modules, "files": files, "versions": versions}
print(_json.dumps(_used()))"""
# A lesson that sizes its runs by the device sets FULL (True: the full-size run a CUDA GPU affords);
# the box then says which of its two sizes ran.
RUN_INFO_CELL = ("import json, torch, dlnotes\n"
                 "print(json.dumps({'device': dlnotes.device_name(dlnotes.device()), 'torch': torch.__version__,\n"
                 "                  'full': globals().get('FULL')}))")
RUN_INFO_TEXT = {
    "en": "Executed on <b>{device}</b> with torch {torch} in {seconds:.0f} s on {date}.",
    "zh": "运行环境：<b>{device}</b>，torch {torch}，用时 {seconds:.0f} 秒，日期 {date}。",
}
RUN_SIZE_TEXT = {
    "en": {False: " This was the smaller run, sized for a CPU; on a CUDA GPU the lesson runs a larger one "
                  "(more data or longer training).",
           True: " This was the larger run a CUDA GPU affords; the numbers quoted in the text are from the "
                 "smaller run, sized for a CPU."},
    "zh": {False: "这是为 CPU 缩小了规模的运行；在 CUDA GPU 上，本实验会运行更大规模的版本（更多数据或更长的训练）。",
           True: "这是 CUDA GPU 上更大规模的运行；正文引用的数字来自为 CPU 缩小了规模的运行。"},
}


def run_info_text(language: str, info: dict) -> str:
    """The run-info box's text: where, with what and when the lesson ran, and which size of run it was."""
    text = RUN_INFO_TEXT[language].format(**info)
    full = info.get("full")
    return text + RUN_SIZE_TEXT[language][bool(full)] if full is not None else text


KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _load(name: str):
    # a sibling hook module (mkdocs loads hooks by path, so they are not importable by name)
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"dlnotes_hooks_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_reading = _load("reading")   # join_cjk_lines: the lessons' Chinese prose needs it too
_figures = _load("figures")   # figures as SVG files, translated for Chinese pages
FIGURES = OUT / "figures"
FIGURE_TEXT = LESSONS / "figure_text.zh.yml"
DOWNLOADS = CACHE / "downloads"   # the notebooks offered for download, figures inline (on_post_page)
ADMONITION = re.compile(r"^!!! .*\n(?:(?: {4}.*)?\n)*", re.MULTILINE)


# ---------------------------------------------------------------- what a run depends on

def code_key(notebook) -> str:
    """The lesson's code cells and Python's version: a different key is a different run."""
    digest = hashlib.sha256(f"python {sys.version_info[:2]}\n{_figures.SETUP_CELL}\n".encode())
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode() + b"\0")
    return digest.hexdigest()[:16]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stat(path: Path) -> str:
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def _shown(path: str) -> str:
    """A module's path relative to the repository when it is inside it (so a moved checkout keeps its cache)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(Path(path).resolve())


def dependencies(used: dict) -> dict:
    """What the kernel reported (module files, data files, versions) with the hashes that pin them."""
    return {"modules": {_shown(p): _sha(Path(p)) for p in used["modules"]},
            "files": {p: _stat(Path(p)) for p in used["files"]},
            "versions": dict(sorted(used["versions"].items()))}


def stale(deps: dict | None) -> str | None:
    """Why a cached run no longer matches what it used, or None when it still does."""
    if not deps:
        return "no record of what it used"
    for name, digest in deps["modules"].items():
        path = ROOT / name
        if not path.is_file() or _sha(path) != digest:
            return f"{name} changed"
    for name, stamp in deps["files"].items():
        path = Path(name)
        if not path.is_file() or _stat(path) != stamp:
            return f"data file {name} changed"
    for dist, version in deps["versions"].items():
        try:
            installed = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            return f"{dist} {version} is now {installed}"
    return None


# ---------------------------------------------------------------- running lessons

def default_jobs() -> int:
    """Lessons run at once: DLNOTES_JOBS, else one per core, at most 4 (each kernel holds about 1 GB).

    Measured on a 2-core machine (benchmarks/lesson_jobs.py, six lessons): one at a time with two
    threads 89.5 s, two at once with one thread each 57.5 s (1.56x). Small models use a second thread
    poorly, so a core per lesson wins.
    """
    chosen = os.environ.get(JOBS_ENV, "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise PluginError(f"{JOBS_ENV}={chosen!r} must be a positive integer (lessons run at once)")
        return int(chosen)
    return max(1, min(os.cpu_count() or 1, 4))


async def _execute(notebook, name: str, threads: int):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    run = copy.deepcopy(notebook)
    run.cells.insert(0, nbformat.v4.new_code_cell(_figures.SETUP_CELL))
    run.cells.append(nbformat.v4.new_code_cell(MANIFEST_CELL))
    run.cells.append(nbformat.v4.new_code_cell(RUN_INFO_CELL))
    client = NotebookClient(run, timeout=None, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(ROOT)}})
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}  # the debugger's frozen-modules note, once per kernel
    CACHE.mkdir(parents=True, exist_ok=True)
    kernel_log = CACHE / f"{Path(name).stem}.kernel.log"  # the kernel's own chatter, out of the build log
    start = time.perf_counter()
    try:
        with open(kernel_log, "w") as stderr:
            await client.async_execute(env=env, stderr=stderr)
    except CellExecutionError as err:
        raise PluginError(f"lesson {name} failed:\n{err}") from None
    except Exception as err:  # noqa: BLE001: a dead kernel, a timeout: point at what the kernel said
        raise PluginError(f"lesson {name} failed: {type(err).__name__}: {err} (kernel log: {kernel_log})") from None
    seconds = time.perf_counter() - start
    info = json.loads(run.cells.pop().outputs[0]["text"])
    used = json.loads(run.cells.pop().outputs[0]["text"])
    run.cells.pop(0)
    info.update(seconds=seconds, date=dt.date.today().isoformat())
    run.metadata["dlnotes"] = info
    run.metadata["dlnotes_dependencies"] = dependencies(used)
    log.info("lesson %s: executed in %.1f s", name, seconds)
    return run


def execute_all(todo: list[tuple[Path, object]], jobs: int) -> dict:
    """Execute ``(path, notebook)`` pairs, ``jobs`` at a time; returns {path: executed notebook}."""
    threads = max(1, (os.cpu_count() or 1) // min(jobs, len(todo)))

    async def main():
        gate = asyncio.Semaphore(jobs)

        async def one(path, notebook):
            async with gate:
                return await _execute(notebook, path.name, threads)
        return await asyncio.gather(*(one(path, nb) for path, nb in todo), return_exceptions=True)

    results = asyncio.run(main())
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0] if isinstance(failures[0], PluginError) else PluginError(str(failures[0]))
    return {path: run for (path, _), run in zip(todo, results)}


def _cached(path: Path, notebook):
    """The cached run of this lesson, or None (and why) when there is none or it is no longer exact."""
    cached = CACHE / f"{path.stem}-{code_key(notebook)}.ipynb"
    if not cached.exists():
        return None, "no cached run of its code cells" if any(CACHE.glob(f"{path.stem}-*.ipynb")) else "never run"
    run = nbformat.read(cached, as_version=4)
    reason = stale(run.metadata.get("dlnotes_dependencies"))
    return (None, reason) if reason else (run, None)


def _store(path: Path, notebook, run) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob(f"{path.stem}-*.ipynb"):  # one run per lesson: the cache never grows
        old.unlink()
    nbformat.write(run, CACHE / f"{path.stem}-{code_key(notebook)}.ipynb")


def _merge(notebook, run):
    """Prose may have changed since the run: take it from the source, outputs from the run."""
    outputs = iter(cell for cell in run.cells if cell.cell_type == "code")
    merged = copy.deepcopy(notebook)
    for cell in merged.cells:
        if cell.cell_type == "code":
            ran = next(outputs)
            cell.outputs, cell.execution_count = ran.outputs, ran.execution_count
    merged.metadata["dlnotes"] = run.metadata["dlnotes"]
    return merged


def executed_lessons(paths: list[Path], jobs: int | None = None) -> dict:
    """{path: executed notebook} for every lesson, from the cache where it is exact, the rest run now."""
    start = time.perf_counter()
    notebooks = {path: jupytext.read(path) for path in paths}
    runs, todo = {}, []
    for path, notebook in notebooks.items():
        run, reason = _cached(path, notebook)
        if run is not None:
            runs[path] = run
            DATA_FILES.update(run.metadata["dlnotes_dependencies"]["files"])
            if path not in _REPORTED:  # once per process: not again on the second language's pass
                log.info("lesson %s: cached", path.name)
                _REPORTED.add(path)
        else:
            log.info("lesson %s: to run (%s)", path.name, reason)
            todo.append((path, notebook))
    if todo:
        jobs = jobs or default_jobs()
        for path, run in execute_all(todo, jobs).items():
            _store(path, notebooks[path], run)
            runs[path] = run
            DATA_FILES.update(run.metadata["dlnotes_dependencies"]["files"])
            _REPORTED.add(path)
        log.info("lessons: %d executed in %.0f s (%d at a time), %d cached", len(todo),
                 time.perf_counter() - start, min(jobs, len(todo)), len(paths) - len(todo))
    return {path: _merge(notebooks[path], runs[path]) for path in paths}


LINK = re.compile(r"(\]\()(?![a-z][a-z0-9+.-]*:|/|#)([^)\s#]+?)\.(md|ipynb)(#[^)\s]*)?\)")


def site_links(text: str) -> str:
    """Links written as files, relative to docs/lessons/ (``../losses.md#x``, ``shuffling.ipynb``), as the
    built site's URLs seen from a lesson's page, ``lessons/NAME/`` (``../../losses/#x``, ``../shuffling/``).

    Pages get this from mkdocs; notebook Markdown is rendered by mkdocs-jupyter, which leaves links as
    written. The claims and corrections pages quote lesson boxes with the links as written (hooks/pages.py).
    """
    import posixpath

    def rewrite(m):
        target = posixpath.normpath(posixpath.join("lessons", f"{m.group(2)}.{m.group(3)}"))
        stem = target.rsplit(".", 1)[0]
        url = "" if stem == "index" else (stem[:-len("index")] if stem.endswith("/index") else stem + "/")
        return f"{m.group(1)}../../{url}{m.group(4) or ''})"
    return LINK.sub(rewrite, text)


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


def _figure_outputs(outputs, lesson: str, language: str, table: dict, files: dict):
    """Outputs with each SVG figure replaced by an <img> of its files, added to ``files`` {name: svg}: a
    wide drawing, and a narrow one for phones when the figure has one."""
    shown = []
    for output in outputs:
        meta = output.get("metadata", {}).get("image/svg+xml", {})
        if output.get("output_type") == "display_data" and "dlnotes_texts" in meta:
            number = 1 + sum(1 for name in files if not name.split(".")[0].endswith("-narrow"))
            drawings = {"": (output["data"]["image/svg+xml"], meta["dlnotes_texts"])}
            if meta.get("dlnotes_narrow"):
                drawings["-narrow"] = (meta["dlnotes_narrow"], meta["dlnotes_narrow_texts"])
            svgs = {}
            for kind, (svg, texts) in drawings.items():
                if language != "en":
                    svg = _figures.localise_svg(svg, texts, lesson, table)
                files[f"{lesson}-{number}{kind}{LANGUAGES[language]}.svg"] = svgs[kind] = svg
            alt = _figures.alt_text(meta["dlnotes_texts"], language, lesson, table)
            narrow = f"../figures/{lesson}-{number}-narrow.svg" if "-narrow" in svgs else None
            img = _figures.figure_html(f"../figures/{lesson}-{number}.svg", svgs[""], alt, narrow, svgs.get("-narrow"))
            output = nbformat.v4.new_output("display_data", data={"text/html": img})
        shown.append(output)
    return shown


def for_language(notebook, language: str, lesson: str = "lesson", table: dict | None = None,
                 files: dict | None = None):
    """The notebook a reader of ``language`` sees: shared code, that language's prose, figures as files
    (their SVG text put in ``files``, by file name; without ``files``, figure outputs stay as they are)."""
    page = nbformat.v4.new_notebook(metadata={"kernelspec": notebook.metadata.get("kernelspec") or KERNELSPEC,
                                              "dlnotes": notebook.metadata["dlnotes"]})
    info = run_info_text(language, notebook.metadata["dlnotes"])
    box = nbformat.v4.new_markdown_cell(f'<div class="admonition info run-info"><p>{info}</p></div>')
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            if cell.metadata.get("lang", language) != language:
                continue
            source = _reading.join_cjk_lines(site_links(cell.source))
            page.cells.append(nbformat.v4.new_markdown_cell(_admonitions_to_html(source)))
            if box is not None:  # right under the title
                page.cells.append(box)
                box = None
        elif cell.cell_type == "code":
            outputs = _as_terminal_shows(copy.deepcopy(cell.outputs))
            if files is not None:
                outputs = _figure_outputs(outputs, lesson, language, table or {}, files)
            page.cells.append(nbformat.v4.new_code_cell(cell.source, outputs=outputs,
                                                        execution_count=cell.execution_count))
    for i, cell in enumerate(page.cells):
        cell.id = f"cell-{i}"
    return page


def downloadable(notebook, language: str, lesson: str, table: dict):
    """The executed notebook a reader downloads: the page's cells, each figure inline as its wide SVG
    (translated for Chinese), since the page's <img> of the site's file would not resolve on their disk."""
    page = for_language(notebook, language)
    for cell in page.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("image/svg+xml", {})
            if "dlnotes_texts" in meta:
                svg = output.data["image/svg+xml"]
                if language != "en":
                    svg = _figures.localise_svg(svg, meta["dlnotes_texts"], lesson, table)
                output.data = nbformat.from_dict({"image/svg+xml": svg, "text/plain": output.data.get("text/plain", "")})
                output.metadata = nbformat.from_dict({})
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


def on_pre_build(config):
    # mkdocs-jupyter caches each notebook's HTML, keyed on the notebook's text (outputs included) and
    # its options, so a cached page is exact. But mkdocs-static-i18n builds one language per pass, and
    # after each pass the plugin evicts every entry that pass did not use: the other language's. Mark
    # every current lesson notebook, in both languages, as used, so only entries of old texts go.
    plugin = config["plugins"].get("mkdocs-jupyter")
    if plugin is None or not plugin.config["cache"]:
        return
    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path
    plugin._used_cache_paths = {
        _get_cache_path(plugin.config["cache_dir"], _compute_cache_key(str(path), plugin.config, False))
        for path in OUT.glob("*.ipynb")}


DATA_FILES: set[str] = set()  # the data files the cached runs read


HOOKS = Path(__file__).parent  # this hook and reading.py decide what the notebooks it writes say


def _inputs_stamp(paths: list[Path], data_files) -> list:
    """Everything on_config reads, by size and modification time: the lessons, the cached runs, the
    package, the hooks, the installed distributions and the data files the lessons read. Unchanged,
    on_config's work would come out the same."""
    files = [*paths, *CACHE.glob("*.ipynb"), *PACKAGE.rglob("*.py"), *OUT.glob("*.ipynb"),
             *sorted(HOOKS.glob("*.py")), FIGURE_TEXT, *map(Path, sorted(data_files))]
    site_packages = [Path(p) for p in sys.path if p.endswith("site-packages")]
    return [[str(f), f.stat().st_size, f.stat().st_mtime_ns] for f in [*files, *site_packages] if f.exists()]


STAMP = CACHE / "inputs.json"  # the stamp of the inputs docs/lessons/ was last written from
_LAST_STAMP: list = [None]  # the second language's pass of a build, and a serve rebuild after a prose
# edit elsewhere, find every input as it was: nothing to read, execute or write again.


def _unchanged_since_last_build(paths: list[Path]) -> bool:
    if _LAST_STAMP[0] is not None:
        return _inputs_stamp(paths, DATA_FILES) == _LAST_STAMP[0]
    try:  # a fresh process: the stamp the last build left
        saved = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return False
    if saved.get("python") != sys.executable or _inputs_stamp(paths, saved.get("data_files", [])) != saved["stamp"]:
        return False
    DATA_FILES.update(saved["data_files"])
    _LAST_STAMP[0] = saved["stamp"]
    return True


def on_config(config):
    # One line per lesson is ours to print; mkdocs-jupyter's two INFO lines per notebook and language
    # ("Converting notebook", "Copied jupyter file", "Cache hit") would bury them.
    for name in ("mkdocs.plugins.mkdocs_jupyter", "mkdocs.mkdocs-jupyter"):
        logging.getLogger(name).setLevel(logging.WARNING)
    _keep_notebooks_as_pages()
    OUT.mkdir(parents=True, exist_ok=True)
    paths = sorted(LESSONS.glob("*.py"))
    if _unchanged_since_last_build(paths):
        return config
    wanted = set()
    try:
        table = _figures.load_translations(FIGURE_TEXT)
    except _figures.FigureTextError as err:
        raise PluginError(str(err)) from None
    FIGURES.mkdir(parents=True, exist_ok=True)
    for path, notebook in executed_lessons(paths).items():
        for language, suffix in LANGUAGES.items():
            target, figures = OUT / f"{path.stem}{suffix}.ipynb", {}
            try:
                page = for_language(notebook, language, path.stem, table, figures)
                download = downloadable(notebook, language, path.stem, table)
            except _figures.FigureTextError as err:
                raise PluginError(str(err)) from None
            _write_if_changed(target, nbformat.writes(page))
            DOWNLOADS.mkdir(parents=True, exist_ok=True)
            _write_if_changed(DOWNLOADS / target.name, nbformat.writes(download))
            wanted.add(target)
            for name, svg in figures.items():
                _write_if_changed(FIGURES / name, svg)
                wanted.add(FIGURES / name)
    for leftover in {*OUT.glob("*.ipynb"), *FIGURES.glob("*.svg")} - wanted:
        leftover.unlink()
    _LAST_STAMP[0] = _inputs_stamp(paths, DATA_FILES)
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.write_text(json.dumps({"python": sys.executable, "data_files": sorted(DATA_FILES),
                                 "stamp": _LAST_STAMP[0]}))
    return config


def on_post_page(output, page, config):
    # mkdocs-jupyter has copied the page's notebook beside the page for its download button; the reader
    # gets the one with its figures inline instead.
    if page.file.src_uri.startswith("lessons/") and page.file.src_uri.endswith(".ipynb"):
        name = Path(page.file.abs_src_path).name
        if (DOWNLOADS / name).exists():
            target = Path(page.file.abs_dest_path).parent / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(DOWNLOADS / name, target)
    return output
