"""Every state-changing Dash callback refuses the wrong role.

The writing callbacks are found, not listed: every server callback of the real app is
followed through the ``app.*`` code it calls (module attributes and local imports included)
to the ``backend`` functions it reaches; one that reaches anything but a known read must carry
``app.access.requires_role`` (editor or higher). Each guarded callback is then run over HTTP
(``/_dash-update-component``, as the browser does) as anonymous, viewer and editor: the first
two change no row of any table and get the refusal in the access notice; the editor gets
through. A guarded callback without a request below fails the test, so none is skipped."""

from __future__ import annotations

import base64
import dis
import importlib
import inspect
import json
import types

import pytest
from sqlalchemy import func, select

from app import ids
from backend import db
from tests.backend.access.conftest import make_instance
from tests.backend.access.dash_calls import callback_body, server_callbacks

# backend functions a callback may reach without writing.
READS = {
    "backend.db.session_scope",
    "backend.db.get_engine",
    "backend.services.auth.role_at_least",
    "backend.services.login_sessions.identify",
    "backend.services.jobs.count_by_status",
    "backend.services.shares.resolve_share",
    "backend.services.shares.share_href",
    "backend.corpus.store.accuracy_by_similarity",
    "backend.corpus.store.accuracy_vs_similarity_frame",
    "backend.corpus.store.similarity_frame",
}
READ_PACKAGES = (
    "backend.queries.",
    "backend.analysis.",
    "backend.schemas.",
    "backend.exceptions",
    "backend.fits.",  # the explorers' fits: reads and pure computation
    "backend.catalog.",  # canonical names, display names and units: reads
)
GOOD_CSV = "model,revision,eval_set,metric,value\npythia-70m,final,piqa,acc,0.6\n"
DATA_URL = "data:text/csv;base64," + base64.b64encode(GOOD_CSV.encode()).decode()
ROLE_ORDER = ("viewer", "editor", "admin")


def _names_and_imports(code: types.CodeType) -> tuple[set[str], list[tuple[str, str]]]:
    names, imports, codes = set(), [], [code]
    while codes:
        current = codes.pop()
        names |= set(current.co_names)
        codes += [c for c in current.co_consts if isinstance(c, types.CodeType)]
        module = None
        for instruction in dis.get_instructions(current):
            if instruction.opname == "IMPORT_NAME":
                module = instruction.argval
            elif instruction.opname == "IMPORT_FROM" and module:
                imports.append((module, instruction.argval))
    return names, imports


def reached_backend(func) -> set[str]:
    """The ``backend`` functions reachable from ``func`` through ``app`` code."""
    seen, found, stack = set(), set(), [inspect.unwrap(func)]
    while stack:
        current = stack.pop()
        code = getattr(current, "__code__", None)
        if code is None or current in seen:
            continue
        seen.add(current)
        names, imports = _names_and_imports(code)
        targets = []
        for name in names:
            obj = current.__globals__.get(name)
            if isinstance(obj, types.ModuleType):
                targets += [obj.__dict__[n] for n in names if n in obj.__dict__]
            elif obj is not None:
                targets.append(obj)
        for module, name in imports:
            targets.append(getattr(importlib.import_module(module), name, None))
        for target in targets:
            target = inspect.unwrap(target) if callable(target) else target
            if not inspect.isfunction(target):
                continue
            module = target.__module__ or ""
            if module.startswith("app."):
                stack.append(target)
            elif module.startswith("backend."):
                found.add(f"{module}.{target.__qualname__}")
    return found


def writes(func) -> set[str]:
    """What of the reached backend is not a known read."""
    return {
        name
        for name in reached_backend(func)
        if name not in READS and not name.startswith(READ_PACKAGES)
    }


@pytest.fixture
def public(sqlite_url, secret_key):
    made = make_instance(sqlite_url, "public")
    with made.client:
        made.client.get("/")  # Dash registers the pages' callbacks on the first request
        yield made


def test_every_writing_callback_is_guarded(public):
    callbacks = server_callbacks(public.client.app)
    assert len(callbacks) > 15
    writers = {name for name, entry in callbacks.items() if writes(entry["callback"])}
    # The known writers are found (the enumeration works) ...
    assert {
        "app.pages.upload.undo_upload",
        "app.pages.jobs.launch",
        "app.pages.jobs.job_action",
        "app.components.share.create_link",
    } <= writers
    # ... and every writer found needs an editor at least.
    unguarded = {
        name: sorted(writes(callbacks[name]["callback"]))
        for name in writers
        if getattr(callbacks[name]["callback"], "required_role", None) not in ("editor", "admin")
    }
    assert not unguarded, f"callbacks that write without a role check: {unguarded}"


def test_the_detector_sees_local_imports():
    def launches():
        from backend.services.jobs import submit

        return submit

    assert "backend.services.jobs.submit" in writes(launches)


def _action_id(action: str) -> dict:
    return {"type": ids.JOBS_ACTION, "job": 1, "action": action}


