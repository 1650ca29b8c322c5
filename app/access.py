"""Who is using the dashboard, and the guard every state-changing callback goes through.

:func:`ui_principal` finds the caller of the current Dash request (layout or callback) from
the same credentials as the API (``Authorization: Bearer`` token or the login cookie, through
``login_sessions.identify``); on a "local" instance the anonymous caller is the local admin.

:func:`requires_role` wraps a callback that writes (import, undo, share, launch, cancel,
retry, ...): for a caller below the role, or a cookie write from another site, it changes
nothing, answers ``no_update`` and shows why in the shell's access notice. The wrapped
function carries ``required_role``; ``tests/app/test_callback_access.py`` finds every callback
that reaches a write service and checks that it carries one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from dash import get_app, no_update, set_props

from app import ids
from backend.db import session_scope
from backend.exceptions import PermissionDeniedError
from backend.services import auth, login_sessions


def _request():
    """The request adapter of the Dash request being served (None outside of one)."""
    try:
        return get_app().backend.request_adapter()
    except (RuntimeError, AttributeError, LookupError):
        return None


def _state():
    return get_app().server.state


def _caller() -> tuple[auth.Principal, str | None]:
    """The caller of the current dashboard request and how they proved it."""
    request, state = _request(), _state()
    principal, via = auth.ANONYMOUS, None
    if request is not None:
        try:
            with session_scope(state.engine) as session:
                principal, via = login_sessions.identify(
                    session=session,
                    secret_key=state.secret_key,
                    headers=request.headers,
                    cookies=request.cookies,
                )
        except PermissionDeniedError:  # a bad or revoked token: anonymous
            principal = auth.ANONYMOUS
    if state.access == "local" and principal.is_anonymous:
        return auth.LOCAL_OWNER, None
    return principal, via


def ui_principal() -> auth.Principal:
    """The caller of the current dashboard request (anonymous when unknown)."""
    return _caller()[0]


def ui_username() -> str | None:
    """The name of the current dashboard caller, recorded as the author of what they write
    (``local`` on a local instance; None outside of a Dash request)."""
    try:
        return ui_principal().username
    except (RuntimeError, AttributeError, LookupError):
        return None


def can(role: str) -> bool:
    """Whether the current caller holds ``role`` (to show or hide actions)."""
    return auth.role_at_least(ui_principal().role, role)


def refusal(role: str) -> str | None:
    """Why the current caller may not do what needs ``role`` (None: they may)."""
    principal, via = _caller()
    try:
        auth.require_role(principal, role)
        if via == "cookie":
            request = _request()
            login_sessions.check_same_origin(
                method="POST", headers=request.headers, host_url=request.root
            )
    except PermissionDeniedError as exc:
        return str(exc)
    return None


def requires_role(role: str, *, writes: Callable[[], bool] | None = None):
    """Decorate a state-changing callback (under ``@callback``) so that only ``role`` or
    higher runs it; others get ``no_update`` and the reason in the access notice.

    ``writes`` (optional) tells, for the call at hand, whether it writes at all (e.g. a
    jobs-table button that only shows a log); when it returns False anyone may run it."""

    def decorate(func):
        @functools.wraps(func)
        def guarded(*args, **kwargs):
            reason = refusal(role) if writes is None or writes() else None
            if reason is not None:
                set_props(ids.ACCESS_NOTICE, {"children": reason, "hidden": False})
                return no_update
            return func(*args, **kwargs)

        guarded.required_role = role
        return guarded

    return decorate
