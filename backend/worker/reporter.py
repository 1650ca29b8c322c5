"""Live reporting of a running job: progress, a log tail and a heartbeat written to the job
row from a background thread, and the cancel flag read back from it."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import threading

from sqlalchemy import Engine

from backend import db
from backend.services import job_lifecycle

log = logging.getLogger(__name__)

LOG_LINES = 200


class JobReporter:
    """Collects progress and log lines of one run and flushes them to the job row every
    ``interval`` seconds (which is also the heartbeat). ``should_cancel()`` turns true when a
    cancel was requested or the run no longer holds the job."""

    def __init__(
        self, *, engine: Engine, job_id: int, attempt: int, interval: float, previous_log: str = ""
    ):
        self.engine, self.job_id, self.attempt, self.interval = engine, job_id, attempt, interval
        self.previous_log = previous_log
        self._lines: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
        self._lock = threading.Lock()
        self._progress: float | None = None
        self._message: str | None = None
        self._dirty = False
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"job-{job_id}-hb", daemon=True)

    def __enter__(self) -> JobReporter:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval * 4 + 5)

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Record progress (0..1) and an optional one-line status."""
        with self._lock:
            self._progress = fraction
            if message:
                self._message = message
            self._dirty = True

    def log(self, line: str) -> None:
        """Append a line to the job's log tail."""
        stamp = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
        with self._lock:
            for part in str(line).splitlines() or [""]:
                self._lines.append(f"[{stamp}] {part}")
            self._dirty = True

    def log_text(self, *, previous: str = "") -> str:
        """The log tail as one text (after ``previous``, the tail of earlier attempts)."""
        with self._lock:
            mine = "\n".join(self._lines)
        return f"{previous.rstrip()}\n{mine}".lstrip("\n") if previous else mine

    def should_cancel(self) -> bool:
        """Whether the run should stop now (cancel requested, or the job was taken away)."""
        return self._cancel.is_set()

    @property
    def cancel_requested(self) -> bool:
        """Whether a user asked to cancel (as opposed to the run losing the job)."""
        return self._cancel.is_set() and not self.lost.is_set()

    def flush(self) -> None:
        """Write the heartbeat (and progress and log tail when they changed) now."""
        with self._lock:
            progress, message, dirty = self._progress, self._message, self._dirty
            self._dirty = False
        with db.session_scope(self.engine) as session:
            state = job_lifecycle.heartbeat(
                session=session,
                job_id=self.job_id,
                attempt=self.attempt,
                progress=progress if dirty else None,
                message=message if dirty else None,
                log_tail=self.log_text(previous=self.previous_log) if dirty else None,
            )
        if state is None:
            self.lost.set()
            self._cancel.set()
        elif state:
            self._cancel.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception as exc:  # noqa: BLE001 - a DB hiccup must not kill the run
                log.warning("heartbeat of job %s failed: %s", self.job_id, exc)


def finish_job(
    engine: Engine,
    job_id: int,
    attempt: int,
    reporter: JobReporter,
    status: str,
    error: str | None,
    message: str,
) -> str:
    """Record a run's end (``job_lifecycle.finish``) with the reporter's log; ``status``, or
    ``"lost"`` when the job was taken from this run meanwhile."""
    with db.session_scope(engine) as session:
        done = job_lifecycle.finish(
            session=session,
            job_id=job_id,
            attempt=attempt,
            status=status,
            error=error,
            log_tail=reporter.log_text(previous=reporter.previous_log),
            message=message,
        )
    return status if done else "lost"


class LogToReporter(logging.Handler):
    """A logging handler that copies records into a reporter's log tail."""

    def __init__(self, reporter: JobReporter):
        super().__init__(level=logging.INFO)
        self.reporter = reporter
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.reporter.log(self.format(record))
        except Exception:  # noqa: BLE001
            self.handleError(record)