def _requests(upload_id: int) -> dict[str, tuple[dict, list[str]]]:
    """Per guarded callback: input/state values by component id, and the changed inputs."""
    return {
        "app.components.share.create_link": (
            {ids.SHARE_CREATE: 1, ids.NAVIGATE: "http://testserver/scaling", ids.SHARE_PIN: []},
            [f"{ids.SHARE_CREATE}.n_clicks"],
        ),
        "app.pages.upload.undo_upload": (  # "Yes, undo it" after the question
            {ids.UPLOAD_UNDO_YES: 1, ids.UPLOAD_UNDO_PENDING: upload_id},
            [f"{ids.UPLOAD_UNDO_YES}.n_clicks"],
        ),
        "app.pages.jobs.launch": ({ids.JOBS_LAUNCH: 1}, [f"{ids.JOBS_LAUNCH}.n_clicks"]),
        "app.pages.corpus.count": ({"corpus-count": 1}, ["corpus-count.n_clicks"]),
        "app.pages.corpus.compare": ({"similarity-launch": 1}, ["similarity-launch.n_clicks"]),
        "app.pages.jobs.job_action": (
            {ids.JOBS_ACTION: [(_action_id("cancel"), 1)]},
            [json.dumps(_action_id("cancel"), separators=(",", ":"), sort_keys=True) + ".n_clicks"],
        ),
    }


def _row_counts(database_url: str) -> dict[str, int]:
    engine = db.get_engine(database_url)
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.Base.metadata.sorted_tables
        }


def _an_upload(instance) -> int:
    from app.upload_files import import_upload

    outcome = import_upload(
        engine=db.get_engine(instance.database_url), contents=DATA_URL, filename="seed.csv"
    )
    return outcome.report.upload_id


def _notice(response) -> str | None:
    if response.status_code != 200:
        return None
    side = response.json().get("sideUpdate", {})
    return (side.get(ids.ACCESS_NOTICE) or {}).get("children")


def test_guarded_callbacks_refuse_anonymous_and_viewers(public):
    callbacks = server_callbacks(public.client.app)
    guarded = {n: e for n, e in callbacks.items() if getattr(e["callback"], "required_role", None)}
    requests = _requests(_an_upload(public))
    assert set(guarded) <= set(requests), f"add a request for {set(guarded) - set(requests)}"
    for name, entry in guarded.items():
        values, changed = requests[name]
        body = callback_body(entry, values, changed)
        for role in (None, "viewer"):
            before = _row_counts(public.database_url)
            response = public.client.post(
                "/_dash-update-component", json=body, headers=public.headers(role)
            )
            where = f"{name} as {role or 'anonymous'}"
            assert response.status_code == 200, f"{where}: {response.status_code}"
            assert "editor role" in (_notice(response) or ""), f"{where}: not refused"
            assert not response.json().get("response"), f"{where}: answered {response.json()}"
            assert _row_counts(public.database_url) == before, f"{where}: wrote rows"


def test_editors_get_through_and_write(public):
    callbacks = server_callbacks(public.client.app)
    upload_id = _an_upload(public)
    requests = _requests(upload_id)
    for name in ("app.components.share.create_link",):
        values, changed = requests[name]
        before = _row_counts(public.database_url)
        response = public.client.post(
            "/_dash-update-component",
            json=callback_body(callbacks[name], values, changed),
            headers=public.headers("editor"),
        )
        assert response.status_code == 200 and _notice(response) is None, name
        after = _row_counts(public.database_url)
        assert after != before, f"{name}: the editor's call wrote nothing"
    values, changed = requests["app.pages.upload.undo_upload"]
    response = public.client.post(
        "/_dash-update-component",
        json=callback_body(callbacks["app.pages.upload.undo_upload"], values, changed),
        headers=public.headers("editor"),
    )
    assert f"Upload {upload_id} undone" in response.text


def test_a_cookie_write_from_another_site_is_refused(public):
    client = public.client
    client.post(
        "/api/auth/login", json={"username": "editor", "password": "a long enough password"}
    )
    entry = server_callbacks(client.app)["app.components.share.create_link"]
    values, changed = _requests(0)["app.components.share.create_link"]
    body = callback_body(entry, values, changed)
    refused = client.post(
        "/_dash-update-component", json=body, headers={"Origin": "https://evil.example"}
    )
    assert "another site" in (_notice(refused) or "")
    allowed = client.post(
        "/_dash-update-component", json=body, headers={"Origin": str(client.base_url)}
    )
    assert allowed.status_code == 200 and _notice(allowed) is None


def test_viewing_a_job_log_needs_no_editor(public):
    entry = server_callbacks(public.client.app)["app.pages.jobs.job_action"]
    show = _action_id("show")
    body = callback_body(
        entry,
        {ids.JOBS_ACTION: [(show, 1)]},
        [json.dumps(show, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
    )
    response = public.client.post(
        "/_dash-update-component", json=body, headers=public.headers("viewer")
    )
    assert response.status_code == 200 and _notice(response) is None


def test_websockets_are_closed_at_the_door(public):
    """Dash 4 serves callbacks over ``/_dash-ws-callback`` once ``websockets`` is installed
    (uvicorn[standard]); callbacks must go over HTTP, where the guards run."""
    from starlette.websockets import WebSocketDisconnect

    for path in ("/_dash-ws-callback", "/anything"):
        with pytest.raises(WebSocketDisconnect) as closed:
            with public.client.websocket_connect(path, headers={"Origin": "http://testserver"}):
                pass
        assert closed.value.code == 1008
