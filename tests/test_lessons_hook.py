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


def test_the_run_box_says_which_size_of_run_a_lesson_with_FULL_was():
    for full, en_words, zh_words in ((False, "smaller run, sized for a CPU", "缩小了规模"),
                                     (True, "larger run a CUDA GPU affords", "更大规模的运行")):
        nb = notebook()
        nb.metadata["dlnotes"] = {**INFO, "full": full}
        assert en_words in hook.for_language(nb, "en").cells[1].source
        assert zh_words in hook.for_language(nb, "zh").cells[1].source
    plain = hook.for_language(notebook(), "en").cells[1].source  # a lesson without FULL: no size sentence
    assert "CPU: test" in plain and "sized" not in plain


def test_admonitions_become_html_that_notebook_markdown_can_show():
    title = hook.for_language(notebook(), "en").cells[0].source
    assert '<div class="admonition note">' in title and "It holds." in title and "!!!" not in title


def test_progress_bars_show_their_last_state():
    nb = notebook()
    nb.cells[-1].outputs = [{"output_type": "stream", "name": "stdout", "text": "\r 10%|#\r100%|##########\nloss 1\n"}]
    nb.cells[-1].outputs = [nbformat.from_dict(o) for o in nb.cells[-1].outputs]
    out = hook.for_language(nb, "en").cells[-1].outputs[0].text
    assert out == "100%|##########\nloss 1\n"


# ---------------------------------------------------------------- the exact cache

LESSON_USING_METRICS = '''# %% [markdown] lang="en"
# # Uses one module
# %% [markdown] lang="zh"
# # 只用一个模块
# %%
from dlnotes import accuracy
import torch
print(float(accuracy(torch.tensor([[0.0, 1.0]]), torch.tensor([1]))))
'''


def test_a_run_records_what_it_used_and_stays_cached_until_that_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(hook, "CACHE", tmp_path / "cache")
    lesson = tmp_path / "uses_metrics.py"
    lesson.write_text(LESSON_USING_METRICS, encoding="utf-8")
    (run,) = hook.executed_lessons([lesson], jobs=1).values()
    assert run.cells[-1].outputs[0]["text"] == "1.0\n"
    deps = hook.nbformat.read(next((tmp_path / "cache").glob("uses_metrics-*.ipynb")), as_version=4) \
        .metadata["dlnotes_dependencies"]
    # Lazy loading: the lesson pulled in metrics (and what metrics imports), not the whole package.
    assert "src/dlnotes/metrics.py" in deps["modules"] and "src/dlnotes/_checks.py" in deps["modules"]
    assert "src/dlnotes/plots.py" not in deps["modules"] and "src/dlnotes/training.py" not in deps["modules"]
    assert "torch" in deps["versions"] and deps["files"] == {}
    assert hook.stale(deps) is None

    def must_not_run(*args, **kwargs):
        raise AssertionError("a cached lesson was executed again")
    monkeypatch.setattr(hook, "execute_all", must_not_run)
    lesson.write_text(LESSON_USING_METRICS.replace("# # Uses one module", "# # Reworded"), encoding="utf-8")
    (again,) = hook.executed_lessons([lesson]).values()  # prose edited: cached
    assert again.cells[0].source == "# Reworded" and again.cells[-1].outputs == run.cells[-1].outputs


def test_stale_names_what_changed(tmp_path):
    module = "src/dlnotes/metrics.py"
    digest = hook._sha(hook.ROOT / module)
    assert hook.stale({"modules": {module: digest}, "files": {}, "versions": {}}) is None
    assert hook.stale({"modules": {module: "0" * 64}, "files": {}, "versions": {}}) == f"{module} changed"
    data = tmp_path / "table.csv"
    data.write_text("a\n1\n")
    deps = {"modules": {}, "files": {str(data): hook._stat(data)}, "versions": {"torch": "0.0.1"}}
    assert hook.stale(deps) == "torch 0.0.1 is now " + hook.importlib.metadata.version("torch")
    deps["versions"] = {}
    assert hook.stale(deps) is None
    data.write_text("a\n1\n2\n")
    assert hook.stale(deps) == f"data file {data} changed"
    assert hook.stale(None) == "no record of what it used"


def test_data_files_read_through_dlnotes_are_recorded(tmp_path):
    from dlnotes import _record
    from dlnotes.tabular import diamonds_csv, diamonds_frame
    diamonds_frame()
    assert str(diamonds_csv()) in _record.FILES_READ


