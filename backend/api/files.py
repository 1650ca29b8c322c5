"""Uploaded bodies to temporary files, refused early when larger than the configured limit."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import UploadFile

from backend.exceptions import IngestError, IngestProblem

CHUNK_BYTES = 1 << 20


@contextmanager
def spooled_upload(upload: UploadFile, *, limit: int) -> Iterator[Path]:
    """The uploaded file copied in chunks to a temporary file (deleted afterwards)."""
    name = Path(upload.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="scalescope-upload-") as folder:
        path = Path(folder) / name
        written = 0
        with open(path, "wb") as out:
            while chunk := upload.file.read(CHUNK_BYTES):
                written += len(chunk)
                if written > limit:
                    raise IngestError(
                        IngestProblem(f"the file is larger than the limit of {limit} bytes", name)
                    )
                out.write(chunk)
        yield path


@contextmanager
def records_file(rows: list[dict[str, Any]], *, name: str) -> Iterator[Path]:
    """JSON records written to a temporary ``.json`` file for the long JSON reader."""
    folder = tempfile.mkdtemp(prefix="scalescope-records-")
    try:
        path = Path(folder) / Path(name).name
        path.write_text(json.dumps(rows), encoding="utf-8")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
