"""Where jobs may read files: the folders under which checkpoint, dataset and corpus paths
must lie, checked when a job is submitted and again by the worker before it opens anything.

- ``settings.worker_roots`` when configured; with none, only the data directory's own
  ``uploads`` and ``datasets`` folders (never the data directory itself, which holds the
  SQLite database and the secret key file).
- Paths are made absolute and resolved (``..`` and symlinks) before the check.
- The instance's secrets are refused even under a root: ``.env`` files, the secret key file
  and the SQLite database (with its journal files).
"""

from __future__ import annotations

from pathlib import Path

from backend.config import Settings, get_settings
from backend.exceptions import ValidationError

DEFAULT_ROOT_NAMES = ("uploads", "datasets")
SECRET_KEY_FILE = "secret_key"
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def allowed_roots(settings: Settings | None = None) -> list[Path]:
    """The resolved folders jobs may read under."""
    settings = settings or get_settings()
    roots = settings.worker_roots or [settings.data_dir / name for name in DEFAULT_ROOT_NAMES]
    return [Path(root).expanduser().resolve() for root in roots]


def secret_files(settings: Settings | None = None) -> set[Path]:
    """Files no job may read wherever they lie: the secret key file and the SQLite database."""
    settings = settings or get_settings()
    files = {(Path(settings.data_dir) / SECRET_KEY_FILE).expanduser().resolve()}
    if settings.is_sqlite:
        database = settings.database_url.split(":///", 1)[-1].split("?", 1)[0]
        if database and database != ":memory:":
            files |= {Path(database + suffix).expanduser().resolve() for suffix in SQLITE_SUFFIXES}
    return files


def describe_roots(settings: Settings | None = None) -> str:
    """The allowed roots, for error messages."""
    settings = settings or get_settings()
    shown = ", ".join(str(root) for root in allowed_roots(settings))
    return shown if settings.worker_roots else f"{shown}; set SCALESCOPE_WORKER_ROOTS for more"


def check_readable(raw: str | Path, *, what: str, settings: Settings | None = None) -> Path:
    """``raw`` resolved, when a job may read it; ``ValidationError`` naming the allowed roots
    otherwise."""
    settings = settings or get_settings()
    resolved = Path(str(raw).removeprefix("file://")).expanduser().resolve()
    if not any(resolved.is_relative_to(root) for root in allowed_roots(settings)):
        raise ValidationError(
            f"{what} {str(raw)!r} lies outside the worker roots ({describe_roots(settings)})"
        )
    if (
        resolved.name == ".env"
        or resolved.name.startswith(".env.")
        or resolved in secret_files(settings)
    ):
        raise ValidationError(f"{what} {str(raw)!r} is a secret of this instance")
    return resolved
