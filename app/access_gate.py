"""The dashboard's gate on a private instance, and share-link grants.

On a private instance an anonymous caller gets only the log-in page, static files and the
API (which has its own policy): a page address redirects to ``/login?next=…``, a Dash
callback or layout request answers 401.

A share link is the exception: opening ``/s/<id>`` gives a signed, HttpOnly grant cookie for
that one link. With it (and no login) the holder gets the shared page (or ``/pinned/<id>``),
the dashboard shell, and the read callbacks of that one page (and of its plot panels); every
other page, callback or API read stays refused. A callback is identified by the one Dash
registered for the request's output, and the request's inputs and state must be that
callback's, position by position (Dash passes values by position, not by label). Revoking the
link ends the grant at once.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

from app.body_limit import buffer_body
from backend.db import session_scope
from backend.exceptions import NotFoundError, PermissionDeniedError
from backend.services import login_sessions, shares

GRANT_COOKIE = "scalescope_share"
_GRANT_SALT = "scalescope-share-grant"
PINNED_PREFIX = "/pinned/"
OPEN_PATHS = frozenset({"/login", "/logout", "/api", "/_favicon.ico", "/docs", "/redoc"})
OPEN_PREFIXES = ("/api/", "/assets/", "/_dash-component-suites/", "/s/", "/docs/")
SHELL_PATHS = frozenset({"/_dash-layout", "/_dash-dependencies", "/_reload-hash"})
UPDATE_PATH = "/_dash-update-component"
PASSED_KEY = "scalescope.gate_passed"
PAGES_ROUTER_INPUT = "_pages_location"
# Modules whose callbacks serve any page's plot panels (exports of the figure shown).
PANEL_MODULES = frozenset({"app.components.plot_panel"})


@dataclass(frozen=True)
class Grant:
    """What a share-link holder may open: one page path and the modules of its callbacks."""

    share_id: str
    path: str


def issue_grant(*, secret_key: str, share_id: str) -> str:
    """The grant cookie value for ``share_id``."""
    return URLSafeSerializer(secret_key, salt=_GRANT_SALT).dumps(share_id)


def read_grant(*, engine, secret_key: str, cookie: str | None) -> Grant | None:
    """The grant of a cookie, if it is genuine and its link is not revoked."""
    if not cookie:
        return None
    try:
        share_id = URLSafeSerializer(secret_key, salt=_GRANT_SALT).loads(cookie)
    except BadSignature:
        return None
    try:
        with session_scope(engine) as session:
            view = shares.resolve_share(session=session, share_id=share_id)
            path = view.page if view.snapshot is None else PINNED_PREFIX + share_id
    except NotFoundError:
        return None
    return Grant(share_id=share_id, path=path)


def page_module(dash_app, path: str) -> str | None:
    """The module of the registered page that serves ``path``."""
    import dash

    for page in dash.page_registry.values():
        template = page.get("path_template")
        if page.get("path") == path:
            return page["module"]
        if template and path.startswith(template.split("<", 1)[0]) and "<" in template:
            return page["module"]
    return None


def _writes(func) -> bool:
    """Whether a callback (or a function it wraps) is guarded as a write (``requires_role``)."""
    while func is not None:
        if getattr(func, "required_role", None):
            return True
        func = getattr(func, "__wrapped__", None)
    return False


def _id_matches(registered: str, given) -> bool:
    """Whether a component id sent by the client is one the callback registered: the same
    string, or for a pattern id a dict with the same keys and the fixed values equal."""
    if not registered.startswith("{"):
        return given == registered
    pattern = json.loads(registered)
    if not isinstance(given, dict) or set(given) != set(pattern):
        return False
    return all(isinstance(v, list) or given[k] == v for k, v in pattern.items())


def _item_matches(spec: dict, item) -> bool:
    items = item if isinstance(item, list) and spec["id"].startswith("{") else [item]
    return all(
        isinstance(one, dict)
        and one.get("property") == spec["property"]
        and _id_matches(spec["id"], one.get("id"))
        for one in items
    )


def body_matches_callback(entry: dict, body: dict) -> bool:
    """Whether the inputs and state of a request body are, position by position, the ids and
    properties the callback registered (Dash passes values by position, not by label)."""
    for key, sent in (("inputs", body.get("inputs")), ("state", body.get("state", []))):
        registered = entry.get(key) or []
        if not isinstance(sent, list) or len(sent) != len(registered):
            return False
        if not all(_item_matches(spec, item) for spec, item in zip(registered, sent, strict=True)):
            return False
    return True


def grant_allows_callback(dash_app, grant: Grant, body: dict) -> bool:
    """Whether a share holder may run the callback of this ``/_dash-update-component`` body:
    a read callback of the shared page (or its plot panels), or the pages router towards the
    shared page, identified by the callback Dash registered for the body's output and with
    the body's inputs checked against it by position."""
    output = body.get("output")
    entry = dash_app.callback_map.get(output) if isinstance(output, str) else None
    func = entry and entry.get("callback")
    if not func or _writes(func) or not body_matches_callback(entry, body):
        return False
    module = inspect.unwrap(func).__module__
    if module == "dash.dash":  # the pages router: only towards the shared page
        paths = [
            item.get("value")
            for spec, item in zip(entry["inputs"], body["inputs"], strict=True)
            if spec["id"] == PAGES_ROUTER_INPUT and spec["property"] == "pathname"
        ]
        return bool(paths) and all(path == grant.path for path in paths)
    return module in (PANEL_MODULES | {page_module(dash_app, grant.path)})


def is_open(path: str) -> bool:
    """Paths anyone may reach on a private instance."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class PrivateGate:
    """ASGI middleware applying the private-instance rules above to the dashboard."""

    def __init__(self, app, server) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope, receive, send) -> None:
        state = self.server.state
        passed = scope.get(PASSED_KEY)
        if scope["type"] not in ("http", "websocket") or state.access != "private" or passed:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if is_open(path):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self._logged_in(request):
            await self._pass(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        grant = read_grant(
            engine=state.engine,
            secret_key=state.secret_key,
            cookie=request.cookies.get(GRANT_COOKIE),
        )
        method = scope.get("method", "GET")
        if grant is not None:
            if path in SHELL_PATHS or (method in ("GET", "HEAD") and path == grant.path):
                await self._pass(scope, receive, send)
                return
            if path == UPDATE_PATH and method == "POST":
                body, receive = await buffer_body(receive)
                if grant_allows_callback(self.server.state.dash_app, grant, _json(body)):
                    await self._pass(scope, receive, send)
                    return
        if method in ("GET", "HEAD") and path not in SHELL_PATHS and not path.startswith("/_"):
            query = scope.get("query_string", b"").decode()
            target = path + (f"?{query}" if query else "")
            await RedirectResponse(f"/login?next={quote(target)}", status_code=303)(
                scope, receive, send
            )
            return
        await JSONResponse(
            {"error": "AuthenticationError", "detail": "log in to use this instance"},
            status_code=401,
        )(scope, receive, send)

    async def _pass(self, scope, receive, send) -> None:
        # The page fallback serves a page by calling the app again on "/" with a copy of this
        # scope; the mark lets that inner call through (a client cannot set scope keys).
        await self.app({**scope, PASSED_KEY: True}, receive, send)

    def _logged_in(self, request: Request) -> bool:
        state = self.server.state
        try:
            with session_scope(state.engine) as session:
                principal, _via = login_sessions.identify(
                    session=session,
                    secret_key=state.secret_key,
                    headers=request.headers,
                    cookies=request.cookies,
                )
        except PermissionDeniedError:
            return False
        return not principal.is_anonymous


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}
