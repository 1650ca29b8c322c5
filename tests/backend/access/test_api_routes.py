"""Every route of the real app, enumerated from ``app.routes`` (not a hand list), against the
access policy: anonymous, viewer, editor and admin callers on a public and a private instance.

A route added later is enumerated too: it either goes through the policy (and passes these
checks) or is one of the few open routes named below, with the reason it is open."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts

from backend.api.security import READ_METHODS

# Open to everyone, with the reason.
OPEN_API = {
    "/api/health": "liveness for load balancers and compose health checks",
    "/api/auth/login": "anyone may try to log in",
    "/api/auth/logout": "forgetting a cookie needs no rights",
    "/api/auth/me": "says who the caller is (anonymous included)",
    "/api/openapi.json": "the API's description, no data",
}
ROLE_ORDER = (None, "viewer", "editor", "admin")


def api_routes(app) -> list[tuple[str, str, object]]:
    """(method, path, route) of every API route of the app, included routers flattened."""
    found = []
    for route in iter_route_contexts(app.routes):
        if route.path.startswith("/api/") and route.methods:
            found.extend((method, route.path, route) for method in sorted(route.methods))
    return found


def declared_role(route) -> str | None:
    """The role a route's own dependencies ask for (``security.requires``), if any."""
    roles = []
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant else []
    while stack:
        dependency = stack.pop()
        role = getattr(dependency.call, "role", None)
        if role:
            roles.append(role)
        stack.extend(dependency.dependencies)
    return max(roles, key=ROLE_ORDER.index, default=None)


def needed_role(method: str, route, access: str) -> str | None:
    """The least role the policy lets through."""
    base = ("viewer" if access == "private" else None) if method in READ_METHODS else "editor"
    return max((base, declared_role(route)), key=lambda r: ROLE_ORDER.index(r))


def concrete(path: str) -> str:
    """A path with every parameter filled in (``{id}`` -> 1, ``{name:path}`` -> x)."""
    return re.sub(r"\{[^}:]+:path\}", "x", re.sub(r"\{[^}:]+\}", "1", path))


def _call(instance, method: str, path: str, role: str | None):
    return instance.client.request(method, concrete(path), headers=instance.headers(role))


def test_the_enumeration_finds_the_api(instance):
    routes = {(method, path) for method, path, _ in api_routes(instance.client.app)}
    # Spot checks that the enumeration sees reads, writes and admin routes.
    assert ("GET", "/api/measurements") in routes
    assert ("POST", "/api/uploads/{upload_id}/undo") in routes
    assert ("POST", "/api/jobs/{job_id}/cancel") in routes
    assert ("POST", "/api/shares") in routes
    assert ("GET", "/api/users") in routes
    assert len(routes) > 30


def test_every_policed_route_refuses_too_low_a_role(instance):
    access = instance.client.app.state.access
    checked = 0
    for method, path, route in api_routes(instance.client.app):
        if path in OPEN_API:
            continue
        needed = needed_role(method, route, access)
        for role in ROLE_ORDER:
            status = _call(instance, method, path, role).status_code
            allowed = ROLE_ORDER.index(role) >= ROLE_ORDER.index(needed)
            where = f"{method} {path} as {role or 'anonymous'} ({access})"
            if allowed:
                assert status not in (401, 403), f"{where}: refused with {status}"
            elif role is None:
                assert status == 401, f"{where}: expected 401, got {status}"
            else:
                assert status == 403, f"{where}: expected 403, got {status}"
            checked += 1
    assert checked > 100


def test_open_routes_answer_anyone(instance):
    for method, path, _ in api_routes(instance.client.app):
        if path in OPEN_API:
            status = _call(instance, method, path, None).status_code
            assert status not in (401, 403), f"{method} {path}: {status}"


def test_writes_always_need_an_editor_and_users_an_admin(instance):
    """The rules of the issue, stated directly (not through ``needed_role``)."""
    for method, path, route in api_routes(instance.client.app):
        if path in OPEN_API:
            continue
        if method not in READ_METHODS:
            assert _call(instance, method, path, None).status_code == 401, path
            assert _call(instance, method, path, "viewer").status_code == 403, path
            writer = "admin" if declared_role(route) == "admin" else "editor"
            if writer == "admin":  # managing sessions: admins only
                assert _call(instance, method, path, "editor").status_code == 403, path
            assert _call(instance, method, path, writer).status_code not in (401, 403), path
    assert _call(instance, "GET", "/api/users", "editor").status_code == 403
    assert _call(instance, "GET", "/api/users", "admin").status_code == 200


@pytest.mark.parametrize("access", ["private"])
def test_private_instance_refuses_anonymous_reads(sqlite_url, secret_key, access):
    from tests.backend.access.conftest import make_instance

    made = make_instance(sqlite_url, access)
    with made.client:
        for method, path, route in api_routes(made.client.app):
            if method in READ_METHODS and path not in OPEN_API:
                assert _call(made, method, path, None).status_code == 401, path
                if declared_role(route) is None:
                    assert _call(made, method, path, "viewer").status_code not in (401, 403), path


def test_a_new_unpoliced_route_is_caught(sqlite_url, secret_key):
    """The enumeration covers routes added later: one without the policy fails the check."""
    from tests.backend.access.conftest import make_instance

    made = make_instance(sqlite_url, "private")
    with made.client:

        @made.client.app.post("/api/escape")
        def escape() -> dict:
            return {"wrote": True}

        added = [r for m, p, r in api_routes(made.client.app) if p == "/api/escape"]
        assert added, "the enumeration does not see a route added later"
        assert _call(made, "POST", "/api/escape", None).status_code == 200  # it escaped
        assert needed_role("POST", added[0], "private") == "editor"  # and the check would fail
