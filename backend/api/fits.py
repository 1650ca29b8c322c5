"""The fits an explorer page shows, for the page's own URL query."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend.api.deps import SessionDep
from backend.fits import page_fits
from backend.fits.export import fits_csv_text
from backend.fits.urlstate import parse_query

router = APIRouter(tags=["fits"])


@router.get("/fits/{page}.csv", response_class=Response)
def get_fits_csv(session: SessionDep, page: str, request: Request) -> Response:
    """The same fits as numeric CSV: one row per group, each parameter's value, stderr, low
    and high in separate columns, units in the header."""
    fits = page_fits(session, page, parse_query(request.url.query))
    return Response(fits_csv_text(fits), media_type="text/csv")


@router.get("/fits/{page}")
def get_fits(session: SessionDep, page: str, request: Request) -> dict:
    """What ``/{page}?{query}`` shows: the resolved state, the published procedure and
    whether the view follows it, per group the law and its fit (params with value, stderr,
    low, high, interval), the points used and excluded (with why), and a hash of the data.
    ``page``: loss-to-loss, scaling, frequency or robustness."""
    return page_fits(session, page, parse_query(request.url.query)).to_dict()
