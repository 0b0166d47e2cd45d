"""Write the claims page and the corrections page from what they summarise.

Two pages, each in both languages, that must never disagree with their sources:

* ``docs/claims.md`` / ``docs/claims.zh.md``: every claim of the course notes
  that a lesson tested, with the lesson's verdict. A verdict is a Markdown cell
  pair of a lesson whose headers carry the structured fields, e.g.

      # %% [markdown] lang="en" claim="C1" verdict="holds" statement="Normalising the inputs raises accuracy."
      # !!! note "Verdict on claim C1"
      #     **Holds here.** ...
      # %% [markdown] lang="zh" claim="C1" verdict="holds" statement="对输入做归一化能提高准确率。"
      # !!! note "论断 C1 的结论"
      #     **在这里成立。** ...

  ``claim`` is the claim's number in the syllabus, ``verdict`` one of
  ``VERDICTS`` (the same English word in both cells), ``statement`` what the
  notes say, in one short sentence of the cell's language. The page quotes the
  cell's box as it stands and links to the nearest heading above it.
* ``docs/corrections.md`` / ``docs/corrections.zh.md``: every
  ``!!! warning "Correction"`` box (``"更正"`` in Chinese) of the pages
  (``docs/*.md``) and of the lessons' Markdown cells, grouped by page in nav
  order, each under a link to the section it stands in.

The pages are written in ``on_config``, before mkdocs collects files, and only
when their text changed (rewriting an unchanged file makes ``mkdocs serve``
rebuild forever). They are build outputs, like ``docs/lessons/``: not committed.
"""
from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import posixpath
import re
import sys
import tempfile
from pathlib import Path

import jupytext
import markdown
import nbformat
import yaml
from mkdocs.exceptions import PluginError
from pymdownx.slugs import slugify

ROOT = Path(__file__).resolve().parent.parent
DOCS, LESSONS = ROOT / "docs", ROOT / "lessons"
LANGUAGES = {"en": "", "zh": ".zh"}  # language -> file suffix (mkdocs-static-i18n's suffix layout)
CLAIMS, CORRECTIONS = "claims.md", "corrections.md"
GENERATED = [DOCS / f"{Path(page).stem}{suffix}.md" for page in (CLAIMS, CORRECTIONS) for suffix in LANGUAGES.values()]

# The verdict field: the word in the lesson's header -> what each language's page says.
VERDICTS = {
    "holds": {"en": "holds", "zh": "成立"},
    "partly holds": {"en": "partly holds", "zh": "部分成立"},
    "depends": {"en": "depends", "zh": "视情况而定"},
    "does not hold": {"en": "does not hold", "zh": "不成立"},
}
CORRECTION_TITLE = {"en": "Correction", "zh": "更正"}
# A verdict box on a numbered claim, as the lessons title them; each must carry the structured fields.
VERDICT_TITLE = re.compile(r'^[ \t]*!!! \w+ "(?:Verdict on claim (C\d+)|[^"\n]*?论断\s*(C\d+)\s*的结论)"', re.MULTILINE)
CLAIM_ID = re.compile(r"C([1-9]\d*)")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
MARKER_PREFIX = "dlnotes-pages-marker-"  # a heading put where a box stands, to find the heading above it

