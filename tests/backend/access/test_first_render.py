"""The shell's first layout carries the page of its ``Referer`` (``app.first_render``): no
routing round trip on a first visit, where the router would have served the same page to the
same caller, and never to a caller the router would have refused."""

from __future__ import annotations

import dash
import pytest

from tests.backend.access.conftest import PASSWORD, make_instance

BASE = "http://testserver"


def _find(node, component_id):
    """The component with ``component_id`` in a layout's JSON."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        children = node.get("props", {}).get("children")
        return _find(children, component_id) if children is not None else None
    if isinstance(node, list):
        for child in node:
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def _layout(client, referer: str | None) -> dict:
    headers = {"Referer": referer} if referer else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200, response.text[:300]
    return response.json()


def _content(layout: dict):
    return _find(layout, "_pages_content")["props"].get("children")


def _location(layout: dict) -> dict:
    props = _find(layout, "_pages_location")["props"]
    return {key: props.get(key) for key in ("pathname", "search")}


def _text(node) -> str:
    """Every string in a layout's JSON, joined (to look for a page's heading)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return " ".join(_text(value) for value in node.values())
    if isinstance(node, list):
        return " ".join(_text(value) for value in node)
    return ""


@pytest.fixture
def local(sqlite_url):
    made = make_instance(sqlite_url, "local")
    with made.client:
        made.client.get("/")  # Dash's start-up hooks (page routing) run on the first request
        yield made


def test_the_first_layout_holds_the_page_of_its_referer(local):
    layout = _layout(local.client, f"{BASE}/upload")
    assert "Upload" in _text(_content(layout))
    assert _location(layout) == {"pathname": "/upload", "search": ""}
    store = _find(layout, "_pages_store")["props"]["data"]
    assert store == {"title": "Upload · ScaleScope", "rendered": "/upload"}


def test_the_query_string_reaches_the_page_and_the_location(local):
    layout = _layout(local.client, f"{BASE}/scaling?x=params&group=family")
    assert _location(layout) == {"pathname": "/scaling", "search": "?x=params&group=family"}
    assert _find(layout, "_pages_store")["props"]["data"]["rendered"] == (
        "/scaling?x=params&group=family"
    )


def test_a_path_template_page_gets_its_variables(local):
    layout = _layout(local.client, f"{BASE}/model/EleutherAI/pythia-410m")
    assert "EleutherAI/pythia-410m" in _text(_content(layout))


@pytest.mark.parametrize(
    "referer",
    [None, "https://elsewhere.example/upload", f"{BASE}/no-such-page"],
    ids=["no referer", "another origin", "unknown path"],
)
def test_without_a_known_page_the_router_renders_it(local, referer):
    layout = _layout(local.client, referer)
    assert _content(layout) is None
    assert _location(layout) == {"pathname": None, "search": None}  # it fires the router


def test_a_page_that_fails_to_render_is_left_to_the_router(local, monkeypatch):
    def broken(**_query):
        raise RuntimeError("boom")

    monkeypatch.setitem(dash.page_registry["app.pages.scaling"], "layout", broken)
    layout = _layout(local.client, f"{BASE}/scaling")
    assert _content(layout) is None and _location(layout)["pathname"] is None


def test_a_share_holder_gets_no_other_page_through_a_forged_referer(private):
    """Attack replayed: the shell's layout is open to a share-link holder; a ``Referer``
    naming another page must not bring that page's content with it."""
    from backend import db
    from backend.services import shares

    with db.session_scope(db.get_engine(private.database_url)) as session:
        share_id = shares.create_share(session=session, page="/scaling", state={}).id
    holder = type(private.client)(private.client.app)
    assert holder.get(f"/s/{share_id}", follow_redirects=False).status_code == 307
    for page in ("/upload", "/jobs", "/scaling"):
        layout = _layout(holder, f"{BASE}{page}")
        assert _content(layout) is None, page  # the router callback, behind the access gate
        assert _find(layout, "_pages_store")["props"].get("data") is None


def test_anonymous_callers_of_a_private_instance_get_no_layout(private):
    anonymous = type(private.client)(private.client.app)
    response = anonymous.get("/_dash-layout", headers={"Referer": f"{BASE}/upload"})
    assert response.status_code == 401


def test_a_logged_in_viewer_gets_the_page_in_the_first_layout(private):
    client = private.client
    login = client.post("/api/auth/login", json={"username": "viewer", "password": PASSWORD})
    assert login.status_code == 200
    assert "Upload" in _text(_content(_layout(client, f"{BASE}/upload")))
