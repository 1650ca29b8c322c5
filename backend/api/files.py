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
MAX_NAME_CHARS = 200


def upload_name(raw: str | None) -> str:
    """The last component of an uploaded file's name; ``IngestError`` (422) for a name that
    is no file name (``.``, ``..``) or longer than ``MAX_NAME_CHARS``."""
    name = Path((raw or "upload").replace("\\", "/")).name
    if name in ("", ".", ".."):
        raise IngestError(IngestProblem(f"{raw!r} is not a file name", raw))
    if len(name) > MAX_NAME_CHARS or any(ord(char) < 0x20 for char in name):
        raise IngestError(
            IngestProblem(
                f"the file name is longer than {MAX_NAME_CHARS} characters or has control "
                "characters; rename the file",
                name[:MAX_NAME_CHARS],
            )
        )
    return name


@contextmanager
def spooled_upload(upload: UploadFile, *, limit: int) -> Iterator[Path]:
    """The uploaded file copied in chunks to a temporary file (deleted afterwards)."""
    name = upload_name(upload.filename)
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
    path_name = upload_name(name)
    folder = tempfile.mkdtemp(prefix="scalescope-records-")
    try:
        path = Path(folder) / path_name
        path.write_text(json.dumps(rows), encoding="utf-8")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
