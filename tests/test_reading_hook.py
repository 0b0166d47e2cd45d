"""hooks/reading.py: doctests' <BLANKLINE> markers become the empty lines they stand for."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("reading", Path(__file__).parent.parent / "hooks" / "reading.py")
reading = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reading)


def test_blankline_markers_become_empty_lines():
    html = '<pre><code><span class="gp">&gt;&gt;&gt; </span>print("a\\n\\nb")\n<span class="go">a</span>\n' \
           '<span class="go">&lt;BLANKLINE&gt;</span>\n<span class="go">b</span></code></pre>'
    out = reading.on_page_content(html, None, None, None)
    assert "BLANKLINE" not in out and '<span class="go"></span>' in out
    # a printed function: Pygments highlights the output as code, the marker in three spans
    html = '<span class="o">&lt;</span><span class="n">BLANKLINE</span><span class="o">&gt;</span>\n'
    assert reading.on_page_content(html, None, None, None) == '<span class="o"></span>\n'


def test_line_breaks_between_chinese_characters_are_removed_outside_code():
    join = reading.join_cjk_lines
    assert join("分类模型预测的是一个**类别**，\n它的输出") == "分类模型预测的是一个**类别**，它的输出"
    assert join("!!! note \"更正\"\n    第一行\n    第二行") == "!!! note \"更正\"\n    第一行第二行"
    assert join("中文\n**粗体**") == "中文**粗体**"
    assert join("我们在课程\n[交叉熵](lessons/x.ipynb)中") == "我们在课程[交叉熵](lessons/x.ipynb)中"
    kept = ["## 标题\n正文", "中文\n\n中文", "中文\n- 列表", "English\n中文", "中文\nEnglish", "结尾\\\n下一行",
            "```python\nprint('中文')\n# 注释\n```", "中文\n$x$ 是"]
    for text in kept:
        assert join(text) == text, text
    assert join("```\n中文\n中文\n```\n前\n后") == "```\n中文\n中文\n```\n前后"  # after the fence, joined again


def test_a_doctest_block_copies_its_code_alone():
    html = ('<div class="highlight"><pre><span></span><code><span class="o">&gt;&gt;&gt;</span> x = 1\n'
            '<span class="o">&gt;&gt;&gt;</span> for i in range(2):\n<span class="o">...</span>     x += i\n'
            '<span class="o">...</span>\n<span class="o">&gt;&gt;&gt;</span> print(x, "&lt;")\n2 &lt;\n</code></pre></div>')
    out = reading.copy_code_only(html)
    assert 'data-copy="x = 1\nfor i in range(2):\n    x += i\n\nprint(x, &quot;&lt;&quot;)"' in out
    plain = '<div class="highlight"><pre><span></span><code>x = 1\nprint(x)\n</code></pre></div>'
    assert reading.copy_code_only(plain) == plain   # a block without prompts copies as it is
    assert reading.code_of_doctest("print(1)") is None


def test_a_claim_is_named_by_what_it_claims():
    html = ('<p>The lesson tests claim <strong>C8</strong> of the notes; C8 again, and (C9).</p>'
            '<p class="admonition-title">Verdict on claim C1</p><p>C1 is named above. '
            '<a href="../claims/#c7">claim C7</a> and <code>color="C1"</code>.</p>')
    out = reading.name_claims(html, "en")
    assert "<strong>C8 (not shuffling trains worse)</strong> of the notes; C8 again" in out
    assert "(C9: weight decay shrinks the weights and the test loss)" in out
    assert "Verdict on claim C1: normalising the inputs raises accuracy</p><p>C1 is named above" in out
    assert "claim C7</a> (dropout does not help on mild overfitting) and" in out
    assert '<code>color="C1"</code>' in out
    zh = reading.name_claims('<p class="admonition-title">论断 C6 的结论</p><p>检验论断 C8（`x`）和论断 C1：已有名字。</p>', "zh")
    assert "论断 C6（SELU 训练深层网络比 BN 快）的结论" in zh
    assert "论断 C8（`x`）" in zh and "C1：已有名字" in zh   # named there already, or a parenthesis follows
