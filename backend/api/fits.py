"""The fits an explorer page shows, for the page's own URL query."""

from __future__ import annotations

from fastapi import APIRouter, Request

from backend.api.deps import SessionDep
from backend.fits import page_fits

router = APIRouter(tags=["fits"])


@router.get("/fits/{page}")
def get_fits(session: SessionDep, page: str, request: Request) -> dict:
    """What ``/{page}?{query}`` shows: the resolved state, the published procedure and
    whether the view follows it, per group the law and its fit (params with value, stderr,
    low, high, interval), the points used and excluded (with why), and a hash of the data.
    ``page``: loss-to-loss, scaling, frequency or robustness."""
    query: dict[str, str | list[str]] = {}
    for key, value in request.query_params.multi_items():
        query.setdefault(key, []).append(value)  # type: ignore[union-attr]
    flat = {key: values[0] if len(values) == 1 else values for key, values in query.items()}
    return page_fits(session, page, flat).to_dict()
