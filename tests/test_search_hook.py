"""hooks/search_i18n.py: an index per language, Chinese queries searched whole, previews that read as prose.

The browser side is Material's search worker; its query segmentation and tokenizer are ported below (a few
lines each) so the index can be checked here against what the browser does with it. tests/test_site.py
checks the same queries in Chromium on the built site.
"""
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("search_i18n", ROOT / "hooks" / "search_i18n.py")
search_i18n = importlib.util.module_from_spec(spec)
sys.modules["search_i18n"] = search_i18n
spec.loader.exec_module(search_i18n)

SEPARATOR = r'[\s\u2000-\u205f\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\-_,:!=\[\]()"`/]+' \
            r'|\.(?!\d)|&[lg]t;|(?!\b)(?=[A-Z][a-z])'   # mkdocs.yml's
SETTINGS = {"lang": ["en", "zh"], "separator": SEPARATOR, "pipeline": ["stopWordFilter"],
            "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1000000.0}}}
# lunr-languages' Chinese stop words (lunr.zh.min.js), dropped from the index by the "stopWordFilter" pipeline
ZH_STOP_WORDS = set("的 一 不 在 人 有 是 为 以 于 上 他 而 后 之 来 及 了 因 下 可 到 由 这 与 也 此 但 并 个 其 已 无 小 我 们 "
                    "起 最 再 今 去 好 只 又 或 很 亦 某 把 那 你 乃 它 吧 被 比 别 趁 当 从 得 打 凡 儿 尔 该 各 给 跟 和 何 还 即 "
                    "几 既 看 据 距 靠 啦 另 么 每 嘛 拿 哪 您 凭 且 却 让 仍 啥 如 若 使 谁 虽 随 同 所 她 哇 嗡 往 些 向 沿 哟 "
                    "用 咱 则 怎 曾 至 致 着 诸 自".split())


def segment(query: str, tokens) -> list[str]:
    """Material's segmentation of a run of Chinese in a query, against the tokens of the index
    (integrations/search/query/segment/index.ts, ported line by line)."""
    wordcuts = [0] * (len(query) + 1)
    for i in range(len(query)):
        for j in range(i + 1, len(query)):   # j < length: a proper prefix only
            if query[i:j] in tokens:
                wordcuts[i] = j - i
    segments, stack, s = {}, [0], 1
    while s > 0:
        s -= 1
        p = stack[s]
        for q in range(1, wordcuts[p]):
            if wordcuts[p + q] > wordcuts[p] - q:
                segments[query[p:p + q]] = None
                stack[s:s + 1] = [p + q]
                s += 1
        q = p + wordcuts[p]
        if wordcuts[q] and q < len(query) - 1:
            stack[s:s + 1] = [q]
            s += 1
        segments[query[p:q]] = None
    return [query] if "" in segments else list(segments)


def tokens_by_location(index: dict, stop_words=()) -> dict[str, set[str]]:
    """The tokens of each entry, as Material's tokenizer makes them: markup out, text split with the index's
    separator, lower case; then the index's pipeline (here only the stop-word filter matters)."""
    separator = re.compile(index["config"]["separator"])
    stop = stop_words if "stopWordFilter" in index["config"]["pipeline"] else ()
    out = {}
    for doc in index["docs"]:
        tokens = set()
        for field in index["config"]["fields"]:
            for text in re.split(r"<[^>]*>", doc.get(field) or ""):
                tokens.update(t.lower() for t in separator.split(text) if t and t.lower() not in stop)
        out[doc["location"]] = tokens
    return out


def found(index: dict, query: str, stop_words=ZH_STOP_WORDS) -> set[str]:
    """Where a Chinese ``query`` is found: segmented as the browser does, each segment a prefix (the query
    gets a trailing wildcard), any segment matching."""
    by_location = tokens_by_location(index, stop_words)
    everything = set().union(*by_location.values())
    segments = segment(query, everything)
    return {loc for loc, tokens in by_location.items() if any(t.startswith(s) for s in segments for t in tokens)}


def material_entries(html: str, url: str) -> list[dict]:
    """The entries Material's search plugin makes of a page (its Chinese segmented by jieba)."""
    from material.plugins.search import plugin
    index = plugin.SearchIndex(**SETTINGS)
    add = getattr(plugin.SearchIndex.add_entry_from_context, "__wrapped__", plugin.SearchIndex.add_entry_from_context)
    add(index, SimpleNamespace(url=url, title="T", meta={}, toc=[], content=html))  # not rebuild.py's cache
    return index.entries


ZH_PAGE = ('<h1 id="x">学习率调度</h1><p>本站是一套可执行的深度学习课程。</p>'
           '<h2 id="rate">学习率</h2><p>学习率太大，损失会发散。</p>'
           '<h2 id="curves">学习曲线</h2><p>读懂学习曲线：训练损失与验证损失。</p>'
           '<h2 id="ce">交叉熵</h2><p>分类用交叉熵作为损失。</p>'
           '<h2 id="cv">交叉验证</h2><p>交叉验证把数据分成几折。</p>')
EN_PAGE = '<h1 id="y">Schedules</h1><p>The learning rate, \\(\\eta_t\\).</p>'


@pytest.fixture(scope="module")
def combined():
    """What Material and mkdocs-static-i18n write: both languages in one index."""
    return {"config": SETTINGS, "docs": material_entries(EN_PAGE, "schedules/") + material_entries(ZH_PAGE, "zh/x/")}


def test_each_language_gets_its_own_index(combined):
    indexes = search_i18n.split_index(combined, "en", ["zh"])
    assert set(indexes) == {"en", "zh"}
    en, zh = indexes["en"], indexes["zh"]
    assert [d["location"] for d in en["docs"]] == ["schedules/"]
    assert [d["location"] for d in zh["docs"]] == ["x/", "x/#rate", "x/#curves", "x/#ce", "x/#cv"]  # from zh/
    assert en["config"]["lang"] == ["en"] and zh["config"]["lang"] == ["zh"]
    assert en["config"]["pipeline"] == ["stopWordFilter"] and zh["config"]["pipeline"] == []
    assert en["config"]["separator"] == zh["config"]["separator"] == SEPARATOR
    # the hidden fields are indexed like the fields they come from
    assert zh["config"]["fields"]["title_phrases"] == {"boost": 1000.0}
    assert zh["config"]["fields"]["text_phrases"] == {"boost": 1.0}
    assert "title_phrases" not in en["config"]["fields"]
    assert search_i18n.language_of("zh/x/#a", ["zh"]) == ("zh", "x/#a")
    assert search_i18n.language_of("zhongwen/", ["zh"]) == (None, "zhongwen/")


def test_what_the_browser_did_with_material_s_chinese_index(combined):
    # Material's segmenter only tries proper prefixes of the query: whenever one is a token, the query's
    # last characters are dropped (学习率 searched as 学习*, which is also 学习曲线, learning curves) ...
    zh = {"config": SETTINGS, "docs": [d for d in combined["docs"] if d["location"].startswith("zh/")]}
    everything = set().union(*tokens_by_location(zh, ZH_STOP_WORDS).values())
    assert segment("学习率", everything) == ["学习"]
    assert segment("交叉熵", everything) == ["交叉"]
    assert "zh/x/#curves" in found(zh, "学习率") and "zh/x/#cv" in found(zh, "交叉熵")
    # ... and when none is, the whole query must start a token: jieba wrote 可 + 执行, lunr dropped 可.
    assert segment("可执行", everything) == ["可执行"] and found(zh, "可执行") == set()


@pytest.mark.parametrize("query, where", [
    ("可执行", {"x/"}),
    ("学习率", {"x/", "x/#rate"}),          # the title and the section; not 学习曲线
    ("学习曲线", {"x/#curves"}),
    ("交叉熵", {"x/#ce"}),                  # not 交叉验证 (cross-validation)
    ("交叉验证", {"x/#cv"}),
    ("验证损失", {"x/#curves"}),
    ("深度学习课程", {"x/"}),
    ("损失", {"x/#rate", "x/#curves", "x/#ce"}),
])
def test_chinese_queries_are_searched_whole(combined, query, where):
    zh = search_i18n.split_index(combined, "en", ["zh"])["zh"]
    everything = set().union(*tokens_by_location(zh).values())
    assert segment(query, everything) == [query]   # no Chinese token is a proper prefix of the query
    assert found(zh, query) == where


def test_a_long_chinese_query_is_searched_by_its_start(combined):
    zh = search_i18n.split_index(combined, "en", ["zh"])["zh"]
    query = "本站是一套可执行的深度学习课程"
    assert len(query) > search_i18n.PHRASE_CHARS and found(zh, query) == {"x/"}


def test_chinese_words_are_marked_and_phrases_hidden():
    text = "<p>\u200b可\u200b执行\u200b的\u200b课程\u200b。\u200b本站</p> SELU \u200b网络"
    j = search_i18n.JOINER
    assert search_i18n.mark_chinese_words(text) == \
        f"<p>\u200b可{j}\u200b执行{j}\u200b的{j}\u200b课程{j}\u200b。\u200b本站{j}</p> SELU \u200b网络{j}"
    assert search_i18n.mark_chinese_words(search_i18n.mark_chinese_words(text)) == search_i18n.mark_chinese_words(text)
    assert search_i18n.chinese_phrases(text) == f"可执行的课程{j} 执行的课程{j} 的课程{j}"
    assert search_i18n.chinese_phrases("English only") == ""
    # what readers see is unchanged: U+2060 is invisible
    assert search_i18n.mark_chinese_words(text).replace(j, "") == text


# ---------------------------------------------------------------- previews

NOTEBOOK = """<div class="jupyter-wrapper"><div class="jp-Notebook">
<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell" id="cell-id=cell-0"><div class="jp-Cell-inputWrapper">
<div class="jp-InputArea jp-Cell-inputArea"><div class="jp-InputPrompt jp-InputArea-prompt">
</div><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" data-mime-type="text/markdown">
<h1 id="lesson">The lesson<a class="anchor-link" href="#lesson">¶</a></h1><p>Prose about $z$.</p>
</div></div></div></div><div class="jp-Cell jp-CodeCell jp-Notebook-cell">
<div class="jp-Cell jp-CodeCell jp-Notebook-cell" id="cell-id=cell-2"><div class="jp-Cell-inputWrapper" tabindex="0">
<div class="jp-Collapser jp-InputCollapser jp-Cell-inputCollapser"></div>
<div class="jp-InputArea jp-Cell-inputArea">
<div class="jp-InputPrompt jp-InputArea-prompt">In [1]:</div>
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor">
<div class="CodeMirror cm-s-jupyter"><div class="zeroclipboard-container">
<clipboard-copy for="cell-1"><div><span class="notice" hidden="">Copied!</span><svg></svg></div></clipboard-copy>
</div>
<div class="highlight-ipynb hl-python"><pre><span></span><span class="kn">import</span> <span class="nn">torch</span>
</pre></div>
<div class="clipboard-copy-txt" id="cell-1">import torch</div>
</div></div></div></div>
<div class="jp-Cell-outputWrapper"><div class="jp-OutputArea jp-Cell-outputArea"><div class="jp-OutputArea-child">
<div class="jp-OutputPrompt jp-OutputArea-prompt">Out[1]:</div>
<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"><pre>tensor([1., 2.])
</pre></div>
<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output" data-mime-type="text/html"><div>
<table border="1" class="dataframe"><thead><tr><th>loss</th></tr></thead><tbody><tr><td>0.25</td></tr></tbody></table>
</div></div></div></div></div></div></div>
<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-RenderedMarkdown">
<h2 id="more">More</h2><p>After the code, more prose.</p></div></div>
</div></div>"""


def test_lesson_code_prompts_and_outputs_are_not_indexed():
    from material.plugins.search import plugin
    marked = search_i18n.exclude_code(NOTEBOOK)
    entries = material_entries(marked, "lessons/x/")
    assert [e["title"] for e in entries][-2:] == ["The lesson", "More"]
    text = " ".join(e["text"] for e in entries)
    assert "Prose about $z$." in text and "After the code, more prose." in text
    for not_prose in ("import", "torch", "In [1]", "Out[1]", "Copied", "tensor", "0.25", "loss"):
        assert not_prose not in text, not_prose
    # Material takes its attributes out of the page after indexing: the page is what it was.
    page = SimpleNamespace(content=marked)
    search = SimpleNamespace(config=SimpleNamespace(enabled=True),
                             search_index=SimpleNamespace(add_entry_from_context=lambda page: None))
    plugin.SearchPlugin.on_page_context(search, {}, page=page, config=None, nav=None)
    assert page.content == NOTEBOOK


def test_pages_that_are_not_notebooks_keep_their_code():
    page = SimpleNamespace(file=SimpleNamespace(src_uri="losses.md"))
    assert search_i18n.on_page_content("<pre><code>x</code></pre>", page, None, None) == "<pre><code>x</code></pre>"
    page = SimpleNamespace(file=SimpleNamespace(src_uri="lessons/x.zh.ipynb"))
    assert "data-search-exclude" in search_i18n.on_page_content("<pre>x</pre>", page, None, None)


@pytest.mark.parametrize("tex, text", [
    (r"\([0.2, 0.7, 0.1]\)", "[0.2, 0.7, 0.1]"),
    (r"\(\mathrm{softmax}(z)_i = e^{z_i} / \sum_j e^{z_j}\)", "softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ"),
    (r"$\sigma'(z) = a(1-a)$", "σ′(z) = a(1-a)"),
    (r"\(\frac{\partial L}{\partial z} = a - y\)", "∂L/∂z = a - y"),
    (r"≈ $3 \times 10^{-6}$", "≈ 3 × 10⁻⁶"),
    (r"\(\frac{1}{1 + e^{-z}}\)", "1/(1 + e^(-z))"),
    (r"\(\hat{y} \in \mathbb{R}^{n}\)", "ŷ ∈ ℝⁿ"),
    (r"\(\operatorname{Var}[w] = 2/n_\text{in}\)", "Var[w] = 2/n_in"),
    (r"\(\lVert w \rVert_2^2\)", "‖w ‖₂²"),
    (r"\(\alpha \approx 1.6733\)", "α ≈ 1.6733"),
])
def test_inline_math_reads_as_text(tex, text):
    assert search_i18n.readable_math(tex) == text


def test_display_math_is_left_out_and_code_left_alone():
    text = r"<p>Before.</p> <p>\[L = -\sum_i y_i \ln p_i\]</p> <p>$$a^2$$</p> <p>After \(x\).</p>"
    assert search_i18n.readable_math(text) == "<p>Before.</p> <p>After x.</p>"
    assert search_i18n.readable_math(r"\[a^2\]", drop_display=False) == "a²"     # a heading keeps it
    code = r"<p>Costs $5.</p> <code>f\(x\) $a$</code> <pre>print('$x$')</pre>"
    assert search_i18n.readable_math(code) == code


# ---------------------------------------------------------------- the build

def fake_config(site_dir="site", current="en", site_url_path="/"):
    languages = [SimpleNamespace(locale="en", build=True, default=True),
                 SimpleNamespace(locale="zh", build=True, default=False)]
    i18n = SimpleNamespace(default_language="en", current_language=current, config=SimpleNamespace(languages=languages))
    search = SimpleNamespace(config=SimpleNamespace(enabled=True))
    return {"plugins": {"material/search": search, "i18n": i18n}, "site_dir": str(site_dir),
            "theme": {"language": current}}


def page_with_base(base):
    """A page's end as Material's base.html writes it (Jinja's tojson: sorted keys, HTML-safe)."""
    return ('<body><script id="__config" type="application/json">{"annotate": null, "base": "%s", "features": [], '
            '"search": "../../assets/javascripts/workers/search.js", "translations": '
            '{"search.result.none": "\\u003cx\\u0026y\\u003e"}}</script></body>' % base)


def test_chinese_pages_load_the_chinese_index():
    config = fake_config(current="zh")
    assert search_i18n.on_post_page(page_with_base("../.."), SimpleNamespace(url="zh/losses/"), config) == \
        page_with_base("../")     # the root of zh/; the rest as it was
    assert search_i18n.on_post_page(page_with_base("."), SimpleNamespace(url="zh/"), config) == page_with_base("./")
    english = fake_config()
    assert search_i18n.on_post_page(page_with_base(".."), SimpleNamespace(url="losses/"), english) == \
        page_with_base("..")


def test_the_chinese_404_page_loads_the_chinese_index():
    page = page_with_base("/dlnotes/")
    out = search_i18n.on_post_template(page, "404.html", fake_config(current="zh"))
    assert out == page_with_base("/dlnotes/zh/")
    assert search_i18n.on_post_template(page, "404.html", fake_config(current="en")) == page
    assert search_i18n.on_post_template(page, "sitemap.xml", fake_config(current="zh")) == page


def test_the_build_writes_an_index_per_language(tmp_path, combined):
    index = tmp_path / "search" / "search_index.json"
    index.parent.mkdir()
    index.write_text(json.dumps(combined), encoding="utf-8")
    search_i18n.on_post_build(fake_config(tmp_path))
    en = json.loads(index.read_text(encoding="utf-8"))
    zh = json.loads((tmp_path / "zh" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert [d["location"] for d in en["docs"]] == ["schedules/"] and en["config"]["lang"] == ["en"]
    assert zh["docs"][0]["location"] == "x/" and zh["config"]["lang"] == ["zh"]
    assert "η" in en["docs"][0]["text"] and "\\(" not in en["docs"][0]["text"]


def test_a_build_of_one_language_leaves_the_other_s_index_alone(tmp_path, combined):
    # mkdocs-static-i18n builds Chinese inside the English build: its search index has only Chinese pages.
    index = tmp_path / "search" / "search_index.json"
    index.parent.mkdir()
    only_zh = {**combined, "docs": [d for d in combined["docs"] if d["location"].startswith("zh/")]}
    index.write_text(json.dumps(only_zh), encoding="utf-8")
    search_i18n.on_post_build(fake_config(tmp_path, current="zh"))
    assert json.loads(index.read_text(encoding="utf-8")) == only_zh   # rewritten once all languages are in
    assert (tmp_path / "zh" / "search" / "search_index.json").is_file()
