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