def test_jobs_come_from_the_environment_or_the_cores(monkeypatch):
    monkeypatch.setenv("DLNOTES_JOBS", "3")
    assert hook.default_jobs() == 3
    monkeypatch.setenv("DLNOTES_JOBS", "many")
    try:
        hook.default_jobs()
    except hook.PluginError as err:
        assert "DLNOTES_JOBS='many'" in str(err)
    else:
        raise AssertionError("DLNOTES_JOBS='many' was accepted")


def test_links_written_as_files_become_the_sites_urls_seen_from_a_lesson():
    text = ("See [losses](../losses.md#smooth-l1), [the lesson](shuffling.ipynb), [home](../index.md), "
            "[web](https://pytorch.org/x.md) and [here](#top).")
    assert hook.site_links(text) == ("See [losses](../../losses/#smooth-l1), [the lesson](../../lessons/shuffling/), "
                                     "[home](../../), [web](https://pytorch.org/x.md) and [here](#top).")
    source = SOURCE.replace("It holds.", "It holds, see [BN](../batch_norm.md).")
    page = hook.for_language(notebook(source), "en")
    assert 'href="../../batch_norm/"' in page.cells[0].source


def test_a_figure_becomes_a_lazy_file_in_each_language():
    nb = notebook()
    svg = ('<svg width="360pt" height="180pt" viewBox="0 0 360 180">'
           '<g id="dlnotes-text-0">\n<text style="font-family: \'DejaVu Sans\'">test loss</text>\n</g></svg>')
    nb.cells[-1].outputs = [nbformat.v4.new_output(
        "display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"},
        metadata={"image/svg+xml": {"dlnotes_texts": {"dlnotes-text-0": ["title", 0, "test loss"]}}})]
    table = {"demo": {"test loss": "测试损失"}}
    en_files, zh_files = {}, {}
    en = hook.for_language(nb, "en", "demo", table, en_files)
    zh = hook.for_language(nb, "zh", "demo", table, zh_files)
    assert list(en_files) == ["demo-1.svg"] and list(zh_files) == ["demo-1.zh.svg"]
    assert "测试损失" in zh_files["demo-1.zh.svg"] and "test loss" in en_files["demo-1.svg"]
    en_img, zh_img = (page.cells[-1].outputs[0].data["text/html"] for page in (en, zh))
    assert 'src="../figures/demo-1.svg"' in en_img and 'src="../figures/demo-1.svg"' in zh_img
    assert 'alt="Figure: “test loss”."' in en_img and 'alt="图：“测试损失”。"' in zh_img
    assert "image/svg+xml" not in str(en.cells[-1].outputs)     # the page holds no figure inline
    # without a place for the files (the claims page reading a lesson), outputs stay as they are
    assert hook.for_language(nb, "zh").cells[-1].outputs[0].data["image/svg+xml"] == svg


def test_the_figure_setup_is_part_of_a_runs_key():
    assert hook._figures.SETUP_CELL.splitlines()[0] == "%config InlineBackend.figure_formats = ['svg']"
    key = hook.code_key(notebook())
    original = hook._figures.SETUP_CELL
    try:
        hook._figures.SETUP_CELL = original + "\n# changed"
        assert hook.code_key(notebook()) != key
    finally:
        hook._figures.SETUP_CELL = original


def test_the_downloaded_notebook_has_its_figures_inline_in_its_language():
    nb = notebook()
    svg = '<svg viewBox="0 0 9 9"><g id="dlnotes-text-0">\n<text style="font-family: x">test loss</text>\n</g></svg>'
    nb.cells[-1].outputs = [nbformat.v4.new_output(
        "display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"},
        metadata={"image/svg+xml": {"dlnotes_texts": {"dlnotes-text-0": ["title", 0, "test loss"]},
                                    "dlnotes_narrow": svg}})]
    zh = hook.downloadable(nb, "zh", "demo", {"demo": {"test loss": "测试损失"}})
    output = zh.cells[-1].outputs[0]
    assert "测试损失" in output.data["image/svg+xml"] and output.metadata == {}
    assert "../figures/" not in nbformat.writes(zh)
    assert nb.cells[-1].outputs[0].data["image/svg+xml"] == svg   # the run's notebook is left as it was
