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

from app import browser_bundles

PREFIXES = ("/_dash-component-suites/", "/assets/")
COMPRESSIBLE = ("javascript", "text/css", "json", "text/plain", "svg")
MIN_BYTES = 1024
PLOTLY_JS = "/_dash-component-suites/plotly/package_data/plotly.min.js"
YEAR = "public, max-age=31536000"


class CompressStatic:
    """ASGI middleware: gzip static files once, keep the result, serve it to every browser
    that accepts gzip (others get the file as it is). Where a lighter bundle has been fetched
    (:mod:`app.browser_bundles`), it goes out in place of Dash's file of that path."""

    def __init__(self, app, replacements: dict[str, bytes] | None = None) -> None:
        self.app = app
        self._cache: dict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
        self._lock = threading.Lock()
        self._replacements = replacements

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "GET" or not path.startswith(PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._replacements is None:
            self._replacements = browser_bundles.replacements()
        lighter = self._replacements.get(browser_bundles.unfingerprinted(path))
        if "gzip" not in Headers(scope=scope).get("accept-encoding", ""):
            if lighter is not None:
                await send_bundle(send, lighter)
            else:
                await self.app(scope, receive, send)
            return
        key = path + "?" + scope.get("query_string", b"").decode("latin-1")
        cached = self._cache.get(key)
        if cached is None:
            if lighter is not None:
                cached, keep = packed_bundle(lighter), True
            else:
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
        return (200, gzip_headers(keep, packed), packed), True


def gzip_headers(headers: list[tuple[bytes, bytes]], packed: bytes) -> list[tuple[bytes, bytes]]:
    """``headers`` of a response whose body is ``packed`` (gzip)."""
    return [
        *headers,
        (b"content-encoding", b"gzip"),
        (b"vary", b"Accept-Encoding"),
        (b"content-length", str(len(packed)).encode()),
    ]


BUNDLE_HEADERS = [(b"content-type", b"text/javascript"), (b"cache-control", YEAR.encode())]


def packed_bundle(content: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """A fetched bundle's response, gzipped (its URL is versioned with the installed package
    it stands in for, so it is cached a year like Dash's own)."""
    packed = gzip.compress(content, compresslevel=6)
    return 200, gzip_headers(BUNDLE_HEADERS, packed), packed


async def send_bundle(send, content: bytes) -> None:
    """Send a fetched bundle as it is (to a client that does not take gzip)."""
    headers = [*BUNDLE_HEADERS, (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": content})


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
# the page's own scripts and data are on their way, and run it in the first idle moment after
# the page has loaded: while the page's content is computed on the server, the browser has
# nothing else to do. dcc.Graph uses ``window.Plotly`` when it is there; otherwise (a page
# whose content came first) it loads the same, preloaded file itself.
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
    window.addEventListener("load", function () {
        var idle = window.requestIdleCallback || function (run) { setTimeout(run, 0); };
        idle(function () {
            if (window.Plotly || document.querySelector("script[src='" + url + "']")) { return; }
            var script = document.createElement("script");
            script.src = url;
            document.head.appendChild(script);
        });
    });
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
