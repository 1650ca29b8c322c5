"""Frame responses stream in slices of rows and say exactly what one-shot serialization says."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api import filters


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    values = rng.normal(size=n)
    values[::7] = np.nan
    return pd.DataFrame(
        {
            "model": [f'm,{i % 13}"x' for i in range(n)],
            "step": np.where(np.arange(n) % 5 == 0, np.nan, np.arange(n, dtype=float)),
            "value": values,
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="s"),
        }
    )


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setattr(filters, "STREAM_ROWS", 7)  # many slices, one of them partial
    app = FastAPI()
    state = {}

    @app.get("/frame")
    def frame(fmt: str):
        return filters.frame_response(state["frame"], fmt=fmt, filename="f")

    with TestClient(app) as test_client:
        yield test_client, state


@pytest.mark.parametrize("n", [0, 1, 7, 50])
def test_streamed_json_and_csv_equal_one_shot(client, n):
    test_client, state = client
    state["frame"] = frame = _frame(n)
    whole = filters._whole_numbers(frame)
    body = test_client.get("/frame", params={"fmt": "json"})
    assert body.headers["content-type"] == "application/json"
    rows = whole.to_json(orient="records", double_precision=15, date_format="iso")
    expected = f'{{"columns": {json.dumps(list(whole.columns))}, "rows": {rows}}}'
    assert body.text == expected
    assert len(json.loads(body.text)["rows"]) == n
    csv = test_client.get("/frame", params={"fmt": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text == whole.to_csv(index=False)
    assert len(pd.read_csv(io.StringIO(csv.text))) == n
