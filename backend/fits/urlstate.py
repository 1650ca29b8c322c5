"""The complete view state of a page <-> the URL query string.

Convention for every page: declare the view state as a subclass of :class:`PageState` in which
every field has a default (an empty query is a valid view), then

- in ``layout(**query)``: ``state = decode_state(MyState, query)`` and build the controls from it;
- in the page's callback: build the new state from the controls and write
  ``encode_state(state)`` to the page's URL-state store (``components.url_state_store``); the
  shell mirrors it into the address bar, so a reloaded or copied URL shows the same plot.

Decoding never fails: an unknown key is ignored and a value that does not validate falls back
to that field's default. Encoding writes only the fields that differ from their defaults, in
field order, so URLs stay short and stable. Lists are repeated keys (``?model=a&model=b``); an
empty list where the default is not empty is written as ``key=``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

import pydantic
from pydantic import BaseModel, ConfigDict

_SEQUENCE_ORIGINS = (list, tuple, set, frozenset)


class PageState(BaseModel):
    """Base of a page's view state: frozen, unknown keys ignored, every field defaulted."""

    model_config = ConfigDict(frozen=True, extra="ignore")


S = TypeVar("S", bound=PageState)

QueryParams = Mapping[str, str | list[str]]


def parse_query(query: str | None) -> dict[str, str | list[str]]:
    """A query string (with or without ``?``) as a dict; repeated keys become lists."""
    if not query:
        return {}
    parsed = parse_qs(query.lstrip("?"), keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def _is_sequence(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in _SEQUENCE_ORIGINS:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_sequence(arg) for arg in typing.get_args(annotation))
    return False


def _is_optional(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


def _raw_value(raw: str | list[str], annotation: Any) -> Any:
    """The query value shaped for validation: lists for sequence fields, None for ``''``."""
    if _is_sequence(annotation):
        values = raw if isinstance(raw, list) else [raw]
        return [value for value in values if value != ""]
    if isinstance(raw, list):
        raw = raw[-1]
    if raw == "" and _is_optional(annotation):
        return None
    return raw


def decode_state(state_cls: type[S], query: QueryParams | str | None) -> S:
    """The state that ``query`` describes; bad or unknown values fall back to the defaults."""
    params = parse_query(query) if isinstance(query, str) or query is None else dict(query)
    fields = state_cls.model_fields
    data = {
        key: _raw_value(raw, fields[key].annotation) for key, raw in params.items() if key in fields
    }
    for _ in range(len(data) + 1):
        try:
            return state_cls.model_validate(data)
        except pydantic.ValidationError as exc:
            bad = {error["loc"][0] for error in exc.errors() if error["loc"]}
            if not bad & data.keys():
                break
            data = {key: value for key, value in data.items() if key not in bad}
    return state_cls()


def _query_value(value: Any) -> str | list[str]:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return [_query_value(item) for item in value]  # type: ignore[misc]
    if isinstance(value, dict):
        raise TypeError("page state fields must be scalars or lists of scalars, not dicts")
    return str(value)


def state_params(state: PageState) -> dict[str, str | list[str]]:
    """The fields of ``state`` that differ from their defaults, as query parameters."""
    values = state.model_dump(mode="json")
    defaults = type(state)().model_dump(mode="json")
    params: dict[str, str | list[str]] = {}
    for key, value in values.items():
        if value == defaults.get(key):
            continue
        encoded = _query_value(value)
        params[key] = encoded if encoded != [] else ""
    return params


def encode_params(params: QueryParams) -> str:
    """Query parameters as a query string with a leading ``?`` (``''`` when there are none)."""
    if not params:
        return ""
    return "?" + urlencode(dict(params), doseq=True)


def encode_state(state: PageState) -> str:
    """``state`` as a query string with a leading ``?`` (``''`` for the default view)."""
    return encode_params(state_params(state))


def state_href(path: str, state: PageState | QueryParams | None = None) -> str:
    """The URL of ``path`` showing ``state`` (a state object or already-encoded parameters)."""
    if state is None:
        return path
    if isinstance(state, PageState):
        return path + encode_state(state)
    return path + encode_params(state)
