"""The embedded default: no broker, jobs run beside the web process (or in ``scalescope worker
--local``) through the same :func:`backend.worker.runner.run_job` as the Celery task.

A polling thread takes queued jobs from the database (the row is the queue; ``claim`` keeps two
executors from running one job) and runs each in a pool of spawned processes, so torch is never
imported into the web process and a crash of an evaluation cannot take the web process down.
The same thread sweeps for lost jobs (e.g. left ``running`` by a previous process).

Pool processes end with the process that started them: stopping the executor (the web app
shutting down on SIGTERM) terminates them, and each one also exits by itself when its parent
is gone (killed with SIGKILL); their jobs are then swept as lost."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import weakref
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sqlalchemy import select

from backend import db
from backend.config import get_settings
from backend.models import EvalJob

log = logging.getLogger(__name__)

_EXECUTORS: weakref.WeakSet[LocalExecutor] = weakref.WeakSet()


def wake_local_executors() -> None:
    """Tell the executors of this process that a job was queued (they also poll)."""
    for executor in list(_EXECUTORS):
        executor.wake()


class LocalJobQueue:
    """The job queue without a broker (``backend.services.job_queue.JobQueue``): the local
    executors take queued jobs from the database; a hand-over only wakes those of this process
    (an executor in another process finds the job at its next poll). Nothing to revoke: a
    running job stops on its row's cancel flag."""

    def dispatch(self, *, job_id: int, task_id: str) -> None:
        """Wake this process's local executors."""
        wake_local_executors()

    def revoke(self, *, task_id: str, running: bool) -> None:
        """Nothing: the cancel flag on the row stops the job."""


PARENT_CHECK_S = 1.0


def _end_with_parent(parent_pid: int) -> None:
    """Pool initializer: exit this child as soon as ``parent_pid`` is no longer its parent."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="scalescope-parent-watch", daemon=True).start()


def _run_in_child(job_id: int, database_url: str) -> str:
    from backend.worker.runner import run_job

    return run_job(job_id, engine=db.get_engine(database_url))


class LocalExecutor:
    """Runs queued jobs of ``database_url`` in ``workers`` processes until stopped."""

    def __init__(self, *, database_url: str, workers: int = 1, poll_interval: float = 2.0):
        self.database_url = database_url
        self.workers = max(1, workers)
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._running: dict[int, Future] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._thread = threading.Thread(
            target=self._loop, name="scalescope-local-jobs", daemon=True
        )
        self._last_sweep = 0.0

    def start(self) -> LocalExecutor:
        """Start polling in a background thread."""
        _EXECUTORS.add(self)
        self._thread.start()
        return self

    def stop(self, *, wait: bool = True) -> None:
        """Stop taking jobs; with ``wait``, let the running ones finish."""
        self._stop.set()
        self._wake.set()
        _EXECUTORS.discard(self)
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self._pool is not None:
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=wait, cancel_futures=True)
            for process in processes:  # without wait: the running jobs end with us
                if process.is_alive():
                    process.terminate()

    def wake(self) -> None:
        """Look for queued jobs now instead of at the next poll."""
        self._wake.set()

    def run_forever(self) -> None:
        """Start and block until interrupted (``scalescope worker --local``)."""
        self.start()
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=1.0)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop(wait=False)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_end_with_parent,
            initargs=(os.getpid(),),
        )

    def _loop(self) -> None:
        engine = db.make_engine(self.database_url)
        try:
            while not self._stop.is_set():
                try:
                    self._sweep(engine)
                    self._launch(engine)
                except Exception as exc:  # noqa: BLE001 - keep polling through DB hiccups
                    log.warning("local executor: %s", exc)
                self._wake.wait(self.poll_interval)
                self._wake.clear()
        finally:
            engine.dispose()

    def _sweep(self, engine) -> None:
        interval = max(1.0, get_settings().job_heartbeat_timeout_s / 2)
        if time.monotonic() - self._last_sweep < interval:
            return
        self._last_sweep = time.monotonic()
        from backend.services.job_lifecycle import recover_lost_jobs

        with db.session_scope(engine) as session:
            outcome = recover_lost_jobs(session=session, queue=LocalJobQueue())
        if outcome:
            log.warning("recovered lost jobs: %s", outcome)

    def _launch(self, engine) -> None:
        for job_id, future in list(self._running.items()):
            if future.done():
                del self._running[job_id]
                self._report(job_id, future)
        free = self.workers - len(self._running)
        if free <= 0:
            return
        with db.session_scope(engine) as session:
            queued = session.scalars(
                select(EvalJob.id)
                .where(EvalJob.status == "queued", EvalJob.cancel_requested.is_(False))
                .where(EvalJob.id.not_in(list(self._running) or [-1]))
                .order_by(EvalJob.id)
                .limit(free)
            ).all()
        for job_id in queued:
            if self._pool is None:
                self._pool = self._new_pool()
            future = self._pool.submit(_run_in_child, job_id, self.database_url)
            future.add_done_callback(lambda _f: self._wake.set())
            self._running[job_id] = future

    def _report(self, job_id: int, future: Future) -> None:
        try:
            log.info("local job %s: %s", job_id, future.result())
        except BrokenProcessPool:
            # A pool process died (killed, out of memory): its job has no heartbeat any more
            # and the sweep will queue it again or fail it; start a fresh pool.
            log.error("local job %s: its process died; the pool is restarted", job_id)
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        except Exception as exc:  # noqa: BLE001
            log.error("local job %s crashed: %s", job_id, exc)


def start_local_executor(*, database_url: str | None = None) -> LocalExecutor | None:
    """For the web process: start an executor on ``database_url`` (default: the configured
    database) when no broker is configured (the embedded default); None when jobs go to Celery
    workers or ``local_executor_workers`` is 0."""
    settings = get_settings()
    if settings.broker_url or settings.local_executor_workers <= 0:
        return None
    return LocalExecutor(
        database_url=database_url or settings.database_url,
        workers=settings.local_executor_workers,
    ).start()
