"""A first visit in a real browser: the page comes in the shell's first layout
(``app.first_render``), with no routing callback; navigation afterwards still goes through the
router; a ``Referer`` that names another page is corrected from the browser's address."""

from __future__ import annotations

import json

from tests.browser.conftest import wait_rendered

ROUTER_OUTPUT = "_pages_content.children"


def _router_calls(page) -> list[dict]:
    """Record the bodies of the router callbacks the page sends."""
    calls: list[dict] = []

    def on_request(request) -> None:
        if "_dash-update-component" in request.url and ROUTER_OUTPUT in (request.post_data or ""):
            calls.append(json.loads(request.post_data))

    page.on("request", on_request)
    return calls


def test_a_first_visit_renders_without_a_routing_callback(page, data_server):
    calls = _router_calls(page)
    page.goto(data_server.url + "/upload")
    wait_rendered(page)
    page.wait_for_timeout(300)
    assert page.locator("#_pages_content h2").first.inner_text().startswith("Upload")
    assert page.title() == "Upload · ScaleScope"
    assert calls == []
    # Navigation afterwards goes through the router.
    page.click(".nav-links a[href='/models']")
    page.wait_for_url(data_server.url + "/models")
    page.wait_for_function("() => document.title === 'Models · ScaleScope'")
    wait_rendered(page)
    assert [call["inputs"][0]["value"] for call in calls] == ["/models"]
    # Back to the first page: the router renders it again.
    page.go_back()
    page.wait_for_function("() => document.title === 'Upload · ScaleScope'")
    assert calls[-1]["inputs"][0]["value"] == "/upload"


def test_a_referer_naming_another_page_is_corrected(page, data_server):
    calls = _router_calls(page)
    page.set_extra_http_headers({"Referer": data_server.url + "/models"})
    page.goto(data_server.url + "/upload")
    page.wait_for_function("() => document.title === 'Upload · ScaleScope'")
    wait_rendered(page)
    assert page.locator("#_pages_content h2").first.inner_text().startswith("Upload")
    assert [call["inputs"][0]["value"] for call in calls] == ["/upload"]
    assert page.url == data_server.url + "/upload"
