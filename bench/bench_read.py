"""Read benchmark: one plot's two-metric read from a database of 1,000,000 measurements.

Builds (once; reused on later runs unless ``--rebuild``) a Postgres database holding 1,000
models × 100 checkpoints × 10 (eval set, metric) pairs = 1,000,000 measurements, then times
``metric_pair_frame`` (x = val0:loss, y = val1:loss, joined per checkpoint) filtered to the
models of half the pretraining datasets: 50,000 checkpoints, i.e. 100,000 measurements read.
Also times ``catalog`` (what every page reads for its pickers) on that database.
Prints median and p90 wall time over ``--repeat`` runs after a warm-up, and the CPU time the
read costs (this process plus its Postgres backend, from /proc; the server must run on this
machine), which does not depend on what else the machine is doing.

    .venv/bin/python bench/bench_read.py [--url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

from backend import db
from backend.queries import catalog, frames
from backend.schemas.measurements import MeasurementFilter, MetricRef

N_MODELS = 1_000
N_CHECKPOINTS = 100
EVAL_SETS = [f"val{i}" for i in range(5)]
METRICS = ["loss", "perplexity"]
DATASETS = [f"data{i}" for i in range(10)]
BENCH_DB = "scalescope_bench_read"


def _copy(conn, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def build(url: str) -> None:
    """Fill an empty, migrated database with the synthetic results (COPY, one transaction)."""
    rng = np.random.default_rng(0)
    engine = db.get_engine(url)
    with engine.begin() as conn:
        _copy(
            conn,
            "models",
            ["id", "name", "family", "n_params", "pretraining_data", "tokenizer", "attributes"],
            (
                (
                    m + 1,
                    f"model-{m:04d}",
                    f"fam{m % 7}",
                    1e6 * (1 + m % 50),
                    DATASETS[m % len(DATASETS)],
                    "gpt2",
                    "{}",
                )
                for m in range(N_MODELS)
            ),
        )
        _copy(
            conn,
            "checkpoints",
            ["id", "model_id", "revision", "step", "tokens_seen"],
            (
                (m * N_CHECKPOINTS + c + 1, m + 1, f"step{c * 1000}", c * 1000, c * 1000 * 2048.0)
                for m in range(N_MODELS)
                for c in range(N_CHECKPOINTS)
            ),
        )
        _copy(
            conn,
            "eval_sets",
            ["id", "name", "kind", "attributes"],
            ((i + 1, name, "validation", "{}") for i, name in enumerate(EVAL_SETS)),
        )
        n_ckpt = N_MODELS * N_CHECKPOINTS
        values = rng.uniform(2.0, 6.0, size=(n_ckpt, len(EVAL_SETS) * len(METRICS)))

        def measurements():
            for ckpt in range(n_ckpt):
                row = values[ckpt]
                k = 0
                for e in range(len(EVAL_SETS)):
                    for metric in METRICS:
                        yield (ckpt + 1, e + 1, metric, f"{row[k]:.6f}")
                        k += 1

        _copy(
            conn,
            "measurements",
            ["checkpoint_id", "eval_set_id", "metric", "value"],
            measurements(),
        )
        for table in ("models", "checkpoints", "eval_sets"):
            conn.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def prepare(admin_url: str, rebuild: bool) -> str:
    """The benchmark database's URL, created and filled when missing (or asked to)."""
    url = admin_url.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    admin = db.make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": BENCH_DB})
        if exists and rebuild:
            conn.execute(text(f'DROP DATABASE "{BENCH_DB}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    admin.dispose()
    db.upgrade(url)
    with db.get_engine(url).connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM measurements"))
    if count == 0:
        started = time.perf_counter()
        build(url)
        print(f"built 1,000,000 measurements in {time.perf_counter() - started:.1f} s")
    return url


def _backend_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a Postgres backend on this machine has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="admin URL of the Postgres server",
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    url = prepare(args.url, args.rebuild)
    engine = db.get_engine(url)
    with engine.connect() as conn:
        total = conn.scalar(text("SELECT count(*) FROM measurements"))
    flt = MeasurementFilter(pretraining_data=DATASETS[::2])
    x = MetricRef(eval_set="val0", metric="loss")
    y = MetricRef(eval_set="val1", metric="loss")
    timings: list[float] = []
    cpu_ms: list[float] = []
    for i in range(args.repeat + 2):
        session = db.new_session(engine)
        backend_pid = session.scalar(text("SELECT pg_backend_pid()"))
        cpu_before = time.process_time() + _backend_cpu_s(backend_pid)
        started = time.perf_counter()
        frame = frames.metric_pair_frame(session, x=x, y=y, flt=flt)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() + _backend_cpu_s(backend_pid) - cpu_before
        session.close()
        if i >= 2:  # warm-up
            timings.append(elapsed * 1000)
            cpu_ms.append(cpu * 1000)
    assert len(frame) == 50_000, len(frame)
    timings.sort()
    p90 = timings[int(0.9 * (len(timings) - 1))]
    print(
        f"metric_pair_frame: {len(frame):,} checkpoints = {2 * len(frame):,} measurements read "
        f"of {total:,}; median {statistics.median(timings):.1f} ms, p90 {p90:.1f} ms, "
        f"min {timings[0]:.1f} ms over {len(timings)} runs"
        + f"; CPU (client + Postgres backend) median {statistics.median(cpu_ms):.1f} ms"
        + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )

    catalog_ms = []
    for i in range(7):
        session = db.new_session(engine)
        started = time.perf_counter()
        catalog.catalog(session)
        session.close()
        if i >= 2:
            catalog_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"catalog (pickers of every page) on the same database: median "
        f"{statistics.median(catalog_ms):.0f} ms over {len(catalog_ms)} runs"
    )


if __name__ == "__main__":
    main()
