"""Page benchmark: time to first full render of every dashboard page, and interaction latency,
in headless Chromium against the real web process (uvicorn on the app factory).

Two databases (temporary SQLite files):

- ``demo``: the bundled demo data (``backend.demo.loader.load_demo``, what ``scalescope demo``
  loads): every page in the navigation plus a model page with a 27-checkpoint learning curve;
- ``large``: 50,000 plotted points: 50,000 synthetic models measured on two benchmarks (the
  robustness page plots one point per model) and one run with 50,000 checkpoints (its model
  page draws a 50,000-point learning curve).

"First full render" is measured in the page (``performance.now()`` since navigation start)
when the page content is there, no Dash callback is loading and every graph has drawn; each
run uses a fresh browser context (empty cache: a first-time visitor). Interactions time a
control change until the URL state, the figure and the loading state have settled. Prints the
median and the worst of ``--runs`` runs against the aims (issue 17): a first full render under
1 s on the demo and under 2 s with 50,000 plotted points, an interaction under 300 ms. Beside
the demo's figures, the same run measures their floor (``bench/floor_app.py``): a bare Dash
page served the same way, without and with one small graph.
Writes every figure with its aim and a description of the machine through
``bench/_report.py`` (``bench/results/bench_pages.json``, or ``--json PATH``).

    .venv/bin/python bench/bench_pages.py [--runs 3] [--skip-large | --skip-demo] [--json PATH]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _report import add_json_argument, write_result  # noqa: E402

from backend import db  # noqa: E402
from backend.demo.loader import load_demo  # noqa: E402
from backend.services import uploads  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server  # noqa: E402

LARGE_POINTS = 50_000
RENDER_AIM_S = 1.0  # first full render, demo data
LARGE_RENDER_AIM_S = 2.0  # first full render, 50,000 plotted points
INTERACTION_AIM_S = 0.3  # a control change, on either database
RESULTS: list[dict] = []
SETTLED_JS = """
() => {
    const content = document.querySelector('#_pages_content');
    if (!content || !content.children.length) { return false; }
    if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
    for (const graph of content.querySelectorAll('.dash-graph')) {
        if (!graph.querySelector('.main-svg')) { return false; }
    }
    return true;
}
"""


def wait_settled(page, *, stable_ms: int = 300, timeout_s: float = 120) -> float:
    """Wait until the page has settled; return ``performance.now()`` (ms) when it first did."""
    deadline = time.monotonic() + timeout_s
    first = None
    while time.monotonic() < deadline:
        if page.evaluate(SETTLED_JS):
            now = page.evaluate("() => performance.now()")
            if first is None:
                first = now
            elif now - first >= stable_ms:
                return first
        else:
            first = None
        page.wait_for_timeout(25)
    raise TimeoutError(f"{page.url} did not settle in {timeout_s} s")


def time_render(browser, url: str) -> float:
    """Seconds from navigation start to the first full render, in a fresh context."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(url)
    settled_ms = wait_settled(page)
    context.close()
    return settled_ms / 1000


