"""The API reference reads as a reference, and the pages' ``dlnotes`` names link to it.

The package's docstrings are Sphinx-style reStructuredText; mkdocstrings renders
them as Markdown. Two constructs of theirs mean nothing to Markdown:

* cross-reference roles (``:func:`fit```, ``:class:`~dlnotes.loader.TensorLoader```):
  the role name showed as text, the target as code;
* doctest examples (``>>>`` lines and their output): ``>`` opens a block
  quote, so each example became three nested quotes with its lines run together.

This file is two things at once:

* a Griffe extension (``ApiReference``), named in mkdocstrings' ``extensions``
  option. Once the package is loaded, before any docstring is parsed, it
  rewrites every docstring: each role becomes an autorefs cross-reference
  ``[`fit`][dlnotes.training.fit]`` (so the link is autorefs' own, resolved
  like every other one and checked by it), a role naming another library's
  object (``torch.nn.Module``, ``ValueError``) plain inline code, and each
  example a fenced ``pycon`` block. A role naming no ``dlnotes`` object is
  logged as a warning that names the docstring and the role: a strict build
  stops on it.
* a MkDocs hook: on every page but the reference, inline code that is exactly
  a public ``dlnotes`` name (``dlnotes.fit``, ``dlnotes.scratch.engine.Value``,
  or such a name called, ``dlnotes.diamonds(seed=0)``), outside links and code
  blocks, becomes an autorefs cross-reference to that name's entry. autorefs'
  ``resolve_closest`` sends a Chinese page to the Chinese reference.

Names resolve as Sphinx resolves them: a bare or relative name in the scope of
the docstring's object (its class, its module, the enclosing packages), an
absolute one from the package; names the package re-exports lazily
(``dlnotes.device``, listed in ``dlnotes._EXPORTS``) resolve to the module that
defines them; ``~`` shows the last component only. An object the reference has
no entry of its own for (a constant or method without a docstring) links to
the nearest entry that holds it: its class, or its module's section, whose
heading carries the module's path as its id (``{ #dlnotes.tabular }`` in
``docs/reference.md``).
"""
from __future__ import annotations

import ast
import builtins
import html as htmllib
import importlib.util
import logging
import re
from pathlib import Path, PurePosixPath

import griffe

log = logging.getLogger("mkdocs.hooks.apiref")

PACKAGE = "dlnotes"
REFERENCE = "reference.md"   # the reference page (its Chinese twin is reference.zh.md): no links added there
EXPORTS = "_EXPORTS"         # the package's table of lazily re-exported names: name -> defining module
PRIVATE = re.compile(r"^_")  # mkdocstrings' `filters: ["!^_"]`: such members have no entry

# A double-backquoted literal (kept as it is: a role inside it is text), or a role. Roles may carry the
# Python domain (`:py:func:`) and the target may be `title <target>`, `~target` or `!target` (no link).
ROLE = re.compile(
    r"(?P<literal>``.+?``)"
    r"|:(?:py:)?(?P<role>class|func|meth|attr|mod|data|const|exc|obj|type):`(?P<target>[^`]+)`",
    re.DOTALL)
EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
PROMPT = re.compile(r"^(?P<indent>[ \t]*)>>>(?: |$)")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
NAME = re.compile(DOTTED)
FENCED = re.compile(r"(^[ \t]*(?:`{3,}|~{3,})[^\n]*\n.*?^[ \t]*(?:`{3,}|~{3,})[ \t]*$)", re.MULTILINE | re.DOTALL)


class UnknownReference(ValueError):
    """A role, or a page's inline code, names a ``dlnotes`` object that does not exist."""


class External:
    """What a name of another library resolves to: no entry here, shown as plain inline code."""

    def __repr__(self):
        return "EXTERNAL"


EXTERNAL = External()


