"""Callback benchmark: server wall time of the Dash callbacks behind each demo page's content
and behind the demo interactions, replayed with httpx against the real web process.

A Dash page gets its content through one ``/_dash-update-component`` POST (the pages router
calls the page's ``layout(**query)``); an interaction is one callback POST. Playwright opens
each page once (and does each interaction once) to capture the real request bodies; each body
is then posted ``--repeats`` times, one at a time, and the median and p90 wall time and the
response size are printed against the aims (page content < 150 ms, interaction < 120 ms).
Writes the figures through ``bench/_report.py`` (``bench/results/bench_callbacks.json``, or
``--json PATH``).

    .venv/bin/python bench/bench_callbacks.py [--repeats 15] [--only PATH_OR_LABEL ...]
        [--base URL] [--save-bodies PATH] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _report import add_json_argument, write_result  # noqa: E402
from bench_pages import DEMO_INTERACTIONS, _serve, wait_settled  # noqa: E402

from backend.demo.loader import load_demo  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

CONTENT_AIM_MS = 150.0
INTERACTION_AIM_MS = 120.0
UPDATE = "/_dash-update-component"
PAGES = [
    "/loss-to-loss",
    "/scaling",
    "/frequency",
    "/coverage",
    "/model/EleutherAI/pythia-v1.1-410m",
    "/models",
    "/",
    "/upload",
    "/jobs",
    "/corpus",
]
#: (label, page, action): bench_pages.py's demo interactions but robustness
INTERACTIONS = [item for item in DEMO_INTERACTIONS if not item[0].startswith("/robustness")]


def _outputs(body: str) -> str:
    return json.loads(body).get("output", "")


def capture(browser, base: str, path: str, action=None) -> list[str]:
    """The callback POST bodies of opening ``path`` (``action`` None) or of ``action`` on it."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    bodies: list[str] = []
    page.on(
        "request",
        lambda r: bodies.append(r.post_data or "") if UPDATE in r.url else None,
    )
    page.goto(base + path)
    wait_settled(page)
    if action is not None:
        before = page.evaluate("() => window.location.search")
        bodies.clear()
        action(page)
        page.wait_for_function(f"() => window.location.search !== {before!r}", timeout=60_000)
        wait_settled(page)
    context.close()
    return bodies


def replay(client: httpx.Client, body: str, repeats: int) -> dict:
    """POST ``body`` ``repeats`` times (after one warm-up); wall times in ms and response size."""
    headers = {"Content-Type": "application/json"}
    response = client.post(UPDATE, content=body, headers=headers)
    response.raise_for_status()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.post(UPDATE, content=body, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p90_ms": times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))],
        "bytes": len(response.content),
        "runs_ms": [round(t, 1) for t in times],
    }


def _pick(bodies: list[str], *, content: bool) -> list[str]:
    """The page-content POST (the pages router), or every POST of an interaction but the
    router's."""
    if content:
        return [b for b in bodies if "_pages_content" in _outputs(b)][:1]
    return [b for b in bodies if "_pages_content" not in _outputs(b)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", nargs="*", default=None, help="pages or labels to measure")
    parser.add_argument("--save-bodies", default=None, help="write the captured bodies here")
    parser.add_argument("--base", default=None, help="a running demo server's URL to measure")
    add_json_argument(parser)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    wanted = set(args.only) if args.only else None
    results = []
    with tempfile.TemporaryDirectory(prefix="scalescope-cb-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        process, base = None, args.base
        if base is None:
            folder = Path(tmp) / "demo"
            folder.mkdir()
            process, base = _serve(folder, lambda engine: load_demo(engine=engine))
        try:
            jobs = [(f"{p} content", p, None, True) for p in PAGES]
            jobs += [(label, p, action, False) for label, p, action in INTERACTIONS]
            captured = {}
            for label, path, action, content in jobs:
                if wanted and path not in wanted and label not in wanted:
                    continue
                bodies = _pick(capture(browser, base, path, action), content=content)
                captured[label] = bodies
                if not bodies:
                    print(f"  ???  {label}: no callback captured", flush=True)
            browser.close()
            if args.save_bodies:
                Path(args.save_bodies).write_text(json.dumps(captured, indent=1))
            with httpx.Client(base_url=base, timeout=60) as client:
                for label, bodies in captured.items():
                    aim = CONTENT_AIM_MS if label.endswith(" content") else INTERACTION_AIM_MS
                    for body in bodies:
                        result = replay(client, body, args.repeats)
                        name = label if len(bodies) == 1 else f"{label} [{_outputs(body)[:40]}]"
                        met = result["median_ms"] < aim
                        print(
                            f"  {'ok ' if met else 'SLOW'} {name:60s} median "
                            f"{result['median_ms']:6.1f} ms  p90 {result['p90_ms']:6.1f} ms  "
                            f"{result['bytes'] / 1000:7.1f} kB",
                            flush=True,
                        )
                        results.append({"label": name, "aim_ms": aim, "met": met, **result})
        finally:
            if process is not None:
                process.terminate()
                process.wait()
    figures = {
        "repeats": args.repeats,
        "results": results,
        "content_worst_median_ms": max(
            (r["median_ms"] for r in results if r["aim_ms"] == CONTENT_AIM_MS), default=None
        ),
        "interaction_worst_median_ms": max(
            (r["median_ms"] for r in results if r["aim_ms"] == INTERACTION_AIM_MS), default=None
        ),
        "aims_met": sum(r["met"] for r in results),
        "aims_total": len(results),
    }
    aims = {
        "content_worst_median_ms": f"< {CONTENT_AIM_MS}",
        "interaction_worst_median_ms": f"< {INTERACTION_AIM_MS}",
    }
    write_result("bench_callbacks", figures, aims, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