def time_interaction(browser, url: str, action) -> float:
    """Seconds from a control change (``action(page)``) until the view has settled again."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(url)
    wait_settled(page)
    before = page.evaluate("() => window.location.search")
    started = time.perf_counter()
    action(page)
    page.wait_for_function(f"() => window.location.search !== {before!r}", timeout=120_000)
    page.wait_for_function(SETTLED_JS, timeout=120_000)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed


def _large_files(folder: Path, rng: np.random.Generator) -> list[Path]:
    """50,000 models on two benchmarks (probit-linear, like accuracy on the line), and one run
    with 50,000 checkpoints (a noisy power-law loss curve)."""
    wide = folder / "bench_many_models.csv"
    acc_id = rng.uniform(0.05, 0.9, LARGE_POINTS)
    acc_ood = np.clip(acc_id * 0.8 - 0.05 + rng.normal(0, 0.03, LARGE_POINTS), 0.001, 0.999)
    with open(wide, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "eval_set", "metric", "value", "pretraining_data"])
        for i in range(LARGE_POINTS):
            data = f"corpus-{i % 8}"
            writer.writerow([f"bench-model-{i:05d}", "bench_id", "acc", acc_id[i], data])
            writer.writerow([f"bench-model-{i:05d}", "bench_ood", "acc", acc_ood[i], data])
    long = folder / "bench_long_run.csv"
    steps = np.arange(1, LARGE_POINTS + 1) * 10
    loss = 2.0 + 8.0 * steps.astype(float) ** -0.3 + rng.normal(0, 0.01, LARGE_POINTS)
    with open(long, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "revision", "eval_set", "metric", "value", "step", "eval_kind"])
        for step, value in zip(steps, loss, strict=True):
            writer.writerow(
                ["bench-long-run", f"step{step}", "bench_val", "loss", value, step, "validation"]
            )
    return [wide, long]


def _serve(folder: Path, load) -> tuple:
    url = f"sqlite:///{folder / 'scalescope.db'}"
    db.upgrade(url)
    started = time.perf_counter()
    load(db.get_engine(url))
    print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return start_server(url, folder / "server.log")


def _report(label: str, seconds: list[float], aim: float | None, *, kind: str, data: str) -> dict:
    """Print and keep one figure (``aim`` None: a peer measured for comparison, no goal)."""
    median, worst = statistics.median(seconds), max(seconds)
    flag = "peer" if aim is None else "ok " if median < aim else "SLOW"
    print(f"  {flag} {label:58s} median {median:6.2f} s   worst {worst:6.2f} s", flush=True)
    result = {
        "label": label,
        "kind": kind,
        "data": data,
        "median_s": median,
        "worst_s": worst,
        "runs_s": seconds,
        "aim_s": aim,
        "met": None if aim is None else median < aim,
    }
    RESULTS.append(result)
    return result


def _nav_paths(browser, base: str) -> list[str]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/")
    wait_settled(page)
    paths = page.eval_on_selector_all(".nav-links a", "links => links.map(a => a.pathname)")
    context.close()
    return ["/", *paths]


#: (label, page, action) of the demo's interactions
DEMO_INTERACTIONS = [
    (
        "/loss-to-loss: log axes",
        "/loss-to-loss",
        lambda p: p.click("#l2l-flags input[value='log']"),
    ),
    (
        "/scaling: final checkpoints only",
        "/scaling",
        lambda p: p.click("#scaling-flags input[value='final']"),
    ),
    (
        "/robustness: final checkpoints only",
        "/robustness",
        lambda p: p.click("#robustness-flags input[value='final']"),
    ),
    (
        "/frequency: show every concept",
        "/frequency",
        lambda p: p.click("#frequency-flags input[value='points']"),
    ),
    ("/models: search 'pythia'", "/models", lambda p: p.fill("#models-search", "pythia")),
    (
        "/coverage: eval sets -> benchmarks",
        "/coverage",
        lambda p: p.click("#coverage-kind input[value='benchmark']"),
    ),
    (
        "/model/...: x axis -> tokens seen",
        "/model/EleutherAI/pythia-v1.1-410m",
        lambda p: p.click("#model-curve-x input[value='tokens_seen']"),
    ),
]


def _serve_floor(folder: Path, *, graph: bool) -> tuple:
    """The bare Dash app of ``bench/floor_app.py`` (with one small graph or none)."""
    return start_server(
        None,
        folder / f"floor-{int(graph)}.log",
        {"SCALESCOPE_FLOOR_GRAPH": "1" if graph else "0"},
        factory="bench.floor_app:create_app",
        ready_path="/",
    )


def bench_floor(browser, folder: Path, runs: int) -> list:
    """The peer of the demo's render figures: a bare Dash page, without and with one graph,
    served like ScaleScope's (``bench/floor_app.py``), in the same run."""
    print("floor: a bare Dash page, served like ScaleScope's", flush=True)
    processes = []
    for graph, label, path in (
        (False, "floor: bare Dash page", "/"),
        (True, "floor: bare Dash page + one 20-point graph", "/scaling"),
    ):
        process, base = _serve_floor(folder, graph=graph)
        processes.append(process)
        time_render(browser, base + path)  # the server's first answers (compression) are not timed
        seconds = [time_render(browser, base + path) for _ in range(runs)]
        _report(label, seconds, None, kind="floor", data="none")
    return processes


