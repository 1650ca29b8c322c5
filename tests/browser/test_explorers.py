"""The four explorers in a real browser on real published results: each renders without
console errors, a control changes the figure and the URL, and reloading that URL shows the
same figure (the complete view state lives in the URL)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from app import ids
from backend import db
from backend.fits.warm import warm_default_fits
from backend.services import uploads
from tests.browser import demo_data
from tests.browser.conftest import LiveServer, graph_data, start_server, visit, wait_rendered
from tests.conftest import DEMO_DATA, TEST_DATA

FREQUENCY_FILES = (
    "zero_shot_evaluations/cifar100_ensemble_results.json",
    "search_counts/cifar100_cc3m_integrated_tlemmatized_i0.7_search_counts.json",
)
LAYOUT_JS = """
(graphId) => {
    const domId = "{" + Object.keys(graphId).sort().map(
        k => JSON.stringify(k) + ":" + JSON.stringify(graphId[k])).join(",") + "}";
    const holder = document.getElementById(domId);
    const gd = holder && holder.querySelector(".js-plotly-plot");
    if (!gd || !gd._fullLayout) { return null; }
    return {x: gd._fullLayout.xaxis.type, y: gd._fullLayout.yaxis.type,
            ticks: gd.layout.xaxis.ticktext || null};
}
"""


def load_explorer_data(engine, folder) -> None:
    """The shell's demo data plus the loss-to-loss sweep and one frequency/accuracy pair, with
    the default views' fits precomputed as the demo load does (a cold loss-to-loss fit takes
    longer than a page may)."""
    demo_data.load(engine, folder)
    uploads.ingest_file(engine=engine, path=DEMO_DATA / "loss_to_loss_kempner" / "sweep.csv")
    for name in FREQUENCY_FILES:
        path = TEST_DATA / "frequency_determines_performance" / name
        uploads.ingest_file(engine=engine, path=path)
    warm_default_fits(engine)


@pytest.fixture(scope="module")
def explorer_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The web process on a SQLite database holding the explorers' real data."""
    folder = tmp_path_factory.mktemp("explorer-server")
    database_url = f"sqlite:///{folder / 'scalescope.db'}"
    db.upgrade(database_url)
    load_explorer_data(db.get_engine(database_url), folder)
    process, url = start_server(database_url, folder / "server.log")
    yield LiveServer(url=url, database_url=database_url)
    process.terminate()
    process.wait(timeout=10)


def traces(page, path: str) -> list[dict]:
    return graph_data(page, ids.graph_id(path))


def axes(page, path: str) -> dict:
    """The axis types and x tick labels, once the graph has drawn (it may be redrawing)."""
    graph = ids.graph_id(path)
    page.wait_for_function(f"() => ({LAYOUT_JS})({json.dumps(graph)}) !== null")
    return page.evaluate(LAYOUT_JS, graph)


def wait_for_query(page, fragment: str) -> None:
    page.wait_for_function(f"() => window.location.search.includes({fragment!r})")


def reload_shows_the_same_figure(page, path: str, before: list[dict]) -> None:
    page.reload()
    wait_rendered(page)
    after = traces(page, path)
    assert [(t["name"], t["x"]) for t in after] == [(t["name"], t["x"]) for t in before]


def test_loss_to_loss_lines_per_pretraining_data_and_log_axes_in_the_url(page, explorer_server):
    visit(page, explorer_server, "/loss-to-loss", screenshot="explorer-loss-to-loss")
    drawn = traces(page, "/loss-to-loss")
    groups = {t["name"] for t in drawn if t["name"] and "fit" not in t["name"]}
    assert {"fineweb-100b", "starcoder", "proof-pile-2"} <= groups
    assert sum(1 for t in drawn if (t["name"] or "").endswith("shifted power law")) >= 6
    assert page.locator("#l2l-table tr", has_text="starcoder").count() == 1
    page.click("#l2l-flags input[value='log']")
    wait_for_query(page, "log=true")
    page.wait_for_function(
        "() => document.querySelector('.js-plotly-plot')._fullLayout.xaxis.type === 'log'"
    )
    before = traces(page, "/loss-to-loss")
    reload_shows_the_same_figure(page, "/loss-to-loss", before)
    assert axes(page, "/loss-to-loss")["x"] == "log"


def test_scaling_chinchilla_fit_and_prediction_round_trip(page, explorer_server):
    path = "/scaling?metric=massivetext-val%3Aloss"
    visit(page, explorer_server, path, screenshot="explorer-scaling")
    drawn = traces(page, "/scaling")
    assert any("compute-optimal" in (t["name"] or "") for t in drawn)
    assert axes(page, "/scaling") == {"x": "log", "y": "log", "ticks": None}
    page.fill("#scaling-predict", "1e24")
    page.press("#scaling-predict", "Enter")
    wait_for_query(page, "predict=1e%2B24")
    page.wait_for_selector("#scaling-table th:has-text('N_opt')")
    before = traces(page, "/scaling")
    assert any(t["x"] == [1e24] for t in before)
    reload_shows_the_same_figure(page, "/scaling", before)


