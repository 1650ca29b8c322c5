"""The light install (no extras) is a complete web app.

The test process has every extra installed, so a child process hides them: an import hook
makes torch, torchvision, open_clip, pyarrow, duckdb, pyspark and faiss unimportable, as on a
fresh ``pip install scalescope``. There the web app must start, serve every page and API read,
and refuse jobs that could never run (no broker: they would run in this very install) with a
422 that names the extra to install. With a broker configured the same jobs are queued for a
worker that has the extra. (The real light venv is checked end to end by
``scripts/light-smoke``, which CI runs.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import importlib.abc, json, sys

BLOCKED = {"torch", "torchvision", "open_clip", "pyarrow", "duckdb", "pyspark", "faiss"}
attempts = []

class HideExtras(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            attempts.append(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, HideExtras())

from fastapi.testclient import TestClient
import dash
from app.main import create_app
from backend import db

url = sys.argv[1]
db.upgrade(url)
client = TestClient(create_app(url))
out = {"pages": {}, "api": {}}
for page in dash.page_registry.values():
    path = page["path"]
    if "<" in path:
        continue
    response = client.get(path)
    out["pages"][path] = response.status_code
for path in ["/api/health", "/api/catalog", "/api/models", "/api/coverage", "/api/jobs",
             "/api/corpora", "/api/measurements?limit=5"]:
    out["api"][path] = client.get(path).status_code
data = sys.argv[2]  # under the data directory's datasets/, where jobs may read
count_job = {"kind": "corpus_concept_counts",
             "spec": {"corpus": "c", "sources": [f"{data}/*.parquet"], "concepts": ["dog"]}}
similarity_job = {"kind": "corpus_train_test_similarity",
                  "spec": {"corpus": "c", "eval_set": "e", "corpus_embeddings": [f"{data}/*.npy"],
                           "test_embeddings": f"{data}/t.npy"}}
for name, path, body in [
    ("count", "/api/corpus/jobs", count_job),
    ("similarity", "/api/corpus/jobs", similarity_job),
    ("evaluation", "/api/jobs", {"checkpoint_ids": [1], "eval_set_ids": [1]}),
]:
    response = client.post(path, json=body)
    out[name] = [response.status_code, response.json()]
out["imported"] = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print("RESULT " + json.dumps(out))
"""


def _run_light(tmp_path: Path, **env: str) -> dict:
    environ = {
        **os.environ,
        "SCALESCOPE_DATA_DIR": str(tmp_path / "data"),
        "SCALESCOPE_LOCAL_EXECUTOR_WORKERS": "0",
        "SCALESCOPE_BROKER_URL": "",
        **env,
    }
    url = f"sqlite:///{tmp_path / 'light.db'}"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(tmp_path / "data" / "datasets")],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.mark.slow
def test_the_web_app_runs_without_any_extra(tmp_path):
    out = _run_light(tmp_path)
    assert out["imported"] == []
    assert len(out["pages"]) >= 10, out["pages"]
    assert {path: code for path, code in out["pages"].items() if code != 200} == {}
    assert {path: code for path, code in out["api"].items() if code != 200} == {}
    count_status, count_body = out["count"]
    assert count_status == 422, count_body
    assert "'corpus' extra" in count_body["detail"] and "duckdb" in count_body["detail"]
    evaluation_status, evaluation_body = out["evaluation"]
    assert evaluation_status == 422, evaluation_body
    assert "'worker' extra" in evaluation_body["detail"]
    assert "pip install 'scalescope[worker]'" in evaluation_body["detail"]
    # comparing precomputed embeddings needs numpy alone: it is queued
    assert out["similarity"][0] == 201, out["similarity"]


@pytest.mark.slow
def test_with_a_broker_jobs_wait_for_a_worker_that_has_the_extra(tmp_path):
    out = _run_light(tmp_path, SCALESCOPE_BROKER_URL="redis://127.0.0.1:1/0")
    # queued (201), then handed to the broker; an unreachable broker leaves the job queued
    # for recovery, it does not refuse it for a missing extra
    assert out["count"][0] == 201, out["count"]
    assert "extra" not in json.dumps(out["count"][1])
    assert out["evaluation"][0] == 404, out["evaluation"]  # no checkpoint 1: past the check
