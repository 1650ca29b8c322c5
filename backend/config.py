"""Settings: the one place that reads the environment.

Every setting can be given as an environment variable prefixed ``SCALESCOPE_``
(``SCALESCOPE_DATABASE_URL``, ``SCALESCOPE_BROKER_URL``, ...) or in a ``.env`` file.
Nothing else in the code base reads ``os.environ``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs
import pydantic
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.exceptions import ValidationError

APP_NAME = "scalescope"

#: Who may read and write (SECURITY.md): one person on a loopback address, anyone reads, or
#: only logged-in users read.
AccessMode = Literal["local", "public", "private"]
#: The login cookie's Secure flag: when the request came over https, always, or never.
CookieSecure = Literal["auto", "always", "never"]
#: The pretraining-corpus counting engine (backend.corpus.engines).
CorpusEngine = Literal["duckdb", "spark"]
ACCESS_MODES: tuple[str, ...] = get_args(AccessMode)
COOKIE_SECURE_MODES: tuple[str, ...] = get_args(CookieSecure)
CORPUS_ENGINES: tuple[str, ...] = get_args(CorpusEngine)


def default_data_dir() -> Path:
    """The user's data directory for ScaleScope (e.g. ``~/.local/share/scalescope``)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    """The embedded default: a SQLite file under the user's data directory."""
    return f"sqlite:///{default_data_dir() / 'scalescope.db'}"


class Settings(BaseSettings):
    """Configuration of the web process, the CLI and the workers."""

    model_config = SettingsConfigDict(env_prefix="SCALESCOPE_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    data_dir: Path = Field(default_factory=default_data_dir)
    # Celery broker; empty means the embedded default: jobs run in a local executor.
    broker_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8050
    # Uploads larger than this are refused before they are parsed.
    max_upload_bytes: int = 512 * 1024 * 1024
    # Rows per batch on the bulk write path.
    ingest_batch_rows: int = 20_000
    # Seconds without a heartbeat after which a running job counts as lost.
    job_heartbeat_timeout_s: float = 120.0
    # Hard time limit of one evaluation job.
    job_time_limit_s: float = 6 * 3600.0
    # Runs of one job (the first and those after a lost worker) before it fails for good.
    job_max_attempts: int = 3
    # The Celery queue GPU workers take evaluation jobs from.
    job_queue: str = "gpu"
    # Jobs the embedded local executor (no broker) runs at once.
    local_executor_workers: int = 1
    # Filesystem roots that checkpoint and dataset paths given to workers must lie under.
    worker_roots: list[Path] = Field(default_factory=list)
    # Pretraining-corpus counting (backend.corpus): "duckdb" (embedded) or "spark".
    corpus_engine: CorpusEngine = "duckdb"
    # DuckDB engine: threads (0 = all cores) and memory bound (it spills beyond it).
    corpus_threads: int = 0
    corpus_memory_limit: str = "2GB"
    # Spark engine: master URL (local[*] on one machine, spark://host:7077 for a cluster).
    spark_master: str = "local[*]"
    # Access: "local" (one person on their own machine: no login, every caller is an admin;
    # only on a loopback address), "public" (anyone may read, writes need an editor) or
    # "private" (reading needs a login or token too).
    access: AccessMode = "local"
    secret_key: str = "change-me"
    # Failed log-ins allowed per user name / per client address within the window (seconds);
    # beyond them, log-ins answer 429 with Retry-After until the window ends.
    login_max_failures: int = 5
    login_max_failures_per_client: int = 20
    login_window_s: int = 900
    # Largest Dash callback request body (bytes); larger ones are refused with 413 unread.
    max_callback_bytes: int = 4 * 1024 * 1024
    # Addresses of the TLS proxies whose X-Forwarded-For/-Proto headers are trusted (uvicorn's
    # forwarded_allow_ips: comma-separated IPs or networks, "*" for any); with them, client
    # addresses (login throttling) and https (cookie_secure=auto) are the real ones.
    forwarded_allow_ips: str = "127.0.0.1"
    # Login cookie's Secure flag: "auto" (when the request came over https), "always", "never".
    cookie_secure: CookieSecure = "auto"
    # Celery worker: the GPUs (CUDA device indices, comma-separated) its pool processes share
    # out one each; ``scalescope worker`` sets it on a machine with several GPUs.
    worker_gpus: str = ""
    # The devices CUDA may use, as the environment gives them (``CUDA_VISIBLE_DEVICES``, no
    # prefix); when set, the worker leaves the choice of GPU to it.
    cuda_visible_devices: str | None = Field(
        default=None, validation_alias=AliasChoices("CUDA_VISIBLE_DEVICES")
    )

    @field_validator("corpus_engine", "access", "cookie_secure", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        """Fixed choices are matched without regard to case (``DuckDB`` is ``duckdb``)."""
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def is_sqlite(self) -> bool:
        """Whether the configured database is a SQLite file (the embedded default)."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once. A bad value is a ``ValidationError`` naming the
    environment variable, what it should be and what it is."""
    try:
        return Settings()
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"SCALESCOPE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']} "
            f"(got {e['input']!r})"
            for e in exc.errors()
        )
        raise ValidationError(f"bad setting: {problems}") from None
