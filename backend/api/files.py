"""Uploaded bodies to temporary files, refused early when larger than the configured limit.

Each spool folder's name carries the id of the process that made it
(``scalescope-upload-<pid>-…``), so :func:`clean_stale_spools` (run when the web app starts)
removes those a killed process left behind without touching a live process's uploads."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


SPOOL_PREFIXES = ("scalescope-upload-", "scalescope-records-")
_SPOOL_NAME = re.compile(r"^scalescope-(?:upload|records)-(\d+)-")


def spool_folder(kind: str = "upload") -> tempfile.TemporaryDirectory:
    """A temporary folder for one upload, named after this process (deleted on exit)."""
    return tempfile.TemporaryDirectory(prefix=f"scalescope-{kind}-{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_spools(folder: str | Path | None = None) -> list[Path]:
    """Remove spool folders whose process is gone (e.g. killed mid-upload); returns them."""
    removed = []
    for entry in Path(folder or tempfile.gettempdir()).glob("scalescope-*-*"):
        match = _SPOOL_NAME.match(entry.name)
        if entry.is_dir() and match and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


@contextmanager
def spooled_upload(upload: UploadFile, *, limit: int) -> Iterator[Path]:
    """The uploaded file copied in chunks to a temporary file (deleted afterwards)."""
    name = upload_name(upload.filename)
    with spool_folder() as folder:
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
