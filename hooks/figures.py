"""Lesson figures as files: SVG with their text kept as text, in the page's language, loaded lazily.

In the kernel (``SETUP_CELL``, run before a lesson's first cell), ``figure_kernel.py`` displays every
matplotlib figure as a wide SVG drawing for the text column and a narrow one for phones, and records each
text's role and string in the output's metadata.

Writing a language's notebook (``hooks/lessons.py``), each such output becomes files
``docs/lessons/figures/LESSON-N.svg`` and ``LESSON-N-narrow.svg`` (``.zh.svg`` for Chinese: the i18n
plugin serves them at the same relative URLs under ``/zh/``) and a lazy ``<img>`` in a ``<picture>``
with alt text made of the figure's titles, axis labels and legend (``figure_html``). For Chinese, each
string is replaced by its translation from ``lessons/figure_text.zh.yml`` (``localise_svg``); a string
with English words and no translation fails the build, naming the lesson and the string.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

KERNEL = Path(__file__).with_name("figure_kernel.py")   # the code that draws them, in the kernel
# Run before a lesson's first cell; the kernel's code lives in a module of its own, out of the lesson's names.
SETUP_CELL = f"""\
%config InlineBackend.figure_formats = ['svg']
import types as _types
_dlnotes_figures = _types.ModuleType("dlnotes_figure_kernel")
exec(compile({KERNEL.read_text(encoding="utf-8")!r}, "hooks/figure_kernel.py", "exec"), _dlnotes_figures.__dict__)
_dlnotes_figures.install(get_ipython())
del _types"""

FONTS_ZH = ("'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Hiragino Sans GB', "
            "'Microsoft YaHei', sans-serif")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")   # a name such as SmoothL1 or float64 is one word
NUMBER = re.compile(r"\d+(?:[.,_]\d+)*")
MATH = re.compile(r"(?<!\\)\$[^$]+\$")  # matplotlib's mathtext, e.g. the tick labels of a log axis
# Names that stay as they are in Chinese text: methods, libraries, abbreviations, functions.
KEPT_WORDS = {
    "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Nesterov", "ReLU", "LeakyReLU", "PReLU", "ELU", "SELU", "GELU",
    "Swish", "SiLU", "Mish", "tanh", "sigmoid", "softmax", "softplus", "Xavier", "Kaiming", "Glorot", "LeCun",
    "MSE", "MAE", "RMSE", "SmoothL1", "Huber", "MLP", "CNN", "PCA", "ZCA", "TPE", "Optuna", "Hyperband", "SWA", "EMA", "Wide",
    "Deep", "Fashion", "MNIST", "PyTorch", "torch", "sklearn", "scikit", "logit", "logits", "std",
    "max", "min", "log", "exp", "abs", "sqrt", "norm", "var", "grad", "OneCycle",
    "StepLR", "Lookahead", "AlphaDropout", "lecun", "kaiming", "xavier", "selu", "relu", "leaky",
    "CPU", "GPU", "CUDA", "CS231n", "AUC", "ROC", "ESS", "NLL", "KL", "HistGradientBoosting", "Ridge", "LightGBM",
    "dropout", "Dropout", "BatchNorm", "LayerNorm", "SmoothL1Loss", "float32", "float64", "MultiStepLR",
    "ExponentialLR", "CosineAnnealingLR", "OneCycleLR", "LambdaLR", "cos", "sin", "ReduceLROnPlateau",
}


class FigureTextError(ValueError):
    """A Chinese figure would show English: a string of the figure lacks its translation."""


def load_translations(path: Path) -> dict:
    """``{"_all": {english: chinese}, lesson: {english: chinese}}`` from the YAML file (empty if none)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise FigureTextError(f"{path}: expected a mapping of lesson names (and _all) to mappings english: chinese")
    for lesson, entries in data.items():
        for english, chinese in entries.items():
            left = untranslated(str(chinese or ""))
            if not chinese or left:
                raise FigureTextError(f"{path}: under {lesson!r}, the Chinese for {english!r} is "
                                      f"{chinese!r}: {'empty' if not chinese else 'it keeps English ' + str(left)}")
    return data


def untranslated(text: str) -> list[str]:
    """The English words of ``text`` a Chinese reader would be left with (names and math excepted)."""
    return [w for w in WORD.findall(MATH.sub(" ", text))
            if sum(c.isalpha() for c in w) >= 3 and w not in KEPT_WORDS]


def translate(text: str, lesson: str, table: dict) -> str:
    """``text`` in Chinese: the lesson's entry, else the shared one; a text without English words as is."""
    for scope in (table.get(lesson) or {}, table.get("_all") or {}):
        if text in scope:
            return str(scope[text])
        for key, value in scope.items():   # "{n}" stands for a number the run decides, e.g. a data size
            if "{n}" in key:
                found = re.fullmatch(re.escape(key).replace(r"\{n\}", r"([-+]?[\d.,]+)"), text)
                if found:
                    numbers = iter(found.groups())
                    return re.sub(r"\{n\}", lambda _: next(numbers), str(value))
        # the same text with other numbers (a data size that depends on the device, say): the entry's
        # numbers in its translation become the text's, matched by position in the English
        shape = NUMBER.sub("#", text)
        for key, value in scope.items():
            if NUMBER.sub("#", key) == shape:
                swap = dict(zip(NUMBER.findall(key), NUMBER.findall(text)))
                if len(swap) == len(NUMBER.findall(key)):   # each number of the entry is distinct
                    return NUMBER.sub(lambda m: swap.get(m.group(0), m.group(0)), str(value))
    if untranslated(text):
        raise FigureTextError(f"lesson {lesson}: no Chinese for the figure text {text!r}; add it to "
                              f"lessons/figure_text.zh.yml under {lesson!r} (or '_all' if shared)")
    return text


