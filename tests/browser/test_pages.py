"""Every page renders in a real browser without console errors, on real data and on an empty
database (friendly empty states, no tracebacks); the Models, Model and Coverage pages work."""

from __future__ import annotations

from app import ids
from tests.browser import demo_data
from tests.browser.conftest import graph_data, nav_paths, visit, wait_rendered

PAGES_THAT_ADD_DATA = {"/upload", "/jobs"}  # forms, not views of stored results
EXTRA_PAGES = ["/model/pythia-160m", "/model/ViT-B-32/openai", "/model/no-such-model", "/404"]


def test_every_page_renders_on_real_data(page, data_server):
    # A fresh server's first page load is not "/" (page routing must be ready on any path).
    visit(page, data_server, "/models?q=pythia")
    paths = nav_paths(page, data_server)
    assert {"/models", "/coverage", "/upload"} <= set(paths)
    for path in paths + EXTRA_PAGES:
        visit(page, data_server, path)
        text = page.locator("#_pages_content").inner_text()
        assert text.strip(), f"{path} rendered nothing"
        assert "Traceback" not in text, f"{path} shows a traceback"


def test_every_page_on_an_empty_database_says_how_to_load_data(page, empty_server):
    for path in nav_paths(page, empty_server):
        visit(page, empty_server, path, screenshot=f"empty-{path.strip('/')}")
        assert "Traceback" not in page.locator("#_pages_content").inner_text()
        if path not in PAGES_THAT_ADD_DATA:
            assert page.locator(".empty-state").count() >= 1, f"{path} shows no empty state"


def test_models_search_filters_and_goes_into_the_url(page, data_server):
    visit(page, data_server, "/models")
    page.fill(f"#{ids.MODELS_SEARCH}", "pythia")
    page.wait_for_function(
        f"() => document.getElementById('{ids.MODELS_COUNT}').innerText === '2 models'"
    )
    page.wait_for_function("() => window.location.search === '?q=pythia'")
    row = page.locator(".dash-spreadsheet tr", has_text="pythia-410m")
    row.locator("td").nth(1).click()  # the family cell (the name cell is a link)
    page.wait_for_selector(f"#{ids.MODELS_CHECKPOINTS} h3")
    assert page.locator(f"#{ids.MODELS_CHECKPOINTS} h3").inner_text() == "pythia-410m"
    assert page.locator("#models-checkpoint-table tr", has_text="step1000").count() == 1
    page.reload()
    wait_rendered(page)
    assert page.input_value(f"#{ids.MODELS_SEARCH}") == "pythia"


def test_model_page_draws_learning_curves_and_keeps_them_in_the_url(page, data_server):
    visit(page, data_server, "/model/pythia-160m", screenshot="model-pythia-160m")
    graph = ids.graph_id("/model", "curves")
    traces = graph_data(page, graph)
    checkpoints = len(list(demo_data.pythia_folder("160m").glob("*.json")))  # one per file
    assert len(traces) == 1 and len(traces[0]["x"]) == checkpoints
    assert traces[0]["x"][0] == 0 and traces[0]["x"][-1] == 143000
    page.click("#model-curve-x input[value='tokens_seen']")
    page.wait_for_function("() => window.location.search.includes('x=tokens_seen')")
    assert max(graph_data(page, graph)[0]["x"]) == 143000 * 2_097_152
    shown_url = page.url
    visit(page, data_server, shown_url.removeprefix(data_server.url))
    assert max(graph_data(page, graph)[0]["x"]) == 143000 * 2_097_152


def test_clicking_a_coverage_cell_opens_the_model_page(page, data_server):
    visit(page, data_server, "/coverage?q=pythia", screenshot="coverage-pythia")
    traces = graph_data(page, ids.graph_id("/coverage"))
    models = {y for trace in traces for y in trace["y"]}
    eval_sets = sorted({x for trace in traces for x in trace["x"]}, key=str.lower)
    assert models == {"pythia-160m", "pythia-410m"}
    assert {"piqa", "imagenet"} <= set(eval_sets)  # imagenet1k lands on its canonical name
    measured = next(trace for trace in traces if trace["name"] == "measured")
    assert ("arc_easy", "pythia-160m") in set(zip(measured["x"], measured["y"], strict=True))
    # the top-left square is pythia-160m on arc_easy (first eval set, first model)
    box = page.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / (2 * len(eval_sets)), box["y"] + box["height"] / 4)
    page.wait_for_function("() => window.location.pathname === '/model/pythia-160m'")
    wait_rendered(page)
    page.wait_for_selector("h1:has-text('pythia-160m')")


AXIS_TYPE_JS = """
(graphId) => {
    const domId = "{" + Object.keys(graphId).sort().map(
        k => JSON.stringify(k) + ":" + JSON.stringify(graphId[k])).join(",") + "}";
    const gd = document.getElementById(domId).querySelector(".js-plotly-plot");
    return gd && gd._fullLayout ? gd._fullLayout.xaxis.type : null;
}
"""


def test_model_page_log_x_switches_the_axis_and_checkpoints_page(page, data_server):
    visit(page, data_server, "/model/pythia-410m")
    graph = ids.graph_id("/model", "curves")
    drawn = graph_data(page, graph)
    page.click(f"#{ids.MODEL_CURVE_LOG_X} input")
    page.wait_for_function("() => window.location.search.includes('log_x=true')")
    page.wait_for_function(f"() => ({AXIS_TYPE_JS})({_json(graph)}) === 'log'")
    assert graph_data(page, graph) == drawn
    table = f"#{ids.MODEL_CHECKPOINT_TABLE}"
    first = page.locator(f"{table} td[data-dash-column='revision']").all_inner_texts()
    assert len(first) == 15
    page.click(f"{table} button.next-page")
    page.wait_for_function(
        f"() => document.querySelector(\"{table} td[data-dash-column='revision']\")"
        f".innerText !== {_json(first[0])}"
    )
    second = page.locator(f"{table} td[data-dash-column='revision']").all_inner_texts()
    assert second and not set(second) & set(first)


def _json(value) -> str:
    import json

    return json.dumps(value)


def test_models_table_sorts_on_the_server(page, data_server):
    visit(page, data_server, "/models")
    sort = page.locator(
        f"#{ids.MODELS_TABLE} th[data-dash-column='n_checkpoints'] .column-header--sort"
    )
    first_name = f"#{ids.MODELS_TABLE} td[data-dash-column='name']"
    assert "pythia-410m" not in page.locator(first_name).first.inner_text()  # by name
    sort.click()  # ascending
    page.wait_for_timeout(200)
    sort.click()  # descending: the model with the most checkpoints first
    page.wait_for_function(
        f"() => document.querySelector(\"{first_name}\").innerText.includes('pythia-410m')"
    )
