"""A first-time researcher's visit: empty pages say what to do next and offer the button that
does it; coverage answers what is missing with readable labels; hover on transformed axes
shows values in data units (accuracy %, not logits)."""

from __future__ import annotations

import math

from app import ids
from tests.browser.conftest import graph_data, visit

HOVER_JS = """
(domId) => Array.from(document.getElementById(domId).querySelector('.js-plotly-plot').data,
    t => t.hovertemplate || '')
"""


def _dom_id(graph_id: dict) -> str:
    import json

    return (
        "{" + ",".join(f"{json.dumps(k)}:{json.dumps(graph_id[k])}" for k in sorted(graph_id)) + "}"
    )


def test_empty_similarity_page_offers_the_next_step(page, empty_server):
    visit(page, empty_server, "/similarity", screenshot="empty-similarity")
    box = page.locator(".empty-state")
    assert "No train-test similarities yet" in box.inner_text()
    assert "run the demo" not in box.inner_text().lower()
    box.get_by_role("link", name="Compare a benchmark with a corpus").click()
    page.wait_for_function("() => window.location.pathname === '/corpus'")


def test_empty_pages_offer_an_upload_button(page, empty_server):
    for path in ("/", "/coverage", "/models"):
        visit(page, empty_server, path)
        button = page.locator(".empty-state .empty-action")
        assert button.inner_text() == "Upload results", path
    button.click()
    page.wait_for_function("() => window.location.pathname === '/upload'")


def test_coverage_lists_what_the_chosen_models_miss(page, data_server):
    visit(page, data_server, "/coverage?q=pythia", screenshot="coverage-missing")
    table = page.locator("#coverage-missing")
    text = table.inner_text()
    assert "pythia-160m" in text and "imagenet" in text  # pythia has no ImageNet score
    traces = graph_data(page, ids.graph_id("/coverage"))
    missing = next(t for t in traces if t["name"] == "missing")
    per_model = {m: sum(1 for y in missing["y"] if y == m) for m in set(missing["y"])}
    first = table.locator("tbody tr").first.locator("td")
    model, count = first.nth(0).inner_text(), first.nth(1).inner_text()
    assert count.startswith(f"{per_model[model]} of ")
    ticks = page.eval_on_selector_all(".ytick text", "els => els.map(e => e.textContent)")
    assert set(per_model) <= set(ticks)  # every model labelled


def test_robustness_hover_shows_accuracy_not_logits(page, data_server):
    visit(page, data_server, "/robustness", screenshot="robustness-hover")
    graph = ids.graph_id("/robustness")
    traces = graph_data(page, graph)
    templates = page.evaluate(HOVER_JS, _dom_id(graph))
    points = [
        (t, template)
        for t, template in zip(traces, templates, strict=True)
        if t["customdata"] and len(t["customdata"][0]) >= 4
    ]
    assert points
    for trace, template in points:
        assert "%{x" not in template and "%{y" not in template
        for x, y, row in zip(trace["x"], trace["y"], trace["customdata"], strict=True):
            id_acc, ood_acc = (float(v.rstrip("%")) / 100 for v in row[2:4])
            assert abs(1 / (1 + math.exp(-x)) - id_acc) < 6e-4  # logit axis by default
            assert abs(1 / (1 + math.exp(-y)) - ood_acc) < 6e-4


def test_coverage_opens_on_models_with_something_missing(page, data_server):
    visit(page, data_server, "/coverage", screenshot="coverage-first-view")
    rows = page.locator("#coverage-missing tbody tr")
    assert rows.count() > 0
    traces = graph_data(page, ids.graph_id("/coverage"))
    drawn = {y for trace in traces for y in trace["y"]}
    measured = {y for trace in traces if trace["name"] == "measured" for y in trace["y"]}
    missing = {y for trace in traces if trace["name"] == "missing" for y in trace["y"]}
    assert drawn == measured == missing  # every model drawn has a hole and a measurement
