"""Fits computed before anyone asks: the default view of every explorer page, so that its
fits (even the cheap ones) are in the shared ``fit_cache`` table before a first visitor opens
the page, and a fresh web process only reads them back (``backend.fits.cache``).

Called once the data is in (``backend.demo.loader.load_demo``); bounded to one view per page.
A page that cannot be fitted is skipped: warming never fails the load that called it.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Engine

from backend import db
from backend.exceptions import ScaleScopeError
from backend.fits import page_fits, page_names
from backend.fits.cache import store_every_fit

log = logging.getLogger(__name__)


def warm_default_fits(engine: Engine, pages: list[str] | None = None) -> dict[str, float]:
    """Compute (and so cache) the fits of each page's default view on ``engine``; returns the
    seconds each page took (the pages that failed are logged and left out)."""
    seconds: dict[str, float] = {}
    for page in pages or page_names():
        started = time.perf_counter()
        try:
            with store_every_fit(), db.session_scope(engine) as session:
                page_fits(session, page, None)
        except (ScaleScopeError, ValueError, RuntimeError) as exc:
            log.warning("default fits of %s not precomputed: %s", page, exc)
            continue
        seconds[page] = round(time.perf_counter() - started, 3)
    return seconds
