"""Malformed Dash callback requests answered 4xx with the standard error body, not 500.

Dash itself turns a body that is not JSON, is nested too deeply to parse, or names an output
it has no callback for into an internal error. This middleware checks a
``/_dash-update-component`` body first (it is already bounded by :mod:`app.body_limit`) and
answers 400 for those; a missing static file of a component suite answers 404
(:func:`install_static_errors`)."""

from __future__ import annotations

import json

from dash.exceptions import DependencyException
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.access_gate import UPDATE_PATH
from app.body_limit import buffer_body
from backend.api.errors import error_body

MAX_DEPTH = 64


def _depth(value, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests lists and dicts (stops counting past ``limit``)."""
    depth, level = 0, [value]
    while level and depth <= limit:
        children = []
        for item in level:
            if isinstance(item, dict):
                children.extend(item.values())
            elif isinstance(item, list):
                children.extend(item)
        depth, level = depth + 1, children
    return depth


def problem(body: bytes, callbacks) -> str | None:
    """Why a callback request body cannot be served (None: Dash may serve it)."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, RecursionError):
        return "the callback request is not JSON (or nests too deeply)"
    if not isinstance(data, dict) or not isinstance(data.get("output"), str):
        return "the callback request names no output"
    if _depth(data) > MAX_DEPTH:
        return f"the callback request nests deeper than {MAX_DEPTH} levels"
    if data["output"] not in callbacks:
        return "no callback answers this output"
    if not isinstance(data.get("inputs", []), list) or not isinstance(data.get("state", []), list):
        return "the callback request's inputs and state must be lists"
    return None


class CallbackGuard:
    """ASGI middleware answering malformed callback requests with 400."""

    def __init__(self, app, server) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("path") != UPDATE_PATH:
            await self.app(scope, receive, send)
            return
        body, receive = await buffer_body(receive)
        dash_app = getattr(self.server.state, "dash_app", None)
        reason = problem(body, dash_app.callback_map if dash_app is not None else {})
        if reason is not None:
            await JSONResponse(error_body("BadRequest", reason), status_code=400)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


def install_static_errors(server) -> None:
    """A component-suite file Dash does not have answers 404 with the standard body."""

    async def missing(_request: Request, error: DependencyException) -> JSONResponse:
        return JSONResponse(error_body("NotFound", "no such static file"), status_code=404)

    server.add_exception_handler(DependencyException, missing)
