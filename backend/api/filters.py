"""Query-string parameters shared by the read endpoints, and CSV/JSON frame responses."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import pandas as pd
from fastapi import Depends, Query
from fastapi.responses import Response, StreamingResponse

from backend.schemas.measurements import MeasurementFilter

Names = Annotated[list[str] | None, Query()]
FrameFormat = Literal["json", "csv"]


def measurement_filter(
    model: Annotated[list[str] | None, Query(description="model name (repeatable)")] = None,
    family: Names = None,
    pretraining_data: Names = None,
    architecture: Names = None,
    tokenizer: Names = None,
    eval_set: Annotated[list[str] | None, Query(description="eval set name (repeatable)")] = None,
    metric: Names = None,
    min_step: int | None = None,
    max_step: int | None = None,
    min_tokens: float | None = None,
    max_tokens: float | None = None,
    final_only: bool = False,
) -> MeasurementFilter:
    """A ``MeasurementFilter`` from repeatable query parameters (``?model=a&model=b``)."""
    return MeasurementFilter(
        models=model,
        families=family,
        pretraining_data=pretraining_data,
        architectures=architecture,
        tokenizers=tokenizer,
        eval_sets=eval_set,
        metrics=metric,
        min_step=min_step,
        max_step=max_step,
        min_tokens=min_tokens,
        max_tokens=max_tokens,
        final_only=final_only,
    )


FilterDep = Annotated[MeasurementFilter, Depends(measurement_filter)]

# The 200 response of every frame endpoint (``frame_response``): a JSON table or CSV.
FRAME_RESPONSES: dict = {
    200: {
        "description": 'A table: JSON ``{"columns": [...], "rows": [{...}]}`` or CSV',
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["columns", "rows"],
                    "properties": {
                        "columns": {"type": "array", "items": {"type": "string"}},
                        "rows": {"type": "array", "items": {"type": "object"}},
                    },
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


# Columns that hold whole numbers; pandas reads them as floats when some are missing.
INTEGER_COLUMNS = ("id", "checkpoint_id", "step", "n", "upload_id", "x_step", "y_step")


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Integer columns as nullable integers, so that CSV says ``143000``, not ``143000.0``."""
    columns = [c for c in INTEGER_COLUMNS if c in frame.columns and frame[c].dtype.kind == "f"]
    if not columns:
        return frame
    return frame.astype({c: "Int64" for c in columns})


#: Rows serialized at a time: a response never holds more than this many rows as text, so
#: a large table (the coverage grid is tens of MB as JSON) does not cost three full copies
#: (JSON text, the body around it, its bytes) per request in flight.
STREAM_ROWS = 20_000


def frame_response(frame: pd.DataFrame, *, fmt: FrameFormat, filename: str) -> Response:
    """A DataFrame as CSV (a download; full float precision) or as JSON
    ``{"columns": [...], "rows": [{...}]}`` (NaN becomes null; 15 significant digits),
    streamed ``STREAM_ROWS`` rows at a time."""
    frame = _whole_numbers(frame)
    if fmt == "csv":
        return StreamingResponse(
            _csv_chunks(frame),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    return StreamingResponse(_json_chunks(frame), media_type="application/json")


def _slices(frame: pd.DataFrame):
    for start in range(0, len(frame), STREAM_ROWS):
        yield frame.iloc[start : start + STREAM_ROWS]


def _csv_chunks(frame: pd.DataFrame):
    yield frame.iloc[:0].to_csv(index=False).encode()
    for part in _slices(frame):
        yield part.to_csv(index=False, header=False).encode()


def _json_chunks(frame: pd.DataFrame):
    yield f'{{"columns": {json.dumps([str(c) for c in frame.columns])}, "rows": ['.encode()
    for index, part in enumerate(_slices(frame)):
        rows = part.to_json(orient="records", double_precision=15, date_format="iso")
        yield ("," if index else "").encode() + rows[1:-1].encode()  # without [ ]
    yield b"]}"
