"""The page view state <-> URL query string; the code lives in :mod:`backend.fits.urlstate`
(the fits API decodes the same query strings the pages write)."""

from backend.fits.urlstate import (
    PageState,
    QueryParams,
    decode_state,
    encode_params,
    encode_state,
    parse_query,
    state_href,
    state_params,
)

__all__ = [
    "PageState",
    "QueryParams",
    "decode_state",
    "encode_params",
    "encode_state",
    "parse_query",
    "state_href",
    "state_params",
]