# --------------------------------------------------------------------------------------------------
# Resolving names against the loaded package
# --------------------------------------------------------------------------------------------------
class Resolver:
    """Names -> the package's objects (``griffe`` objects), and objects -> their reference entry."""

    def __init__(self, package: griffe.Module):
        self.package = package
        self.exports: dict[str, str] = {}
        table = package.members.get(EXPORTS)
        if table is not None and not table.is_alias and getattr(table, "value", None) is not None:
            self.exports = ast.literal_eval(str(table.value))

    def _internal(self, path: str) -> bool:
        return path == self.package.path or path.startswith(self.package.path + ".")

    def lookup(self, path: str, _depth: int = 0):
        """The object at absolute dotted ``path`` (aliases and re-exports followed): an object, EXTERNAL or None."""
        if _depth > 20:  # an import cycle
            return None
        parts = path.split(".")
        if parts[0] != self.package.name:
            return None
        obj = self.package
        for part in parts[1:]:
            member = obj.members.get(part)
            if member is None and obj is self.package and part in self.exports:
                member = self.lookup(f"{self.package.path}.{self.exports[part]}.{part}", _depth + 1)
                if member is None:
                    return None
            if member is None:
                return None
            if member is EXTERNAL:
                return EXTERNAL
            if member.is_alias:
                target = member.target_path
                if not self._internal(target):
                    return EXTERNAL
                member = self.lookup(target, _depth + 1)
                if member is None or member is EXTERNAL:
                    return member
            obj = member
        return obj

    @staticmethod
    def scopes(owner) -> list:
        """Where a relative name in ``owner``'s docstring is looked for, innermost first (as Sphinx does)."""
        scope = owner if (owner.is_class or owner.is_module) else owner.parent
        chain = []
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        return chain

    def resolve(self, name: str, owner):
        """What ``name``, written in ``owner``'s docstring, names: an object or EXTERNAL.

        Raises UnknownReference when it names no object of the package and no other library's.
        """
        first, _, rest = name.partition(".")
        if first == self.package.name:
            found = self.lookup(name)
            if found is None:
                raise UnknownReference(f"no object {name!r} in the {self.package.name} package")
            return found
        for scope in self.scopes(owner):
            if first in scope.members or (scope is self.package and first in self.exports):
                found = self.lookup(f"{scope.path}.{name}")
                if found is None:
                    raise UnknownReference(f"{scope.path}.{first} has no member {rest!r}")
                return found
        module = owner if owner.is_module else owner.module
        imported = module.imports.get(first)  # `import numpy as np`, `import torch`: not members to griffe
        if imported is not None:
            if self._internal(imported):
                return self.resolve(imported + ("." + rest if rest else ""), owner)
            return EXTERNAL
        if not rest and hasattr(builtins, first):
            return EXTERNAL
        if rest and _importable(first):
            return EXTERNAL
        looked = ", ".join(scope.path for scope in self.scopes(owner))
        raise UnknownReference(f"{name!r} names nothing in {looked}, nor a builtin or an importable module")

    def entry(self, obj) -> str | None:
        """The id of the reference entry that documents ``obj``: its own, else the nearest one holding it.

        None when the reference shows nothing of it (a private module, a package).
        """
        chain = []
        while obj is not None and obj is not self.package:
            chain.append(obj)
            obj = obj.parent
        chain.reverse()
        # Down from the package: a public module is a section of the reference; under it, a public class,
        # function or attribute has an entry when mkdocstrings shows it (it or a member has a docstring).
        shown = None
        for item in chain:
            if PRIVATE.match(item.name):
                break
            if item.is_module:
                if item.is_package:
                    continue  # dlnotes.scratch: its modules have sections, it has none
                shown = item
                continue
            if shown is None or not (shown.is_module or shown.is_class) or item.parent is not shown:
                break
            if not item.has_docstrings:
                break
            shown = item
        return None if shown is None else shown.path


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


# --------------------------------------------------------------------------------------------------
# Docstrings: roles -> cross-references, examples -> code blocks
# --------------------------------------------------------------------------------------------------
def role_markdown(role: str, target: str, owner, resolver: Resolver) -> str:
    """The Markdown a role ``:role:`target``` stands for, in ``owner``'s docstring."""
    title = None
    explicit = EXPLICIT_TITLE.match(target)
    if explicit:
        title, target = explicit["title"], explicit["target"]
    target = target.strip()
    no_link = target.startswith("!")
    target = target.lstrip("!")
    short = target.startswith("~")
    target = target.lstrip("~").lstrip(".")
    if not NAME.fullmatch(target):
        raise UnknownReference(f"{target!r} is not a dotted Python name")
    if title is None:
        title = target.rsplit(".", 1)[-1] if short else target
    title = " ".join(title.split())  # a title may be wrapped over lines
    found = resolver.resolve(target, owner)
    if found is EXTERNAL or no_link:
        return f"`{title}`"
    anchor = resolver.entry(found)
    if anchor is None:
        raise UnknownReference(f"{found.path} has no entry in the API reference (private, or a package)")
    return f"[`{title}`][{anchor}]"


def fence_examples(text: str) -> str:
    """``text`` with each doctest example (``>>>`` lines, continuations, output) in a fenced ``pycon`` block.

    An example runs to the next empty line, as doctest has it. Text already in a fence stays as it is.
    """
    lines, out, i, fence = text.split("\n"), [], 0, None
    while i < len(lines):
        line = lines[i]
        opener = FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            out.append(line)
            i += 1
            continue
        if opener:
            fence = opener.group(1)
            out.append(line)
            i += 1
            continue
        prompt = PROMPT.match(line)
        if not prompt:
            out.append(line)
            i += 1
            continue
        indent = prompt["indent"]
        block = []
        while i < len(lines) and lines[i].strip():
            block.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        if out and out[-1].strip():
            out.append("")  # a fence must not continue a paragraph
        out.append(f"{indent}```pycon")
        out.extend(f"{indent}{b}" if b else b for b in block)
        out.append(f"{indent}```")
    return "\n".join(out)


