"""High (issue 13): a share link must open its one page, whatever the callback body says.

Dash passes callback inputs by position, so the grant is checked against the callback that
Dash registered for the body's output (its input and state ids, position by position), not
against the labels a client puts on its inputs; write callbacks of the shared page stay shut."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from backend import db
from backend.services import shares
from tests.backend.access.dash_calls import callback_body, server_callbacks

ROUTER = "dash.dash.update"
UPDATE = "/_dash-update-component"


def _holder(private, page: str) -> TestClient:
    with db.session_scope(db.get_engine(private.database_url)) as session:
        share_id = shares.create_share(session=session, page=page, state={}).id
    holder = TestClient(private.client.app)
    assert holder.get(f"/s/{share_id}", follow_redirects=False).status_code == 307
    assert holder.get(page).status_code == 200  # Dash registers its callbacks
    return holder


def _router_body(private, pathname: str) -> dict:
    entry = server_callbacks(private.client.app)[ROUTER]
    body = callback_body(entry, {"_pages_location": pathname}, ["_pages_location.pathname"])
    for item in body["inputs"]:
        if item["property"] == "search":
            item["value"] = ""
    return body


def _relabelled(body: dict, target: str) -> dict:
    """Swap the labels of pathname and search: Dash still reads position 0 as the pathname."""
    body = copy.deepcopy(body)
    first, second = body["inputs"][0], body["inputs"][1]
    first["property"], second["property"] = second["property"], first["property"]
    path_item = first if first["property"] == "pathname" else second
    other = second if path_item is first else first
    other["value"], path_item["value"] = target, path_item["value"]
    return body


def _reordered(body: dict, target: str) -> dict:
    """The genuine pathname input moved to the second position, a decoy id first."""
    body = copy.deepcopy(body)
    genuine = next(item for item in body["inputs"] if item["property"] == "pathname")
    body["inputs"] = [{"id": "decoy", "property": "pathname", "value": target}, genuine]
    return body


def test_the_shared_page_renders(private):
    holder = _holder(private, "/scaling")
    response = holder.post(UPDATE, json=_router_body(private, "/scaling"))
    assert response.status_code == 200 and "_pages_content" in response.text


@pytest.mark.parametrize("tamper", [_relabelled, _reordered])
def test_relabelled_or_reordered_router_bodies_are_refused(private, tamper):
    holder = _holder(private, "/scaling")
    attack = tamper(_router_body(private, "/scaling"), "/upload")
    response = holder.post(UPDATE, json=attack)
    assert response.status_code == 401, response.text[:300]
    assert "upload" not in response.text.lower()


def test_extra_or_missing_inputs_are_refused(private):
    holder = _holder(private, "/scaling")
    body = _router_body(private, "/scaling")
    longer = {**body, "inputs": [*body["inputs"], {"id": "x", "property": "y", "value": 1}]}
    shorter = {**body, "inputs": body["inputs"][:1]}
    for attack in (longer, shorter, {**body, "state": [{"id": "x", "property": "y"}]}):
        assert holder.post(UPDATE, json=attack).status_code == 401


def test_write_callbacks_of_the_shared_page_are_refused(private):
    holder = _holder(private, "/jobs")
    callbacks = server_callbacks(private.client.app)
    launch = callback_body(callbacks["app.pages.jobs.launch"], {}, [])
    assert holder.post(UPDATE, json=launch).status_code == 401
