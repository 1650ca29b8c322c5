"""Robustness view with 50,000 models, in-process: CPU seconds to build the view and the update
callback's outputs (as Dash serialises them) for the bench page's URL and its "final
checkpoints only" toggle, and the bytes sent to the browser.

The database is bench_pages.py's 50,000-model file (only it) ingested into a SQLite file,
kept in ``--db`` between runs.

    .venv/bin/python bench/bench_robustness.py [--db /tmp/robust/scalescope.db] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import add_json_argument, write_result  # noqa: E402
from bench_pages import _large_files  # noqa: E402
from plotly.io.json import to_json_plotly  # noqa: E402

from backend import db  # noqa: E402
from backend.services import uploads  # noqa: E402

STATES = {
    "first render": {"id": "bench_id:acc", "ood": "bench_ood:acc", "bootstrap": "0"},
    # as the toggle's callback reads the controls: the baseline dropdown holds its value ([])
    "final only": {
        "id": "bench_id:acc",
        "ood": "bench_ood:acc",
        "bootstrap": "0",
        "final": "true",
        "baseline": [],
    },
}


def build_db(path: Path) -> str:
    """The SQLite file with the 50,000 models on bench_id:acc and bench_ood:acc."""
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    db.upgrade(url)
    with tempfile.TemporaryDirectory() as folder:
        wide = _large_files(Path(folder), np.random.default_rng(0))[0]
        uploads.ingest_file(engine=db.get_engine(url), path=wide)
    return url


def callback_outputs(engine, query: dict) -> tuple:
    """What the robustness update callback returns for ``query`` (the view, then its outputs)."""
    from app.state import decode_state
    from app.views.common import explorer_outputs
    from app.views.robustness import RobustnessState, build_robustness_view

    state = decode_state(RobustnessState, query)
    with db.session_scope(engine) as session:
        view = build_robustness_view(session, state)
    return explorer_outputs(view, state, details=True)


def measure(engine, query: dict, runs: int) -> dict:
    """Median CPU seconds of the outputs and of their JSON, and the JSON's size."""
    build, encode, size = [], [], 0
    for _ in range(runs):
        started = time.process_time()
        outputs = callback_outputs(engine, query)
        middle = time.process_time()
        size = len(to_json_plotly(list(outputs)))
        build.append(middle - started)
        encode.append(time.process_time() - middle)
    return {
        "build_cpu_s": statistics.median(build),
        "json_cpu_s": statistics.median(encode),
        "json_mb": size / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/robust/scalescope.db"))
    parser.add_argument("--runs", type=int, default=3)
    add_json_argument(parser)
    args = parser.parse_args()
    engine = db.get_engine(build_db(args.db))
    callback_outputs(engine, STATES["first render"])  # warm: the fit cache, imports
    figures = {}
    for label, query in STATES.items():
        result = measure(engine, query, args.runs)
        print(f"{label:14s} " + "  ".join(f"{k} {v:.3f}" for k, v in result.items()), flush=True)
        figures.update({f"{label.replace(' ', '_')}_{k}": v for k, v in result.items()})
    write_result("bench_robustness", figures, {}, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
