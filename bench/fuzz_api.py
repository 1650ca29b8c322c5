"""Full-size schema-based fuzzing of the REST API (not a test; ``tests/backend/api/test_fuzz.py``
runs the same driver at a modest size in-process).

A live ``scalescope serve`` on 127.0.0.1, on a fresh Postgres database holding the bundled demo
data, gets ``--examples`` generated requests per operation of its OpenAPI spec and per mode
(valid and invalid data). Every response is checked: no 5xx, a documented status code and
content type, a body matching the response schema. Prints the request count, the status
codes, the time and every failure; exits 1 when there is one.

    .venv/bin/python bench/fuzz_api.py [--examples 50] [--timeout 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _report import add_json_argument, write_result  # noqa: E402
from bench_vs_mlflow import free_port, fresh_database, running  # noqa: E402

from tests.backend.api.fuzzing import fuzz, load_url_schema  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50, help="per operation and mode")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--show", type=int, default=10, help="failures printed in full")
    add_json_argument(parser)
    args = parser.parse_args()
    python = sys.executable
    with fresh_database("scalescope_fuzz") as name, tempfile.TemporaryDirectory() as tmp:
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        env = {**os.environ, "SCALESCOPE_DATABASE_URL": url, "SCALESCOPE_DATA_DIR": tmp}
        env["SCALESCOPE_LOCAL_EXECUTOR_WORKERS"] = "0"  # jobs stay queued: no evaluations
        demo = [python, "-m", "backend.cli", "demo", "--database-url", url, "--no-serve"]
        subprocess.run(demo, env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [python, "-m", "backend.cli", "serve", "--port", str(port)]
        with running(cmd, env, f"{base}/api/health", Path(tmp) / "server.log"):
            schema = load_url_schema(base)
            start = time.perf_counter()
            report = fuzz(schema, max_examples=args.examples, base_url=base, timeout=args.timeout)
            seconds = time.perf_counter() - start
    print(f"{report.summary()} in {seconds:.0f} s ({report.requests / seconds:.1f} requests/s)")
    for failure in report.failures[: args.show]:
        print("\n" + failure)
    figures = {
        "requests": report.requests,
        "failures": len(report.failures),
        "seconds": seconds,
        "requests_per_s": report.requests / seconds,
        "examples_per_operation_and_mode": args.examples,
    }
    write_result("fuzz_api", figures, {"failures": "== 0"}, args.json)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
