"""The 50,000-point pages, server side and in-process: the Dash pages router's callback (the
page's ``layout(**query)``, as the browser asks for it with ``POST /_dash-update-component``)
for ``/robustness`` (50,000 models) and ``/model/bench-long-run`` (50,000 checkpoints), and
the robustness update callback for the "final checkpoints only" toggle. Median wall and CPU
seconds of ``--runs`` requests after a warm-up, and the response bytes.

The database is bench_pages.py's ``large`` one (both files) in a SQLite file kept in ``--db``
between runs. The requests go through the real app (``app.main.create_app``) with a test
client, so Dash's JSON encoding and the middlewares count.

    .venv/bin/python bench/bench_large_views.py [--db /tmp/bench-large/scalescope.db] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
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

from backend import db  # noqa: E402
from backend.services import uploads  # noqa: E402
from tests.backend.access.dash_calls import server_callbacks as _callbacks  # noqa: E402

ROBUSTNESS = "?id=bench_id:acc&ood=bench_ood:acc&bootstrap=0"
#: The robustness update callback's controls for the toggle (the browser sends these).
TOGGLE = {
    "robustness-id": "bench_id:acc",
    "robustness-ood": "bench_ood:acc",
    "robustness-transform": "logit",
    "robustness-group": "pretraining_data",
    "robustness-baseline": [],
    "robustness-family": [],
    "robustness-data": [],
    "robustness-exclude": [],
}


def build_db(path: Path) -> str:
    """The SQLite file with bench_pages.py's large data (built once, then reused)."""
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    path.parent.mkdir(parents=True, exist_ok=True)
    db.upgrade(url)
    with tempfile.TemporaryDirectory() as folder:
        for file in _large_files(Path(folder), np.random.default_rng(0)):
            uploads.ingest_file(engine=db.get_engine(url), path=file, source="cli")
    return url


def _outputs(key: str) -> list[dict] | dict:
    """The outputs of a callback_map key as the browser names them (pattern ids as dicts)."""
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outputs = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        parsed = json.loads(component) if component.startswith("{") else component
        outputs.append({"id": parsed, "property": prop})
    return outputs if key.startswith("..") else outputs[0]


def router_body(entry: dict, pathname: str, search: str) -> dict:
    """The pages router's request for ``pathname`` + ``search`` (a first visit)."""
    values = {"_pages_location.pathname": pathname, "_pages_location.search": search}

    def value(item: dict) -> dict:
        key = f"{item['id']}.{item['property']}"
        return {"id": item["id"], "property": item["property"], "value": values.get(key)}

    return {
        "output": entry["output"],
        "outputs": _outputs(entry["output"]),
        "inputs": [value(item) for item in entry["inputs"]],
        "state": [value(item) for item in entry["state"]],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
    }


def toggle_body(entry: dict, flags: list[str]) -> dict:
    """The robustness update callback's request with the flags checklist at ``flags``."""
    values = {**TOGGLE, "robustness-flags": flags}
    return {
        "output": entry["output"],
        "outputs": _outputs(entry["output"]),
        "inputs": [
            {"id": i["id"], "property": i["property"], "value": values.get(i["id"])}
            for i in entry["inputs"]
        ],
        "state": [],
        "changedPropIds": ["robustness-flags.value"],
    }


def timed(client, body: dict, runs: int) -> dict:
    """Median wall and CPU seconds of ``runs`` posts of ``body`` (after one warm-up)."""
    response = client.post("/_dash-update-component", json=body)
    response.raise_for_status()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.post("/_dash-update-component", json=body)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        response.raise_for_status()
    return {
        "wall_s": statistics.median(walls),
        "cpu_s": statistics.median(cpus),
        "bytes": len(response.content),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-large/scalescope.db"))
    parser.add_argument("--runs", type=int, default=7)
    add_json_argument(parser)
    args = parser.parse_args()
    url = build_db(args.db)
    os.environ["SCALESCOPE_DATABASE_URL"] = url
    from fastapi.testclient import TestClient

    from app.main import create_app

    app = create_app(url)
    client = TestClient(app)
    client.get("/").raise_for_status()  # Dash registers the pages router on its first request
    callbacks = _callbacks(app)
    router = next(e for e in callbacks.values() if "_pages_content.children" in e["output"])
    update = callbacks["app.pages.robustness.update"]
    cases = {
        "robustness_first_render": router_body(router, "/robustness", ROBUSTNESS),
        "model_long_run_first_render": router_body(router, "/model/bench-long-run", ""),
        "robustness_final_toggle": toggle_body(update, ["fit", "final"]),
        "robustness_final_untoggle": toggle_body(update, ["fit"]),
    }
    figures: dict[str, float] = {}
    for label, body in cases.items():
        result = timed(client, body, args.runs)
        print(
            f"{label:30s} wall {result['wall_s']:6.3f} s  cpu {result['cpu_s']:6.3f} s  "
            f"{result['bytes'] / 1e6:6.2f} MB",
            flush=True,
        )
        figures.update({f"{label}_{key}": value for key, value in result.items()})
    figures["runs"] = args.runs
    aims = {
        "robustness_first_render_wall_s": "< 1.0",
        "model_long_run_first_render_wall_s": "< 1.0",
        "robustness_final_toggle_wall_s": "< 0.3",
    }
    write_result("bench_large_views", figures, aims, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
