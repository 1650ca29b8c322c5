"""``scalescope serve`` in a real subprocess answers /api/health; it refuses an old schema."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from backend import db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "SCALESCOPE_DATABASE_URL": url}


def test_serve_answers_health(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db.upgrade(url)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(port)],
        env=_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.3)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert response.json()["revision"] == db.head_revision()
    finally:
        process.terminate()
        process.communicate(timeout=20)  # reads and closes the output pipe


def test_serve_refuses_database_behind_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(_free_port())],
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "scalescope db upgrade" in result.stderr