TEXT = {
    "en": {
        "claims_title": "Claims and verdicts",
        "claims_intro": (
            "The course notes make claims that the lessons of this site put to the test on real data. This page lists every claim a lesson tested, by its number in the syllabus, with the "
            "verdict the lesson reached and the numbers behind it. Each box is quoted from its lesson, so "
            "\u201cabove\u201d in a box means above it in the lesson, where the tables and plots are.\n\n"
            "The page is generated from the lessons at every build: to change an entry, edit the verdict cells "
            "of the lesson (`lessons/NAME.py`), their box or the `claim`, `verdict` and `statement` fields of "
            "their headers."),
        "claim": "Claim", "notes": "The notes say", "verdict": "Verdict", "lesson": "Tested in",
        "notes_label": "**The notes:** ", "verdict_line": "**Verdict:** {verdict}, in {link}.",
        "corrections_title": "Corrections",
        "corrections_intro": (
            "Where the course notes are wrong, the page or lesson of this site that finds it out says so in a "
            "*Correction* box, with the value it computed. This page collects every one of them, grouped by page "
            "in the order of the navigation, each quoted as it stands under a link to its section.\n\n"
            "The page is generated at every build from the pages (`docs/NAME.md`) and the lessons "
            "(`lessons/NAME.py`): to change a correction, edit it where it stands."),
        "from": "From {link}:", "top": "the top of the page",
    },
    "zh": {
        "claims_title": "论断与结论",
        "claims_intro": (
            "课程笔记中的一些论断，本站的实验在真实数据上逐一做了检验。本页按大纲中的编号列出每一条经过实验检验的"
            "论断，以及实验得出的结论和背后的数字。方框都引自相应的实验，方框里说的“上面”指实验页面中方框之上的内容，"
            "表格和图都在那里。\n\n"
            "本页在每次建站时由实验自动生成：要修改某一条，请编辑实验（`lessons/NAME.py`）中的结论单元格，即其中的方框，"
            "或单元格头部的 `claim`、`verdict`、`statement` 字段。"),
        "claim": "论断", "notes": "课程笔记的说法", "verdict": "结论", "lesson": "检验它的实验",
        "notes_label": "**课程笔记：**", "verdict_line": "**结论：**{verdict}，见{link}。",
        "corrections_title": "更正汇总",
        "corrections_intro": (
            "课程笔记有误的地方，本站发现它的页面或实验会用“更正”方框指出，并给出计算得到的数值。本页汇总全部更正，"
            "按导航中的页面顺序分组，每个方框原样引用，上方链接到它所在的小节。\n\n"
            "本页在每次建站时由页面（`docs/NAME.zh.md`）和实验（`lessons/NAME.py`）自动生成：要修改某条更正，"
            "请在它原来的位置编辑。"),
        "from": "出自{link}：", "top": "页面开头",
    },
}


