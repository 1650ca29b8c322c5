"""Dash's static files, compressed once: the JavaScript bundles under
``/_dash-component-suites/`` (plotly.js alone is 4.8 MB, 1.4 MB gzipped) and ``/assets/``
go out gzipped to browsers that accept it, from an in-memory copy made on the first request
(their URLs carry the package version or the file's mtime, so a copy never goes stale), with a
year of browser caching when the URL is fingerprinted or plotly.js (versioned with the
installed package)."""

from __future__ import annotations

import gzip
import json
import threading

from starlette.datastructures import Headers

PREFIXES = ("/_dash-component-suites/", "/assets/")
COMPRESSIBLE = ("javascript", "text/css", "json", "text/plain", "svg")
MIN_BYTES = 1024
PLOTLY_JS = "/_dash-component-suites/plotly/package_data/plotly.min.js"
YEAR = "public, max-age=31536000"


class CompressStatic:
    """ASGI middleware: gzip static files once, keep the result, serve it to every browser
    that accepts gzip (others get the file as it is)."""

    def __init__(self, app) -> None:
        self.app = app
        self._cache: dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or not path.startswith(PREFIXES)
            or "gzip" not in Headers(scope=scope).get("accept-encoding", "")
        ):
            await self.app(scope, receive, send)
            return
        key = path + "?" + scope.get("query_string", b"").decode("latin-1")
        cached = self._cache.get(key)
        if cached is None:
            cached, keep = await self._fetch(scope, receive)
            if keep:
                with self._lock:
                    self._cache[key] = cached
        status, headers, body = cached
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _fetch(self, scope, receive) -> tuple[tuple[int, list, bytes], bool]:
        """Run the request through the app: a 200 of a text type compressed (and worth
        keeping), anything else as the app answered."""
        start: dict = {}
        chunks: list[bytes] = []

        async def collect(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        body = b"".join(chunks)
        headers = Headers(raw=start.get("headers", []))
        kind = headers.get("content-type", "")
        if (
            start.get("status") != 200
            or "content-encoding" in headers
            or len(body) < MIN_BYTES
            or not any(word in kind for word in COMPRESSIBLE)
        ):
            return (start.get("status", 500), start.get("headers", []), body), False
        packed = gzip.compress(body, compresslevel=6)
        keep = [
            (name, value)
            for name, value in start.get("headers", [])
            if name.lower() not in (b"content-length", b"etag", b"vary")
        ]
        if scope.get("path") == PLOTLY_JS and "cache-control" not in headers:
            keep.append((b"cache-control", YEAR.encode()))
        keep += [
            (b"content-encoding", b"gzip"),
            (b"vary", b"Accept-Encoding"),
            (b"content-length", str(len(packed)).encode()),
        ]
        return (200, keep, packed), True


#: Pages that draw a plot whenever there is data (paths; a trailing slash: every path under it).
PLOT_PAGES = (
    "/coverage",
    "/loss-to-loss",
    "/scaling",
    "/frequency",
    "/robustness",
    "/model/",
    "/pinned/",
)

# On a page that draws a plot, fetch plotly.js at once (a preload: downloaded, not run), while
# the page's own scripts and data are on their way: dcc.Graph otherwise starts downloading it
# only once the data has come, then runs it from the preloaded copy. Running it earlier was
# tried and left out: it competes with the page's own work for the main thread.
EARLY_PLOTLY_JS = """
(function () {
    var url = %(url)s, pages = %(pages)s, path = window.location.pathname;
    var plots = pages.some(function (p) {
        return p.endsWith("/") ? path.startsWith(p) : path === p || path.startsWith(p + "/");
    });
    if (!plots) { return; }
    var link = document.createElement("link");
    link.rel = "preload"; link.as = "script"; link.href = url;
    document.head.appendChild(link);
})();
"""

INDEX = """<!DOCTYPE html>
<html>
    <head>
        {%%metas%%}
        <title>{%%title%%}</title>
        {%%favicon%%}
        {%%css%%}
        <script>%(early_plotly)s</script>
    </head>
    <body>
        {%%app_entry%%}
        <footer>
            {%%config%%}
            {%%scripts%%}
            {%%renderer%%}
        </footer>
    </body>
</html>"""


def index_string(prefix: str = "/") -> str:
    """Dash's page shell, with plotly.js downloaded early on the pages that draw plots."""
    early = EARLY_PLOTLY_JS % {
        "url": json.dumps(prefix + PLOTLY_JS.lstrip("/")),
        "pages": json.dumps(list(PLOT_PAGES)),
    }
    return INDEX % {"early_plotly": early}
