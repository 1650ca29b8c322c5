"""What the 50,000-point pages send, decoded, for a few view states: to prove that a change in
how a figure is built or sent leaves every number the same. Posts each state to the real
app as the browser does (the pages router for a first render, the robustness update
callback for a control change), decodes the JSON (base64 typed arrays become lists of
numbers) and writes one file; ``--compare OLD NEW`` says whether two such files are equal.

    .venv/bin/python bench/figure_snapshot.py --out /tmp/new.json [--db ... | --demo-db ...]
    .venv/bin/python bench/figure_snapshot.py --compare /tmp/old.json /tmp/new.json

Run it in a checkout of the old code (``git archive main | tar -x -C /tmp/old``, then copy
this file and bench_large_views.py into its bench/) for the old file.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_large_views import ROBUSTNESS, TOGGLE, _callbacks, build_db, router_body  # noqa: E402

DTYPES = {"f8": "<f8", "f4": "<f4", "i1": "<i1", "u1": "<u1", "i2": "<i2", "u2": "<u2"}
DTYPES.update({"i4": "<i4", "u4": "<u4", "i8": "<i8", "u8": "<u8"})
#: router states: (pathname, search)
PAGES = {
    "large": [
        ("/robustness", ROBUSTNESS),
        ("/robustness", ROBUSTNESS + "&final=true"),
        ("/robustness", ROBUSTNESS + "&transform=linear&data=corpus-1&data=corpus-3"),
        ("/robustness", ROBUSTNESS + "&transform=probit&exclude=bench-model-00007%40final"),
        ("/model/bench-long-run", ""),
        ("/model/bench-long-run", "?log_x=true"),
    ],
    "demo": [
        ("/robustness", ""),
        ("/robustness", "?final=true"),
        ("/model/EleutherAI/pythia-v1.1-410m", ""),
        ("/loss-to-loss", ""),
        ("/scaling", ""),
    ],
}
#: robustness update callback states (controls beside TOGGLE's)
UPDATES = {
    "large": [
        {"robustness-flags": ["fit", "final"]},
        {"robustness-flags": ["fit"]},
        {"robustness-flags": ["fit"], "robustness-transform": "probit"},
        {"robustness-flags": ["fit"], "robustness-data": ["corpus-2"]},
    ],
}


def decoded(value):
    """``value`` with every base64 typed array as a list of numbers."""
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=DTYPES[value["dtype"]])
            if "shape" in value:
                array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
            return array.tolist()
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


def update_body(entry: dict, controls: dict) -> dict:
    values = {**TOGGLE, **controls}
    return {
        "output": entry["output"],
        "outputs": router_body(entry, "", "")["outputs"],
        "inputs": [
            {"id": i["id"], "property": i["property"], "value": values.get(i["id"])}
            for i in entry["inputs"]
        ],
        "state": [],
        "changedPropIds": ["robustness-flags.value"],
    }


def snapshot(url: str, data: str) -> dict:
    """Every state of ``data``'s lists, decoded, by a readable key."""
    os.environ["SCALESCOPE_DATABASE_URL"] = url
    from fastapi.testclient import TestClient

    from app.main import create_app
    from backend.config import get_settings

    get_settings.cache_clear()
    app = create_app(url)
    client = TestClient(app)
    client.get("/").raise_for_status()
    callbacks = _callbacks(app)
    router = next(e for e in callbacks.values() if "_pages_content.children" in e["output"])
    found = {}
    for pathname, search in PAGES.get(data, []):
        body = router_body(router, pathname, search)
        response = client.post("/_dash-update-component", json=body)
        response.raise_for_status()
        found[f"{data} {pathname}{search}"] = decoded(response.json())
    for controls in UPDATES.get(data, []):
        body = update_body(callbacks["app.pages.robustness.update"], controls)
        response = client.post("/_dash-update-component", json=body)
        response.raise_for_status()
        found[f"{data} update {json.dumps(controls)}"] = decoded(response.json())
    return found


def differences(old, new, path: str = "") -> list[str]:
    """Where ``old`` and ``new`` differ (the first few)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = [f"{path}: keys {sorted(set(old) ^ set(new))}"] if set(old) != set(new) else []
        for key in old.keys() & new.keys():
            out += differences(old[key], new[key], f"{path}/{key}")
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out: list[str] = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            out += differences(a, b, f"{path}[{i}]")
            if len(out) > 5:
                break
        return out
    return [] if old == new else [f"{path}: {str(old)[:120]} != {str(new)[:120]}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-large/scalescope.db"))
    parser.add_argument("--demo-db", type=Path, help="a SQLite file with the demo loaded")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"))
    args = parser.parse_args()
    if args.compare:
        old, new = (json.loads(path.read_text()) for path in args.compare)
        problems = differences(old, new)
        for key in old:
            print(("same  " if not differences(old[key], new.get(key)) else "DIFF  ") + key)
        print("\n".join(problems[:20]) or f"all {len(old)} states equal")
        return 1 if problems else 0
    if args.demo_db:  # one app per process: Dash's page registry is global
        found = snapshot(f"sqlite:///{args.demo_db}", "demo")
    else:
        found = snapshot(build_db(args.db), "large")
    args.out.write_text(json.dumps(found))
    print(f"{len(found)} states written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
