"""The lighter browser bundles: fetched only when their file matches its SHA-256 pin, served in
place of Dash's file of the same path only when they fit the installed packages, and holding
every trace type the dashboard draws."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import tarfile
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from app import browser_bundles
from app.browser_bundles import BUNDLES, Bundle, extract, fetch, fits_installed, replacements
from app.static_files import PLOTLY_JS, CompressStatic

REPO = Path(__file__).resolve().parents[2]
PLOTLY, REGENERATOR = BUNDLES
GL2D_TRACES = {"scatter", "scattergl", "splom", "parcoords"}  # plotly.js's lib/index-gl2d.js


def tarball(folder: Path, bundle: Bundle, content: bytes) -> Path:
    """A tarball named and laid out as ``npm pack`` makes ``bundle``'s, holding ``content``."""
    path = folder / browser_bundles.tarball_name(bundle)
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(bundle.member)
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return path


def pinned(bundle: Bundle, content: bytes) -> Bundle:
    return dataclasses.replace(bundle, sha256=hashlib.sha256(content).hexdigest())


def test_a_file_that_differs_from_its_pin_is_refused_and_nothing_is_written(tmp_path):
    packed, dest = tmp_path / "packed", tmp_path / "bundles"
    packed.mkdir()
    bundle = pinned(REGENERATOR, b"var regeneratorRuntime = {};")
    tarball(packed, bundle, b"alert('not the pinned file');")
    with pytest.raises(ValueError, match="is not the pinned"):
        fetch(dest, packed=packed, bundles=(bundle,))
    assert not (dest / bundle.name).exists()
    with pytest.raises(ValueError, match="holds no file"):
        extract(
            dataclasses.replace(bundle, member="package/other.js"),
            packed / browser_bundles.tarball_name(bundle),
            dest,
        )


def test_fetch_writes_the_pinned_file_once(tmp_path):
    packed, dest = tmp_path / "packed", tmp_path / "bundles"
    packed.mkdir()
    content = b"var regeneratorRuntime = {};"
    bundle = pinned(REGENERATOR, content)
    tarball(packed, bundle, content)
    fetch(dest, packed=packed, bundles=(bundle,))
    assert (dest / bundle.name).read_bytes() == content
    (packed / browser_bundles.tarball_name(bundle)).unlink()
    fetch(dest, packed=packed, bundles=(bundle,))  # already there: no tarball needed


def test_only_pinned_fitting_files_replace_dash_files(tmp_path):
    content = b"var regeneratorRuntime = {};"
    good = pinned(REGENERATOR, content)
    (tmp_path / good.name).write_bytes(content)
    assert replacements(tmp_path, (good,)) == {good.replaces: content}
    assert replacements(tmp_path, (REGENERATOR,)) == {}  # the real pin: this file differs
    older = dataclasses.replace(pinned(PLOTLY, content), version="1.0.0", name=good.name)
    assert replacements(tmp_path, (older,)) == {}  # not the installed plotly.js version
    assert replacements(tmp_path / "none", BUNDLES) == {}


def test_the_pins_fit_the_installed_dash_and_plotly():
    """Fails when plotly or Dash is upgraded: re-pin BUNDLES (and deploy/Dockerfile.web)."""
    assert all(fits_installed(bundle) for bundle in BUNDLES)
    dockerfile = (REPO / "deploy/Dockerfile.web").read_text()
    assert f"npm pack {' '.join(bundle.spec for bundle in BUNDLES)} " in dockerfile


def test_fetched_bundles_go_out_in_place_of_dash_files():
    lighter = b"/* lighter */ var Plotly = {};\n" * 100
    calls: list[str] = []

    def dash_file(request):
        calls.append(request.url.path)
        return Response("/* dash's own */", media_type="text/javascript")

    routes = [
        Route("/_dash-component-suites/plotly/package_data/{name}", dash_file),
        Route("/_dash-component-suites/dash/other.js", dash_file),
    ]
    http = TestClient(CompressStatic(Starlette(routes=routes), replacements={PLOTLY_JS: lighter}))
    fingerprinted = "/_dash-component-suites/plotly/package_data/plotly.v7_1_0m1796617445.min.js"
    for path in (PLOTLY_JS, fingerprinted):
        zipped = http.get(path)
        assert zipped.content == lighter and zipped.headers["content-encoding"] == "gzip"
        plain = http.get(path, headers={"accept-encoding": "identity"})
        assert plain.content == lighter and "content-encoding" not in plain.headers
        assert plain.headers["content-type"] == "text/javascript"
    assert http.get("/_dash-component-suites/dash/other.js").text == "/* dash's own */"
    assert calls == ["/_dash-component-suites/dash/other.js"]


def test_the_dashboard_draws_only_trace_types_of_the_lighter_plotly():
    """Every ``go.<Trace>`` the UI builds is in plotly.js's gl2d bundle, and no figure comes
    from plotly.express (which may pick other trace types)."""
    used = set()
    for path in [*(REPO / "app").rglob("*.py"), *(REPO / "backend").rglob("*.py")]:
        source = path.read_text()
        assert "plotly.express" not in source, path
        used |= {name.lower() for name in re.findall(r"\bgo\.([A-Z]\w*)\(", source)}
    traces = used - {"figure", "layout"}
    assert "scatter" in traces and traces <= GL2D_TRACES, traces
