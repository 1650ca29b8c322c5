"""``GET /login``: a plain HTML form that posts the name and password to ``/api/auth/login``
(which sets the login cookie), then goes on to ``next``; ``POST /logout`` forgets the cookie.

The page is not a Dash page, so that it works on a private instance before anyone is logged
in without opening any of the dashboard's callbacks."""

from __future__ import annotations

import html
from urllib.parse import unquote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from backend.db import session_scope
from backend.services import login_sessions

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Log in · ScaleScope</title>
  <link rel="stylesheet" href="/assets/00_base.css">
  <link rel="stylesheet" href="/assets/access.css">
</head>
<body>
  <form class="login-card" id="login-form" data-next="__NEXT__">
    <h1><span class="brand-mark">◆</span>ScaleScope</h1>
    <p class="muted">Log in to continue.</p>
    <label for="login-username">User name</label>
    <input id="login-username" name="username" autocomplete="username" required autofocus>
    <label for="login-password">Password</label>
    <input id="login-password" name="password" type="password"
           autocomplete="current-password" required>
    <button class="button" id="login-submit" type="submit">Log in</button>
    <p class="login-error" id="login-error" role="alert"></p>
  </form>
  <script>
    document.getElementById("login-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.target;
      const error = document.getElementById("login-error");
      error.textContent = "";
      const response = await fetch("/api/auth/login", {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-Requested-With": "fetch"},
        body: JSON.stringify({username: form.username.value, password: form.password.value}),
      });
      if (response.ok) {
        window.location.assign(form.dataset.next || "/");
      } else {
        const body = await response.json().catch(() => ({}));
        error.textContent = response.status === 401
          ? "Unknown user or wrong password."
          : (body.detail || "Could not log in (" + response.status + ").");
      }
    });
  </script>
</body>
</html>
"""


def safe_next(target: str | None) -> str:
    """``target`` when it is a path of this site, else ``/`` (no open redirect).

    Judged as a browser reads it: control characters and spaces (which browsers drop from
    URLs, so ``/\t/evil.example`` is ``//evil.example``), backslashes (read as slashes) and
    percent-encoded forms of them are refused, as is anything with a scheme or host."""
    if not target or len(target) > 2000:
        return "/"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return "/"
    path = target.split("?", 1)[0].split("#", 1)[0]
    decoded = unquote(path)
    for text in (path, decoded):
        if any(char.isspace() for char in text) or "\\" in text:
            return "/"
    if not target.startswith("/") or decoded.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def add_login_routes(server: FastAPI) -> None:
    """Add ``GET /login`` and ``POST /logout`` to ``server``."""

    @server.get(LOGIN_PATH, include_in_schema=False)
    def login_page(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
        page = _TEMPLATE.replace("__NEXT__", html.escape(safe_next(next), quote=True))
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    @server.post(LOGOUT_PATH, include_in_schema=False)
    def logout(request: Request) -> RedirectResponse:
        with session_scope(request.app.state.engine) as session:
            login_sessions.end(
                session=session,
                secret_key=request.app.state.secret_key,
                cookie=request.cookies.get(login_sessions.COOKIE_NAME),
            )
        response = RedirectResponse(LOGIN_PATH, status_code=303)
        response.delete_cookie(
            login_sessions.COOKIE_NAME,
            **login_sessions.cookie_options(
                secure=request.app.state.cookie_secure, scheme=request.url.scheme
            ),
        )
        return response
