"""Share links in a real browser: a live link reopens the same view (same figure data); a
pinned link keeps showing the figure as it was when new results arrive, says when it was
pinned and offers the live view; export downloads the plotted points."""

from __future__ import annotations

import csv
import io

from app import ids
from backend.services import uploads
from tests.browser import demo_data
from tests.browser.conftest import graph_data, visit, wait_rendered

PAGE = "/robustness"
VIEW = "/robustness?id=imagenet1k:acc&ood=objectnet:acc&transform=probit&bootstrap=0"


def _create_link(page, *, pin: bool) -> str:
    page.click(f"#{ids.SHARE_OPEN}")
    page.wait_for_selector(f"#{ids.SHARE_MODAL}.modal-open")
    if pin:
        page.check(f"#{ids.SHARE_PIN} input")
    page.click(f"#{ids.SHARE_CREATE}")
    page.wait_for_function(
        f"() => document.getElementById('{ids.SHARE_LINK}').value.includes('/s/')"
    )
    link = page.input_value(f"#{ids.SHARE_LINK}")
    page.click(f"#{ids.SHARE_CLOSE}")
    return link


def _new_model_file(tmp_path) -> str:
    path = tmp_path / "late_result.csv"
    rows = [
        {
            "model": "late-arrival",
            "revision": "final",
            "eval_set": eval_set,
            "metric": "acc",
            "value": value,
            "pretraining_data": "laion2b",
            "family": "openclip",
        }
        for eval_set, value in (("imagenet1k", 0.81), ("objectnet", 0.70))
    ]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=demo_data.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _n_points(traces: list[dict]) -> int:
    return sum(len(t["x"] or []) for t in traces if t["type"].startswith("scatter"))


def test_live_link_reopens_the_same_view(page, data_server):
    visit(page, data_server, VIEW, screenshot="share-source")
    original = graph_data(page, ids.graph_id(PAGE))
    assert _n_points(original) > 50
    link = _create_link(page, pin=False)
    assert link.startswith(data_server.url + "/s/")

    page.goto(link)
    wait_rendered(page)
    page.wait_for_function("() => window.location.pathname === '/robustness'")
    assert "transform=probit" in page.url and "ood=objectnet" in page.url
    assert graph_data(page, ids.graph_id(PAGE)) == original


def test_pinned_link_keeps_the_figure_when_new_results_arrive(page, data_server, tmp_path):
    visit(page, data_server, VIEW)
    original = graph_data(page, ids.graph_id(PAGE))
    link = _create_link(page, pin=True)
    report = uploads.ingest_file(engine=data_server.engine(), path=_new_model_file(tmp_path))
    try:
        visit(page, data_server, VIEW)
        live = graph_data(page, ids.graph_id(PAGE))
        assert _n_points(live) == _n_points(original) + 1

        page.goto(link)
        wait_rendered(page)
        share_id = link.rsplit("/", 1)[1]
        page.wait_for_function(f"() => window.location.pathname === '/pinned/{share_id}'")
        banner = page.locator("#pinned-banner").inner_text()
        assert "Pinned on" in banner
        page.screenshot(path=str(_shot("share-pinned")), full_page=True)
        pinned = graph_data(page, ids.graph_id(f"/pinned/{share_id}", "main"))
        assert pinned == original

        page.get_by_role("link", name="Open live view").click()
        page.wait_for_function("() => window.location.pathname === '/robustness'")
        wait_rendered(page)
        assert _n_points(graph_data(page, ids.graph_id(PAGE))) == _n_points(live)
    finally:
        uploads.undo_upload(engine=data_server.engine(), upload_id=report.upload_id)


def test_export_downloads_plotted_points_and_fits(page, data_server):
    visit(page, data_server, VIEW)
    traces = graph_data(page, ids.graph_id(PAGE))
    page.click(".export-menu summary")
    with page.expect_download() as download:
        page.click(_export_button("csv-points"))
    with open(download.value.path()) as handle:
        points = list(csv.DictReader(io.StringIO(handle.read())))
    # the data the figure was drawn from: one row per plotted point, with its numbers
    measured = [t for t in traces if t["customdata"]]
    assert len(points) == sum(len(t["x"]) for t in measured) > 50
    plotted_models = {str(c[0]) for t in measured for c in t["customdata"]}
    assert {row["model"] for row in points} == plotted_models
    assert all(row["model"] and row["checkpoint"] for row in points)
    assert {"x", "y", "group", "effective_robustness", "in_baseline"} <= set(points[0])
    with page.expect_download() as download:
        page.click(_export_button("csv-fits"))
    assert download.value.suggested_filename == "scalescope-robustness-fits.csv"
    with page.expect_download() as download:
        page.click(_export_button("svg"))
    svg = open(download.value.path()).read()
    assert svg.lstrip().startswith("<svg") and "</svg>" in svg


def _export_button(fmt: str) -> str:
    import json

    button_id = ids.export_id(PAGE, "main", fmt)
    dom_id = (
        "{"
        + ",".join(f"{json.dumps(key)}:{json.dumps(button_id[key])}" for key in sorted(button_id))
        + "}"
    )
    return f"[id='{dom_id}']"


def _shot(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
