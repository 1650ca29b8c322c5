"""Read benchmark: one plot's two-metric read from a database of 1,000,000 measurements.

Builds (once; reused on later runs unless ``--rebuild``) a Postgres database holding 1,000
models × 100 checkpoints × 10 (eval set, metric) pairs = 1,000,000 measurements, then times
``metric_pair_frame`` (x = val0:loss, y = val1:loss, joined per checkpoint) filtered to the
models of half the pretraining datasets: 50,000 checkpoints, i.e. 100,000 measurements read.
Also times ``catalog`` (what every page reads for its pickers) on that database.
Prints median and p90 wall time over ``--repeat`` runs after a warm-up, each read from the
database (the per-process copies of ``backend.queries.data_version`` are cleared first; the
median of the same read kept in the process is printed beside it), and the CPU time the
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
from _report import add_json_argument, write_result
from sqlalchemy import text

from backend import db
from backend.queries import catalog, data_version, frames, measurements
from backend.schemas.measurements import MeasurementFilter, MetricRef

N_MODELS = 1_000
N_CHECKPOINTS = 100
EVAL_SETS = [f"val{i}" for i in range(5)]
METRICS = ["loss", "perplexity"]
DATASETS = [f"data{i}" for i in range(10)]
BENCH_DB = "scalescope_bench_read"
SPARSE_EVAL_SET = "late-bench"  # measured only by the models that sort last
SPARSE_MODELS = 100
SPARSE_METRICS = [f"acc{i}" for i in range(8)]


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


def add_sparse_eval_set(url: str) -> None:
    """Add (once) ``late-bench``: 8 accuracies on the checkpoints of the last ``SPARSE_MODELS``
    models by name only (80,000 rows), the shape that made a listing walk every model first."""
    engine = db.get_engine(url)
    with engine.begin() as conn:
        if conn.scalar(text("SELECT 1 FROM eval_sets WHERE name = :n"), {"n": SPARSE_EVAL_SET}):
            return
        eval_set = conn.scalar(
            text("INSERT INTO eval_sets (name, kind, attributes) VALUES (:n, 'benchmark', '{}') "
                 "RETURNING id"),
            {"n": SPARSE_EVAL_SET},
        )  # fmt: skip
        rng = np.random.default_rng(1)
        first = N_MODELS - SPARSE_MODELS
        checkpoint_ids = range(first * N_CHECKPOINTS + 1, N_MODELS * N_CHECKPOINTS + 1)
        _copy(
            conn,
            "measurements",
            ["checkpoint_id", "eval_set_id", "metric", "value"],
            (
                (ckpt, eval_set, metric, f"{rng.uniform(0.2, 0.9):.6f}")
                for ckpt in checkpoint_ids
                for metric in SPARSE_METRICS
            ),
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def prepare(admin_url: str, rebuild: bool, name: str = BENCH_DB) -> str:
    """The benchmark database's URL, created and filled when missing (or asked to)."""
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    admin = db.make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and rebuild:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db.upgrade(url)
    with db.get_engine(url).connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM measurements"))
    if count == 0:
        started = time.perf_counter()
        build(url)
        print(f"built 1,000,000 measurements in {time.perf_counter() - started:.1f} s")
    add_sparse_eval_set(url)
    return url


#: /api/measurements filter combinations timed on the first page (name, filter).
LISTINGS = [
    ("none", {}),
    ("eval_set", {"eval_sets": ["val0"]}),
    ("eval_set sparse", {"eval_sets": [SPARSE_EVAL_SET]}),
    ("eval_sets two", {"eval_sets": ["val0", SPARSE_EVAL_SET]}),
    ("metric", {"metrics": ["loss"]}),
    ("metric sparse", {"metrics": ["acc3"]}),
    ("eval_set + metric", {"eval_sets": ["val1"], "metrics": ["perplexity"]}),
    ("model", {"models": ["model-0999"]}),
    ("models many", {"models": [f"model-{m:04d}" for m in range(0, N_MODELS, 3)]}),
    ("family", {"families": ["fam3"]}),
    ("pretraining_data", {"pretraining_data": DATASETS[::2]}),
    ("architecture (none set)", {"architectures": ["transformer"]}),
    ("tokenizer", {"tokenizers": ["gpt2"]}),
    ("step range", {"min_step": 10_000, "max_step": 20_000}),
    ("step late", {"min_step": 99_000}),
    ("tokens range", {"min_tokens": 1e7, "max_tokens": 5e7}),
    ("final_only", {"final_only": True}),
    ("final_only + eval_set", {"final_only": True, "eval_sets": ["val2"]}),
    ("data + eval_set + metric", {"pretraining_data": ["data9"], "eval_sets": ["val3"],
                                  "metrics": ["loss"]}),
    ("model + sparse eval_set", {"models": ["model-0950"], "eval_sets": [SPARSE_EVAL_SET]}),
    ("sparse eval_set, deep page", {"eval_sets": [SPARSE_EVAL_SET], "offset": 60_000}),
    ("none, deep page", {"offset": 100_000}),
]  # fmt: skip


