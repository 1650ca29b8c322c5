"""ScaleScope against an MLflow tracking server, side by side in one run.

Both servers run on 127.0.0.1, each backed by its own fresh database in the same local
PostgreSQL. Each ingests the same metric points through its own bulk API and reads them back
for one metric-vs-metric plot:

- ScaleScope: ``POST /api/uploads`` of one long CSV (runs x steps x 2 metrics), then
  ``GET /api/frames/pair?x=val:loss_a&y=val:loss_b`` (both metrics joined per checkpoint).
- MLflow: ``MlflowClient.log_batch`` (1,000 metrics per call, the server's limit) into one run
  per model, then ``get_metric_history`` of both metrics of every run, joined on step.

MLflow lives in its own virtual environment (its pins clash with ours)::

    python3 -m venv .venv-mlflow && .venv-mlflow/bin/pip install mlflow psycopg2-binary
    .venv/bin/python bench/bench_vs_mlflow.py --points 1000000 \
        --mlflow-python .venv-mlflow/bin/python

The MLflow half runs in that interpreter as ``bench_vs_mlflow.py --side mlflow`` and prints
one JSON line of timings.

Aims (issue 17): ScaleScope's ingest at least ``INGEST_AIM`` (10) times MLflow's ``log_batch``
in the same run; the goal is ``INGEST_GOAL`` (40) times. The figures, aims and machine go to
``bench/results/bench_vs_mlflow.json`` (or ``--json PATH``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
METRICS = ("loss_a", "loss_b")
#: ScaleScope's ingest speed over MLflow's log_batch, measured in the same run: the aim, the goal.
INGEST_AIM = 10.0
INGEST_GOAL = 40.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 120.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def point_value(run: int, step: int, metric: int) -> float:
    """A deterministic, loss-like value for run, step and metric."""
    return 2.0 + 3.0 / (1.0 + step) ** 0.3 + 0.01 * run + 0.1 * metric


@contextlib.contextmanager
def fresh_database(prefix: str):
    """A new, empty Postgres database; dropped afterwards."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextlib.contextmanager
def running(cmd: list[str], env: dict[str, str], health_url: str, log: Path):
    """A server process, started and waited for; stopped afterwards."""
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        try:
            wait_http(health_url)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


# --- ScaleScope ---------------------------------------------------------------------------


def write_long_csv(path: Path, runs: int, steps: int) -> int:
    """The points as ScaleScope's canonical long CSV; returns the row count."""
    rows = 0
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "revision", "step", "eval_set", "metric", "value"])
        for run in range(runs):
            model = f"run-{run:05d}"
            for step in range(steps):
                revision = f"step{step}"
                for m, metric in enumerate(METRICS):
                    writer.writerow(
                        [model, revision, step, "val", metric, point_value(run, step, m)]
                    )
                    rows += 1
    return rows


def bench_scalescope(runs: int, steps: int, workdir: Path) -> dict:
    import httpx

    python = str(REPO / ".venv" / "bin" / "python")
    with fresh_database("bench_scalescope") as name:
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        env = {**os.environ, "SCALESCOPE_DATABASE_URL": url}
        subprocess.run([python, "-m", "backend.cli", "db", "upgrade"], env=env, check=True)
        csv_path = workdir / "points.csv"
        points = write_long_csv(csv_path, runs, steps)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [python, "-m", "backend.cli", "serve", "--port", str(port)]
        with running(cmd, env, f"{base}/api/health", workdir / "scalescope.log"):
            with httpx.Client(base_url=base, timeout=3600) as client:
                start = time.perf_counter()
                with csv_path.open("rb") as handle:
                    response = client.post(
                        "/api/uploads", files={"file": ("points.csv", handle, "text/csv")}
                    )
                ingest_s = time.perf_counter() - start
                response.raise_for_status()
                start = time.perf_counter()
                pair = client.get("/api/frames/pair", params={"x": "val:loss_a", "y": "val:loss_b"})
                read_s = time.perf_counter() - start
                pair.raise_for_status()
                pairs = len(pair.json()["rows"])
    return {"points": points, "ingest_s": ingest_s, "read_s": read_s, "pairs": pairs}


# --- MLflow (runs in MLflow's own interpreter) ----------------------------------------------


