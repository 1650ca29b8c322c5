"""Browser tests: the real web process (``uvicorn --factory app.main:create_app``) in a
subprocess on a free port, against temporary SQLite databases, driven by headless Chromium
(Playwright's sync API with ``/usr/bin/chromium``).

- ``empty_server``: an empty, migrated database (empty states);
- ``data_server``: a database loaded with real published results through the ingest service;
- ``page``: a fresh browser page that fails the test on console errors and page errors;
- ``visit(page, server, path)``: open a path, wait for the page to render, screenshot it into
  ``artifacts/screenshots/`` for a person to look at.

Every test here is marked ``browser`` and shares one xdist group, so one worker runs them all
with one server of each kind and one browser.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from backend import db
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 (re-exported)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
# Console messages that are not errors of ours.
IGNORED_CONSOLE = ("WebSocket disconnected", "favicon.ico")
RENDERED = "#_pages_content > *"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the group markers (--dist loadgroup)
def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/browser as ``browser`` and put them in one xdist group."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@dataclass(frozen=True)
class LiveServer:
    """A running web process: its base URL and its database."""

    url: str
    database_url: str

    def engine(self):
        """An engine on the server's database (to arrange data and check what was written)."""
        return db.get_engine(self.database_url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _popen_server(
    port: int, env: dict[str, str], log, factory: str = "app.main:create_app"
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_server(
    database_url: str | None,
    log_path: Path,
    extra_env: dict[str, str] | None = None,
    *,
    factory: str = "app.main:create_app",
    ready_path: str = "/api/health",
) -> tuple[subprocess.Popen, str]:
    """Start uvicorn on the app factory (``extra_env`` added to its environment); return the
    process and its base URL once ``ready_path`` answers 200."""
    port = _free_port()
    database = {"SCALESCOPE_DATABASE_URL": database_url} if database_url is not None else {}
    env = {**os.environ, **database, **(extra_env or {})}
    with open(log_path, "w") as log:  # the child keeps its own copy of the descriptor
        process = _popen_server(port, env, log, factory)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web process exited: {log_path.read_text()[-3000:]}")
        try:
            if httpx.get(url + ready_path, timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the web process did not answer: {log_path.read_text()[-3000:]}")


def _serve(tmp_path_factory, name: str, load=None) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp(name)
    database_url = f"sqlite:///{folder / 'scalescope.db'}"
    db.upgrade(database_url)
    if load is not None:
        load(db.get_engine(database_url))
    process, url = start_server(database_url, folder / "server.log")
    yield LiveServer(url=url, database_url=database_url)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def empty_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The web process on an empty database."""
    yield from _serve(tmp_path_factory, "empty-server")


@pytest.fixture(scope="session")
def data_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The web process on a database loaded with real results (see ``demo_data.load``)."""
    from tests.browser import demo_data

    yield from _serve(tmp_path_factory, "data-server", demo_data.load)


@pytest.fixture
def page(browser):
    """A fresh page (1280x860); the test fails if the page logs a console or page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    new_page = context.new_page()
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not any(s in message.text for s in IGNORED_CONSOLE):
            errors.append(f"console: {message.text}")

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    new_page.console_errors = errors
    yield new_page
    context.close()
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


def wait_rendered(page, timeout_ms: int = 20_000) -> None:
    """Wait until the page container has content and Dash has no callback in flight."""
    page.wait_for_selector(RENDERED, timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=timeout_ms
    )


def visit(page, server: LiveServer, path: str, *, screenshot: str | None = None) -> None:
    """Open ``path``, wait for it to render, save a full-page screenshot."""
    page.goto(server.url + path)
    wait_rendered(page)
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = screenshot or (path.strip("/").replace("/", "_").split("?")[0] or "home")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def pick(page, dropdown_id: str, label: str) -> None:
    """Choose the option ``label`` of a Dash dropdown, waiting on its state at each step. The
    search box is filled in one go: keys typed one by one into it get lost while the menu
    re-renders (typing "cifar" could leave "cfar"), and the choice is clicked, not picked with
    Enter, once the filtered menu shows it."""
    page.click(f"#{dropdown_id}")
    menu = page.locator(".dash-dropdown-content[data-state='open']")
    menu.locator("input.dash-dropdown-search").fill(label)
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    menu.locator("[role='option']").filter(has_text=exact).first.click(timeout=20_000)
    if menu.count():  # a multi-select menu stays open
        page.keyboard.press("Escape")
    page.wait_for_function(
        "([id, label]) => document.getElementById(id).innerText.includes(label)",
        arg=[dropdown_id, label],
        timeout=20_000,
    )


GRAPH_DATA_JS = """
(graphId) => {
    const domId = "{" + Object.keys(graphId).sort().map(
        k => JSON.stringify(k) + ":" + JSON.stringify(graphId[k])).join(",") + "}";
    const holder = document.getElementById(domId);
    const gd = holder && holder.querySelector(".js-plotly-plot");
    if (!gd || !gd.data) { return null; }
    const plain = v => {
        if (v && typeof v === "object" && v._inputArray !== undefined) { v = v._inputArray; }
        return (v && typeof v === "object" && v.length !== undefined) ? Array.from(v, plain) : v;
    };
    return gd.data.map(t => ({type: t.type || "scatter", name: t.name,
        x: plain(t.x), y: plain(t.y), z: plain(t.z), customdata: plain(t.customdata)}));
}
"""


def graph_data(page, graph_id: dict, timeout_ms: int = 20_000) -> list[dict]:
    """The traces plotly drew in the graph ``graph_id`` (type, name and x, y, z, customdata
    as plain lists)."""
    page.wait_for_function(f"() => ({GRAPH_DATA_JS})({_js(graph_id)}) !== null", timeout=timeout_ms)
    return page.evaluate(GRAPH_DATA_JS, graph_id)


def _js(value) -> str:
    import json

    return json.dumps(value)


def nav_paths(page, server: LiveServer) -> list[str]:
    """The paths of every page in the navigation bar (explorers included as they land)."""
    visit(page, server, "/")
    return page.eval_on_selector_all(".nav-links a", "links => links.map(a => a.pathname)")
