"""The bulk write path's public names, kept where callers import them from: the writer
(``backend.ingest.writer``), the dimension and fact specs, and a record-to-dict helper."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from backend.ingest.dimensions import DIMENSIONS, same_json
from backend.ingest.staging import FACTS
from backend.ingest.writer import UploadWriter

__all__ = ["DIMENSIONS", "FACTS", "UploadWriter", "record_fields", "same_json"]


def record_fields(record) -> dict[str, Any]:
    """A record as a dict (without its ``row``), e.g. for JSON previews."""
    if hasattr(record, "_asdict"):
        return {k: v for k, v in record._asdict().items() if k != "row"}
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name != "row"}
