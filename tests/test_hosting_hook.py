"""hooks/hosting.py: language links that work under a sub-path, a 404 page per language."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("hosting", Path(__file__).parent.parent / "hooks" / "hosting.py")
hosting = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hosting)


def test_root_absolute_links_become_relative_to_the_page():
    rel = hosting.relative
    assert rel("/zh/", "", "/") == "zh/"
    assert rel("/", "zh/", "/") == "../"
    assert rel("/dlnotes/zh/", "", "/dlnotes/") == "zh/"
    assert rel("/dlnotes/", "zh/", "/dlnotes/") == "../"
    assert rel("/dlnotes/losses/", "zh/losses/", "/dlnotes/") == "../../losses/"
    assert rel("/dlnotes/zh/", "zh/", "/dlnotes/") == "./"
    assert rel("../../losses/", "zh/losses/", "/") == "../../losses/"   # relative already


def test_language_links_on_a_page_and_no_head_alternates():
    html = ('<link rel="alternate" href="/" hreflang="en">\n<link rel="alternate" href="/zh/" hreflang="zh">\n'
            '<a href="/" hreflang="en" class="md-select__link">English</a>'
            '<a href="/zh/" hreflang="zh" class="md-select__link">中文</a>')
    out = hosting.relative_language_links(html, "zh/", "/")
    assert "<link" not in out
    assert '<a href="../" hreflang="en"' in out and '<a href="./" hreflang="zh"' in out


def test_a_404_page_links_from_the_sites_path(tmp_path):
    config = {"site_url": "https://example.org/dlnotes/", "theme": {"language": "zh"}, "site_dir": str(tmp_path)}
    html = '<a href="../lessons/x/" hreflang="en">English</a><a href="./" hreflang="zh">中文</a>'
    out = hosting.on_post_template(html, "404.html", config)
    assert '<a href="/dlnotes/" hreflang="en"' in out and '<a href="/dlnotes/zh/" hreflang="zh"' in out
    hosting.on_post_build(config)
    assert (tmp_path / "zh" / "404.html").read_text() == out
    assert hosting.site_path({"site_url": None}) == "/"