def mlflow_side(tracking_uri: str, runs: int, steps: int) -> dict:
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri)
    experiment = client.create_experiment(f"bench-{uuid.uuid4().hex[:6]}")
    run_ids = [client.create_run(experiment).info.run_id for _ in range(runs)]
    timestamp = int(time.time() * 1000)
    start = time.perf_counter()
    points = 0
    for run, run_id in enumerate(run_ids):
        batch: list[Metric] = []
        for step in range(steps):
            for m, metric in enumerate(METRICS):
                batch.append(Metric(metric, point_value(run, step, m), timestamp, step))
                if len(batch) == 1000:
                    client.log_batch(run_id, metrics=batch)
                    points += len(batch)
                    batch = []
        if batch:
            client.log_batch(run_id, metrics=batch)
            points += len(batch)
    ingest_s = time.perf_counter() - start
    start = time.perf_counter()
    pairs = 0
    for run_id in run_ids:
        a = {m.step: m.value for m in client.get_metric_history(run_id, "loss_a")}
        b = {m.step: m.value for m in client.get_metric_history(run_id, "loss_b")}
        pairs += len(a.keys() & b.keys())
    read_s = time.perf_counter() - start
    return {"points": points, "ingest_s": ingest_s, "read_s": read_s, "pairs": pairs}


def bench_mlflow(mlflow_python: str, runs: int, steps: int, workdir: Path) -> dict:
    mlflow_bin = str(Path(mlflow_python).parent / "mlflow")
    with fresh_database("bench_mlflow") as name:
        store = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
        port = free_port()
        cmd = [
            mlflow_bin, "server", "--backend-store-uri", store, "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1",
            "--artifacts-destination", str(workdir / "mlartifacts"),
        ]  # fmt: skip
        with running(
            cmd, dict(os.environ), f"http://127.0.0.1:{port}/health", workdir / "mlflow.log"
        ):
            out = subprocess.run(
                [mlflow_python, __file__, "--side", "mlflow", "--tracking-uri",
                 f"http://127.0.0.1:{port}", "--runs", str(runs), "--steps", str(steps)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from _report import add_json_argument

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100, help="models / MLflow runs")
    parser.add_argument("--mlflow-python", default=str(REPO / ".venv-mlflow" / "bin" / "python"))
    parser.add_argument("--side", choices=["both", "mlflow"], default="both")
    parser.add_argument("--tracking-uri")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--workdir", help="keep the CSV and server logs here")
    add_json_argument(parser)
    args = parser.parse_args()
    steps = args.steps or args.points // (args.runs * len(METRICS))
    if args.side == "mlflow":
        print(json.dumps(mlflow_side(args.tracking_uri, args.runs, steps)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        ours = bench_scalescope(args.runs, steps, workdir)
        theirs = bench_mlflow(args.mlflow_python, args.runs, steps, workdir)
    print(f"{'':12}{'points':>10}{'ingest s':>10}{'points/s':>12}{'plot read s':>13}{'pairs':>9}")
    for label, r in (("ScaleScope", ours), ("MLflow", theirs)):
        rate = r["points"] / r["ingest_s"]
        print(
            f"{label:12}{r['points']:>10,}{r['ingest_s']:>10.2f}{rate:>12,.0f}"
            f"{r['read_s']:>13.3f}{r['pairs']:>9,}"
        )
    ingest_x = theirs["ingest_s"] / ours["ingest_s"]
    read_x = theirs["read_s"] / ours["read_s"]
    print(f"ScaleScope / MLflow: ingest {ingest_x:.1f}x faster, plot read {read_x:.1f}x faster")
    aim = "met" if ingest_x >= INGEST_AIM else "NOT met"
    goal = "met" if ingest_x >= INGEST_GOAL else "not met"
    print(f"aim: ingest >= {INGEST_AIM:.0f}x MLflow ({aim}), goal {INGEST_GOAL:.0f}x ({goal})")
    from _report import write_result

    figures = {"scalescope": ours, "mlflow": theirs, "ingest_x": ingest_x, "read_x": read_x}
    figures["goal"] = {"ingest_x": f">= {INGEST_GOAL:g}", "met": ingest_x >= INGEST_GOAL}
    write_result(
        "bench_vs_mlflow",
        figures,
        {"ingest_x": f">= {INGEST_AIM:g}"},
        args.json,
        database_url=PG_ADMIN,
    )


if __name__ == "__main__":
    main()
