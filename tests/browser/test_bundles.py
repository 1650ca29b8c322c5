"""The pages run on the lighter browser bundles (app/browser_bundles.py) that the test install
fetches: plotly.js's gl2d distribution and regenerator-runtime in place of Dash's full
plotly.js and @babel/polyfill; a WebGL point cloud and SVG traces both draw."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from app import ids
from app.browser_bundles import BUNDLES, bundles_dir
from app.figures.base import WEBGL_THRESHOLD
from backend.services import uploads
from tests.browser.conftest import _serve, graph_data, visit

MODELS = WEBGL_THRESHOLD + 500
ROBUSTNESS = "/robustness?id=bench_id:acc&ood=bench_ood:acc&bootstrap=0"
BUNDLE_STATE_JS = """() => ({
    traces: Object.keys(Plotly.PlotSchema.get().traces).sort(),
    babelPolyfill: window._babelPolyfill === true,
    regenerator: typeof regeneratorRuntime.mark === 'function',
    webgl: document.querySelectorAll('.dash-graph canvas').length,
})"""


@pytest.fixture(scope="module")
def many_models_server(tmp_path_factory):
    """A database of WEBGL_THRESHOLD + 500 synthetic models on two benchmarks."""
    folder = tmp_path_factory.mktemp("many-models")
    path = folder / "many_models.csv"
    rng = np.random.default_rng(0)
    in_dist = rng.uniform(0.1, 0.9, MODELS)
    shifted = np.clip(0.8 * in_dist - 0.05 + rng.normal(0, 0.02, MODELS), 0.01, 0.99)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "eval_set", "metric", "value"])
        for i in range(MODELS):
            writer.writerow([f"model-{i:05d}", "bench_id", "acc", in_dist[i]])
            writer.writerow([f"model-{i:05d}", "bench_ood", "acc", shifted[i]])

    def load(engine):
        uploads.ingest_file(engine=engine, path=path, source="cli")

    yield from _serve(tmp_path_factory, "many-models-server", load)


def test_the_test_install_fetched_the_lighter_bundles():
    missing = [b.name for b in BUNDLES if not (bundles_dir() / b.name).is_file()]
    assert not missing, f"run `python -m app.browser_bundles fetch` (missing: {missing})"


def test_pages_draw_webgl_and_svg_traces_on_the_lighter_bundles(page, many_models_server):
    visit(page, many_models_server, ROBUSTNESS, screenshot="robustness-webgl")
    traces = graph_data(page, ids.graph_id("/robustness"))
    points = [t for t in traces if t["type"] == "scattergl"]
    assert sum(len(t["x"]) for t in points) == MODELS
    assert any(t["type"] == "scatter" for t in traces)  # the fitted line and its band
    state = page.evaluate(BUNDLE_STATE_JS)
    assert state["traces"] == ["parcoords", "scatter", "scattergl", "splom"]
    assert not state["babelPolyfill"] and state["regenerator"]
    assert state["webgl"] > 0
