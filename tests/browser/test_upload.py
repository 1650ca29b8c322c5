"""Uploading in a real browser: a valid file shows its preview, lands in the uploads list and
can be undone; an invalid file shows its problems with row and column and writes nothing."""

from __future__ import annotations

import csv

import pytest
from playwright import sync_api
from sqlalchemy import func, select

from app import ids
from backend.models import Measurement, Model, Upload
from backend.services import uploads
from tests.browser import demo_data
from tests.browser.conftest import _serve, visit

UPLOAD_INPUT = f"#{ids.UPLOAD_DROP} input[type=file]"


def _count(server, stmt) -> int:
    with server.engine().connect() as conn:
        return conn.execute(stmt).scalar_one()


def _pythia_1b_file(tmp_path):
    """A long CSV of real Pythia-1.4B evaluations (two checkpoints, three tasks)."""
    rows = [row for row in demo_data.pythia_rows(sizes=("1.4b",)) if row["step"] in (1000, 143000)]
    path = tmp_path / "pythia_1.4b_evals.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=demo_data.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path, len(rows)


def test_upload_previews_lands_and_undoes(page, data_server, tmp_path):
    path, n_rows = _pythia_1b_file(tmp_path)
    uploads_before = _count(data_server, select(func.count()).select_from(Upload))
    visit(page, data_server, "/upload")
    sent: list[tuple[str, int]] = []
    page.on("request", lambda r: sent.append((r.url, len(r.post_data_buffer or b""))))
    page.set_input_files(UPLOAD_INPUT, str(path))

    page.wait_for_selector(".upload-preview-ok")
    # The file streams to the API; no Dash callback carries it (issue 13).
    size = path.stat().st_size
    assert any(url.endswith("/api/uploads") for url, _ in sent), sent
    assert all(n < size for url, n in sent if "_dash-update-component" in url), sent
    assert page.inner_text("#upload-detected-format") == "long_csv"
    assert "records" in page.inner_text(f"#{ids.UPLOAD_PREVIEW}")
    measurements = page.locator("#upload-counts tr", has_text="measurements").locator("td")
    assert measurements.all_inner_texts() == ["measurements", str(n_rows), "0", "0"]
    models = page.locator("#upload-counts tr", has_text="models").locator("td")
    assert models.all_inner_texts() == ["models", "1", "0", "0"]
    page.screenshot(path=str(_shot("upload-preview")), full_page=True)
    # the preview wrote nothing
    assert _count(data_server, select(func.count()).select_from(Upload)) == uploads_before
    assert _count(data_server, select(func.count()).where(Model.name == "pythia-1.4b")) == 0

    page.click(f"#{ids.UPLOAD_CONFIRM}")
    page.wait_for_selector(f"#{ids.UPLOAD_RESULT}:has-text('Imported')")
    row = page.locator("#uploads-table tr", has_text=path.name)
    assert row.count() == 1 and "committed" in row.inner_text()
    assert _count(data_server, select(func.count()).where(Model.name == "pythia-1.4b")) == 1
    measured = select(func.count()).select_from(Measurement).join(Upload)
    upload_id = _count(data_server, select(func.max(Upload.id)))
    assert _count(data_server, measured.where(Upload.id == upload_id)) == n_rows
    page.screenshot(path=str(_shot("upload-landed")), full_page=True)

    row.get_by_role("button", name="Undo").click()  # asks first, saying what it removes
    question = page.locator(f"#{ids.UPLOAD_UNDO_TEXT}")
    sync_api.expect(question).to_contain_text(f"Undo upload {upload_id} ({path.name})?")
    assert f"It removes {n_rows:,} measurements" in question.inner_text()
    assert _count(data_server, measured.where(Upload.id == upload_id)) == n_rows  # not yet
    page.click(f"#{ids.UPLOAD_UNDO_NO}")  # keep it: nothing changes
    sync_api.expect(page.locator(f"#{ids.UPLOAD_UNDO_ASK}")).to_be_hidden()
    assert _count(data_server, measured.where(Upload.id == upload_id)) == n_rows
    row.get_by_role("button", name="Undo").click()
    page.click(f"#{ids.UPLOAD_UNDO_YES}")
    page.wait_for_selector(f"#{ids.UPLOAD_RESULT}:has-text('undone')")
    row = page.locator("#uploads-table tr", has_text=path.name)
    assert "undone" in row.inner_text()
    assert _count(data_server, measured.where(Upload.id == upload_id)) == 0
    assert _count(data_server, select(func.count()).where(Model.name == "pythia-1.4b")) == 0


def test_invalid_upload_shows_row_and_column_and_writes_nothing(page, data_server, tmp_path):
    path = tmp_path / "broken_results.csv"
    path.write_text(
        "model,revision,eval_set,metric,value,step\n"
        "broken-model,step1,piqa,acc,0.61,1\n"
        "broken-model,step2,piqa,acc,sixty,2\n"
    )
    uploads_before = _count(data_server, select(func.count()).select_from(Upload))
    visit(page, data_server, "/upload")
    page.set_input_files(UPLOAD_INPUT, str(path))

    page.wait_for_selector(".upload-preview-bad")
    # The refusal is the API's 422 to the streamed file; Chromium logs every 4xx it fetches.
    expected = [e for e in page.console_errors if "status of 422" in e]
    assert len(expected) == 1
    page.console_errors.remove(expected[0])
    problems = page.locator("#upload-problems tbody tr")
    assert problems.count() == 1
    cells = problems.first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "value" and "sixty" in cells[2]
    assert page.is_disabled(f"#{ids.UPLOAD_CONFIRM}")
    page.screenshot(path=str(_shot("upload-invalid")), full_page=True)
    assert _count(data_server, select(func.count()).select_from(Upload)) == uploads_before
    assert _count(data_server, select(func.count()).where(Model.name == "broken-model")) == 0


def _shot(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


UPLOADS_SHOWN = 20  # app.pages.upload.UPLOADS_SHOWN (a page module imports only inside the app)


@pytest.fixture(scope="module")
def many_uploads_server(tmp_path_factory):
    """The web process on a database of UPLOADS_SHOWN + 3 one-row uploads."""

    def load(engine):
        for i in range(UPLOADS_SHOWN + 3):
            rows = [{"model": f"m-{i}", "eval_set": "toy", "metric": "acc", "value": 0.5}]
            uploads.ingest_rows(engine=engine, rows=rows, filename=f"u{i}.json")

    yield from _serve(tmp_path_factory, "many-uploads", load)


def test_the_uploads_list_shows_the_newest_and_says_where_the_rest_are(page, many_uploads_server):
    visit(page, many_uploads_server, "/upload", screenshot="upload-many")
    shown = page.locator(f"#{ids.UPLOADS_TABLE} tbody tr")
    assert shown.count() == UPLOADS_SHOWN
    assert shown.first.locator("td").nth(2).inner_text() == f"u{UPLOADS_SHOWN + 2}.json"
    note = page.locator(f"#{ids.UPLOAD_LIST}").inner_text()
    assert f"The {UPLOADS_SHOWN} newest of {UPLOADS_SHOWN + 3} uploads" in note
    assert "scalescope uploads list" in note
