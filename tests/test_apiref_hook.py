"""hooks/apiref.py: Sphinx roles become cross-references, doctest examples code blocks, and the pages'
``dlnotes.X`` code links to the reference."""
import html as html_module
import importlib.util
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import griffe
import markdown
import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
spec = importlib.util.spec_from_file_location("apiref", ROOT / "hooks" / "apiref.py")
apiref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(apiref)


def load(search_path=SRC, **kwargs):
    return griffe.load("dlnotes", search_paths=[str(search_path)], docstring_parser="sphinx", **kwargs)


@pytest.fixture(scope="module")
def package():
    return load()


@pytest.fixture(scope="module")
def resolver(package):
    return apiref.Resolver(package)


def roles_in(text):
    return [m for m in apiref.ROLE.finditer(text) if m["role"]]


# --------------------------------------------------------------------------------------------------
# Roles
# --------------------------------------------------------------------------------------------------
def test_every_role_in_the_package_becomes_a_link_to_an_entry(package, resolver):
    in_files = sum(len(roles_in(path.read_text(encoding="utf-8"))) for path in (SRC / "dlnotes").rglob("*.py"))
    seen = 0
    for obj in apiref._objects(package):
        if obj.docstring is None:
            continue
        for match in roles_in(obj.docstring.value):
            seen += 1
            out = apiref.role_markdown(match["role"], match["target"], obj, resolver)
            link = re.fullmatch(r"\[`([^`]+)`\]\[([\w.]+)\]", out)
            assert link, (obj.path, match.group(0), out)  # every role here names a dlnotes object
            anchor = resolver.lookup(link[2])
            assert anchor is not None and anchor is not apiref.EXTERNAL, (obj.path, match.group(0), out)
            assert resolver.entry(anchor) == link[2], (obj.path, match.group(0), out)
    assert seen == in_files >= 70  # no role sits where griffe sees no docstring


def test_rewriting_the_package_leaves_no_role_and_no_prompt_outside_code(package):
    package = load()  # rewritten in place: not the shared fixture
    assert apiref.rewrite_package(package) == []
    for obj in apiref._objects(package):
        if obj.docstring is None:
            continue
        text = obj.docstring.value
        assert not roles_in(text), obj.path
        outside = apiref.FENCED.sub("", text)
        assert not re.search(r"^\s*>>>", outside, re.MULTILINE), obj.path
    # Rewriting twice changes nothing (mkdocs serve, a second language's build).
    before = {obj.path: obj.docstring.value for obj in apiref._objects(package) if obj.docstring}
    assert apiref.rewrite_package(package) == []
    assert before == {obj.path: obj.docstring.value for obj in apiref._objects(package) if obj.docstring}


