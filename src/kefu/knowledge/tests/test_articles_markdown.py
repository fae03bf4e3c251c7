"""Article and FAQ Markdown is rendered and sanitized (TEC-5): no scripts, safe links."""

from __future__ import annotations

from kefu.knowledge.markdown import render_markdown


def test_markdown_renders_and_removes_scripts():
    html = render_markdown(
        "# 退换货\n\n**七天**无理由 <script>alert(1)</script>\n\n[链接](https://example.com)"
    )
    assert "<h1>退换货</h1>" in html and "<strong>七天</strong>" in html
    assert "<script" not in html
    assert 'rel="noopener noreferrer"' in html


def test_markdown_drops_javascript_links():
    html = render_markdown("[x](javascript:alert(1))")
    assert "href" not in html  # left as text, never a link