def rewrite_docstring(text: str, owner, resolver: Resolver, on_error=None) -> str:
    """``owner``'s docstring ``text`` as Markdown: roles as cross-references, examples as code blocks.

    A role that names nothing raises UnknownReference, its message naming the docstring's object and the
    role; with ``on_error``, that is called with the message instead and the role becomes plain code.
    """
    text = fence_examples(text)

    def replace(match: re.Match) -> str:
        if match["literal"]:
            return match["literal"]
        try:
            return role_markdown(match["role"], match["target"], owner, resolver)
        except UnknownReference as error:
            message = f"{owner.path} (docstring, {_where(owner)}): {match.group(0)}: {error}"
            if on_error is None:
                raise UnknownReference(message) from None
            on_error(message)
            return f"`{match['target'].lstrip('!~.')}`"

    parts = FENCED.split(text)  # odd parts: fenced blocks, left alone
    return "".join(part if k % 2 else ROLE.sub(replace, part) for k, part in enumerate(parts))


def _where(obj) -> str:
    try:
        return f"{obj.relative_filepath}:{obj.docstring.lineno}"
    except Exception:  # noqa: BLE001 - only for the message
        return "source unknown"


def _objects(obj):
    """``obj`` and every object defined under it (aliases, i.e. imported names, skipped)."""
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)


def rewrite_package(package: griffe.Module) -> list[str]:
    """Rewrite every docstring of ``package`` in place; returns the problems found, one message each."""
    resolver = Resolver(package)
    problems: list[str] = []
    for obj in _objects(package):
        if obj.docstring is None:
            continue
        obj.docstring.value = rewrite_docstring(obj.docstring.value, obj, resolver, on_error=problems.append)
        obj.docstring.__dict__.pop("parsed", None)  # parsed lazily: drop a parse of the old text, if any
    return problems


class ApiReference(griffe.Extension):
    """Griffe extension: the package's docstrings rewritten as Markdown with cross-references."""

    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        if pkg.name != PACKAGE:
            return
        for problem in rewrite_package(pkg):
            log.warning(f"API reference: {problem}")


# --------------------------------------------------------------------------------------------------
# The pages: inline code naming a dlnotes object -> a link to its entry
# --------------------------------------------------------------------------------------------------
# Regions whose code stays as it is: code blocks, links (and links to be), scripts, headings.
PROTECTED = re.compile(r"<(pre|a|autoref|script|style|textarea|h[1-6])\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
CODE_NAME = re.compile(
    rf"<code>(?P<name>{re.escape(PACKAGE)}(?:\.[A-Za-z_]\w*)+)(?P<call>\([^<]*\))?</code>")


def link_code(html: str, entry_of) -> str:
    """``html`` with each ``<code>dlnotes.X</code>`` (or ``dlnotes.X(...)``) outside links and code blocks
    wrapped in an autorefs cross-reference to ``entry_of("dlnotes.X")``; left alone where that is None."""

    def link(match: re.Match) -> str:
        anchor = entry_of(match["name"])
        if anchor is None:
            return match.group(0)
        return f'<autoref identifier="{htmllib.escape(anchor)}">{match.group(0)}</autoref>'

    out, last = [], 0
    for region in PROTECTED.finditer(html):
        out.append(CODE_NAME.sub(link, html[last:region.start()]))
        out.append(region.group(0))
        last = region.end()
    out.append(CODE_NAME.sub(link, html[last:]))
    return "".join(out)


def page_entry_of(resolver: Resolver, sections: set[str] | None, where: str):
    """``name -> entry id or None`` for a page: unknown names warned about, unlisted ones left unlinked."""

    def entry_of(name: str) -> str | None:
        found = resolver.lookup(name)
        if found is None:
            log.warning(f"{where}: `{name}` names no object of the {PACKAGE} package (a typo, or renamed?)")
            return None
        if found is EXTERNAL:
            return None
        anchor = resolver.entry(found)
        if anchor is None:
            return None
        if sections is not None and not any(anchor == s or anchor.startswith(s + ".") for s in sections):
            return None  # a module the reference does not show
        return anchor

    return entry_of


_state: dict = {}


def _resolver(config) -> Resolver | None:
    if "resolver" not in _state:
        _state["resolver"] = None
        plugin = config["plugins"].get("mkdocstrings")
        if plugin is not None:
            handler = plugin.handlers.get_handler("python")
            package = handler.collect(PACKAGE, handler.get_options({}))  # loaded once, shared with the reference
            _state["resolver"] = Resolver(package)
    return _state["resolver"]


def reference_sections(docs_dir: str) -> set[str] | None:
    """The identifiers the reference page documents (``::: dlnotes.training``), or None without the page."""
    try:
        text = (Path(docs_dir) / REFERENCE).read_text(encoding="utf-8")
    except OSError:
        return None
    return set(re.findall(rf"^:::[ \t]+({DOTTED})[ \t]*$", text, flags=re.MULTILINE))


def on_pre_build(config):
    _state.clear()  # each build (each language, each `mkdocs serve` rebuild) starts afresh


def on_page_content(html, page, config, files):
    if f"<code>{PACKAGE}." not in html:
        return html
    src = PurePosixPath(page.file.src_uri)
    if src.parent / (src.name.split(".", 1)[0] + ".md") == PurePosixPath(REFERENCE):
        return html
    resolver = _resolver(config)
    if resolver is None:
        return html
    if "sections" not in _state:
        _state["sections"] = reference_sections(config["docs_dir"])
    return link_code(html, page_entry_of(resolver, _state["sections"], page.file.src_uri))
