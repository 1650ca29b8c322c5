"""Share links on SQLite and Postgres: create, resolve, pin a snapshot, revoke, refuse bad input."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from backend.exceptions import NotFoundError, ValidationError
from backend.models import SharedView
from backend.services import shares


def test_create_and_resolve_round_trip(session):
    state = {"x": "c4 loss", "models": ["a", "b/c"], "band": True, "k": 3}
    view = shares.create_share(session=session, page="/loss-to-loss", state=state)
    session.commit()
    session.expunge_all()

    found = shares.resolve_share(session=session, share_id=view.id)
    assert found.page == "/loss-to-loss"
    assert found.state == {"x": "c4 loss", "models": ["a", "b/c"], "band": "true", "k": "3"}
    assert found.snapshot is None
    path, _, query = shares.share_href(found).partition("?")
    assert path == "/loss-to-loss"
    assert parse_qs(query) == {
        "x": ["c4 loss"],
        "models": ["a", "b/c"],
        "band": ["true"],
        "k": ["3"],
    }


def test_ids_are_short_unguessable_and_distinct(session):
    ids = {shares.create_share(session=session, page="/").id for _ in range(50)}
    assert len(ids) == 50
    assert all(16 <= len(share_id) <= 32 for share_id in ids)
    assert all(share_id.replace("-", "").replace("_", "").isalnum() for share_id in ids)


def test_pinned_snapshot_is_stored_as_given(session):
    snapshot = {"panels": [{"panel": "/scaling#main", "figure": {"data": [{"x": [1, 2]}]}}]}
    view = shares.create_share(session=session, page="/scaling", snapshot=snapshot)
    session.commit()
    session.expunge_all()
    assert shares.resolve_share(session=session, share_id=view.id).snapshot == snapshot


def test_revoked_and_unknown_links_do_not_resolve(session):
    view = shares.create_share(session=session, page="/robustness", state={"t": "probit"})
    shares.revoke_share(session=session, share_id=view.id)
    session.commit()
    assert session.get(SharedView, view.id).revoked_at is not None
    with pytest.raises(NotFoundError):
        shares.resolve_share(session=session, share_id=view.id)
    with pytest.raises(NotFoundError):
        shares.resolve_share(session=session, share_id="does-not-exist")
    with pytest.raises(NotFoundError):
        shares.revoke_share(session=session, share_id=view.id)


@pytest.mark.parametrize(
    "page", ["scaling", "//evil.example.com", "https://evil.example.com/", "/a?b=c", "/a b"]
)
def test_pages_that_are_not_local_paths_are_refused(session, page):
    with pytest.raises(ValidationError):
        shares.create_share(session=session, page=page)
    assert session.query(SharedView).count() == 0


def test_nested_state_values_are_refused(session):
    with pytest.raises(ValidationError):
        shares.create_share(session=session, page="/", state={"a": {"b": 1}})
