"""Ingest benchmark (not a test): how fast the one write path stores results in Postgres.

1. ``files``: every file of the published-data folders whose format is detected, one upload
   each, into a fresh database: seconds, records read, rows written, rows/s. By default the
   repository's own (``backend/demo/data`` and ``tests/data``, about 6 MB); ``--data PATH``
   (repeatable) reads other folders instead, e.g. a full copy of the upstream files.
2. ``synthetic``: a long CSV of 1,000,000 measurements (1,000 models × 10 checkpoints × 100
   eval set/metric pairs) through ``ingest_file`` into a fresh database: rows/s and peak memory
   (max RSS growth of this process), then a re-upload (all unchanged).
3. ``copy``: the same 1,000,000 rows (ids already resolved) through a raw ``COPY`` into the
   measurements table, the ceiling; the ratio ingest/COPY is measured in the same run.

    .venv/bin/python bench/bench_ingest.py [--url postgresql://postgres@127.0.0.1:5432/postgres]
        [--rows 1000000] [--data PATH ...] [--skip-files] [--json PATH]

Aim (issue 17): ``ingest_file`` of the long rows at least ``COPY_RATIO_AIM`` (1/3) of the raw
``COPY`` rate, measured in the same run. Figures, aim and machine go to
``bench/results/bench_ingest.json`` (or ``--json PATH``).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import tempfile
import time
import uuid
from pathlib import Path

from _report import add_json_argument, write_result
from sqlalchemy import text

from backend import db
from backend.exceptions import IngestError
from backend.ingest.formats import detect_format
from backend.services import uploads

REPO = Path(__file__).resolve().parents[1]
#: ingest_file's rate over raw COPY's into the same table, at least.
COPY_RATIO_AIM = 1 / 3
#: The repository's published files: the demo's, and the further ones the tests read.
REPO_DATA = [REPO / "backend" / "demo" / "data", REPO / "tests" / "data"]


def fresh_database(admin_url: str) -> str:
    """A new, migrated Postgres database; returns its URL."""
    name = f"scalescope_bench_ingest_{uuid.uuid4().hex[:8]}"
    admin = db.make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    db.upgrade(url)
    return url


def drop_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    db.get_engine.cache_clear()
    admin = db.make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def data_files(folders: list[Path]) -> list[Path]:
    """The CSV and JSON files under ``folders``; a path met again under a later folder (the
    same upstream file in both repository folders) is read once."""
    files: dict[Path, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            raise SystemExit(f"no such data folder: {folder}")
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".csv", ".json"):
                files.setdefault(path.relative_to(folder), path)
    return list(files.values())


def bench_files(url: str, folders: list[Path]) -> dict:
    engine = db.get_engine(url)
    files = data_files(folders)
    started = time.perf_counter()
    n_files = records = written = skipped = 0
    for path in files:
        try:
            detect_format(path)
        except IngestError:
            skipped += 1
            continue
        report = uploads.ingest_file(engine=engine, path=path, source="cli")
        n_files += 1
        records += report.records
        written += sum(c.new + c.updated for c in report.counts.values())
    seconds = time.perf_counter() - started
    print(
        f"{', '.join(map(str, folders))}: {n_files} files ({skipped} of unknown format "
        f"skipped), {records} records, "
        f"{written} rows written in {seconds:.1f} s = {records / seconds:,.0f} records/s, "
        f"{written / seconds:,.0f} rows written/s"
    )
    return {
        "files": n_files,
        "records": records,
        "rows_written": written,
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds),
    }


def synthetic_rows(n_rows: int):
    """(model, revision, eval_set, metric, value, stderr, n) of the synthetic measurements."""
    per_checkpoint = 100
    for i in range(n_rows):
        checkpoint, pair = divmod(i, per_checkpoint)
        model, revision = divmod(checkpoint, 10)
        yield (
            f"model-{model:05d}",
            f"step{revision * 1000}",
            f"eval-{pair // 4:02d}",
            f"metric-{pair % 4}",
            ((i * 7919) % 10007) / 10007,
            0.001,
            1000,
        )


def write_csv(path: Path, n_rows: int) -> None:
    with open(path, "w") as handle:
        handle.write("model,revision,eval_set,metric,value,stderr,n\n")
        for row in synthetic_rows(n_rows):
            handle.write(",".join(map(str, row)) + "\n")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_synthetic(url: str, n_rows: int) -> dict:
    engine = db.get_engine(url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.csv"
        write_csv(path, n_rows)
        size_mb = path.stat().st_size / 2**20
        rss_before = max_rss_mb()
        started = time.perf_counter()
        report = uploads.ingest_file(engine=engine, path=path, source="cli")
        seconds = time.perf_counter() - started
        rss_after = max_rss_mb()
        assert report.counts["measurements"].new == n_rows, report.counts
        ingest_rate = n_rows / seconds
        print(
            f"ingest_file: {n_rows:,} measurements ({size_mb:.0f} MB CSV) in {seconds:.1f} s = "
            f"{ingest_rate:,.0f} rows/s; peak RSS {rss_after:.0f} MB "
            f"(grew {rss_after - rss_before:.0f} MB during the upload)"
        )
        started = time.perf_counter()
        again = uploads.ingest_file(engine=engine, path=path, source="cli")
        seconds = time.perf_counter() - started
        assert again.counts["measurements"].unchanged == n_rows
        print(f"re-upload (all unchanged): {seconds:.1f} s = {n_rows / seconds:,.0f} rows/s")
        reupload_rate = n_rows / seconds
    copy_rate = bench_copy(engine, n_rows)
    ratio = ingest_rate / copy_rate
    met = "met" if ratio >= COPY_RATIO_AIM else "NOT met"
    print(f"ratio ingest_file / raw COPY: {ratio:.2f} (aim >= {COPY_RATIO_AIM:.2f}: {met})")
    return {
        "rows": n_rows,
        "ingest_rows_per_s": round(ingest_rate),
        "peak_rss_mb": round(rss_after),
        "reupload_rows_per_s": round(reupload_rate),
        "copy_rows_per_s": round(copy_rate),
        "ingest_over_copy": round(ratio, 3),
    }


def bench_copy(engine, n_rows: int) -> float:
    """Raw COPY of the same rows (ids resolved beforehand) into an emptied measurements table."""
    with engine.begin() as conn:
        checkpoints = {
            (m, r): i
            for i, m, r in conn.execute(
                text(
                    "SELECT c.id, mo.name, c.revision FROM checkpoints c "
                    "JOIN models mo ON mo.id = c.model_id"
                )
            )
        }
        eval_sets = dict(conn.execute(text("SELECT name, id FROM eval_sets")).all())
        conn.execute(text("TRUNCATE measurements"))
    buffer = io.StringIO()
    for model, revision, eval_set, metric, value, stderr, n in synthetic_rows(n_rows):
        buffer.write(
            f"{checkpoints[model, revision]}\t{eval_sets[eval_set]}\t{metric}\t{value}\t"
            f"{stderr}\t{n}\n"
        )
    data = buffer.getvalue()
    started = time.perf_counter()
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(
                "COPY measurements (checkpoint_id, eval_set_id, metric, value, stderr, n) "
                "FROM STDIN"
            ) as copy:
                for start in range(0, len(data), 1 << 20):
                    copy.write(data[start : start + (1 << 20)])
    seconds = time.perf_counter() - started
    rate = n_rows / seconds
    print(f"raw COPY of the same rows: {seconds:.1f} s = {rate:,.0f} rows/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        metavar="PATH",
        help="a folder of published files to ingest (repeatable; default: the repository's "
        "backend/demo/data and tests/data)",
    )
    parser.add_argument("--skip-files", action="store_true", help="only the synthetic runs")
    add_json_argument(parser)
    args = parser.parse_args()
    figures: dict = {}
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.skip_files:
        url = fresh_database(args.url)
        try:
            figures["files"] = bench_files(url, args.data or REPO_DATA)
        finally:
            drop_database(args.url, url)
    url = fresh_database(args.url)
    try:
        figures["synthetic"] = bench_synthetic(url, args.rows)
    finally:
        drop_database(args.url, url)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    figures["ingest_over_copy"] = figures["synthetic"]["ingest_over_copy"]
    write_result(
        "bench_ingest",
        figures,
        {"ingest_over_copy": f">= {COPY_RATIO_AIM:.4f}"},
        args.json,
        database_url=args.url,
    )


if __name__ == "__main__":
    main()