def test_scaling_learning_curves(page, explorer_server):
    path = "/scaling?mode=curves&metric=piqa%3Aacc&models=pythia-160m&models=pythia-410m"
    visit(page, explorer_server, path, screenshot="explorer-learning-curves")
    drawn = traces(page, "/scaling")
    assert [t["name"] for t in drawn] == ["pythia-160m", "pythia-410m"]
    assert drawn[0]["x"][-1] == 143000
    # Clicking a point (here pythia-160m's last checkpoint) opens that model's page.
    last_point = page.locator(".scatterlayer .trace").first.locator("path.point").last
    box = last_point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => window.location.pathname === '/model/pythia-160m'")


def test_frequency_fit_per_model_and_points_toggle(page, explorer_server):
    visit(page, explorer_server, "/frequency", screenshot="explorer-frequency")
    drawn = traces(page, "/frequency")
    names = [t["name"] for t in drawn]
    assert "RN50/cc3m" in names and "RN50/cc3m (bin means)" in names
    assert page.locator("#frequency-table tr", has_text="RN50/cc3m").count() == 1
    page.click("#frequency-flags input[value='points']")
    wait_for_query(page, "points=false")
    page.wait_for_function(
        "() => !document.querySelector('.js-plotly-plot').data.some(t => t.name === 'RN50/cc3m')"
    )
    before = traces(page, "/frequency")
    reload_shows_the_same_figure(page, "/frequency", before)


def test_robustness_probit_axes_percent_ticks_and_sortable_table(page, explorer_server):
    path = "/robustness?id=imagenet1k%3Aacc&ood=imagenet-sketch%3Aacc&transform=probit"
    visit(page, explorer_server, path, screenshot="explorer-robustness")
    ticks = axes(page, "/robustness")["ticks"]
    assert ticks and all(tick.endswith("%") for tick in ticks)
    names = [t["name"] for t in traces(page, "/robustness")]
    assert "baseline fit (probit)" in names and "y = x" in names
    column = "#robustness-table th:has-text('effective robustness')"
    assert page.locator("#robustness-table tbody tr").count() > 10
    page.locator(column).locator(".column-header--sort").click()
    page.click("#robustness-flags input[value='fit']")
    wait_for_query(page, "fit=false")
    page.wait_for_function(
        "() => !document.querySelector('.js-plotly-plot').data.some("
        "t => (t.name || '').startsWith('baseline fit'))"
    )
    before = traces(page, "/robustness")
    reload_shows_the_same_figure(page, "/robustness", before)


def test_default_views_open_on_the_papers_plots(page, explorer_server):
    """Without a query the scaling page shows the Chinchilla runs with their fit, and the
    robustness page ImageNet against ImageNet-V2 with its baseline (a newcomer's first view)."""
    visit(page, explorer_server, "/scaling", screenshot="default-scaling")
    assert page.locator("#_pages_content", has_text="massivetext-val · loss").count() == 1
    drawn = traces(page, "/scaling")
    assert any("compute-optimal" in (t["name"] or "") for t in drawn)
    assert sum(len(t["x"] or []) for t in drawn if t["type"].startswith("scatter")) >= 245
    visit(page, explorer_server, "/robustness", screenshot="default-robustness")
    content = page.locator("#_pages_content")
    # canonical names shown by their display names (backend/catalog/aliases.csv)
    assert content.filter(has_text="ImageNet (ILSVRC-2012 val) · acc").count() == 1
    assert content.filter(has_text="ImageNetV2 (matched frequency) · acc").count() == 1
    names = [t["name"] for t in traces(page, "/robustness")]
    assert "baseline fit (logit)" in names and "y = x" in names


MARGINS_JS = """
(side) => [...document.querySelectorAll('#_pages_content .js-plotly-plot')].map(g => {
    const size = g._fullLayout._size, margin = g.layout.margin || {};
    return [Math.round(size.l), margin.l, Math.round(size[side]), margin[side]];
})
"""


@pytest.mark.parametrize(
    ("path", "side"),
    [
        ("/loss-to-loss", "b"),
        ("/loss-to-loss?log=true", "b"),
        ("/scaling", "b"),
        ("/frequency", "b"),
        ("/robustness", "b"),
        ("/coverage", "t"),  # its eval sets are labelled above the grid
    ],
)
def test_default_views_fit_their_margins(page, explorer_server, path, side):
    """Tick labels and titles fit the figures' margins, so the axes' automargin does not widen
    them: plotly would draw the whole figure a second time (app.figures.base, .coverage)."""
    visit(page, explorer_server, path, screenshot=None)
    drawn = page.evaluate(MARGINS_JS, side)
    assert drawn, "no figure drawn"
    for left, margin_left, edge, margin_edge in drawn:
        assert (left, edge) == (margin_left, margin_edge)
