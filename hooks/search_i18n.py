"""Site search: one index per language, Chinese queries that match, previews that read as prose.

Material's search plugin writes one ``search/search_index.json`` for the whole
site, and mkdocs-static-i18n fills it with the pages of every language, so an
English search lists Chinese pages and the other way round. After the build
(and after mkdocs-static-i18n has written that combined index), this hook
splits it: ``search/search_index.json`` keeps the default language's entries,
``zh/search/search_index.json`` the Chinese ones (locations relative to
``zh/``), each with its own ``config.lang``. A page of a non-default language
(its 404 page too) gets, as Material's ``base`` (what Material resolves the
index and the results' links against), the root of its language, so it loads
its own language's index.

Chinese queries. At build time Material segments Chinese with jieba and
writes the words separated by zero-width spaces; in the browser the query is
segmented against the tokens of the index, by ``segment()`` in Material's
search worker, which (a) only ever tries proper prefixes of the query, so the
query's last character is dropped whenever one of its proper prefixes is a
token: 学习率 becomes ``学习*`` (learning curves first), 交叉熵 becomes
``交叉*`` (交叉验证, cross-validation, first), 早停 becomes ``早*``; and (b) when
no prefix is a token, searches the whole query as the start of a single
token: 可执行, which jieba writes as 可 + 执行 (and lunr's Chinese stop-word
filter then drops 可), finds nothing. So the Chinese index is built so that no
Chinese token can be a proper prefix of a query, and a query that starts on a
word boundary of the text is the start of one token:

* every Chinese word of the shown title and text ends in an invisible WORD
  JOINER (U+2060, not a separator), so ``梯度⁠`` is a token and ``梯度`` is not;
* hidden fields ``title_phrases``/``text_phrases`` hold, for each word of a run
  of Chinese, the rest of the run from that word, also ending in U+2060
  (or cut at ``PHRASE_CHARS`` characters): 学习率 is the start of ``学习率很敏感⁠``;
* the Chinese index's pipeline is empty: lunr's Chinese trimmer would cut the
  U+2060, and its stop-word filter only removed words users type (可, 自, 小);
* (mkdocs.yml) the separator splits on Chinese punctuation and quotes, else
  ``（dropout）`` and ``：CPU`` are tokens, which ``dropout`` and ``CPU`` miss.

The query then reaches lunr whole (``学习率*``) and matches exactly the places
that contain it from a word boundary on. A single-word query also matches the
shown word, so it is highlighted in the preview; a longer one matches only the
hidden phrases (the page is found, the preview is not highlighted).

Previews. Lesson pages (notebooks) had their code, the hidden copy of each
cell's code (copy button), ``In [1]:`` prompts and printed outputs in the
index, which the previews showed first. Those elements get Material's
``data-search-exclude`` (Material removes the attribute from the page after
indexing; its parser ends an excluded element at the first closing tag of the
same name, so only elements that do not nest in themselves are marked). Math,
in every entry, reads as text (``\\(\\sigma'(z) \\le 1/4\\)`` as ``σ′(z) ≤ 1/4``);
display math is left out of the previews.

Material's entries, as rebuild.py caches them, are not changed: everything
here happens to the page's HTML before indexing (which is part of rebuild.py's
key) or to the index files written at the end.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from backrefs import bre
from mkdocs.plugins import event_priority

JOINER = "\u2060"   # WORD JOINER: invisible, not a separator, never typed in a query
PHRASE_CHARS = 8    # a longer Chinese query is searched by its first PHRASE_CHARS characters
# lunr pipeline of each language's index ("stemmer", "stopWordFilter", "trimmer"); others keep the plugin's.
PIPELINE = {"zh": []}
PHRASE_FIELDS = {"title_phrases": "title", "text_phrases": "text"}  # hidden field: boost taken from

# Chinese as Material's search plugin finds it to segment with jieba (backrefs comes with Material)
HAN_WORD = bre.compile(r"\p{script: Han}+")
HAN_RUN = bre.compile(r"\p{script: Han}+(?:\u200b\p{script: Han}+)*")   # words jieba cut, joined by U+200B


# ---------------------------------------------------------------- splitting the index by language

def languages(config) -> tuple[str, list[str]]:
    """The default language and the other built languages, from mkdocs-static-i18n (``en``, [] without it)."""
    i18n = config["plugins"].get("i18n")
    if i18n is None:
        return config["theme"]["language"] or "en", []
    default = i18n.default_language
    return default, [lang.locale for lang in i18n.config.languages if lang.build and lang.locale != default]


def language_of(location: str, others: list[str]) -> tuple[str | None, str]:
    """(language, location relative to that language's root); None for the default language."""
    for locale in others:
        if location.startswith(f"{locale}/"):
            return locale, location[len(locale) + 1:]
    return None, location


def split_index(data: dict, default: str, others: list[str]) -> dict[str, dict]:
    """One index per language, entries in their order, each with its own ``config``."""
    docs: dict[str, list] = {locale: [] for locale in [default, *others]}
    for entry in data["docs"]:
        locale, location = language_of(entry["location"], others)
        docs[locale or default].append({**entry, "location": location})
    indexes = {}
    for locale, entries in docs.items():
        entries = [prose_entry(entry) for entry in entries]
        config = {**data["config"], "lang": [locale]}
        if locale in PIPELINE:
            config["pipeline"] = PIPELINE[locale]
        if any(field in entry for entry in entries for field in PHRASE_FIELDS):
            fields = dict(config["fields"])
            for field, like in PHRASE_FIELDS.items():
                fields[field] = dict(fields.get(like, {"boost": 1.0}))
            config["fields"] = fields
        indexes[locale] = {**{k: v for k, v in data.items() if k not in ("config", "docs")},
                           "config": config, "docs": entries}
    return indexes


# ---------------------------------------------------------------- what an entry shows and matches

def prose_entry(entry: dict) -> dict:
    """The entry with readable math, and with its Chinese made searchable (see the module's docstring)."""
    entry = dict(entry)
    for field, phrases in (("title", "title_phrases"), ("text", "text_phrases")):
        value = readable_math(entry.get(field, ""), drop_display=field == "text")
        found = chinese_phrases(value)
        entry[field] = mark_chinese_words(value)
        if found:
            entry[phrases] = found
        else:
            entry.pop(phrases, None)
    return entry


def mark_chinese_words(text: str) -> str:
    """Each Chinese word (as jieba cut it: runs split by zero-width spaces) followed by U+2060."""
    return HAN_WORD.sub(lambda m: m.group(0) + JOINER, text.replace(JOINER, ""))


def chinese_phrases(text: str) -> str:
    """For each word of each run of Chinese but the last, the rest of the run, space-separated: up to
    ``PHRASE_CHARS`` characters, and U+2060 if the run ends there. A run is what jieba cut and Material
    joined with zero-width spaces; a run of one word is matched by the word itself.

    A phrase cut short has no U+2060, so a query longer than ``PHRASE_CHARS`` still matches: Material's
    segmenter cuts it to the phrase (its first ``PHRASE_CHARS`` characters) and searches that."""
    phrases = []
    for run in HAN_RUN.finditer(re.sub(r"<[^>]*>", " ", text.replace(JOINER, ""))):
        words = run.group(0).split("\u200b")
        for i in range(len(words) - 1):
            rest = "".join(words[i:])
            phrases.append(rest[:PHRASE_CHARS] if len(rest) > PHRASE_CHARS else rest + JOINER)
    return " ".join(phrases)


# Math as KaTeX renders it on the page (docs/javascripts/katex-init.js): $$..$$, \[..\], \(..\) and $..$,
# except in code. In an entry, code is <code> or <pre>; the text is HTML-escaped.
CODE = re.compile(r"(<(code|pre)>.*?</\2>)", re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.DOTALL)
INLINE_MATH = re.compile(r"\\\((.+?)\\\)|(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.DOTALL)


def readable_math(text: str, drop_display: bool = True) -> str:
    """``text`` with each inline formula as readable text and display formulas left out (or, with
    ``drop_display=False``, also as text); code is left alone."""
    parts = CODE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 3 == 1:      # a code element
            out.append(part)
        elif i % 3 == 0:    # text between code elements
            part = DISPLAY_MATH.sub(
                lambda m: " " if drop_display else tex_to_text(m.group(1) or m.group(2)), part)
            part = INLINE_MATH.sub(lambda m: tex_to_text(m.group(1) or m.group(2)), part)
            out.append(part)
    text = "".join(out)
    if drop_display:
        text = re.sub(r"<p>\s*</p>", "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


GREEK = dict(zip(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi "
    "Omega".split(),
    "αβγδεεζηθϑικλμνξπρστυφφχψωΓΔΘΛΞΠΣΥΦΨΩ"))
SYMBOLS = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "~", "simeq": "≃", "equiv": "≡",
    "propto": "∝", "infty": "∞", "sum": "Σ", "prod": "Π", "int": "∫", "partial": "∂", "nabla": "∇",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐",
    "Leftrightarrow": "⇔", "mapsto": "↦", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆",
    "cup": "∪", "cap": "∩", "forall": "∀", "exists": "∃", "ldots": "…", "dots": "…", "cdots": "⋯",
    "mid": "|", "|": "‖", "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|",
    "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "circ": "∘", "top": "ᵀ", "prime": "′", "ell": "ℓ",
    "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "{": "{", "}": "}", "%": "%", "$": "$", "#": "#", "_": "_", "&": "&", "neg": "¬", "land": "∧",
    "lor": "∨", "emptyset": "∅", "star": "⋆", "ast": "∗", "bullet": "•",
}
RELATIONS = set("cdot times div pm mp le leq ge geq ne neq approx sim simeq equiv propto to rightarrow leftarrow "
                "Rightarrow Leftarrow Leftrightarrow mapsto in notin subset subseteq cup cap odot otimes oplus "
                "circ mid land lor".split())  # spaced: α ≈ 1.67, not α≈1.67
SPACES = {",", ";", ":", "!", " ", "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace"}
DROP = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle",
        "textstyle", "scriptstyle", "limits", "nolimits", "tfrac", "dfrac", "frac", "sqrt", "hat", "bar",
        "tilde", "vec", "dot", "ddot", "overline", "widehat", "widetilde", "underbrace", "overbrace",
        "mathbb", "begin", "end"}
TEXT_STYLES = {"mathrm", "text", "textrm", "textbf", "textit", "mathbf", "mathit", "mathsf", "mathtt",
               "mathcal", "operatorname", "boldsymbol", "bm", "mathnormal", "textnormal", "emph", "mbox"}
FUNCTIONS = {"ln", "log", "exp", "max", "min", "arg", "argmax", "argmin", "sin", "cos", "tan", "tanh",
             "sinh", "cosh", "det", "sup", "inf", "lim", "Pr", "dim", "ker", "deg", "gcd", "mod", "sgn"}
DOUBLE_STRUCK = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304", "tilde": "\u0303",
           "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308"}
