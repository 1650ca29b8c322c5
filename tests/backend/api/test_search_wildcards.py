"""Low (issue 13): search parameters did not escape LIKE wildcards (``%`` listed every model,
``_`` matched any character). Search text now matches literally, on SQLite and Postgres."""

from __future__ import annotations

import pytest

from backend.models import Model


@pytest.fixture
def names(client, session):
    for name in ("pythia_70m", "pythiaX70m", "odd%name", "back\\slash"):
        session.add(Model(name=name))
    session.commit()
    return client


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("%", ["odd%name"]),
        ("_", ["pythia_70m"]),
        ("pythia_", ["pythia_70m"]),
        ("\\", ["back\\slash"]),
        ("PYTHIA", ["pythiaX70m", "pythia_70m"]),
    ],
)
def test_search_matches_text_literally(names, search, expected):
    found = [m["name"] for m in names.get("/api/models", params={"search": search}).json()]
    assert sorted(found) == sorted(expected)
