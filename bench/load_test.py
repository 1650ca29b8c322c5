"""Load test (not a test): concurrent readers and writers against a live server on 127.0.0.1.

A fresh Postgres database gets the bundled demo data; ``scalescope serve`` serves it. Then
``--readers`` threads read the explorer endpoints (plot frames, measurements, coverage,
catalog) and pages, while ``--writers`` threads upload small long-JSON files (new rows and
re-uploads of the same rows), until ``--requests`` requests are done or ``--duration`` seconds
have passed. Prints throughput, p50/p99 latency per kind and overall, and every error
(any status >= 400 or a transport failure).

    .venv/bin/python bench/load_test.py [--readers 8] [--writers 2] [--requests 2000]
        [--duration 120] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_vs_mlflow import free_port, fresh_database, running  # noqa: E402

PAGES = ["/", "/loss-to-loss", "/scaling", "/robustness", "/frequency", "/coverage", "/models"]


def read_targets(client: httpx.Client) -> list[tuple[str, dict]]:
    """Explorer reads on the demo data: frames of metrics that exist, and the pages."""
    metrics = client.get("/api/metrics").json()
    refs = [f"{m['eval_set']}:{m['metric']}" for m in metrics][:12]
    targets: list[tuple[str, dict]] = [("/api/catalog", {}), ("/api/coverage", {})]
    targets += [("/api/frames/metric", {"metric": ref}) for ref in refs]
    targets += [
        ("/api/frames/pair", {"x": x, "y": y}) for x, y in zip(refs, refs[1:], strict=False)
    ]
    targets += [("/api/measurements", {"limit": 500, "eval_set": r.split(":")[0]}) for r in refs]
    targets += [(page, {}) for page in PAGES]
    return targets


class Recorder:
    """Latencies per kind and the errors, shared by every thread."""

    def __init__(self, limit: int, deadline: float):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.limit, self.deadline, self.count = limit, deadline, 0

    def take(self) -> bool:
        """Whether one more request may be sent (count and time bounds)."""
        with self.lock:
            if self.count >= self.limit or time.monotonic() > self.deadline:
                return False
            self.count += 1
            return True

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def timed(recorder: Recorder, kind: str, send) -> None:
    start = time.perf_counter()
    try:
        response = send()
        error = None
        if response.status_code >= 400:
            error = f"{response.status_code} {response.text[:200]}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    recorder.record(kind, time.perf_counter() - start, error)


def reader(base: str, targets, recorder: Recorder, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as client:
        while recorder.take():
            path, params = rng.choice(targets)
            kind = "page" if not path.startswith("/api") else path.split("/")[2]
            timed(recorder, f"read {kind}", partial(client.get, path, params=params))


def writer(base: str, recorder: Recorder, number: int) -> None:
    counter = itertools.count()
    with httpx.Client(base_url=base, timeout=120) as client:
        while recorder.take():
            n = next(counter) % 5  # every fifth file again: re-uploads of the same rows
            rows = [
                {"model": f"load-w{number}", "revision": f"step{step}", "step": step,
                 "eval_set": "load-val", "metric": "loss", "value": 3.0 - step * 1e-4 + n}
                for step in range(0, 20_000, 100)
            ]  # fmt: skip
            body = {"filename": f"load-{number}-{n}.json", "measurements": rows}
            timed(recorder, "write upload", partial(client.post, "/api/uploads/records", json=body))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2, help="web processes")
    args = parser.parse_args()
    python = sys.executable
    with fresh_database("scalescope_load") as name, tempfile.TemporaryDirectory() as tmp:
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        env = {**os.environ, "SCALESCOPE_DATABASE_URL": url, "SCALESCOPE_DATA_DIR": tmp}
        demo = [python, "-m", "backend.cli", "demo", "--database-url", url, "--no-serve"]
        subprocess.run(demo, env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [python, "-m", "backend.cli", "serve", "--port", str(port)]
        cmd += ["--workers", str(args.workers)]
        with running(cmd, env, f"{base}/api/health", Path(tmp) / "server.log"):
            with httpx.Client(base_url=base, timeout=60) as client:
                targets = read_targets(client)
            start = time.monotonic()
            recorder = Recorder(args.requests, start + args.duration)
            threads = [
                threading.Thread(target=reader, args=(base, targets, recorder, i))
                for i in range(args.readers)
            ] + [
                threading.Thread(target=writer, args=(base, recorder, i))
                for i in range(args.writers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.monotonic() - start
    every = [s for values in recorder.latencies.values() for s in values]
    print(
        f"{len(every)} requests in {seconds:.1f} s: {len(every) / seconds:.1f} requests/s; "
        f"{args.readers} readers, {args.writers} writers, {args.workers} web processes"
    )
    print(f"{'kind':22}{'n':>7}{'p50 ms':>10}{'p99 ms':>10}")
    for kind, values in sorted(recorder.latencies.items()) + [("all", every)]:
        print(
            f"{kind:22}{len(values):>7}{statistics.median(values) * 1000:>10.0f}"
            f"{percentile(values, 0.99) * 1000:>10.0f}"
        )
    print(f"errors: {len(recorder.errors)}")
    for error in recorder.errors[:20]:
        print("  " + error)
    return 1 if recorder.errors else 0


if __name__ == "__main__":
    sys.exit(main())