GROUP_OPEN = re.compile(r'<g id="(dlnotes-text-\d+)">')
G_TAG = re.compile(r"<g\b[^>]*>|</g>")


def _groups(svg: str):
    """(start, end of the opening tag, start of the closing tag, id) of each text group, nested <g> counted."""
    for m in GROUP_OPEN.finditer(svg):
        depth, pos = 1, m.end()
        for tag in G_TAG.finditer(svg, m.end()):
            depth += -1 if tag.group(0) == "</g>" else 1
            if depth == 0:
                yield m.start(), m.end(), tag.start(), m.group(1)
                break
TEXT_NODE = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")


def localise_svg(svg: str, texts: dict, lesson: str, table: dict) -> str:
    """The SVG with each text's lines replaced by their translation, and fonts that have CJK glyphs."""
    def group(gid: str, body: str) -> str:
        entry = texts.get(gid)
        if entry is None:
            return body
        original = entry[-1]
        lines, chinese = original.split("\n"), translate(original, lesson, table).split("\n")
        nodes = TEXT_NODE.findall(body)
        if len(lines) == 1 and len(nodes) > 1 and "<tspan" not in body:
            if chinese[0] == original:
                return body
            # one line that matplotlib wrapped to fit: the translation (shorter, as Chinese is) on the first
            lines, chinese = [""] * len(nodes), [chinese[0]] + [""] * (len(nodes) - 1)
        if len(nodes) != len(lines):  # not plain text (e.g. math): leave it
            if untranslated(original) and original != translate(original, lesson, table):
                raise FigureTextError(f"lesson {lesson}: figure text {original!r} is drawn in pieces; cannot translate")
            return body
        if len(chinese) != len(lines):
            raise FigureTextError(f"lesson {lesson}: the Chinese for {original!r} must have {len(lines)} line(s)")
        it = iter(chinese)
        return TEXT_NODE.sub(lambda t: t.group(1) + html.escape(next(it), quote=False) + t.group(3), body)

    out, last = [], 0
    for start, body_start, body_end, gid in _groups(svg):
        if start < last:
            continue   # inside a group already rewritten
        out += [svg[last:body_start], group(gid, svg[body_start:body_end])]
        last = body_end
    svg = "".join(out) + svg[last:]
    return re.sub(r"font-family: [^;\"]+", "font-family: " + FONTS_ZH, svg)


ALT = {
    "en": {"figure": "Figure", "panels": ", {n} panels", "colon": ": ", "vs": "{y} against {x}",
           "legend": "legend: {items}", "sep": "; ", "bits": ", ", "list": ", ", "quote": "“{}”", "end": "."},
    "zh": {"figure": "图", "panels": "，共 {n} 个子图", "colon": "：", "vs": "横轴为 {x}，纵轴为 {y}",
           "legend": "图例：{items}", "sep": "；", "bits": "，", "list": "、", "quote": "“{}”", "end": "。"},
}


def alt_text(texts: dict, language: str, lesson: str, table: dict) -> str:
    """What the figure shows, from its titles, axis labels and legend, in ``language``."""
    words = ALT[language]
    say = (lambda s: translate(s, lesson, table)) if language == "zh" else (lambda s: s)
    panels: dict[int, dict] = {}
    for role, panel, text in texts.values():
        if role in ("title", "xlabel", "ylabel", "legend"):
            entry = panels.setdefault(panel, {})
            text = " ".join(say(text).split())
            if role == "legend":
                entry.setdefault("legend", []).append(text)
            else:
                entry[role] = text
    parts = []
    for p in (panels[k] for k in sorted(panels)):
        bits = []
        if "title" in p:
            bits.append(words["quote"].format(p["title"]))
        if "xlabel" in p and "ylabel" in p:
            bits.append(words["vs"].format(x=p["xlabel"], y=p["ylabel"]))
        elif "xlabel" in p or "ylabel" in p:
            bits.append(p.get("xlabel") or p.get("ylabel"))
        if p.get("legend"):
            bits.append(words["legend"].format(items=words["list"].join(p["legend"][:8])))
        if bits:
            parts.append(words["bits"].join(bits))
    n = sum(1 for k in panels if k >= 0)
    head = words["figure"] + (words["panels"].format(n=n) if n > 1 else "")
    return head + words["colon"] + words["sep"].join(parts) + words["end"] if parts else head


SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


PHONE = "(max-width: 600px)"   # below this width the narrow drawing (one panel to a row) is shown


def _dims(svg: str) -> str:
    size = SIZE.search(svg)
    return ' width="{}" height="{}"'.format(*(round(float(v) * 4 / 3) for v in size.groups())) if size else ""


def figure_html(src: str, svg: str, alt: str, narrow_src: str | None = None, narrow_svg: str | None = None) -> str:
    """What a lesson page shows: a lazy ``<img>`` at most its natural width (on a phone its narrow
    drawing), opened full size on a click. ``off-glb``: the glightbox plugin would wrap the img in a link
    of its own, taking it out of its ``<picture>``; the link here is the one it opens."""
    source = (f'<source media="{PHONE}" srcset="{narrow_src}"{_dims(narrow_svg)}>'
              if narrow_src and narrow_svg else "")
    return (f'<figure class="lesson-figure"><a class="glightbox" href="{src}" data-type="image">'
            f'<picture>{source}<img class="off-glb" src="{src}" alt="{html.escape(alt)}" loading="lazy"{_dims(svg)}></picture>'
            f'</a></figure>')
