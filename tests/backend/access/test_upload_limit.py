"""The dashboard's upload path refuses a file over ``max_upload_bytes`` before decoding it,
as the API does."""

from __future__ import annotations

import base64

from app.upload_files import import_upload
from backend import db
from backend.config import get_settings
from tests.conftest import _empty_all_tables

CSV = "model,revision,eval_set,metric,value\npythia-70m,final,piqa,acc,0.6\n"


def test_an_upload_over_the_limit_is_refused_and_writes_nothing(sqlite_url, monkeypatch):
    engine = db.get_engine(sqlite_url)
    _empty_all_tables(engine)
    contents = "data:text/csv;base64," + base64.b64encode(CSV.encode()).decode()
    monkeypatch.setenv("SCALESCOPE_MAX_UPLOAD_BYTES", str(len(CSV) - 10))
    get_settings.cache_clear()
    try:
        refused = import_upload(engine=engine, contents=contents, filename="big.csv")
    finally:
        monkeypatch.delenv("SCALESCOPE_MAX_UPLOAD_BYTES")
        get_settings.cache_clear()
    assert not refused.ok and "upload limit" in str(refused.problems[0])
    accepted = import_upload(engine=engine, contents=contents, filename="big.csv")
    assert accepted.ok and accepted.report.upload_id is not None
