"""Dash's bundles go out gzipped (compressed once, then from memory) to browsers that accept
it, and the pages that draw plots fetch plotly.js before their data comes."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from app.dash_app import PAGES_DIR
from app.static_files import PLOT_PAGES, PLOTLY_JS, CompressStatic, index_string

BUNDLE = "var x = 1;\n" * 2000
CALLS: list[str] = []


def bundle(request):
    CALLS.append(request.url.path)
    return Response(BUNDLE, media_type="text/javascript")


def client() -> TestClient:
    routes = [
        Route("/_dash-component-suites/dash/bundle.v1.js", bundle),
        Route(PLOTLY_JS, bundle),
        Route("/assets/tiny.css", lambda r: Response("a{}", media_type="text/css")),
        Route("/page", lambda r: PlainTextResponse("x" * 5000)),
    ]
    return TestClient(CompressStatic(Starlette(routes=routes), replacements={}))


def test_bundles_are_gzipped_once_for_browsers_that_accept_it():
    CALLS.clear()
    http = client()
    for _ in range(2):
        reply = http.get("/_dash-component-suites/dash/bundle.v1.js?x=1")
        assert reply.headers["content-encoding"] == "gzip"
        assert reply.text == BUNDLE  # httpx undoes the gzip
        assert int(reply.headers["content-length"]) < len(BUNDLE) // 10
    assert CALLS == ["/_dash-component-suites/dash/bundle.v1.js"]  # the second from memory
    plain = http.get(
        "/_dash-component-suites/dash/bundle.v1.js", headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers and plain.text == BUNDLE
    assert http.get(PLOTLY_JS).headers["cache-control"] == "public, max-age=31536000"


def test_small_files_and_pages_are_left_alone():
    http = client()
    assert "content-encoding" not in http.get("/assets/tiny.css").headers
    assert "content-encoding" not in http.get("/page").headers
    assert http.get("/assets/missing.js").status_code == 404


def test_the_page_shell_fetches_plotly_early_on_plot_pages_only():
    shell = index_string()
    assert '"/_dash-component-suites/plotly/package_data/plotly.min.js"' in shell
    for placeholder in ("metas", "app_entry", "config", "scripts", "renderer"):
        assert "{%" + placeholder + "%}" in shell
    sources = "".join(path.read_text() for path in PAGES_DIR.glob("*.py"))
    for prefix in PLOT_PAGES:  # each one a page's path, or the start of its path template
        assert f'"{prefix}' in sources, prefix