@pytest.mark.parametrize("owner, role, expected", [
    # `~` shows the last component only; without it, the name as written
    ("dlnotes.training.fit", ":class:`~dlnotes.loader.TensorLoader`", "[`TensorLoader`][dlnotes.loader.TensorLoader]"),
    ("dlnotes.training", ":func:`fit`", "[`fit`][dlnotes.training.fit]"),
    # re-exported lazily by dlnotes/__init__.py: resolved to the defining module
    ("dlnotes.training.fit", ":func:`dlnotes.device`", "[`dlnotes.device`][dlnotes.devices.device]"),
    ("dlnotes.loader.TensorLoader", ":func:`~dlnotes.seed_everything`",
     "[`seed_everything`][dlnotes.devices.seed_everything]"),
    # imported into the module (`from dlnotes.training import fit`): the defining module's entry
    ("dlnotes.search.fit_objective", ":func:`fit`", "[`fit`][dlnotes.training.fit]"),
    # the class's own members first, as Sphinx looks them up
    ("dlnotes.training.History", ":attr:`diverged_at`", "[`diverged_at`][dlnotes.training.History.diverged_at]"),
    ("dlnotes.tabular.diamonds", ":meth:`TabularData.to_original_units`",
     "[`TabularData.to_original_units`][dlnotes.tabular.TabularData.to_original_units]"),
    # a module: its section's heading (`## dlnotes.checkpoints { #dlnotes.checkpoints }`)
    ("dlnotes.callbacks.ModelCheckpoint", ":mod:`dlnotes.checkpoints`", "[`dlnotes.checkpoints`][dlnotes.checkpoints]"),
    # no entry of its own (no docstring): the nearest entry holding it
    ("dlnotes.tabular.diamonds", ":data:`NUMERIC`", "[`NUMERIC`][dlnotes.tabular]"),
    ("dlnotes.scratch.search.GeneticSearch", ":meth:`fit`", "[`fit`][dlnotes.scratch.search.GeneticSearch]"),
    # other libraries, builtins: plain inline code
    ("dlnotes.training.fit", ":class:`torch.nn.Module`", "`torch.nn.Module`"),
    ("dlnotes.training.fit", ":class:`nn.Module`", "`nn.Module`"),  # `from torch import nn` in training.py
    ("dlnotes.plots", ":func:`np.linspace`", "`np.linspace`"),      # `import numpy as np`
    ("dlnotes.training.fit", ":exc:`ValueError`", "`ValueError`"),
    # Sphinx's other target forms
    ("dlnotes.training", ":func:`the loop <fit>`", "[`the loop`][dlnotes.training.fit]"),
    ("dlnotes.training", ":py:func:`!fit`", "`fit`"),
])
def test_role(package, resolver, owner, role, expected):
    match = roles_in(role)[0]
    assert apiref.role_markdown(match["role"], match["target"], package[owner.removeprefix("dlnotes.")], resolver) == expected


@pytest.mark.parametrize("role", [":func:`fitt`", ":func:`dlnotes.fitt`", ":class:`dlnotes.training.Histroy`",
                                  ":meth:`History.no_such_method`", ":class:`Tabulardata.x`",
                                  ":mod:`dlnotes._checks`"])
def test_an_unknown_dlnotes_name_is_an_error_naming_the_docstring_and_the_role(package, resolver, role):
    owner = package["training.fit"]
    with pytest.raises(apiref.UnknownReference) as error:
        apiref.rewrite_docstring(f"Trains. See {role}.", owner, resolver)
    message = str(error.value)
    assert "dlnotes.training.fit" in message and "training.py:" in message and role in message


def test_a_role_inside_a_literal_stays_text(package, resolver):
    text = "Written ``:func:`fit``` in RST."
    assert apiref.rewrite_docstring(text, package["training"], resolver) == text


def test_the_griffe_extension_warns_so_that_a_strict_build_stops(tmp_path, caplog):
    pkg = tmp_path / "dlnotes"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('"""Package."""\n')
    (pkg / "training.py").write_text(
        '"""Training."""\n\n\ndef fit():\n    """Train; see :func:`evaluate` and :func:`evalute`.\n\n'
        '    >>> fit()\n    1\n    """\n\n\ndef evaluate():\n    """Evaluate."""\n')
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.apiref"):
        package = load(tmp_path, extensions=griffe.load_extensions(apiref.ApiReference))
    # mkdocs counts the warnings of its `mkdocs.*` loggers: `strict: true` aborts the build on this one
    [record] = [r for r in caplog.records if r.name == "mkdocs.hooks.apiref"]
    assert record.levelno == logging.WARNING
    assert "dlnotes.training.fit" in record.getMessage() and ":func:`evalute`" in record.getMessage()
    # the rest of the docstring is still rewritten
    text = package["training.fit"].docstring.value
    assert "[`evaluate`][dlnotes.training.evaluate]" in text and "`evalute`" in text and "```pycon" in text


# --------------------------------------------------------------------------------------------------
# Examples
# --------------------------------------------------------------------------------------------------
AUGMENT = '''Augmented wraps a loader.

>>> x = torch.arange(9.0).reshape(1, 1, 3, 3)  # (B, C, H, W)
>>> random_affine(x, flip=1.0)[0, 0]            # every image mirrored left to right
tensor([[2., 1., 0.],
        [5., 4., 3.],
        [8., 7., 6.]])

After the example.'''


