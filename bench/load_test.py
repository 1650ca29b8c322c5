"""Load test (not a test): concurrent readers and writers against a live server on 127.0.0.1.

A fresh Postgres database gets the bundled demo data; ``scalescope serve`` serves it. Then
``--readers`` threads read the explorer endpoints (plot frames, measurements, coverage,
catalog) and pages, while ``--writers`` threads upload small long-JSON files (new rows and
re-uploads of the same rows), until ``--requests`` requests are done or ``--duration`` seconds
have passed. Prints throughput, p50/p99 latency per kind and overall, every error
(any status >= 400 or a transport failure) and each web worker's resident memory (sampled
from /proc every 0.5 s: after start and peak); writes them to bench/results/load_test.json.

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

from _report import add_json_argument, write_result  # noqa: E402
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


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    """Samples the resident memory of the server process and its web workers (its children)
    every ``interval`` seconds; ``peak_mb`` per pid, ``first_mb`` per pid."""

    def __init__(self, pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_mb: dict[int, float] = {}
        self.first_mb: dict[int, float] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.sample()
            self.stopped.wait(self.interval)

    def sample(self) -> None:
        for pid in [self.pid, *_children(self.pid)]:
            rss = _rss_mb(pid)
            if rss is not None:
                self.first_mb.setdefault(pid, rss)
                self.peak_mb[pid] = max(rss, self.peak_mb.get(pid, 0.0))

    def stop(self) -> None:
        self.stopped.set()
        self.join()
        self.sample()

    def workers(self) -> dict[int, tuple[float, float]]:
        """(first, peak) MB of each web worker (the server itself when it has no children)."""
        pids = [pid for pid in self.peak_mb if pid != self.pid] or [self.pid]
        return {pid: (self.first_mb[pid], self.peak_mb[pid]) for pid in pids}


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
    add_json_argument(parser)
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
        with running(cmd, env, f"{base}/api/health", Path(tmp) / "server.log") as server:
            sampler = RssSampler(server.pid)
            sampler.start()
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
            sampler.stop()
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
    workers = sampler.workers()
    for pid, (first, peak) in sorted(workers.items()):
        print(f"web worker {pid}: RSS {first:.0f} MB after start, peak {peak:.0f} MB")
    latency = {
        kind: {"n": len(values), "p50_ms": statistics.median(values) * 1000,
               "p99_ms": percentile(values, 0.99) * 1000}
        for kind, values in sorted(recorder.latencies.items()) + [("all", every)]
    }  # fmt: skip
    figures = {
        "requests": len(every),
        "seconds": seconds,
        "requests_per_s": len(every) / seconds,
        "errors": len(recorder.errors),
        "web_worker_peak_rss_mb": max(peak for _, peak in workers.values()),
        "web_worker_start_rss_mb": max(first for first, _ in workers.values()),
        "server_parent_peak_rss_mb": sampler.peak_mb.get(server.pid),
        "latency": latency,
        "settings": vars(args),
    }
    aims = {"web_worker_peak_rss_mb": "< 600", "errors": "== 0"}
    write_result("load_test", figures, aims, args.json)
    return 1 if recorder.errors else 0


if __name__ == "__main__":
    sys.exit(main())