SUPERSCRIPT = dict(zip("0123456789+-−=()niT′", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀ′"))
SUBSCRIPT = dict(zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_COMMAND = re.compile(r"\\(?:([A-Za-z]+) *|(.))")  # a control word swallows the spaces after it


def tex_to_text(tex: str) -> str:
    """A TeX formula as plain text a reader can follow: ``\\frac{a}{b}`` as a/b, Greek letters and
    operators as their Unicode characters, simple scripts as Unicode super- and subscripts."""
    tex = tex.replace("\u200b", "").replace("&amp;", " ").replace("\\\\", " ; ")
    out, _ = _tex(tex, 0, top=True)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", out).strip())  # y + U+0302 as ŷ


def _group(tex: str, i: int) -> tuple[str, int]:
    """The argument at ``tex[i:]`` (a braced group, a command or one character) as text, and where it ends."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] == "{":
        return _tex(tex, i + 1)
    if tex[i] == "\\":
        m = _COMMAND.match(tex, i)
        return _command(tex, m.group(1) or m.group(2), m.end())
    return tex[i], i + 1


def _command(tex: str, name: str, i: int) -> tuple[str, int]:
    if name in GREEK:
        return GREEK[name], i
    if name in SYMBOLS:
        return (f" {SYMBOLS[name]} " if name in RELATIONS else SYMBOLS[name]), i
    if name in SPACES:
        return " ", i
    if name in FUNCTIONS:
        return name, i
    if name in TEXT_STYLES:
        return _group(tex, i)
    if name == "mathbb":
        arg, i = _group(tex, i)
        return DOUBLE_STRUCK.get(arg, arg), i
    if name in ACCENTS:
        arg, i = _group(tex, i)
        return (arg + ACCENTS[name]) if len(arg) == 1 else arg, i
    if name in ("frac", "tfrac", "dfrac"):
        num, i = _group(tex, i)
        den, i = _group(tex, i)
        return f"{_wrap(num)}/{_wrap(den)}", i
    if name == "sqrt":
        arg, i = _group(tex, i)
        return f"√{_wrap(arg)}", i
    if name in ("begin", "end"):
        _, i = _group(tex, i)  # the environment's name
        return " ", i
    if name in DROP:
        return "", i
    return name, i  # an unknown command: its name reads better than nothing


def _wrap(text: str) -> str:
    """``text`` in parentheses unless it reads as one term."""
    return text if re.fullmatch(r"[^\s+\-−=/×·<>,;:]+|\([^()]*\)", text) else f"({text})"


def _script(text: str, table: dict, mark: str) -> str:
    # Unicode scripts for what they read well for (10⁻⁶, x², zᵢ, β₂); p_keep, not pₖₑₑₚ
    if text and all(c in table for c in text) and (mark == "^" or len(text) == 1 or text.isdigit()):
        return "".join(table[c] for c in text)
    return f"{mark}{_wrap(text)}" if text else ""


def _tex(tex: str, i: int, top: bool = False) -> tuple[str, int]:
    """Text of ``tex[i:]`` up to the ``}`` closing the current group (or the end)."""
    out = []
    while i < len(tex):
        c = tex[i]
        if c == "}" and not top:
            return "".join(out), i + 1
        if c == "{":
            inner, i = _tex(tex, i + 1)
            out.append(inner)
        elif c == "\\":
            m = _COMMAND.match(tex, i)
            text, i = _command(tex, m.group(1) or m.group(2), m.end())
            out.append(text)
        elif c in "^_":
            arg, i = _group(tex, i + 1)
            out.append(_script(arg, SUPERSCRIPT if c == "^" else SUBSCRIPT, c))
        elif c == "'":
            out.append("′")
            i += 1
        elif c == "~":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out), i


# ---------------------------------------------------------------- MkDocs events

# Elements of a notebook page that are not prose, each one that never contains another of its own tag
# (Material's parser ends an excluded element at the first closing tag of the same name).
NOT_PROSE = re.compile(
    r"<(?:pre"                                             # code of a cell, printed output, code in Markdown
    r"|div class=\"clipboard-copy-txt\""                   # hidden copy of a cell's code, for the copy button
    r"|div class=\"jp-(?:Input|Output)Prompt[^\"]*\""      # In [1]:, Out[1]:
    r"|span class=\"notice\""                              # the copy button's "Copied!"
    r"|table [^>]*class=\"dataframe\""                     # a pandas table printed by a cell
    r"|a class=\"anchor-link\""                            # a heading's ¶ (Material knows only its own)
    r")(?=[\s>])")
EXCLUDE = ' data-search-exclude="not-prose"'  # a value is needed: Material removes data-search-*="…" only


def exclude_code(html: str) -> str:
    """The notebook's HTML with the elements that are not prose marked for Material to leave out of search."""
    return NOT_PROSE.sub(lambda m: m.group(0) + EXCLUDE, html)


def on_page_content(html, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        return exclude_code(html)
    return html


CONFIG_SCRIPT = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL)


def set_base(output: str, base) -> str:
    """The page with ``base`` in Material's configuration (``<script id="__config">``) replaced: by ``base``,
    or by what ``base(old)`` returns."""
    from jinja2.utils import htmlsafe_json_dumps

    def replace(m):
        data = json.loads(m.group(2))
        data["base"] = base(data["base"]) if callable(base) else base
        return m.group(1) + str(htmlsafe_json_dumps(data, sort_keys=True)) + m.group(3)  # as Jinja's tojson

    return CONFIG_SCRIPT.sub(replace, output, count=1)


def _searching(config) -> bool:
    search = config["plugins"].get("material/search") or config["plugins"].get("search")
    return search is not None and search.config.enabled


def on_post_page(output, page, config):
    # A page of a language other than the default one looks for its search index, and resolves the links
    # of its results, against the root of its language.
    from mkdocs.utils import get_relative_url

    locale, _ = language_of(page.url, languages(config)[1])
    if locale is None or not _searching(config):
        return output
    return set_base(output, get_relative_url(f"{locale}/", page.url))


@event_priority(50)  # before hooks/hosting.py keeps the 404 page of each language
def on_post_template(output, template_name, config):
    # The 404 page links from the site's path (site_url), the same for every language.
    i18n = config["plugins"].get("i18n")
    default, others = languages(config)
    locale = i18n.current_language if i18n is not None else default
    if template_name != "404.html" or locale not in others or not _searching(config):
        return output
    return set_base(output, lambda base: f"{base.rstrip('/')}/{locale}/")


@event_priority(-150)  # after mkdocs-static-i18n (-100), which writes the index of all languages last
def on_post_build(config):
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not _searching(config) or not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    default, others = languages(config)
    for locale, index in split_index(data, default, others).items():
        if not index["docs"]:
            continue  # in mkdocs-static-i18n's build of one language, the others are not there yet
        target = path if locale == default else Path(config["site_dir"]) / locale / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
