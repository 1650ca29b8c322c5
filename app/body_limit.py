"""A bound on request bodies of the dashboard (Dash callbacks, the log-in page): a body larger
than ``settings.max_callback_bytes`` is answered 413 with the standard error body before it
is read into memory (by its ``Content-Length``, or while it streams in). The API is outside
this bound: uploads have their own ``max_upload_bytes``."""

from __future__ import annotations

from starlette.responses import JSONResponse

from backend.api.errors import error_body

EXEMPT_PREFIXES = ("/api/",)


class BodyTooLarge(Exception):
    """A request body went past the limit it was read with."""


async def buffer_body(receive, *, limit: int | None = None):
    """Read the whole request body; return it and a ``receive`` that replays it. Past
    ``limit`` bytes, stop reading and raise :class:`BodyTooLarge`."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if limit is not None and size > limit:
            raise BodyTooLarge(size)
        more = message.get("more_body", False)
    body, sent = b"".join(chunks), False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        error_body("PayloadTooLarge", f"the request body is larger than {limit} bytes"),
        status_code=413,
    )


class BodyLimit:
    """ASGI middleware refusing dashboard request bodies above ``limit`` bytes."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        try:
            declared = int(length) if length is not None else None
        except ValueError:
            declared = None
        if declared is not None and declared > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        if declared is not None or scope.get("method") in ("GET", "HEAD"):
            await self.app(scope, self._counting(receive), send)
            return
        # No length given (chunked): read up to the limit here, then replay it.
        try:
            _body, replay = await buffer_body(receive, limit=self.limit)
        except BodyTooLarge:
            await _too_large(self.limit)(scope, receive, send)
            return
        await self.app(scope, replay, send)

    def _counting(self, receive):
        """``receive`` that stops a body sending more than its declared length allows."""
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                return {"type": "http.disconnect"}
            return message

        return counted