def _load_hook(name: str):
    spec = importlib.util.spec_from_file_location(f"dlnotes_hooks_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as mkdocs loads hooks (dataclasses, for one, look their module up there)
    spec.loader.exec_module(module)
    return module


_lessons = _load_hook("lessons")  # the lessons' own language split and admonition rendering


class Box:
    """An admonition quoted from a page or lesson, and where it stands."""

    def __init__(self, title_line: str, body: str, page: str):
        self.title_line = title_line  # `!!! note "..."`, unindented
        self.body = body              # the box's text, unindented
        self.page = page              # src URI of the page it is on: `losses.md`, `lessons/shuffling.ipynb`
        self.anchor: str | None = None   # id of the nearest heading above it (None: link the page)
        self.section: str | None = None  # that heading's Markdown text

    def __repr__(self):
        return f"Box({self.title_line!r}, page={self.page!r}, anchor={self.anchor!r})"

    def markdown(self) -> str:
        return self.title_line + "\n" + "\n".join(f"    {line}" if line else "" for line in self.body.split("\n"))

    def link(self, label: str) -> str:
        return f"[{label}]({self.page}{'#' + self.anchor if self.anchor else ''})"


class Verdict:
    """A lesson's verdict on a numbered claim, in one language."""

    def __init__(self, claim: str, verdict: str, statement: str, box: Box):
        self.claim = claim          # "C2"
        self.verdict = verdict      # a key of VERDICTS
        self.statement = statement  # what the notes say, in the cell's language
        self.box = box

    def __repr__(self):
        return f"Verdict({self.claim!r}, {self.verdict!r}, {self.box!r})"

    @property
    def number(self) -> int:
        return int(self.claim[1:])


# --- finding boxes -----------------------------------------------------------------------------

def _box_pattern(title: str | None = None) -> re.Pattern:
    head = rf'!!! warning "{re.escape(title)}"' if title else r"!!! \w+(?: [^\n]*)?"
    return re.compile(rf"^(?P<indent>[ \t]*)(?P<head>{head})[ \t]*\n(?P<body>(?:(?P=indent) {{4}}[^\n]*\n|[ \t]*\n)*)",
                      re.MULTILINE)


def _outside_fences(text: str):
    fences = [m.span() for m in FENCE.finditer(text)]
    return lambda pos: not any(start <= pos < end for start, end in fences)


def find_boxes(text: str, title: str | None = None) -> list[tuple[int, str, str]]:
    """The admonitions of ``text`` (those titled ``title`` if given), outside code fences.

    Each as (offset of its first line, its head line, its body unindented, without trailing blank lines).
    """
    text = text if text.endswith("\n") else text + "\n"
    outside = _outside_fences(text)
    boxes = []
    for m in _box_pattern(title).finditer(text):
        if not outside(m.start()):
            continue
        cut = len(m.group("indent")) + 4
        body = "\n".join(line[cut:] for line in m.group("body").rstrip().split("\n"))
        boxes.append((m.start(), m.group("head"), body))
    return boxes


def _rebase_links(text: str, page: str) -> str:
    # A box moves from its page to docs/: its relative links must still lead where they did.
    folder = posixpath.dirname(page)

    def rebase(m):
        url = m.group(2)
        if url.startswith("#"):
            url = page + url
        elif not re.match(r"^[a-z][a-z0-9+.-]*:|^/", url) and folder:
            url = posixpath.normpath(posixpath.join(folder, url))
        return m.group(1) + url

    return re.sub(r"(\]\()([^)\s]+)", rebase, text)


# --- the heading above a box ---------------------------------------------------------------------

def _with_markers(text: str, offsets: list[int]) -> str:
    # A marker heading right before each box; its id cannot clash with a real one, so the real ids stay.
    for k, offset in sorted(enumerate(offsets), key=lambda item: -item[1]):
        indent = re.match(r"[ \t]*", text[offset:]).group(0)
        text = f"{text[:offset]}{indent}###### {MARKER_PREFIX}{k}\n\n{text[offset:]}"
    return text


def _walk(toc_tokens):
    # The table of contents in document order.
    for token in toc_tokens:
        yield token
        yield from _walk(token["children"])


def _headings_before_markers(toc_tokens, count: int) -> list[tuple[dict, int] | None]:
    # For marker k: the nearest real heading above it, and its 1-based rank among the real headings.
    found: list[tuple[dict, int] | None] = [None] * count
    last, rank = None, 0
    for token in _walk(toc_tokens):
        if token["name"].startswith(MARKER_PREFIX):
            found[int(token["name"][len(MARKER_PREFIX):])] = (last, rank) if last else None
        else:
            last, rank = token, rank + 1
    return found


def _source_headings(text: str) -> list[tuple[int, int, str]]:
    """(offset, level, Markdown text) of each ATX heading of ``text`` outside fences."""
    outside = _outside_fences(text)
    headings = []
    for m in ATX_HEADING.finditer(text):
        if outside(m.start()):
            heading = re.sub(r"[ \t]*\{[^}]*\}$", "", m.group(2))  # attr_list's `{#id}`
            heading = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # it becomes a link's text: no links in it
            headings.append((m.start(), len(m.group(1)), heading))
    return headings


def _place(boxes: list[Box], offsets: list[int], text: str, toc_tokens) -> None:
    # The id comes from the toc (what the site gives the heading), the words from the source
    # (the toc's text lacks inline code in notebooks); the two must agree on which heading it is.
    headings = _source_headings(text)
    for box, offset, found in zip(boxes, offsets, _headings_before_markers(toc_tokens, len(boxes))):
        above = [h for h in headings if h[0] < offset]
        if found is None or len(above) != found[1] or above[-1][1] != found[0]["level"]:
            continue  # unsure: link the page only
        if found[0]["level"] > 1:  # under the title itself: the page is the link
            box.anchor, box.section = found[0]["id"], above[-1][2]


def markdown_factory(config) -> callable:
    """A fresh ``markdown.Markdown`` with the site's extensions (the ones named in mkdocs.yml)."""
    names = [e for e in config["markdown_extensions"] if isinstance(e, str)]
    configs = {name: value for name, value in (config["mdx_configs"] or {}).items() if name in names}
    return lambda: markdown.Markdown(extensions=names, extension_configs=configs)


def _blank_fences(text: str) -> str:
    # Code holds no headings: blank it (same length, so offsets hold) and save highlighting it.
    def blank(m):
        first, *inner, last = m.group(0).split("\n")
        return "\n".join([first, *(re.sub(r"\S", " ", line) for line in inner), last])
    return FENCE.sub(blank, text)


def place_in_page(text: str, boxes_at: list[tuple[Box, int]], new_markdown) -> None:
    """Give each box of a Markdown page the id and text of the heading above it."""
    if not boxes_at:
        return
    boxes, offsets = zip(*boxes_at)
    md = new_markdown()
    md.convert(_with_markers(_blank_fences(text), list(offsets)))
    _place(list(boxes), list(offsets), text, md.toc_tokens)


def _notebook_toc(page) -> list:
    # What mkdocs-jupyter (with hooks/offline.py's slugify) makes the notebook's table of contents,
    # whose ids hooks/offline.py then gives the notebook's headings.
    from markdown.extensions.toc import TocExtension
    from mkdocs_jupyter import convert

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lesson.ipynb"
        nbformat.write(page, path)
        body = convert.nb2md(str(path))
    md = markdown.Markdown(extensions=[TocExtension(toc_depth=6, slugify=slugify(case="lower"))])
    md.convert(body)
    return md.toc_tokens


def place_in_lesson(notebook, language: str, boxes_at: list[tuple[Box, int, int]]) -> None:
    """Give each box of a lesson (at cell index, offset in that cell) the heading above it, in ``language``."""
    if not boxes_at:
        return
    marked = copy.deepcopy(notebook)
    marked.metadata["dlnotes"] = {"device": "-", "torch": "-", "seconds": 0, "date": "-"}
    for cell_index in {i for _, i, _ in boxes_at}:
        here = [(k, offset) for k, (_, i, offset) in enumerate(boxes_at) if i == cell_index]
        source = marked.cells[cell_index].source
        for k, offset in sorted(here, key=lambda item: -item[1]):
            source = f"{source[:offset]}###### {MARKER_PREFIX}{k}\n\n{source[offset:]}"
        marked.cells[cell_index].source = source
    toc = _notebook_toc(_lessons.for_language(marked, language))
    # The same prose as one text, to read the headings' words and count them.
    text, offsets, starts = "", [], {}
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and cell.metadata.get("lang", language) == language:
            starts[i] = len(text)
            text += cell.source + "\n\n"
    offsets = [starts[i] + offset for _, i, offset in boxes_at]
    _place([box for box, _, _ in boxes_at], offsets, text, toc)


# --- the sources -------------------------------------------------------------------------------

def nav_pages(nav) -> list[tuple[str, str]]:
    """(title, src URI) of every page of mkdocs.yml's ``nav``, in order."""
    pages = []
    for item in nav or []:
        if isinstance(item, str):
            pages.append((item, item))
            continue
        for title, value in item.items():
            if isinstance(value, list):
                pages.extend(nav_pages(value))
            else:
                pages.append((title, value))
    return pages


def nav_translations(config) -> dict[str, dict[str, str]]:
    plugin = config["plugins"].get("i18n") if config["plugins"] else None
    translations = {language: {} for language in LANGUAGES}
    for language in (plugin.config["languages"] if plugin else []):
        if language.locale in translations:
            translations[language.locale] = dict(language.nav_translations or {})
    return translations


def _lesson_title(notebook, language: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.metadata.get("lang") == language:
            m = re.search(r"^# (.+)$", cell.source, re.MULTILINE)
            if m:
                return m.group(1).strip()
    return ""


def read_lesson(notebook, name: str) -> tuple[dict[str, list[Verdict]], dict[str, list[Box]]]:
    """The verdicts on numbered claims and the correction boxes of one lesson (``name``: its stem).

    Both by language, each box placed under its heading. Raises PluginError when a verdict box lacks
    its fields, or the two languages disagree on a claim or verdict.
    """
    page, where = f"lessons/{name}.ipynb", f"lessons/{name}.py"
    verdicts = {language: [] for language in LANGUAGES}
    corrections = {language: [] for language in LANGUAGES}
    placed = {language: [] for language in LANGUAGES}  # (box, cell index, offset in the cell)
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        meta, language = cell.metadata, cell.metadata.get("lang")
        if language in LANGUAGES:
            for offset, head, body in find_boxes(cell.source, CORRECTION_TITLE[language]):
                box = Box(head, _rebase_links(body, page), page)
                corrections[language].append(box)
                placed[language].append((box, i, offset))
        titled = [m.group(1) or m.group(2) for m in VERDICT_TITLE.finditer(cell.source)]
        if "claim" not in meta:
            if titled:
                raise PluginError(f"{where}: the verdict on claim {titled[0]} has no claim=\"...\" verdict=\"...\" "
                                  f"statement=\"...\" in its cell header (see hooks/pages.py)")
            continue
        claim, verdict, statement = meta.get("claim"), meta.get("verdict"), str(meta.get("statement", "")).strip()
        if language not in LANGUAGES:
            raise PluginError(f"{where}: the cell of claim {claim} has no lang=\"en\" or lang=\"zh\"")
        if not isinstance(claim, str) or not CLAIM_ID.fullmatch(claim):
            raise PluginError(f"{where}: claim={claim!r} is not a claim number like \"C2\"")
        if verdict not in VERDICTS:
            raise PluginError(f"{where}: claim {claim} has verdict={verdict!r}; write one of {sorted(VERDICTS)} "
                              f"(the same word in both languages), or add a new one to VERDICTS in hooks/pages.py")
        if not statement:
            raise PluginError(f"{where}: claim {claim} ({language}) has no statement=\"...\": what the notes say, "
                              f"in one short sentence")
        if any(t != claim for t in titled):
            raise PluginError(f"{where}: a cell with claim={claim!r} holds the verdict box of {titled}")
        boxes = find_boxes(cell.source)
        if len(boxes) != 1:
            raise PluginError(f"{where}: the cell of claim {claim} ({language}) must hold exactly one "
                              f"`!!!` box, the verdict; it holds {len(boxes)}")
        offset, head, body = boxes[0]
        box = Box(head, _rebase_links(body, page), page)
        verdicts[language].append(Verdict(claim, verdict, statement, box))
        placed[language].append((box, i, offset))
    en, zh = ([(v.claim, v.verdict) for v in verdicts[language]] for language in ("en", "zh"))
    if en != zh:
        raise PluginError(f"{where}: the English and Chinese verdict cells differ in claim or verdict: {en} vs {zh}")
    for language in LANGUAGES:
        place_in_lesson(notebook, language, placed[language])
    return verdicts, corrections


def corrections_in_page(text: str, page: str, language: str, new_markdown) -> list[Box]:
    """The correction boxes of one Markdown page (``page``: its src URI), each placed under its heading."""
    boxes_at = [(Box(head, _rebase_links(body, page), page), offset)
                for offset, head, body in find_boxes(text, CORRECTION_TITLE[language])]
    place_in_page(text, boxes_at, new_markdown)
    return [box for box, _ in boxes_at]


# --- the pages -----------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _no_doctests(page: str) -> str:
    # A quoted box may hold a code fence; it was tested where it stands, not here.
    if FENCE.search(page):
        head, rest = page.split("\n\n", 1)
        return f"{head}\n\n<!-- skip: start -->\n\n{rest.rstrip()}\n\n<!-- skip: end -->\n"
    return page


# what each claim claims, in a few words (hooks/reading.py names the claims on every page with it)
CLAIM_NAMES = yaml.safe_load((Path(__file__).parent / "claim_names.yml").read_text(encoding="utf-8"))


def claims_page(verdicts: list[Verdict], language: str, titles: dict[str, str], title: str | None = None) -> str:
    """The claims page: a summary table, then a section per claim with its verdict box.

    ``titles``: page title by src URI (``lessons/NAME.ipynb``), in ``language``.
    """
    text = TEXT[language]
    verdicts = sorted(verdicts, key=lambda v: v.number)  # stable: a claim tested twice keeps nav order
    lines = [f"# {title or text['claims_title']}", "", text["claims_intro"], "",
             f"| {text['claim']} | {text['notes']} | {text['verdict']} | {text['lesson']} |", "|---|---|---|---|"]
    for v in verdicts:
        lines.append(f"| [{v.claim}](#{v.claim.lower()}) | {_cell(v.statement)} | {VERDICTS[v.verdict][language]} "
                     f"| {_cell(v.box.link(titles.get(v.box.page, v.box.page)))} |")
    done = set()
    for v in verdicts:
        if v.claim not in done:
            done.add(v.claim)
            name = CLAIM_NAMES.get(v.claim, {}).get(language)
            heading = f"{v.claim}{'：' if language == 'zh' else ': '}{name}" if name else v.claim
            lines += ["", f"## {heading} {{#{v.claim.lower()}}}", "", text["notes_label"] + v.statement]
        link = v.box.link(titles.get(v.box.page, v.box.page))
        lines += ["", text["verdict_line"].format(verdict=VERDICTS[v.verdict][language], link=link), "",
                  v.box.markdown()]
    return _no_doctests("\n".join(lines) + "\n")


def corrections_page(groups: list[tuple[str, list[Box]]], language: str, title: str | None = None) -> str:
    """The corrections page: a section per page (``groups``: (page title, its boxes), in order)."""
    text = TEXT[language]
    lines = [f"# {title or text['corrections_title']}", "", text["corrections_intro"]]
    for page_title, boxes in groups:
        if not boxes:
            continue
        lines += ["", f"## {page_title}"]
        for box in boxes:
            lines += ["", text["from"].format(link=box.link(box.section or text["top"])), "", box.markdown()]
    return _no_doctests("\n".join(lines) + "\n")


# --- the hook ------------------------------------------------------------------------------------

_pages_read: dict[tuple, list] = {}  # (settings, page, language, text) -> its correction boxes
_lessons_read: dict[str, tuple] = {}  # digest -> (titles, read_lesson's answer)
READINGS = ROOT / ".cache" / "pages"  # the same, on disk, for the next process


def _box_data(box: Box) -> list:
    return [box.title_line, box.body, box.page, box.anchor, box.section]


def _box_from(data: list) -> Box:
    box = Box(*data[:3])
    box.anchor, box.section = data[3:]
    return box


def _read_lesson_file(path: Path) -> tuple:
    """({language: title}, read_lesson's answer) for one lesson file.

    Reading a lesson's boxes renders it through nbconvert (a few tenths of a second each), so the
    answer is kept, keyed on the lesson's text and the code that reads it: a prose edit elsewhere,
    under `mkdocs serve` or in the next build, reuses the reading of every unchanged lesson.
    """
    digest = hashlib.sha256(path.read_bytes())
    for hook in ("pages.py", "lessons.py", "offline.py"):
        digest.update(Path(__file__).with_name(hook).read_bytes())
    key = f"{path.stem}-{digest.hexdigest()[:24]}"
    if key in _lessons_read:
        return _lessons_read[key]
    stored = READINGS / f"{key}.json"
    try:
        data = json.loads(stored.read_text(encoding="utf-8"))
        reading = ({lang: [Verdict(*v[:3], _box_from(v[3])) for v in found] for lang, found in data["verdicts"].items()},
                   {lang: [_box_from(b) for b in boxes] for lang, boxes in data["corrections"].items()})
        titles = data["titles"]
    except (OSError, ValueError, KeyError, TypeError):
        notebook = jupytext.read(path)
        reading = read_lesson(notebook, path.stem)
        titles = {language: _lesson_title(notebook, language) for language in LANGUAGES}
        READINGS.mkdir(parents=True, exist_ok=True)
        for old in READINGS.glob(f"{path.stem}-*.json"):  # one reading per lesson: the cache never grows
            old.unlink()
        stored.write_text(json.dumps({
            "titles": titles,
            "verdicts": {lang: [[v.claim, v.verdict, v.statement, _box_data(v.box)] for v in found]
                         for lang, found in reading[0].items()},
            "corrections": {lang: [_box_data(b) for b in boxes] for lang, boxes in reading[1].items()},
        }, ensure_ascii=False), encoding="utf-8")
    _lessons_read[key] = (titles, reading)
    return _lessons_read[key]


def generate(config) -> dict[Path, str]:
    """The four pages' text, by path, from the lessons, the pages and ``config`` (mkdocs.yml)."""
    new_markdown, settings = markdown_factory(config), _settings(config)
    translations = nav_translations(config)
    order = nav_pages(config["nav"])
    rank = {uri: i for i, (_, uri) in enumerate(order)}
    titles = {language: {uri: translations[language].get(t, t) for t, uri in order} for language in LANGUAGES}
    generated = {path.relative_to(DOCS).as_posix() for path in GENERATED}

    lessons = {path.stem: _read_lesson_file(path) for path in sorted(LESSONS.glob("*.py"))}
    for name, (lesson_titles, _) in lessons.items():
        for language in LANGUAGES:
            titles[language].setdefault(f"lessons/{name}.ipynb", lesson_titles[language] or name)

    verdicts = {language: [] for language in LANGUAGES}
    boxes = {language: {} for language in LANGUAGES}  # language -> page -> boxes
    for name, (_, (found, corrections)) in lessons.items():
        for language in LANGUAGES:
            verdicts[language] += found[language]
            boxes[language][f"lessons/{name}.ipynb"] = corrections[language]
    for language, suffix in LANGUAGES.items():
        for path in sorted(DOCS.glob(f"*{suffix}.md")):
            if language == "en" and path.name.endswith(".zh.md"):
                continue
            page = path.name.removesuffix(f"{suffix}.md") + ".md"
            if page in generated:
                continue
            text = path.read_text(encoding="utf-8")
            key = (settings, page, language, text)  # under `mkdocs serve`, an edit re-reads one page
            if key not in _pages_read:
                _pages_read[key] = corrections_in_page(text, page, language, new_markdown)
            boxes[language][page] = _pages_read[key]
            if page not in titles[language]:
                m = re.search(r"^# (.+)$", text, re.MULTILINE)
                titles[language][page] = m.group(1).strip() if m else page

    pages = {}
    for language, suffix in LANGUAGES.items():
        in_order = sorted(verdicts[language], key=lambda v: rank.get(v.box.page, len(rank)))
        pages[DOCS / f"claims{suffix}.md"] = claims_page(in_order, language, titles[language],
                                                         titles[language].get(CLAIMS))
        ordered = sorted(boxes[language], key=lambda page: (rank.get(page, len(rank)), page))
        groups = [(titles[language][page], boxes[language][page]) for page in ordered]
        pages[DOCS / f"corrections{suffix}.md"] = corrections_page(groups, language,
                                                                   titles[language].get(CORRECTIONS))
    return pages


_made: dict[str, dict[Path, str]] = {}  # inputs' digest -> pages: the second language's pass reuses the first's


def _settings(config) -> str:
    """The settings the pages are read with: the nav, its translations, the Markdown extensions."""
    # Plugins append their own extension objects at every pass: only the named ones count.
    names = [e for e in config["markdown_extensions"] if isinstance(e, str)]
    settings = repr((config["nav"], nav_translations(config), names, {n: config["mdx_configs"].get(n) for n in names}))
    # Functions among the settings (a slugify) print their address, which differs from run to run.
    return re.sub(r" at 0x[0-9a-f]+", "", settings)


def _inputs_digest(config) -> str:
    digest = hashlib.sha256(_settings(config).encode())
    sources = sorted(LESSONS.glob("*.py")) + sorted(set(DOCS.glob("*.md")) - set(GENERATED))
    for path in sources:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


STAMP = ROOT / ".cache" / "pages.digest"  # the inputs' digest of the pages now in docs/


def on_config(config):
    key = _inputs_digest(config)
    # A fresh `mkdocs build` with nothing changed finds the pages it would write already written.
    if key not in _made and STAMP.exists() and STAMP.read_text() == _stamp(key):
        return config
    if key not in _made:
        _made.clear()
        _made[key] = generate(config)
    for path, text in _made[key].items():
        _lessons._write_if_changed(path, text)
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.write_text(_stamp(key))
    return config


def _stamp(key: str) -> str:
    # The inputs' digest, and the digest of the pages as written (deleted or edited by hand: rewrite).
    written = hashlib.sha256(b"".join(p.read_bytes() + b"\0" if p.exists() else b"-\0" for p in GENERATED))
    return f"{key} {written.hexdigest()}"
