"""Pure helpers that turn query results into table rows and curve frames for the Models,
Model, Coverage and Upload pages (no database, no Dash callbacks)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd

from backend.catalog import units
from backend.catalog.aliases import display_name

MODEL_COLUMNS = (
    ("name", "Model"),
    ("family", "Family"),
    ("architecture", "Architecture"),
    ("n_params", "Parameters"),
    ("pretraining_data", "Pretraining data"),
    ("tokenizer", "Tokenizer"),
    ("n_checkpoints", "Checkpoints"),
)
CHECKPOINT_COLUMNS = (
    ("revision", "Revision"),
    ("step", "Step"),
    ("tokens_seen", "Tokens seen"),
    ("samples_seen", "Samples seen"),
    ("flops", "FLOPs"),
    ("n_measurements", "Measurements"),
)
SERIES_SEPARATOR = " · "


def model_href(name: str) -> str:
    """The model page of ``name`` (slashes kept, everything else escaped)."""
    return "/model/" + quote(name, safe="/")


def human_number(value: Any) -> str:
    """``1.4e9`` -> ``1.4B``; small and non-numeric values as they are; missing as ``''``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, int | float):
        return str(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def model_rows(models: Iterable[Any]) -> list[dict]:
    """One row per model: its columns, a markdown link to its page, free attributes on top."""
    rows = []
    for model in models:
        row = {key: getattr(model, key, None) for key, _ in MODEL_COLUMNS}
        row["n_params"] = human_number(row["n_params"])
        row["name"] = f"[{model.name}]({model_href(model.name)})"
        for key, value in (getattr(model, "attributes", None) or {}).items():
            row.setdefault(
                f"attr:{key}", value if isinstance(value, str | int | float) else str(value)
            )
        rows.append(row)
    return rows


def model_name_of(row: dict) -> str:
    """The model name of a models-table row (its name cell is a link ``[name](href)``)."""
    cell = str(row.get("name", ""))
    if cell.startswith("[") and cell.endswith(")") and "](/model/" in cell:
        return cell[1 : cell.rindex("](/model/")]
    return cell


def table_columns(rows: Sequence[dict], fixed: Sequence[tuple[str, str]]) -> list[dict]:
    """DataTable column specs: the fixed columns, then any extra keys the rows carry."""
    columns = [{"id": key, "name": label} for key, label in fixed]
    known = {key for key, _ in fixed}
    extra = sorted({key for row in rows for key in row} - known)
    columns += [{"id": key, "name": key.removeprefix("attr:")} for key in extra]
    for column in columns:
        if column["id"] == "name":
            column["presentation"] = "markdown"
    return columns


def checkpoint_rows(checkpoints: Iterable[Any]) -> list[dict]:
    """One row per checkpoint, large counts in human units."""
    rows = []
    for checkpoint in checkpoints:
        row = {key: getattr(checkpoint, key, None) for key, _ in CHECKPOINT_COLUMNS}
        for key in ("tokens_seen", "samples_seen", "flops"):
            row[key] = human_number(row[key])
        rows.append(row)
    return rows


def attribute_items(model: Any) -> list[tuple[str, str]]:
    """(label, value) pairs describing a model, for its page's fact list."""
    items = [
        ("Family", model.family),
        ("Architecture", model.architecture),
        ("Parameters", human_number(model.n_params)),
        ("Pretraining data", model.pretraining_data),
        ("Tokenizer", model.tokenizer),
        ("Checkpoints", model.n_checkpoints),
    ]
    items += [(str(key), value) for key, value in (model.attributes or {}).items()]
    return [(label, str(value)) for label, value in items if value not in (None, "")]


def series_key(eval_set: str, metric: str) -> str:
    """The label of one (eval set, metric) series."""
    return f"{eval_set}{SERIES_SEPARATOR}{metric}"


def curve_series(measurements: pd.DataFrame) -> list[str]:
    """The (eval set, metric) series of a model's measurements, most checkpoints first."""
    if measurements.empty:
        return []
    counts = measurements.groupby(["eval_set", "metric"]).size().reset_index(name="n")
    counts = counts.sort_values(["n", "eval_set", "metric"], ascending=[False, True, True])
    return [series_key(e, m) for e, m in zip(counts["eval_set"], counts["metric"], strict=True)]


def series_axis(series: Sequence[str]) -> tuple[str, str | None]:
    """The y-axis title of learning curves of ``series`` (display names and unit) and its
    tick format (percent for accuracies)."""
    metrics = list(dict.fromkeys(key.split(SERIES_SEPARATOR)[-1] for key in series))
    if metrics and all(units.is_accuracy(m) for m in metrics):
        names = {display_name("metric", m) for m in metrics}
        return (names.pop() if len(names) == 1 else "accuracy"), ".0%"
    if len(metrics) == 1:
        return units.metric_label(metrics[0]), None
    return "value", None


def curve_frame(measurements: pd.DataFrame, series: Sequence[str], x: str = "step") -> pd.DataFrame:
    """Rows of the chosen series as a learning-curve frame: ``x, y, group, model, checkpoint``
    (checkpoints without an ``x`` value are left out)."""
    columns = ["x", "y", "group", "model", "checkpoint"]
    if measurements.empty or not series:
        return pd.DataFrame(columns=columns)
    keys = measurements["eval_set"] + SERIES_SEPARATOR + measurements["metric"]
    chosen = measurements[keys.isin(series) & measurements[x].notna()]
    frame = pd.DataFrame(
        {
            "x": chosen[x].astype(float),
            "y": chosen["value"].astype(float),
            "group": (chosen["eval_set"] + SERIES_SEPARATOR + chosen["metric"]),
            "model": chosen["model"],
            "checkpoint": chosen["revision"],
        }
    )
    return frame.sort_values(["group", "x"]).reset_index(drop=True)[columns]


def upload_rows(uploads: Iterable[Any]) -> list[dict]:
    """One row per upload: when, file, format, source, status, rows written per table."""
    rows = []
    for upload in uploads:
        counts = upload.counts or {}
        written = {
            table: (c.get("new", 0) + c.get("updated", 0)) if isinstance(c, dict) else c
            for table, c in counts.items()
        }
        rows.append(
            {
                "id": upload.id,
                "created_at": f"{upload.created_at:%Y-%m-%d %H:%M}",
                "filename": upload.filename or "",
                "format": upload.format,
                "source": upload.source,
                "status": upload.status,
                "written": ", ".join(f"{n} {table}" for table, n in written.items() if n)
                or "nothing",
            }
        )
    return rows


def report_rows(report: Any) -> list[dict]:
    """The per-table counts of an upload report (or a dry run's preview)."""
    return [
        {"table": table, "new": c.new, "updated": c.updated, "unchanged": c.unchanged}
        for table, c in report.counts.items()
    ]


def problem_rows(problems: Iterable[Any]) -> list[dict]:
    """Ingest problems as rows: row, column, message (where the file went wrong)."""
    return [
        {
            "row": "" if p.row is None else p.row,
            "column": p.column or "",
            "message": p.message,
        }
        for p in problems
    ]
