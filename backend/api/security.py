"""Who is calling, and the access policy every API route goes through.

The caller is found from an ``Authorization: Bearer ss_…`` API token or, failing that, the
signed login cookie; otherwise it is anonymous. One policy covers the whole API (so that no
route can forget it):

- on a "local" instance (one person on their own machine, loopback only) the anonymous
  caller is that person, an admin;
- reading (GET/HEAD) needs nothing on a public instance and a viewer on a private one;
- every other method (uploads, undo, jobs, shares) needs an editor;
- routes that need more say so with ``Depends(requires("admin"))`` (``AdminDep``).

Cookie-authenticated writes must also come from this site
(``login_sessions.check_same_origin``): the cookie is ``SameSite=Lax`` and a write must carry a
matching ``Origin`` header or, when the client sends none, ``X-Requested-With``.
Token-authenticated calls are not at risk (a browser never adds the token by itself).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backend.api.deps import SessionDep
from backend.services import auth, login_sessions

READ_METHODS = login_sessions.READ_METHODS


def current_principal(request: Request, session: SessionDep) -> auth.Principal:
    """The caller: token holder, logged-in user or anonymous (a bad token is an error)."""
    principal, via = login_sessions.identify(
        session=session,
        secret_key=request.app.state.secret_key,
        headers=request.headers,
        cookies=request.cookies,
    )
    request.state.auth_via = via
    return principal


PrincipalDep = Annotated[auth.Principal, Depends(current_principal)]


def _effective(request: Request, principal: auth.Principal) -> auth.Principal:
    if request.app.state.access == "local" and principal.is_anonymous:
        return auth.LOCAL_OWNER
    if getattr(request.state, "auth_via", None) == "cookie":
        login_sessions.check_same_origin(
            method=request.method, headers=request.headers, host_url=str(request.base_url)
        )
    return principal


def enforce_access_policy(request: Request, principal: PrincipalDep) -> auth.Principal:
    """Apply the instance's policy to this request (see the module docstring)."""
    principal = _effective(request, principal)
    if request.method in READ_METHODS:
        if request.app.state.access == "private":
            auth.require_role(principal, "viewer")
    else:
        auth.require_role(principal, "editor")
    return principal


def requires(role: str):
    """A dependency that lets only ``role`` or higher through (on top of the policy); its
    ``role`` attribute says which (the route enumeration test reads it)."""

    def dependency(request: Request, principal: PrincipalDep) -> auth.Principal:
        principal = _effective(request, principal)
        auth.require_role(principal, role)
        return principal

    dependency.role = role  # type: ignore[attr-defined]  # read by the route enumeration
    dependency.__name__ = f"requires_{role}"
    return dependency


# The caller as the policy saw them (the dependency runs once per request): routes record it
# as the author of what they write.
CallerDep = Annotated[auth.Principal, Depends(enforce_access_policy)]
require_admin = requires("admin")
AdminDep = Annotated[auth.Principal, Depends(require_admin)]
EditorDep = Annotated[auth.Principal, Depends(requires("editor"))]
