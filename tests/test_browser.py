"""The browser inspection itself catches what it must (so a pass of the report tests means something)."""

import os

import pytest
from browser import INSTALL_HINT, chromium, inspect


def require_browser() -> None:
    """Skip without Chromium, with how to install it; CI sets HIPLBP_REQUIRE_BROWSER=1 to fail instead."""
    if chromium() is None:
        if os.environ.get("HIPLBP_REQUIRE_BROWSER") == "1":
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)


def test_the_inspector_sees_requests_width_alt_text_and_pages(tmp_path):
    require_browser()
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><head><title>t</title><style>@media print { .on-paper { width: 2000px; } }</style></head><body>"
        '<img src="http://127.0.0.1:9/remote.png">'
        '<details><summary>more</summary><div style="width: 3000px">wide, one click away</div></details>'
        '<div class="on-paper">wide on paper only</div>'
        '<div style="page-break-before: always">page 2</div>'
        "</body></html>"
    )
    r = inspect(page, width=1280)
    assert r.requests == ["http://127.0.0.1:9/remote.png"]
    assert r.scroll_width > r.window_width == 1280
    assert (r.images, r.images_without_alt) == (1, 1) and r.title == "t"
    assert r.pdf.startswith(b"%PDF") and r.pdf_pages == 2
    assert r.print_scroll_width > r.print_width == 703  # the block wide on paper would be clipped on A4


def test_the_inspector_sees_script_from_content_and_protocol_relative_urls(tmp_path):
    require_browser()
    page = tmp_path / "hostile.html"
    page.write_text(
        "<html><head><title>t</title></head><body>"
        "<img alt=a src=x onerror=alert(2)>"
        '<img alt=b src="//example.invalid/x.png">'
        "<p>&lt;img src=x onerror=alert(3)&gt;</p>"
        "</body></html>"
    )
    r = inspect(page, width=1280)
    assert r.alerts == ["2"] and r.event_handlers == 1
    assert r.requests == ["file://example.invalid/x.png"]
    assert "<img src=x onerror=alert(3)>" in r.text
