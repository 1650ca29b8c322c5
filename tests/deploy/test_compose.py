"""The compose topology, checked without Docker: services, health checks, start order
(migrations before the web and the worker), volumes, the GPU reservation, and that every
variable the services read is in ``.env.example`` and a field of the settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from backend.config import Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def _env_example() -> dict[str, str]:
    lines = (REPO / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {key.strip(): value for key, value in pairs}


def test_services_and_start_order(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker"}
    assert services["migrate"]["command"] == ["scalescope", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["web"]["command"][:2] == ["scalescope", "serve"]
    assert services["worker"]["command"][:2] == ["scalescope", "worker"]


def test_health_checks_volumes_and_gpu(compose):
    services = compose["services"]
    for name in ("postgres", "redis", "web"):
        assert services[name]["healthcheck"]["test"], name
    assert "/api/health" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "uploads"}
    (device,) = services["worker"]["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]


def test_images_and_environment(compose):
    services = compose["services"]
    assert services["web"]["build"]["dockerfile"] == "deploy/Dockerfile.web"
    assert services["migrate"]["build"] == services["web"]["build"]
    assert services["worker"]["build"]["dockerfile"] == "deploy/Dockerfile.worker"
    web = (REPO / "deploy/Dockerfile.web").read_text()
    worker = (REPO / "deploy/Dockerfile.worker").read_text()
    assert "torch" not in web.split("FROM", 1)[1].split("\n", 1)[0]
    # a real install at the tested versions, no worker extra: a light image
    assert "pip install --no-cache-dir -c requirements/constraints.txt .\n" in web
    for dockerfile in (web, worker):  # the build sees everything the package ships
        copy_lines = [line.split() for line in dockerfile.splitlines() if line.startswith("COPY ")]
        copied = {source for words in copy_lines for source in words[1:-1]}
        assert {
            "pyproject.toml",
            "setup.py",
            "requirements",
            "backend",
            "app",
            "migrations",
            "frontend_assets",
        } <= copied, copied
    assert re.search(r"FROM pytorch/pytorch:\S+cuda", worker) and '".[worker]"' in worker
    env = _env_example()
    fields = set(Settings.model_fields)
    for key in env:
        if key.startswith("SCALESCOPE_"):
            assert key.removeprefix("SCALESCOPE_").lower() in fields, key
    assert env["SCALESCOPE_ACCESS"] in ("public", "private")  # served on 0.0.0.0: not local
    assert "@postgres:5432/" in env["SCALESCOPE_DATABASE_URL"]
    assert env["SCALESCOPE_BROKER_URL"].startswith("redis://redis:")
    text = (REPO / "docker-compose.yml").read_text()
    for variable in set(re.findall(r"\$\{(\w+)", text)):
        assert variable in env, variable
