"""Low (issue 13): a SIGTERM to the server left its local executor's child running, and a kill
-9 mid-upload left the spooled temp file. Children now end with the server (stopped, or
killed), and spool folders of dead processes are removed when the app starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.main import create_app
from backend.api.files import clean_stale_spools
from backend.worker.local_executor import LocalExecutor
from tests.conftest import REPO


def _gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie waiting to be reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _wait_gone(pids, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(_gone(pid) for pid in pids):
            return True
        time.sleep(0.2)
    return False


def _busy_child(executor: LocalExecutor) -> list[int]:
    executor._pool = executor._new_pool()  # noqa: SLF001 - a pool process running a "job"
    future = executor._pool.submit(time.sleep, 120)  # noqa: SLF001
    deadline = time.monotonic() + 60
    while not future.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    return list(executor._pool._processes)  # noqa: SLF001


def test_stopping_the_executor_ends_its_running_children(sqlite_url):
    executor = LocalExecutor(database_url=sqlite_url)
    pids = _busy_child(executor)
    assert pids and not any(_gone(pid) for pid in pids)
    executor.stop(wait=False)  # what the app's shutdown (SIGTERM) does
    assert _wait_gone(pids)


CHILD_OF_KILLED = """
import sys, time
from backend.worker.local_executor import LocalExecutor
executor = LocalExecutor(database_url=sys.argv[1])
executor._pool = executor._new_pool()
future = executor._pool.submit(time.sleep, 120)
while not future.running():
    time.sleep(0.1)
print(*executor._pool._processes, flush=True)
time.sleep(120)
"""


def test_children_end_when_the_server_is_killed(sqlite_url):
    parent = subprocess.Popen(
        [sys.executable, "-c", CHILD_OF_KILLED, sqlite_url],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert pids
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert _wait_gone(pids)
    finally:
        parent.kill()


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_spools_of_dead_processes_are_removed_at_start(sqlite_url, tmp_path):
    stale = tmp_path / f"scalescope-upload-{_dead_pid()}-abc"
    live = tmp_path / f"scalescope-upload-{os.getpid()}-def"
    other = tmp_path / "scalescope-something-else"
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "big.csv").write_text("x")
    assert clean_stale_spools(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and other.exists()
    # The app does it on start, in the temp folder uploads spool to.
    left = Path(tempfile.mkdtemp(prefix=f"scalescope-records-{_dead_pid()}-"))
    create_app(sqlite_url, dashboard=False)
    assert not left.exists()
