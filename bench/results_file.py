"""A benchmark's result as a JSON file: its figures, its aims (and whether they are met), and
the machine it ran on (CPU model and count, RAM, load, Python, database version)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"  # git-ignored


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gib() -> float | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def postgres_version(url: str) -> str | None:
    """``SELECT version()`` of the Postgres at ``url`` (None when it cannot be reached)."""
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            return conn.execute("SELECT version()").fetchone()[0]
    except Exception:  # noqa: BLE001 - a description only
        return None


def machine(database_url: str | None = None) -> dict:
    """What the figures were measured on."""
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "ram_gib": ram_gib(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "database": postgres_version(database_url) if database_url else None,
    }


def write_result(
    name: str, figures: dict, aims: dict, met: dict, *, path: str | None, database_url: str
) -> Path:
    """Write ``bench/results/<name>.json`` (or ``path``); returns where."""
    target = Path(path) if path else RESULTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "figures": figures,
        "aims": aims,
        "met": met,
        "machine": machine(database_url),
    }
    target.write_text(json.dumps(document, indent=2) + "\n")
    print(f"result written to {target}")
    return target
