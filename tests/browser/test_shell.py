"""The shell in a real browser: every page renders without console errors, navigation works,
unknown addresses and unknown share links say so."""

from __future__ import annotations

from tests.browser.conftest import visit


def test_home_on_an_empty_database_says_how_to_load_data(page, empty_server):
    visit(page, empty_server, "/", screenshot="empty-home")
    assert page.locator(".stat strong").first.inner_text() == "0"
    assert "scalescope demo" in page.locator(".empty-state").inner_text()
    assert page.title() == "ScaleScope"


def test_unknown_address_shows_the_not_found_page(page, empty_server):
    visit(page, empty_server, "/no/such/page", screenshot="not-found")
    assert page.locator("h1").inner_text() == "Page not found"
    page.get_by_role("link", name="Back to the start page").click()
    page.wait_for_url(empty_server.url + "/")


def test_unknown_share_link_says_it_does_not_exist(page, empty_server):
    visit(page, empty_server, "/s/not-a-real-link", screenshot="share-unknown")
    assert page.url.endswith("/pinned/not-a-real-link")
    assert "does not exist" in page.locator(".empty-state").inner_text()


def test_unknown_api_paths_stay_json_404(empty_server):
    import httpx

    response = httpx.get(empty_server.url + "/api/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
