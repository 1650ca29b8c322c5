"""A private instance's dashboard: every non-API route of the real app (enumerated from
``app.routes``) refuses an anonymous caller (pages redirect to the log-in page), a logged-in
viewer reads, and a share link opens its one view and nothing else."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from backend import db
from backend.services import shares
from tests.backend.access.conftest import PASSWORD
from tests.backend.access.dash_calls import callback_body, server_callbacks

# Open on a private instance, with the reason (everything else must refuse anonymous).
OPEN = {
    "/login": "the log-in page",
    "/logout": "forgetting a cookie",
    "/s/{share_id}": "share links (checked below)",
    "/_dash-component-suites/{package_name}/{fingerprinted_path:path}": "static JavaScript",
    "/_favicon.ico": "icon",
    "/docs": "API docs (no data; the API itself is policed)",
    "/docs/oauth2-redirect": "API docs",
    "/redoc": "API docs",
}
ROUTER = "dash.dash.update"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def _router_call(client: TestClient, pathname: str, **kwargs):
    entry = server_callbacks(client.app)[ROUTER]
    values = {"_pages_location": pathname}
    body = callback_body(entry, values, ["_pages_location.pathname"])
    for item in body["inputs"]:
        if item["property"] == "search":
            item["value"] = ""
    return client.post("/_dash-update-component", json=body, **kwargs)


def test_every_dashboard_route_refuses_anonymous(private):
    client = private.client
    client.get("/")  # Dash registers its routes and callbacks
    anonymous = TestClient(client.app)
    checked = 0
    for route in iter_route_contexts(client.app.routes):
        path = getattr(route, "path", "")
        if path.startswith("/api/") or path in OPEN or not getattr(route, "methods", None):
            continue
        for method in route.methods - {"HEAD"}:
            response = anonymous.request(method, _concrete(path), follow_redirects=False)
            where = f"{method} {path}"
            assert response.status_code in (303, 401), f"{where}: {response.status_code}"
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login?next="), where
            checked += 1
    assert checked >= 5
    # Pages that no route names (the Dash fallback) redirect too.
    for page in ("/upload", "/scaling?x=params", "/jobs", "/pinned/x"):
        response = anonymous.get(page, follow_redirects=False)
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/login?next=/"), page


def test_a_logged_in_viewer_reads_pages_and_callbacks(private):
    client = private.client
    assert client.get("/scaling", follow_redirects=False).status_code == 303
    login = client.post("/api/auth/login", json={"username": "viewer", "password": PASSWORD})
    assert login.status_code == 200
    assert client.get("/scaling").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    routed = _router_call(client, "/scaling")
    assert routed.status_code == 200 and "_pages_content" in routed.text
    assert client.get("/login").status_code == 200


def _share(private, *, page="/scaling", snapshot=None) -> str:
    with db.session_scope(db.get_engine(private.database_url)) as session:
        return shares.create_share(
            session=session, page=page, state={"x": "params"}, snapshot=snapshot
        ).id


def test_a_share_link_opens_its_one_view_and_nothing_else(private):
    share_id = _share(private)
    holder = TestClient(private.client.app)
    opened = holder.get(f"/s/{share_id}", follow_redirects=False)
    assert opened.status_code == 307 and opened.headers["location"] == "/scaling?x=params"
    assert "scalescope_share" in opened.headers["set-cookie"].lower()
    assert "httponly" in opened.headers["set-cookie"].lower()
    # Its page, the shell and its page's content open ...
    assert holder.get("/scaling?x=params", follow_redirects=False).status_code == 200
    assert holder.get("/_dash-layout").status_code == 200
    assert _router_call(holder, "/scaling").status_code == 200
    # ... nothing else does: other pages, other pages' content and callbacks, the API.
    assert holder.get("/upload", follow_redirects=False).status_code == 303
    assert _router_call(holder, "/upload").status_code == 401
    assert _router_call(holder, "/models").status_code == 401
    callbacks = server_callbacks(private.client.app)
    other = callback_body(callbacks["app.pages.models.search_models"], {}, [])
    assert holder.post("/_dash-update-component", json=other).status_code == 401
    assert holder.get("/api/measurements").status_code == 401
    assert holder.get("/api/shares").status_code == 401
    # Revoking the link ends the grant at once.
    with db.session_scope(db.get_engine(private.database_url)) as session:
        shares.revoke_share(session=session, share_id=share_id)
    assert holder.get("/scaling", follow_redirects=False).status_code == 303
    assert _router_call(holder, "/scaling").status_code == 401


def test_a_pinned_share_opens_its_snapshot_only(private):
    pinned = _share(private, snapshot={"panels": []})
    another = _share(private, snapshot={"panels": []})
    holder = TestClient(private.client.app)
    opened = holder.get(f"/s/{pinned}", follow_redirects=False)
    assert opened.headers["location"] == f"/pinned/{pinned}"
    assert holder.get(f"/pinned/{pinned}").status_code == 200
    shown = _router_call(holder, f"/pinned/{pinned}")
    assert shown.status_code == 200 and "Pinned on" in shown.text
    assert holder.get(f"/pinned/{another}", follow_redirects=False).status_code == 303
    assert _router_call(holder, f"/pinned/{another}").status_code == 401
    # The live page of a pinned link is not part of the grant either.
    assert _router_call(holder, "/scaling").status_code == 401


def test_a_forged_grant_opens_nothing(private):
    share_id = _share(private)
    forger = TestClient(private.client.app, cookies={"scalescope_share": share_id})
    assert forger.get("/scaling", follow_redirects=False).status_code == 303
