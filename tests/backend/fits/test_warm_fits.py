"""The demo load precomputes every explorer page's default fits into the shared fit cache: a
web process that starts afterwards (nothing in its memory) reads them back and fits nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend import db
from backend.fits import cache, page_fits, page_names
from backend.fits.warm import warm_default_fits
from backend.models import FitCacheEntry


def test_default_views_are_read_back_not_fitted(demo_url, monkeypatch):
    engine = db.get_engine(demo_url)
    with db.session_scope(engine) as session:
        stored = session.scalar(select(func.count()).select_from(FitCacheEntry))
    assert stored > 0
    cache.clear_memory()  # a fresh process
    missed = []
    read = cache._read

    def read_or_note(session, key):
        result = read(session, key)
        if result is None:  # not in the table: the fit would be computed now
            missed.append(key)
        return result

    monkeypatch.setattr(cache, "_read", read_or_note)
    for page in page_names():
        with db.session_scope(engine) as session:
            fits = page_fits(session, page, None)
        assert fits.groups, page
    assert missed == []


def test_warming_again_stores_nothing_new(demo_url):
    engine = db.get_engine(demo_url)
    with db.session_scope(engine) as session:
        before = session.scalar(select(func.count()).select_from(FitCacheEntry))
    cache.clear_memory()
    seconds = warm_default_fits(engine)
    assert sorted(seconds) == sorted(page_names())
    with db.session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(FitCacheEntry)) == before


@pytest.mark.parametrize("page", ["no-such-page"])
def test_a_page_that_cannot_be_warmed_is_skipped(demo_url, page):
    assert warm_default_fits(db.get_engine(demo_url), [page]) == {}
