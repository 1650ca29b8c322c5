"""Pure conversions behind the export menu: a plotly figure (as JSON) to a table of plotted
points, fit parameters to CSV, and file names for a plot panel.

These CSV files are meant for spreadsheets, so text that a spreadsheet would run as a formula
(a cell starting with ``= + - @``, tab or carriage return) is prefixed with ``'``
(:func:`neutralise`); numbers are left alone. The API's CSV stays raw."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import numpy as np
import pandas as pd

POINT_COLUMNS = ["trace", "kind", "x", "y", "model", "checkpoint"]


def decode_array(value: Any) -> list:
    """A trace array as a list, whether plain or plotly's base64 typed array
    (``{"dtype": "f8", "bdata": ..., "shape": ...}``)."""
    if value is None:
        return []
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            dims = [int(part) for part in str(shape).split(",")]
            data = data.reshape(dims)
        return data.tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return list(value)


def figure_points_frame(figure: dict | None) -> pd.DataFrame:
    """One row per plotted point of every trace (bands are skipped): trace name, ``point`` for
    measured points (they carry model and checkpoint) or ``line`` for fitted curves, x, y."""
    rows: list[dict[str, Any]] = []
    for index, trace in enumerate((figure or {}).get("data", [])):
        if trace.get("fill") in ("toself", "tonexty", "tozeroy", "tonextx", "tozerox"):
            continue
        xs, ys = decode_array(trace.get("x")), decode_array(trace.get("y"))
        custom = decode_array(trace.get("customdata"))
        kind = "point" if custom else "line"
        name = trace.get("name") or f"trace {index}"
        for position, (x_value, y_value) in enumerate(zip(xs, ys, strict=False)):
            meta = custom[position] if position < len(custom) else None
            meta = meta if isinstance(meta, list) else [meta]
            rows.append(
                {
                    "trace": name,
                    "kind": kind,
                    "x": x_value,
                    "y": y_value,
                    "model": meta[0] if custom and len(meta) > 0 else None,
                    "checkpoint": meta[1] if custom and len(meta) > 1 else None,
                }
            )
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text with formula-like text cells (and headers) neutralised."""
    frame = frame.rename(columns=lambda name: neutralise(str(name)))
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(neutralise)
    return frame.to_csv(index=False)


def points_csv(figure: dict | None) -> str:
    """The plotted points of ``figure`` as CSV text (for spreadsheets)."""
    return spreadsheet_csv(figure_points_frame(figure))


def fits_csv(records: list[dict] | None) -> str:
    """Fit parameters (a list of records, one per fitted group) as CSV text (for
    spreadsheets)."""
    return spreadsheet_csv(pd.DataFrame(records or []))


def figure_json(figure: dict | None) -> str:
    """The plotly figure as JSON text (loads back with ``plotly.io.from_json``)."""
    return json.dumps(figure or {}, indent=1, default=str)


def export_basename(panel: str) -> str:
    """A file name stem for a plot panel key like ``/scaling#main`` -> ``scalescope-scaling``."""
    page, _, name = panel.partition("#")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", page).strip("-") or "home"
    if name and name != "main":
        stem += "-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    return f"scalescope-{stem}"
