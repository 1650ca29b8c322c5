"""Logging in and out in headless Chromium against a public instance with users: an editor
logs in and gets the upload actions, a wrong password shows an error, a viewer sees no upload
actions, logging out forgets the session."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from backend import db
from backend.services import auth
from tests.backend.access.conftest import PASSWORD, TEST_SECRET_KEY
from tests.browser.conftest import LiveServer, start_server, wait_rendered

ACCESS_ENV = {"SCALESCOPE_ACCESS": "public", "SCALESCOPE_SECRET_KEY": TEST_SECRET_KEY}


@contextmanager
def _environment(values: dict[str, str]):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def users_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The web process on a public instance with an editor and a viewer, and one upload."""
    from app.upload_files import import_upload
    from tests.backend.access.test_callback_access import DATA_URL

    folder = tmp_path_factory.mktemp("users-server")
    database_url = f"sqlite:///{folder / 'scalescope.db'}"
    db.upgrade(database_url)
    engine = db.get_engine(database_url)
    with db.session_scope(engine) as session:
        for role in ("editor", "viewer"):
            auth.create_user(session=session, username=role, password=PASSWORD, role=role)
    import_upload(engine=engine, contents=DATA_URL, filename="seed.csv")
    with _environment(ACCESS_ENV):
        process, url = start_server(database_url, folder / "server.log")
    yield LiveServer(url=url, database_url=database_url)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _log_in(page, server: LiveServer, username: str, password: str, next_path: str) -> None:
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")


def test_an_editor_logs_in_uploads_and_logs_out(page, users_server):
    _log_in(page, users_server, "editor", PASSWORD, "/upload")
    page.wait_for_url(f"{users_server.url}/upload")
    wait_rendered(page)
    assert "editor" in page.inner_text("#shell-user-menu")
    assert page.is_visible("#upload-drop")
    assert page.locator("#upload-confirm").count() == 1
    assert page.locator("button:has-text('Undo')").count() >= 1
    assert page.is_visible("#share-open")
    page.click("#shell-user-menu button:has-text('Log out')")
    page.wait_for_url(f"{users_server.url}/login")
    cookies = {c["name"] for c in page.context.cookies()}
    assert "scalescope_session" not in cookies


def test_a_wrong_password_shows_an_error(browser, users_server):
    # Its own context: the 401 of the log-in request is a console error by design.
    context = browser.new_context()
    try:
        page = context.new_page()
        _log_in(page, users_server, "editor", "not the password", "/upload")
        page.wait_for_selector("#login-error:has-text('wrong password')")
        assert page.url.startswith(f"{users_server.url}/login")
        assert "scalescope_session" not in {c["name"] for c in context.cookies()}
    finally:
        context.close()


def test_a_viewer_sees_no_upload_actions(page, users_server):
    _log_in(page, users_server, "viewer", PASSWORD, "/upload")
    page.wait_for_url(f"{users_server.url}/upload")
    wait_rendered(page)
    assert "viewer" in page.inner_text("#shell-user-menu")
    assert page.is_visible("#upload-read-only")
    assert page.locator("#upload-drop").count() == 0
    assert page.locator("#upload-confirm").count() == 0
    assert page.locator("button:has-text('Undo')").count() == 0
    assert not page.is_visible("#share-open")
    # And the API refuses the viewer's cookie for writes too.
    cookie = {c["name"]: c["value"] for c in page.context.cookies()}
    response = httpx.post(
        f"{users_server.url}/api/uploads/1/undo",
        cookies=cookie,
        headers={"X-Requested-With": "test"},
    )
    assert response.status_code == 403


def test_anonymous_visitors_get_a_log_in_link(page, users_server):
    page.goto(users_server.url + "/")
    wait_rendered(page)
    link = page.locator("#shell-user-menu a:has-text('Log in')")
    assert link.count() == 1 and link.get_attribute("href") == "/login"
