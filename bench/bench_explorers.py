"""Explorer pages in headless Chromium: time to first full render and to redraw after a control.

Loads real published results through the ingest service into a fresh SQLite file (the
loss-to-loss sweep, the Chinchilla runs, OpenCLIP zero-shot results, CIFAR-100 per-class
accuracies and concept counts), plus a synthetic set of 50,000 checkpoints with two losses
(``big_x:loss``, ``big_y:loss``; 5 pretraining sets), starts the web process, and for each
page measures (median of ``--repeat`` runs after a warm-up):

- render: ``goto`` until the graph holds its traces and no Dash callback is in flight;
- redraw: a click on the page's "log axes" / "points" / "fit" option until the figure changed.

    .venv/bin/python bench/bench_explorers.py [--repeat 3] [--points 50000] [--data PATH]

The real files come from the repository (``backend/demo/data``, ``tests/data``), or with
``--data PATH`` from a folder laid out the same way (upstream folder and file names).
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from _report import add_json_argument, write_result

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from backend import db  # noqa: E402
from backend.services.uploads import ingest_file  # noqa: E402

#: The repository's published files: the demo's, and the further ones the tests read.
REPO_DATA = (REPO / "backend" / "demo" / "data", REPO / "tests" / "data")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FREQUENCY = Path("frequency_determines_performance")
REAL_FILES = [
    Path("loss_to_loss_kempner") / "sweep.csv",
    Path("chinchilla_epoch") / "svg_extracted_data.csv",
    Path("openclip") / "openclip_results.csv",
    FREQUENCY / "zero_shot_evaluations" / "cifar100_ensemble_results.json",
    FREQUENCY / "search_counts" / "cifar100_cc3m_integrated_tlemmatized_i0.7_search_counts.json",
]
# (name, path, option that redraws the figure)
PAGES = [
    (
        "loss-to-loss (50k points)",
        "/loss-to-loss?x=big_x%3Aloss&y=big_y%3Aloss&bootstrap=0",
        "#l2l-flags input[value='log']",
    ),
    (
        "loss-to-loss (sweep, page default)",
        "/loss-to-loss?x=c4_val%3ACrossEntropyLoss&y=hellaswag%3Ace_loss",
        "#l2l-flags input[value='log']",
    ),
    (
        "scaling (sweep, 6 Chinchilla fits)",
        "/scaling?metric=c4_val%3ACrossEntropyLoss",
        "#scaling-flags input[value='fit']",
    ),
    (
        "scaling (Chinchilla runs, 1 fit)",
        "/scaling?metric=massivetext%3Aloss",
        "#scaling-flags input[value='fit']",
    ),
    ("frequency (cifar100 / cc3m)", "/frequency", "#frequency-flags input[value='points']"),
    (
        "robustness (OpenCLIP, 121 models)",
        "/robustness?id=ImageNet%201k%3Aacc1&ood=ImageNet%20v2%3Aacc1",
        "#robustness-flags input[value='fit']",
    ),
]
GRAPH_READY = """() => {
    const gd = document.querySelector('#_pages_content .js-plotly-plot');
    return gd && gd.data && gd.data.length > 0
        && !document.querySelector('[data-dash-is-loading="true"]');
}"""
FIGURE_SIGNATURE = """() => {
    const gd = document.querySelector('#_pages_content .js-plotly-plot');
    return JSON.stringify([gd.data.length, gd._fullLayout.xaxis.type,
                           gd.data.map(t => (t.x || []).length)]);
}"""


def synthetic_csv(path: Path, n_points: int) -> Path:
    """A long CSV of ``n_points`` checkpoints with two losses on a shifted power law."""
    rng = np.random.default_rng(0)
    x = rng.uniform(2.5, 4.5, n_points)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "revision", "eval_set", "metric", "value", "pretraining_data"])
        for i in range(n_points):
            data = f"set{i % 5}"
            y = (0.8 + 0.05 * (i % 5)) * x[i] ** 1.1 * np.exp(rng.normal(0, 0.01))
            writer.writerow([f"big-{i}", "final", "big_x", "loss", f"{x[i]:.5f}", data])
            writer.writerow([f"big-{i}", "final", "big_y", "loss", f"{y:.5f}", data])
    return path


def real_files(roots: tuple[Path, ...]) -> list[Path]:
    """Each of ``REAL_FILES`` in the first of ``roots`` that holds it."""
    found = []
    for relative in REAL_FILES:
        path = next((root / relative for root in roots if (root / relative).is_file()), None)
        if path is None:
            raise SystemExit(f"{relative} is in none of {', '.join(map(str, roots))}")
        found.append(path)
    return found


def build_database(folder: Path, n_points: int, roots: tuple[Path, ...]) -> str:
    url = f"sqlite:///{folder / 'bench.db'}"
    db.upgrade(url)
    engine = db.get_engine(url)
    for path in [*real_files(roots), synthetic_csv(folder / "big.csv", n_points)]:
        started = time.perf_counter()
        ingest_file(engine=engine, path=path, source="demo")
        print(f"ingested {path.name} in {time.perf_counter() - started:.1f} s")
    return url


def start_server(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--port", str(port)],
        cwd=REPO,
        env={**os.environ, "SCALESCOPE_DATABASE_URL": url},
        stdout=open(log, "w"),  # noqa: SIM115 - lives as long as the process
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(log.read_text()[-2000:])


def measure(page, base: str, path: str, option: str) -> tuple[float, float]:
    """Seconds to first full render, and to redraw after clicking ``option``."""
    started = time.perf_counter()
    page.goto(base + path)
    page.wait_for_function(GRAPH_READY, timeout=120_000)
    render = time.perf_counter() - started
    before = page.evaluate(FIGURE_SIGNATURE)
    started = time.perf_counter()
    page.click(option)
    page.wait_for_function(
        f"() => ({FIGURE_SIGNATURE})() !== {before!r} && ({GRAPH_READY})()", timeout=120_000
    )
    return render, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--points", type=int, default=50_000)
    parser.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help="folder of published files in the upstream layout (default: the repository's)",
    )
    add_json_argument(parser)
    args = parser.parse_args()
    roots = (args.data,) if args.data else REPO_DATA
    figures: dict = {"points": args.points, "repeat": args.repeat}
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = build_database(folder, args.points, roots)
        process, base = start_server(url, folder / "server.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                print(f"{'page':30} {'render s (median)':>18} {'redraw s (median)':>18}")
                for name, path, option in PAGES:
                    measure(page, base, path, option)  # warm-up
                    runs = [measure(page, base, path, option) for _ in range(args.repeat)]
                    render = statistics.median(r for r, _ in runs)
                    redraw = statistics.median(d for _, d in runs)
                    print(f"{name:30} {render:18.2f} {redraw:18.2f}")
                    figures[f"{name} render_s"] = render
                    figures[f"{name} redraw_s"] = redraw
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    write_result("bench_explorers", figures, {}, args.json)


if __name__ == "__main__":
    main()
