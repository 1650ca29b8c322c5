"""The upload page shows the API's answer to the streamed upload (issue 13: files no longer
travel through a Dash callback): the preview of a dry run, the import, or why it was refused."""

from __future__ import annotations

import pytest

from app.upload_files import reply_outcome

REPORT = {
    "upload_id": None,
    "format": "long_csv",
    "filename": "evals.csv",
    "dry_run": True,
    "records": 3,
    "counts": {"measurements": {"new": 3, "updated": 0, "unchanged": 0}},
}


def test_a_dry_run_answer_is_a_report():
    outcome = reply_outcome({"filename": "evals.csv", "status": 200, "body": REPORT})
    assert outcome.ok and outcome.report.records == 3


def test_a_refusal_keeps_row_and_column():
    problem = {"message": "not a number", "file": "evals.csv", "row": 3, "column": "value"}
    body = {"error": "IngestError", "detail": "x", "problems": [problem]}
    outcome = reply_outcome({"filename": "evals.csv", "status": 422, "body": body})
    assert not outcome.ok
    assert (outcome.problems[0].row, outcome.problems[0].column) == (3, "value")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (413, {"error": "PayloadTooLarge", "detail": "too large", "problems": []}, "too large"),
        (403, {"error": "PermissionDeniedError", "detail": "needs editor"}, "needs editor"),
        (0, None, "answered 0"),
    ],
)
def test_other_errors_show_their_detail(status, body, expected):
    outcome = reply_outcome({"filename": "f.csv", "status": status, "body": body})
    assert not outcome.ok and expected in str(outcome.problems[0])
