"""hooks/figures.py: lesson figures as SVG files, their text translated for the Chinese page."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
spec = importlib.util.spec_from_file_location("figures", ROOT / "hooks" / "figures.py")
figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(figures)

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="468pt" height="252pt" viewBox="0 0 468 252">\n'
       ' <g id="dlnotes-text-1">\n  <text style="font-size: 10px; font-family: \'DejaVu Sans\', sans-serif; '
       'text-anchor: middle" x="5" y="5">Test accuracy</text>\n </g>\n'
       ' <g id="dlnotes-text-2">\n  <text style="font-size: 9px; font-family: \'DejaVu Sans\'" x="1" y="1">epoch</text>\n </g>\n'
       ' <g id="dlnotes-text-3">\n  <text style="font-size: 9px" x="1" y="1">0.5</text>\n </g>\n'
       ' <g id="dlnotes-text-4">\n  <text x="1" y="1">SGD &amp; Adam</text>\n </g>\n'
       ' <g id="dlnotes-text-5">\n  <text x="1" y="1">two</text>\n  <text x="1" y="9">lines</text>\n </g>\n</svg>')
TEXTS = {"dlnotes-text-1": ["title", 0, "Test accuracy"], "dlnotes-text-2": ["xlabel", 0, "epoch"],
         "dlnotes-text-3": ["tick", 0, "0.5"], "dlnotes-text-4": ["legend", 0, "SGD & Adam"],
         "dlnotes-text-5": ["text", 0, "two\nlines"]}
TABLE = {"_all": {"epoch": "轮", "two\nlines": "两\n行"}, "demo": {"Test accuracy": "测试准确率"}}


def test_a_chinese_figure_has_its_strings_translated_and_cjk_fonts():
    zh = figures.localise_svg(SVG, TEXTS, "demo", TABLE)
    assert ">测试准确率</text>" in zh and ">轮</text>" in zh and ">0.5</text>" in zh
    assert ">SGD &amp; Adam</text>" in zh                   # names stay, escaped as they were
    assert ">两</text>" in zh and ">行</text>" in zh          # each line of a multi-line text
    assert "Noto Sans CJK SC" in zh and "Test accuracy" not in zh


def test_a_string_without_translation_fails_naming_it():
    with pytest.raises(figures.FigureTextError, match="'Test accuracy'.*figure_text.zh.yml.*'other'"):
        figures.localise_svg(SVG, TEXTS, "other", TABLE)
    with pytest.raises(figures.FigureTextError, match="2 line"):
        figures.localise_svg(SVG, TEXTS, "demo", {**TABLE, "_all": {"epoch": "轮", "two\nlines": "两行"}})
    assert figures.untranslated("SGD, lr = 0.1") == [] and figures.untranslated("the loss") == ["the", "loss"]


def test_alt_text_says_what_the_figure_shows_in_each_language():
    assert figures.alt_text(TEXTS, "en", "demo", TABLE) == \
        "Figure: “Test accuracy”, epoch, legend: SGD & Adam."
    assert figures.alt_text(TEXTS, "zh", "demo", TABLE) == "图：“测试准确率”，轮，图例：SGD & Adam。"
    two = {**TEXTS, "a": ["title", 1, "Loss"], "b": ["xlabel", 1, "step"], "c": ["ylabel", 1, "loss"]}
    assert figures.alt_text(two, "en", "demo", TABLE).startswith("Figure, 2 panels: “Test accuracy”")
    assert "loss against step" in figures.alt_text(two, "en", "demo", TABLE)


def test_the_img_is_lazy_sized_and_opens_full_size():
    html = figures.figure_html("../figures/demo-1.svg", SVG, 'a "quoted" alt')
    assert 'loading="lazy"' in html and 'width="624" height="336"' in html
    assert 'alt="a &quot;quoted&quot; alt"' in html and 'class="glightbox" href="../figures/demo-1.svg"' in html


def test_the_translation_file_is_well_formed(tmp_path):
    table = figures.load_translations(ROOT / "lessons" / "figure_text.zh.yml")
    assert set(table) - {"_all"} <= {p.stem for p in (ROOT / "lessons").glob("*.py")}
    bad = tmp_path / "bad.yml"
    bad.write_text("- a list\n")
    with pytest.raises(figures.FigureTextError, match="mapping"):
        figures.load_translations(bad)


def test_a_string_whose_numbers_the_run_decides_is_still_translated():
    table = {"demo": {"SGD, 10000 training images, batch 128": "SGD，批量 128，10000 张训练图片",
                      "{n} trials": "{n} 次试验"}}
    assert figures.translate("SGD, 55000 training images, batch 128", "demo", table) == "SGD，批量 128，55000 张训练图片"
    assert figures.translate("12 trials", "demo", table) == "12 次试验"
    with pytest.raises(figures.FigureTextError):
        figures.translate("SGD, 55000 training images, batch 128, 3 seeds", "demo", table)


def test_a_grid_of_panels_is_redrawn_two_to_a_row_and_one_to_a_row_for_phones():
    import sys
    sys.path.insert(0, str(ROOT / "hooks"))
    import figure_kernel as kernel
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(17, 6.6), sharex=True, sharey=True)
    for i, ax in enumerate(axes.flat):
        ax.plot([0, 1], [0, i])
        ax.set_title(f"panel {i}")
    axes[1, 0].set_xlabel("x")
    axes[0, 0].legend(["line"], fontsize=6)
    wide, meta = kernel.lesson_svg(fig)
    assert fig.get_figwidth() == kernel.WIDE
    rows = {ax.get_subplotspec().rowspan.start for ax in fig.axes}
    cols = {ax.get_subplotspec().colspan.start for ax in fig.axes}
    assert (len(rows), len(cols)) == (4, 2)
    assert 'width="468pt"' in wide and 'width="288pt"' in meta["dlnotes_narrow"]   # 6.5 and 4 inches
    # reading order kept; the legend's 6 pt raised to the smallest size; texts tagged with their roles
    assert [ax.get_title() for ax in fig.axes] == [f"panel {i}" for i in range(8)]
    assert fig.axes[0].get_legend().get_texts()[0].get_fontsize() == kernel.SMALLEST
    roles = {tuple(v[:2]) for v in meta["dlnotes_texts"].values() if v[2] == "panel 3"}
    assert roles == {("title", 3)} and any(v[:2] == ["legend", 0] for v in meta["dlnotes_texts"].values())
    # a figure that is not a plain grid keeps its layout: its fonts scaled with its width for the column,
    # shrunk whole for a phone
    fig = plt.figure(figsize=(13, 4))
    grid = fig.add_gridspec(2, 2)
    fig.add_subplot(grid[:, 0]).set_title("tall")
    fig.add_subplot(grid[0, 1])
    wide, meta = kernel.lesson_svg(fig)
    assert fig.axes[0].title.get_fontsize() == 2 * 12 and 'width="936pt"' in wide
    assert 'width="288pt"' in meta["dlnotes_narrow"]
    plt.close("all")


def test_a_cloud_of_many_points_is_drawn_as_pixels_inside_the_svg():
    import sys
    sys.path.insert(0, str(ROOT / "hooks"))
    import figure_kernel as kernel
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(10, 2.6))
    ax.plot(np.arange(60_000) % 10, ".", markersize=1)
    ax.plot([0, 60_000], [0, 9], label="trend")
    ax.set_title("file order")
    with matplotlib.rc_context({"svg.fonttype": "none"}):   # as the kernel has it: text as text
        wide, meta = kernel.lesson_svg(fig)
    assert "<image" in wide and ">file order</text>" in wide and len(wide) < 200_000   # 5.8 MB as vectors
    assert [line.get_rasterized() for line in ax.lines] == [True, False]
    plt.close("all")
