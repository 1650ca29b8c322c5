"""Who is calling, and the access policy every API route goes through.

The caller is found from an ``Authorization: Bearer ss_…`` API token or, failing that, the
signed login cookie; otherwise it is anonymous. One policy covers the whole API (so that no
route can forget it):

- on a "local" instance (one person on their own machine, loopback only) the anonymous
  caller is that person, an admin;
- reading (GET/HEAD) needs nothing on a public instance and a viewer on a private one;
- every other method (uploads, undo, jobs, shares) needs an editor;
- routes that manage users need an admin (``AdminDep``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backend.api.deps import SessionDep
from backend.services import auth, login_sessions

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_principal(request: Request, session: SessionDep) -> auth.Principal:
    """The caller: token holder, logged-in user or anonymous (a bad token is an error)."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        principal = auth.authenticate_token(session=session, secret=credentials.strip())
        session.commit()  # the token's last-used time
        return principal
    return login_sessions.resolve(
        session=session,
        secret_key=request.app.state.secret_key,
        cookie=request.cookies.get(login_sessions.COOKIE_NAME),
    )


PrincipalDep = Annotated[auth.Principal, Depends(current_principal)]


def enforce_access_policy(request: Request, principal: PrincipalDep) -> auth.Principal:
    """Apply the instance's policy to this request (see the module docstring)."""
    if request.app.state.access == "local" and principal.is_anonymous:
        return auth.LOCAL_OWNER
    if request.method in READ_METHODS:
        if request.app.state.access == "private":
            auth.require_role(principal, "viewer")
    else:
        auth.require_role(principal, "editor")
    return principal


def require_admin(request: Request, principal: PrincipalDep) -> auth.Principal:
    """Only admins get past this."""
    if request.app.state.access == "local" and principal.is_anonymous:
        return auth.LOCAL_OWNER
    auth.require_role(principal, "admin")
    return principal


AdminDep = Annotated[auth.Principal, Depends(require_admin)]
