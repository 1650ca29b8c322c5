"""``scalescope jobs`` on SQLite and Postgres: submit (and the coverage grid's holes), list,
show, cancel, retry, recover; with the real Redis, submit and ``recover --redispatch`` put job
messages on the job queue."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from backend import db
from backend.cli import main
from backend.config import get_settings
from backend.models import Checkpoint, EvalSet, Model
from backend.queries import jobs as job_queries

REDIS_URL = os.environ.get("SCALESCOPE_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


@pytest.fixture
def cli(db_url, session, monkeypatch):
    monkeypatch.setenv("SCALESCOPE_DATABASE_URL", db_url)
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    get_settings.cache_clear()
    db.get_engine.cache_clear()  # the CLI's default engine follows SCALESCOPE_DATABASE_URL
    model = Model(name="tiny-clip", architecture="tiny")
    session.add(model)
    session.flush()
    checkpoint = Checkpoint(model_id=model.id, revision="final")
    benchmarks = [EvalSet(name=n, kind="benchmark") for n in ("bench-a", "bench-b")]
    session.add_all([checkpoint, *benchmarks])
    session.commit()
    yield checkpoint.id, [b.id for b in benchmarks]
    get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.mark.usefixtures("every_pair_runnable")
def test_submit_list_show_cancel_retry(cli, capsys):
    checkpoint_id, (a, b) = cli
    assert main(["jobs", "submit", "--checkpoint", str(checkpoint_id), "--eval-set", str(a)]) == 0
    assert "queued" in capsys.readouterr().out
    assert main(["jobs", "submit", "--checkpoint", str(checkpoint_id), "--eval-set", str(a)]) == 0
    assert capsys.readouterr().out.startswith("pending")  # identical pending job reused
    assert main(["jobs", "submit", "--missing"]) == 0
    out = capsys.readouterr().out
    assert "bench-b" in out and "bench-a" not in out
    assert main(["jobs", "submit", "--missing"]) == 0
    assert "nothing to launch" in capsys.readouterr().out

    assert main(["jobs", "list", "--status", "queued"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all("queued" in line for line in listed)
    job_id = int(listed[-1].split()[0])
    assert main(["jobs", "cancel", str(job_id)]) == 0
    assert "cancelled" in capsys.readouterr().out
    assert main(["jobs", "cancel", str(job_id)]) == 1
    assert "already cancelled" in capsys.readouterr().err
    assert main(["jobs", "retry", str(job_id)]) == 0
    assert main(["jobs", "show", str(job_id)]) == 0
    shown = capsys.readouterr().out
    assert "queued" in shown and "retried" in shown
    assert main(["jobs", "recover"]) == 0
    assert "no lost jobs" in capsys.readouterr().out


def test_submit_and_redispatch_put_messages_on_the_queue(cli, session, monkeypatch, capsys):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis unreachable: {exc}")
    queue = f"gpu-cli-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", REDIS_URL)
    monkeypatch.setenv("SCALESCOPE_JOB_QUEUE", queue)
    get_settings.cache_clear()
    checkpoint_id, eval_set_ids = cli
    try:
        argv = ["jobs", "submit", "--checkpoint", str(checkpoint_id)]
        for eval_set_id in eval_set_ids:
            argv += ["--eval-set", str(eval_set_id)]
        assert main(argv) == 0
        assert client.llen(queue) == 2
        assert all(j.task_id for j in job_queries.list_jobs(session=session))
        assert main(["jobs", "recover", "--redispatch"]) == 0
        assert "handed 2 queued job(s)" in capsys.readouterr().out
        assert client.llen(queue) == 4  # twice delivered, run once (the claim decides)
    finally:
        client.delete(queue)