def bench_demo(browser, base: str, runs: int) -> None:
    print("demo data: first full render", flush=True)
    pages = _nav_paths(browser, base) + ["/model/EleutherAI/pythia-v1.1-410m"]
    for path in pages:
        seconds = [time_render(browser, base + path) for _ in range(runs)]
        _report(path, seconds, RENDER_AIM_S, kind="render", data="demo")
    print("demo data: interactions", flush=True)
    interactions = DEMO_INTERACTIONS
    for label, path, action in interactions:
        seconds = [time_interaction(browser, base + path, action) for _ in range(runs)]
        _report(label, seconds, INTERACTION_AIM_S, kind="interaction", data="demo")


def bench_large(browser, base: str, runs: int) -> None:
    print(f"{LARGE_POINTS:,} points: first full render", flush=True)
    robustness = "/robustness?id=bench_id:acc&ood=bench_ood:acc&bootstrap=0"
    for path in (robustness, "/model/bench-long-run", "/models"):
        seconds = [time_render(browser, base + path) for _ in range(runs)]
        _report(path, seconds, LARGE_RENDER_AIM_S, kind="render", data="large")
    print(f"{LARGE_POINTS:,} points: interactions", flush=True)
    interactions = [
        (
            "/model/bench-long-run: log x",
            "/model/bench-long-run",
            lambda p: p.click("#model-curve-log-x input"),
        ),
        (
            "/robustness (50k models): final checkpoints only",
            robustness,
            lambda p: p.click("#robustness-flags input[value='final']"),
        ),
    ]
    for label, path, action in interactions:
        seconds = [time_interaction(browser, base + path, action) for _ in range(runs)]
        _report(label, seconds, INTERACTION_AIM_S, kind="interaction", data="large")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-demo", action="store_true", help="only the 50,000-point pages")
    add_json_argument(parser)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="scalescope-bench-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        processes = []
        try:
            if not args.skip_demo:
                print("starting the demo server", flush=True)
                demo_dir = Path(tmp) / "demo"
                demo_dir.mkdir()
                process, base = _serve(demo_dir, lambda engine: load_demo(engine=engine))
                processes.append(process)
                processes += bench_floor(browser, demo_dir, args.runs)
                bench_demo(browser, base, args.runs)
            if not args.skip_large:
                print("starting the large server", flush=True)
                large_dir = Path(tmp) / "large"
                large_dir.mkdir()
                files = _large_files(large_dir, np.random.default_rng(0))

                def load_large(engine):
                    for path in files:
                        uploads.ingest_file(engine=engine, path=path, source="cli")

                process, base = _serve(large_dir, load_large)
                processes.append(process)
                bench_large(browser, base, args.runs)
        finally:
            for process in processes:
                process.terminate()
                process.wait()
            browser.close()
    figures = {
        "runs": args.runs,
        "chromium": CHROMIUM,
        "results": RESULTS,
        "render_demo_worst_median_s": max(
            (r["median_s"] for r in RESULTS if r["kind"] == "render" and r["data"] == "demo"),
            default=None,
        ),
        "interaction_worst_median_s": max(
            (r["median_s"] for r in RESULTS if r["kind"] == "interaction"), default=None
        ),
        "render_large_worst_median_s": max(
            (r["median_s"] for r in RESULTS if r["kind"] == "render" and r["data"] == "large"),
            default=None,
        ),
        "aims_met": sum(r["met"] is True for r in RESULTS),
        "aims_total": sum(r["met"] is not None for r in RESULTS),
    }
    aims = {
        "render_demo_worst_median_s": f"< {RENDER_AIM_S}",
        "render_large_worst_median_s": f"< {LARGE_RENDER_AIM_S}",
        "interaction_worst_median_s": f"< {INTERACTION_AIM_S}",
    }
    write_result("bench_pages", figures, aims, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
