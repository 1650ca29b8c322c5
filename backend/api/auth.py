"""Login, logout and "who am I" (outside the access policy: anyone may try to log in)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from backend.api.deps import SessionDep
from backend.api.security import PrincipalDep
from backend.services import login_sessions

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    """A user name and password."""

    username: str
    password: str


class WhoAmI(BaseModel):
    """The caller as the server sees them (``username`` is null when anonymous)."""

    username: str | None
    role: str | None
    access: str


def _cookie_options(request: Request) -> dict:
    return login_sessions.cookie_options(
        secure=request.app.state.cookie_secure, scheme=request.url.scheme
    )


@router.post("/login", response_model=WhoAmI)
def login(body: LoginIn, request: Request, response: Response, session: SessionDep) -> WhoAmI:
    """Check the password and set the session cookie (HttpOnly, SameSite=Lax, Secure over
    https or as configured); 429 with ``Retry-After`` after too many failures."""
    principal, cookie = login_sessions.log_in(
        session=session,
        secret_key=request.app.state.secret_key,
        username=body.username,
        password=body.password,
        client=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    response.set_cookie(
        login_sessions.COOKIE_NAME,
        cookie,
        max_age=login_sessions.MAX_AGE_S,
        **_cookie_options(request),
    )
    return WhoAmI(username=principal.username, role=principal.role, access=request.app.state.access)


@router.post("/logout", response_model=WhoAmI)
def logout(request: Request, response: Response, session: SessionDep) -> WhoAmI:
    """End the session server-side and forget its cookie."""
    login_sessions.end(
        session=session,
        secret_key=request.app.state.secret_key,
        cookie=request.cookies.get(login_sessions.COOKIE_NAME),
    )
    session.commit()
    response.delete_cookie(login_sessions.COOKIE_NAME, **_cookie_options(request))
    return WhoAmI(username=None, role=None, access=request.app.state.access)


@router.get("/me", response_model=WhoAmI)
def whoami(principal: PrincipalDep, request: Request) -> WhoAmI:
    """Who the server takes the caller to be."""
    return WhoAmI(username=principal.username, role=principal.role, access=request.app.state.access)
