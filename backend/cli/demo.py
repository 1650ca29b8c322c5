"""``scalescope demo``: a database with the bundled demo data, served on the spot.

Default database: ``demo.db`` in the data directory (``SCALESCOPE_DATA_DIR``), so the demo never
touches your own results; ``--database-url`` picks another. The schema is migrated, the demo
files are loaded through the ingest service (skipped when a previous run loaded them), then the
web app is served unless ``--no-serve``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from backend import db
from backend.config import get_settings
from backend.exceptions import ValidationError
from backend.models import Checkpoint, ConceptFrequency, Measurement, Model, Upload

WHERE_TO_START = """\
Open {url} and start with:
  {url}/scaling        Chinchilla's compute scaling law (Hoffmann et al. 2022, Approach 3)
  {url}/loss-to-loss   loss-to-loss lines of the sweep (Brandfonbrener et al. 2024)
  {url}/robustness     ImageNet vs ImageNet-V2: effective robustness (Taori et al. 2020)
  {url}/frequency      concept frequency vs zero-shot accuracy (Udandarao et al. 2024)
  {url}/upload         add your own results (lm-eval JSON, CLIP_benchmark, CSV, ...)
  {url}/jobs           {jobs}
API docs: {url}/docs    Stop with Ctrl+C."""


def register(subparsers) -> None:
    """Add ``demo``."""
    settings = get_settings()
    parser = subparsers.add_parser(
        "demo", help="load the bundled demo data into a fresh database and serve it"
    )
    parser.add_argument(
        "--database-url",
        help="where to load the demo (default: a SQLite file demo.db in the data directory)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="delete the demo SQLite file first and reload"
    )
    parser.add_argument("--no-serve", action="store_true", help="load the data, do not serve")
    parser.add_argument("--host", default=settings.host, help=f"default {settings.host}")
    parser.add_argument("--port", type=int, default=settings.port, help=f"default {settings.port}")
    parser.set_defaults(func=_demo)


def demo_database_url() -> str:
    """The default demo database: ``demo.db`` under the data directory."""
    return f"sqlite:///{get_settings().data_dir / 'demo.db'}"


def prepare_demo(*, database_url: str, fresh: bool = False, verbose: bool = True) -> int:
    """Migrate ``database_url`` and load the demo files unless already loaded; returns the
    number of files loaded (0 when a previous run had loaded them)."""
    from backend.demo.loader import demo_paths, load_demo

    if fresh:
        _remove_sqlite_file(database_url)
    db.upgrade(database_url)
    engine = db.get_engine(database_url)
    with db.session_scope(engine) as session:
        loaded = session.scalar(
            select(func.count()).select_from(Upload).where(Upload.source == "demo")
        )
    if loaded:
        if verbose:
            print(f"demo data already loaded ({loaded} uploads); --fresh reloads it")
        return 0
    total = len(demo_paths())
    if verbose:
        print(f"loading {total} demo files into {_display(database_url)} ...")

    def progress(path: Path, report) -> None:
        if verbose:
            rows = sum(c.new + c.updated for c in report.counts.values())
            print(f"  {report.filename}: {rows} rows ({report.format})")

    load_demo(engine=engine, progress=progress)
    return total


def _remove_sqlite_file(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ValidationError(
            "--fresh only deletes SQLite files; empty other databases yourself "
            "(or give a new --database-url)"
        )
    db.get_engine.cache_clear()
    for suffix in ("", "-wal", "-shm"):
        Path(url.database + suffix).unlink(missing_ok=True)


def demo_summary(database_url: str) -> str:
    """One line saying what the demo database holds."""
    counted = {"models": Model, "checkpoints": Checkpoint, "measurements": Measurement}
    with db.session_scope(db.get_engine(database_url)) as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(table))
            for name, table in counted.items()
        }
        corpora = session.scalar(select(func.count(func.distinct(ConceptFrequency.corpus_id))))
    held = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    return f"demo database {_display(database_url)}: {held}, concept counts of {corpora} corpora"


def prepare_runnable(database_url: str, *, verbose: bool = True) -> str:
    """Make and register the demo's runnable evaluation (worker extra installed); the line
    that says what the Jobs page offers."""
    from backend.demo import runnable

    if verbose:
        print("preparing a tiny runnable evaluation (model and image set) ...")
    made = runnable.prepare(engine=db.get_engine(database_url))
    if made is None:
        return "evaluations need the worker extra: pip install 'scalescope[worker]'"
    return f"evaluate {runnable.MODEL_NAME} on {runnable.EVAL_SET_NAME} (seconds on CPU)"


def _display(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


def _demo(args: argparse.Namespace) -> int:
    url = args.database_url or demo_database_url()
    prepare_demo(database_url=url, fresh=args.fresh)
    jobs_line = prepare_runnable(url)
    if args.no_serve:
        print(demo_summary(url))
        print(f"Jobs: {jobs_line}")
        return 0
    import uvicorn

    from app.main import create_app

    print(demo_summary(url))
    print(WHERE_TO_START.format(url=f"http://{args.host}:{args.port}", jobs=jobs_line))
    uvicorn.run(create_app(url), host=args.host, port=args.port, log_level="info")
    return 0
