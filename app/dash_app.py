"""The Dash UI, built on the FastAPI app (Dash 4 runs on FastAPI natively): pages from
``app/pages`` (``dash.register_page`` per page), assets served locally from
``frontend_assets/``, the shell from :mod:`app.layout`, and ``/s/<id>`` share links.

``app.main.create_app`` calls :func:`mount_dash` on its FastAPI app after adding ``/api``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from dash import Dash
from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.websockets import WebSocketClose

from app import first_render, layout
from app.access_gate import GRANT_COOKIE, PrivateGate, issue_grant
from app.body_limit import BodyLimit
from app.callback_guard import CallbackGuard, install_static_errors
from app.components import plot_panel, share
from app.login_page import add_login_routes
from app.static_files import CompressStatic, index_string
from backend.config import get_settings
from backend.db import session_scope
from backend.exceptions import NotFoundError
from backend.resources import assets_dir
from backend.services import shares

PAGES_DIR = Path(__file__).resolve().parent / "pages"
TITLE = "ScaleScope"
PINNED_PATH = "/pinned"
API_PREFIX = "/api"


def mount_dash(server: FastAPI) -> Dash:
    """Build the Dash UI on ``server`` and return it (``server`` keeps serving ``/api``)."""
    _add_share_route(server)
    add_login_routes(server)
    dash_app = Dash(
        "app",
        server=server,
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(assets_dir()),
        title=TITLE,
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        compress=False,  # app.static_files compresses the bundles once, not per request
        index_string=index_string(),
    )
    _serve_pages_as_fallback(server, dash_app)
    dash_app.layout = layout.build_layout
    layout.register_callbacks(dash_app)
    first_render.register_callbacks(dash_app)
    plot_panel.register_callbacks(dash_app)
    share.register_callbacks(dash_app)
    server.state.dash_app = dash_app
    server.add_middleware(CompressStatic)  # innermost: the gate decides before a copy is sent
    server.add_middleware(CallbackGuard, server=server)  # inside the gate: 401 comes first
    server.add_middleware(PrivateGate, server=server)
    server.add_middleware(RefuseWebSockets)
    install_static_errors(server)
    # Outermost: oversized bodies are refused before the gate or Dash reads them.
    server.add_middleware(BodyLimit, limit=get_settings().max_callback_bytes)
    return dash_app


class RefuseWebSockets:
    """Close every WebSocket at the door. Callbacks go over HTTP, where the access gate and
    the writers' role checks run; Dash 4 also serves callbacks over a WebSocket once the
    ``websockets`` package is installed (uvicorn[standard]), which this app does not use."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose(code=1008)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _serve_pages_as_fallback(server: FastAPI, dash_app: Dash) -> None:
    """Serve the Dash page shell for any GET that no route answers, except under ``/api``.

    Dash's own catch-all is a ``{path:path}`` route added at start-up; it would shadow routes
    added later and answer unknown ``/api/...`` paths with HTML. The router's ``default`` (what
    Starlette calls when nothing matched) does the job instead: it answers as Dash's index
    route ``/`` does, so Dash's start-up hooks (page routing) run before the first page is
    served, whatever its path; the pages router then shows the page of the real path."""
    dash_app.backend._setup_catchall = lambda: None  # noqa: SLF001 - replaced by the fallback

    async def fallback(scope, receive, send) -> None:
        path = scope.get("path", "")
        is_page = (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and path != API_PREFIX
            and not path.startswith(API_PREFIX + "/")
        )
        if is_page:
            await server(dict(scope, path="/", raw_path=b"/"), receive, send)
        elif scope["type"] == "http":
            await JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)
        elif scope["type"] == "websocket":
            await WebSocketClose()(scope, receive, send)

    server.router.default = fallback


def _add_share_route(server: FastAPI) -> None:
    """``GET /s/<id>``: a live link redirects to its page with the state in the query string;
    a pinned link (or an unknown one) to the pinned-view page ``/pinned/<id>``. On a private
    instance it also hands out the grant cookie that opens that one view
    (``app.access_gate``)."""

    @server.get("/s/{share_id}", include_in_schema=False)
    def open_shared_view(share_id: str) -> RedirectResponse:
        try:
            with session_scope(getattr(server.state, "engine", None)) as session:
                view = shares.resolve_share(session=session, share_id=share_id)
                href = shares.share_href(view) if view.snapshot is None else None
            found = True
        except NotFoundError:
            href, found = None, False  # the pinned-view page says that the link does not exist
        response = RedirectResponse(href or f"{PINNED_PATH}/{quote(share_id)}", status_code=307)
        if found and server.state.access == "private":
            response.set_cookie(
                GRANT_COOKIE,
                issue_grant(secret_key=server.state.secret_key, share_id=share_id),
                httponly=True,
                samesite="lax",
                secure=server.state.cookie_secure == "always",
                path="/",
            )
        return response