def time_listings(engine, repeat: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU ms (client + Postgres backend) of ``list_measurements`` per filter
    combination (first page of 1,000 rows unless an offset is given)."""
    medians = {}
    for name, spec in LISTINGS:
        spec = dict(spec)
        offset = spec.pop("offset", 0)
        flt = MeasurementFilter(**spec)
        wall, cpu = [], []
        for i in range(repeat + 1):
            session = db.new_session(engine)
            backend_pid = session.scalar(text("SELECT pg_backend_pid()"))
            cpu_before = time.process_time() + _backend_cpu_s(backend_pid)
            started = time.perf_counter()
            page = measurements.list_measurements(session, flt=flt, limit=1000, offset=offset)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_ms = (time.process_time() + _backend_cpu_s(backend_pid) - cpu_before) * 1000
            session.close()
            if i:  # the first run warms the cache
                wall.append(elapsed)
                cpu.append(cpu_ms)
        medians[name] = {"wall_ms": statistics.median(wall), "cpu_ms": statistics.median(cpu)}
        print(
            f"  list_measurements {name:28s} total {page.total:>9,} items {len(page.items):>5}"
            f"  median {medians[name]['wall_ms']:7.1f} ms wall, "
            f"{medians[name]['cpu_ms']:7.1f} ms CPU"
        )
    return medians


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
    parser.add_argument("--database", default=BENCH_DB, help="name of the benchmark database")
    parser.add_argument("--listing-repeat", type=int, default=5, help="runs per filter combination")
    add_json_argument(parser)
    args = parser.parse_args()

    url = prepare(args.url, args.rebuild, args.database)
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
        data_version.clear()  # read from the database each time, not from this process
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
    kept_ms = []  # the same read again in this process, under an unchanged data version
    for _ in range(10):
        with db.new_session(engine) as session:
            started = time.perf_counter()
            frames.metric_pair_frame(session, x=x, y=y, flt=flt)
            kept_ms.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p90 = timings[int(0.9 * (len(timings) - 1))]
    print(
        f"metric_pair_frame: {len(frame):,} checkpoints = {2 * len(frame):,} measurements read "
        f"of {total:,}; median {statistics.median(timings):.1f} ms, p90 {p90:.1f} ms, "
        f"min {timings[0]:.1f} ms over {len(timings)} runs"
        + f"; CPU (client + Postgres backend) median {statistics.median(cpu_ms):.1f} ms"
        + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"  read again in the same process (kept): median {statistics.median(kept_ms):.1f} ms")

    catalog_ms = []
    for i in range(7):
        session = db.new_session(engine)
        data_version.clear()
        started = time.perf_counter()
        catalog.catalog(session)
        session.close()
        if i >= 2:
            catalog_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"catalog (pickers of every page) on the same database: median "
        f"{statistics.median(catalog_ms):.0f} ms over {len(catalog_ms)} runs"
    )

    print(f"/api/measurements first pages (limit 1,000) on {total:,} measurements:")
    listings = time_listings(engine, args.listing_repeat)
    slowest = max(listings, key=lambda name: listings[name]["wall_ms"])
    figures = {
        "pair_read_median_ms": statistics.median(timings),
        "pair_read_p90_ms": p90,
        "pair_read_cpu_median_ms": statistics.median(cpu_ms),
        "pair_read_kept_median_ms": statistics.median(kept_ms),
        "pair_read_points": 2 * len(frame),
        "measurements_in_database": total,
        "catalog_median_ms": statistics.median(catalog_ms),
        "listing_slowest_wall_ms": listings[slowest]["wall_ms"],
        "listing_slowest": slowest,
        "listings": listings,
    }
    aims = {"pair_read_median_ms": "< 150", "listing_slowest_wall_ms": "< 100"}
    write_result("bench_read", figures, aims, args.json, database_url=url)


if __name__ == "__main__":
    main()
