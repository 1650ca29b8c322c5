"""One JSON result per benchmark run: its figures, its aims and the machine it ran on.

Every script in bench/ ends with ``write_result(name, figures, aims, path)``; the file goes to
``bench/results/<name>.json`` (git-ignored) unless ``--json PATH`` names another.

- ``figures``: what was measured, ``{"read_median_ms": 93.1, ...}`` (JSON-serializable values).
- ``aims``: the targets, keyed like the figures they judge, as a comparison string:
  ``{"read_median_ms": "< 150", "captions_per_s": ">= 1e6", "same_counts": "== true"}``. A
  numeric or yes/no figure with an aim gets a verdict under ``met`` (true/false); an aim
  without a figure, or not in one of these forms, is kept, unjudged.
- ``machine``: CPU model and count, RAM, OS, Python, key package versions, SQLite and (when
  ``database_url`` or ``SCALESCOPE_DATABASE_URL`` names one) the Postgres server's version,
  and the git commit the run measured.

    from _report import add_json_argument, write_result
    add_json_argument(parser)
    ...
    write_result("bench_read", figures, aims, args.json)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import operator
import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PACKAGES = (
    "scalescope",
    "numpy",
    "pandas",
    "scipy",
    "sqlalchemy",
    "psycopg",
    "fastapi",
    "uvicorn",
    "dash",
    "plotly",
    "celery",
    "redis",
    "duckdb",
    "pyarrow",
    "torch",
    "open_clip_torch",
)
#: aims of yes/no figures (``{"same_counts": "== true"}``)
TRUTHS = {"== true": True, "must be true": True, "true": True, "== false": False, "false": False}
COMPARISONS = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
}


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--json PATH`` (default: bench/results/<name>.json) to a bench's parser."""
    parser.add_argument(
        "--json",
        default=None,
        metavar="PATH",
        help="where to write the JSON result (default: bench/results/<bench name>.json)",
    )


def write_result(
    name: str,
    figures: dict,
    aims: dict,
    path: str | None = None,
    *,
    database_url: str | None = None,
) -> Path:
    """Write ``{name, figures, aims, met, machine, ...}`` as JSON; return the file's path."""
    target = Path(path) if path else RESULTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "name": name,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "figures": figures,
        "aims": aims,
        "met": verdicts(figures, aims),
        "machine": machine(database_url or os.environ.get("SCALESCOPE_DATABASE_URL")),
    }
    target.write_text(json.dumps(result, indent=2, sort_keys=False, default=str) + "\n")
    print(f"result written to {target}")
    return target


def verdicts(figures: dict, aims: dict) -> dict[str, bool]:
    """``{figure: aim met?}`` for every aim whose figure is a number and whose aim parses."""
    met = {}
    for key, aim in aims.items():
        value = figures.get(key)
        if isinstance(value, bool) and str(aim).strip().lower() in TRUTHS:
            met[key] = value == TRUTHS[str(aim).strip().lower()]
            continue
        parsed = _parse_aim(aim)
        if parsed is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        compare, bound = parsed
        met[key] = bool(compare(value, bound))
    return met


def _parse_aim(aim) -> tuple | None:
    """``"< 150"`` → (operator.lt, 150.0); None when the aim is not a comparison."""
    if not isinstance(aim, str):
        return None
    text = aim.strip()
    for symbol, compare in COMPARISONS.items():  # two-character symbols first
        if text.startswith(symbol):
            try:
                return compare, float(text[len(symbol) :].strip().replace("_", ""))
            except ValueError:
                return None
    return None


def machine(database_url: str | None = None) -> dict:
    """What the figures depend on: hardware, OS, interpreter, packages, databases, commit."""
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": _ram_gib(),
        "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": _package_versions(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": _postgres_version(database_url),
        "git_commit": _git_commit(),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _package_versions() -> dict[str, str]:
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _postgres_version(url: str | None) -> str | None:
    """The server's ``SHOW server_version`` for a postgres URL; None otherwise or when down."""
    if not url or not url.startswith("postgres"):
        return None
    try:
        import psycopg

        conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(conninfo, connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # noqa: BLE001 - a description, never a failure
        return f"unknown ({type(error).__name__})"


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None
