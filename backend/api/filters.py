"""Query-string parameters shared by the read endpoints, and CSV/JSON frame responses."""

from __future__ import annotations

import io
import json
from typing import Annotated, Literal

import pandas as pd
from fastapi import Depends, Query
from fastapi.responses import Response

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


def frame_response(frame: pd.DataFrame, *, fmt: FrameFormat, filename: str) -> Response:
    """A DataFrame as CSV (a download; full float precision) or as JSON
    ``{"columns": [...], "rows": [{...}]}`` (NaN becomes null; 15 significant digits)."""
    frame = _whole_numbers(frame)
    if fmt == "csv":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False)
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    rows = frame.to_json(orient="records", double_precision=15, date_format="iso")
    body = f'{{"columns": {json.dumps([str(c) for c in frame.columns])}, "rows": {rows}}}'
    return Response(body, media_type="application/json")
