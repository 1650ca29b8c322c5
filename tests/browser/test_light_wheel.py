"""A new user's install, end to end: a clean virtual environment, ``pip install .`` (a real,
non-editable install with no extras), ``scalescope demo`` served from it outside the checkout.
Every page of the navigation renders in headless Chromium (no console error, no Python error
text, the explorers plot points) and every GET endpoint of the OpenAPI schema answers without
a server error, called with example parameters taken from the demo's own catalog."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app import ids
from tests.browser.conftest import LiveServer, _free_port, graph_data, nav_paths, visit

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS = REPO / "requirements" / "constraints.txt"
EXTRA_MODULES = ("torch", "torchvision", "open_clip", "pyarrow", "duckdb", "pyspark", "faiss")
EXPLORERS = ("/loss-to-loss", "/scaling", "/frequency", "/robustness")
NOT_SOURCES = (
    ".git",
    ".venv*",
    "build",
    "dist",
    "*.egg-info",
    "artifacts",
    "spark-warehouse",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
)
ERROR_TEXT = ("Traceback", "Internal Server Error", "Exception:", "Error loading")

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def light_demo(tmp_path_factory) -> Iterator[LiveServer]:
    """``scalescope demo`` from a fresh light venv, run from a folder outside the checkout."""
    root = tmp_path_factory.mktemp("light-install")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # build from a copy of the sources: pip builds in the source folder (build/, *.egg-info),
    # which must not be shared with another build or with the checkout's editable install
    source = root / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    install = [str(python), "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS), str(source)]
    done = subprocess.run(install, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    probe = "import importlib.util as u, sys; print([m for m in sys.argv[1:] if u.find_spec(m)])"
    found = subprocess.run(
        [str(python), "-c", probe, *EXTRA_MODULES], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]", f"the light install has extras: {found.stdout}"
    work = root / "cwd"  # not the checkout: the installed package must serve on its own
    work.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCALESCOPE_") and k != "CI"}
    env.update(SCALESCOPE_DATA_DIR=str(root / "data"), PYTHONPATH="")
    with (root / "demo.log").open("w") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [str(venv / "bin" / "scalescope"), "demo", "--port", str(port)],
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert process.poll() is None, (root / "demo.log").read_text()[-4000:]
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("the light demo did not answer within 300 s")
        yield LiveServer(url=url, database_url=f"sqlite:///{root / 'data' / 'demo.db'}")
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(venv, ignore_errors=True)


def test_the_installed_package_serves_from_site_packages(light_demo):
    health = httpx.get(f"{light_demo.url}/api/health").json()
    assert health["status"] == "ok" and health["database"] == "sqlite"
    css = httpx.get(f"{light_demo.url}/assets/00_base.css")
    assert css.status_code == 200 and "font" in css.text  # frontend_assets shipped in the wheel


def test_every_page_renders_and_the_explorers_plot_points(page, light_demo):
    paths = nav_paths(page, light_demo)
    assert set(EXPLORERS) <= set(paths), paths
    for path in paths:
        visit(page, light_demo, path, screenshot=f"light{path.replace('/', '-')}")
        text = page.locator("#_pages_content").inner_text()
        assert text.strip(), f"{path} rendered nothing"
        assert not [e for e in ERROR_TEXT if e in text], f"{path} shows an error: {text[:500]}"
        if path in EXPLORERS:
            traces = graph_data(page, ids.graph_id(path))
            points = sum(len(t["x"] or []) for t in traces if t.get("x"))
            assert points > 0, f"{path} plots no points"


def _examples(client: httpx.Client) -> dict[str, str]:
    """A real value for each parameter name, from the demo's catalog."""
    catalog = client.get("/api/catalog").json()
    model = next(m for m in catalog["models"] if m["n_checkpoints"] > 0)["name"]
    pairs = [f"{m['eval_set']}:{m['metric']}" for m in catalog["metrics"]]
    corpus = catalog["corpora"][0]
    return {
        "name": model,
        "model": model,
        "metric": pairs[0],
        "x": pairs[0],
        "y": pairs[1],
        "corpus": corpus["name"],
        "method": next(iter(corpus["methods"])),
        "eval_set": catalog["eval_sets"][0]["name"],
        "upload_id": "1",
        "job_id": "1",
    }


def test_every_get_endpoint_answers_without_a_server_error(light_demo):
    with httpx.Client(base_url=light_demo.url, timeout=120) as client:
        schema = client.get("/api/openapi.json").json()
        examples = _examples(client)
        answers = {}
        for path, operations in schema["paths"].items():
            if "get" not in operations:
                continue
            url, query = path, {}
            for parameter in operations["get"].get("parameters", []):
                name = parameter["name"]
                if parameter["in"] == "path":
                    url = url.replace("{" + name + "}", examples.get(name, "x"))
                elif parameter.get("required"):
                    query[name] = examples.get(name, "x")
            answers[path] = client.get(url, params=query).status_code
    assert len(answers) >= 20, answers
    assert {p: code for p, code in answers.items() if code >= 500} == {}
    assert answers["/api/catalog"] == answers["/api/frames/pair"] == 200, answers
