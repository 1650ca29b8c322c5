"""The log-in page: no open redirect, ``next`` escaped; ``POST /logout`` clears the cookie."""

from __future__ import annotations

import pytest

from app.login_page import safe_next
from backend.services import login_sessions
from tests.backend.access.conftest import PASSWORD


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/scaling?x=params", "/scaling?x=params"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        (None, "/"),
        # Known bypasses (issue 13): browsers drop tabs and newlines, read \\ as /.
        ("/\t/evil.example", "/"),
        ("/%09/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        ("\t//evil.example", "/"),
        ("/ /evil.example", "/"),
        ("/%2F/evil.example", "/"),
        ("/%2f%2fevil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\\/evil.example", "/"),
        ("https:/evil.example", "/"),
        ("/\x00/evil.example", "/"),
        ("/\u3000/evil.example", "/"),
        ("/models?search=a%20b#x", "/models?search=a%20b#x"),
        ("/model/pythia-70m", "/model/pythia-70m"),
    ],
)
def test_next_stays_on_this_site(target, expected):
    assert safe_next(target) == expected


def test_login_page_escapes_next(private):
    page = private.client.get('/login?next=/x"><script>alert(1)</script>')
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert 'data-next="/x&quot;&gt;&lt;script&gt;' in page.text


def test_logout_form_clears_the_cookie_and_closes_the_dashboard(private):
    client = private.client
    client.post("/api/auth/login", json={"username": "viewer", "password": PASSWORD})
    assert client.get("/scaling", follow_redirects=False).status_code == 200
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    header = response.headers["set-cookie"].lower()
    assert login_sessions.COOKIE_NAME in header and "max-age=0" in header
    assert client.get("/scaling", follow_redirects=False).status_code == 303


def test_a_tab_in_next_does_not_leave_the_site(private):
    """The reproduced attack: ``/login?next=/%09/evil.example`` went off-site after login."""
    page = private.client.get("/login?next=/%09/evil.example")
    assert 'data-next="/"' in page.text and "evil.example" not in page.text
