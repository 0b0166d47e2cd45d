"""hooks/lessons.py: what triggers re-execution, and what each language's page holds."""
import importlib.util
from pathlib import Path

import jupytext
import nbformat

spec = importlib.util.spec_from_file_location("lessons_hook", Path(__file__).parent.parent / "hooks" / "lessons.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)

SOURCE = '''# %% [markdown] lang="en"
# # Title
#
# !!! note "Verdict"
#     It holds.

# %% [markdown] lang="zh"
# # 标题

# %%
print(1)
'''
INFO = {"device": "CPU: test", "torch": "2.x", "seconds": 3.2, "date": "2026-01-01"}


def notebook(text=SOURCE):
    nb = jupytext.reads(text, fmt="py:percent")
    nb.metadata["dlnotes"] = INFO
    return nb


def test_prose_edits_keep_the_key_code_edits_change_it():
    key = hook.code_key(notebook())
    assert hook.code_key(notebook(SOURCE.replace("# # 标题", "# # 新标题"))) == key
    assert hook.code_key(notebook(SOURCE.replace("print(1)", "print(2)"))) != key


def test_each_language_gets_its_prose_the_shared_code_and_the_run_box():
    en, zh = hook.for_language(notebook(), "en"), hook.for_language(notebook(), "zh")
    assert [c.cell_type for c in en.cells] == ["markdown", "markdown", "code"]
    assert en.cells[0].source.startswith("# Title") and zh.cells[0].source == "# 标题"
    assert "CPU: test" in en.cells[1].source and "用时 3 秒" in zh.cells[1].source
    assert en.cells[2].source == zh.cells[2].source == "print(1)"


def test_admonitions_become_html_that_notebook_markdown_can_show():
    title = hook.for_language(notebook(), "en").cells[0].source
    assert '<div class="admonition note">' in title and "It holds." in title and "!!!" not in title


def test_progress_bars_show_their_last_state():
    nb = notebook()
    nb.cells[-1].outputs = [{"output_type": "stream", "name": "stdout", "text": "\r 10%|#\r100%|##########\nloss 1\n"}]
    nb.cells[-1].outputs = [nbformat.from_dict(o) for o in nb.cells[-1].outputs]
    out = hook.for_language(nb, "en").cells[-1].outputs[0].text
    assert out == "100%|##########\nloss 1\n"