def test_an_example_becomes_a_pycon_code_block():
    out = apiref.fence_examples(AUGMENT)
    assert out == AUGMENT.replace(">>> x", "```pycon\n>>> x").replace("6.]])", "6.]])\n```")
    assert apiref.fence_examples(out) == out  # already fenced: left alone
    html = markdown.markdown(out, extensions=["pymdownx.superfences", "pymdownx.highlight"])
    assert "<blockquote>" not in html
    [block] = re.findall(r"<pre.*?</pre>", html, re.DOTALL)
    lines = html_module.unescape(re.sub(r"<[^>]+>", "", block)).splitlines()
    assert lines == AUGMENT.split("\n")[2:7]  # every line, as it was
    assert 'class="gp"' in block and 'class="go"' in block  # highlighted as a console session: prompts, output


def test_examples_in_a_paragraph_or_indented_get_their_own_fence():
    assert apiref.fence_examples("Text:\n>>> f(1)\n2") == "Text:\n\n```pycon\n>>> f(1)\n2\n```"
    assert (apiref.fence_examples(":param x: a number\n\n    >>> f(x)\n    ... # more\n    3\n")
            == ":param x: a number\n\n    ```pycon\n    >>> f(x)\n    ... # more\n    3\n    ```\n")
    kept = "```python\n>>> inside a fence\n```"
    assert apiref.fence_examples(kept) == kept
    assert apiref.fence_examples("a >>> b in a sentence") == "a >>> b in a sentence"


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def entry_of(resolver):
    return apiref.page_entry_of(resolver, apiref.reference_sections(str(ROOT / "docs")), "page.md")


def test_code_naming_a_dlnotes_object_links_to_its_entry(entry_of):
    link = apiref.link_code
    assert (link("<p>Train with <code>dlnotes.fit</code>.</p>", entry_of)
            == '<p>Train with <autoref identifier="dlnotes.training.fit"><code>dlnotes.fit</code></autoref>.</p>')
    assert ('<autoref identifier="dlnotes.tabular.diamonds"><code>dlnotes.diamonds(seed=0)</code></autoref>'
            in link("<li><code>dlnotes.diamonds(seed=0)</code></li>", entry_of))
    assert ('identifier="dlnotes.scratch.engine.Value"' in link("<code>dlnotes.scratch.engine.Value</code>", entry_of))
    assert 'identifier="dlnotes.inspect"' in link("<code>dlnotes.inspect</code>", entry_of)
    kept = ['<a href="x"><code>dlnotes.fit</code></a>',                     # already a link
            '<pre><code>dlnotes.fit(model)\n<code>dlnotes.fit</code></code></pre>',  # a code block
            '<code class="highlight">dlnotes.fit</code>',                    # highlighted inline code
            '<code>dlnotes.fit.something_else</code>', '<code>dlnotes._checks</code>',  # no entry
            '<code>dlnotes.fit + 1</code>', '<code>dlnotes</code>',
            '<h2 id="x"><code>dlnotes.fit</code></h2>']
    for html in kept:
        assert link(html, entry_of) == html, html


def test_an_unknown_dlnotes_name_on_a_page_is_warned_about(entry_of, caplog):
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.apiref"):
        assert apiref.link_code("<code>dlnotes.fitt</code>", entry_of) == "<code>dlnotes.fitt</code>"
    assert "page.md" in caplog.text and "dlnotes.fitt" in caplog.text


def test_the_reference_page_is_left_alone():
    html = "<p><code>dlnotes.fit</code></p>"
    for src in ("reference.md", "reference.zh.md"):
        page = SimpleNamespace(file=SimpleNamespace(src_uri=src))
        assert apiref.on_page_content(html, page, config=None, files=None) == html


def test_every_module_section_of_the_reference_carries_its_path_as_id():
    for name in ("reference.md", "reference.zh.md"):
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        sections = re.findall(r"^:::[ \t]+(\S+)", text, re.MULTILINE)
        assert sections and set(sections) == apiref.reference_sections(str(ROOT / "docs"))
        for section in sections:
            assert f"## {section} {{ #{section} }}" in text, (name, section)
