"""The pages open on the papers' procedures (with an "as published" box that turns "custom"
when a setting departs from them), and a train-to-train view survives reload and sharing.
The server holds the bundled demo (``backend/demo/data``), nothing from outside the repo."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import ids
from backend.demo.loader import load_demo
from tests.browser.conftest import LiveServer, _serve, graph_data, visit, wait_rendered

STATUS = ".procedure-status"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The web process on a database holding the bundled demo."""
    yield from _serve(tmp_path_factory, "demo-server", lambda engine: load_demo(engine=engine))


def wait_for_query(page, fragment: str) -> None:
    page.wait_for_function(f"() => window.location.search.includes({fragment!r})")


def points_drawn(page, path: str) -> int:
    """How many data points (not fitted lines) the page's graph shows."""
    traces = graph_data(page, ids.graph_id(path))
    return sum(
        len(t["x"] or [])
        for t in traces
        if t["customdata"] and not (t["name"] or "").startswith("excluded")
    )


def pick(page, dropdown_id: str, label: str) -> None:
    """Choose the option ``label`` of a Dash dropdown."""
    page.click(f"#{dropdown_id}")
    page.get_by_role("option", name=label).click()


def test_scaling_opens_as_published_and_turns_custom(page, demo_server):
    """Besiroglu et al.'s Approach 3: the five highest-loss runs drawn hollow and listed."""
    visit(page, demo_server, "/scaling", screenshot="published-scaling")
    wait_for_query(page, "drop_highest=5")
    status = page.locator(STATUS)
    assert status.inner_text() == "as published"
    assert page.locator(".procedure", has_text="Besiroglu et al. 2024").count() == 1
    assert page.locator(".procedure", has_text="5 points excluded").count() == 1
    # the page's table: Besiroglu et al.'s E = 1.8172, alpha = 0.3478, beta = 0.3658
    table = page.locator("#scaling-table")
    assert table.locator("td", has_text="1.817").count() == 1
    assert table.locator("td", has_text="0.3473").count() == 1
    assert table.locator("td", has_text="0.3672").count() == 1
    traces = graph_data(page, ids.graph_id("/scaling"))
    (hollow,) = [t for t in traces if t["name"] == "excluded from fit"]
    assert len(hollow["x"]) == 5
    page.fill("#scaling-drop-highest", "0")
    page.press("#scaling-drop-highest", "Enter")
    wait_for_query(page, "drop_highest=0")
    page.wait_for_function(
        f"() => document.querySelector({STATUS!r}).innerText.trim() === 'custom'"
    )
    page.reload()
    wait_rendered(page)
    assert page.locator(STATUS).inner_text() == "custom"
    assert page.locator(".procedure", has_text="drop_highest = 0 (published: 5)").count() == 1


def test_train_to_train_survives_reload_and_sharing(page, demo_server):
    """Choosing train-to-train writes its resolved data sides into the URL; reloading and
    opening the bare shared link show the same, non-empty plot (it used to become C4)."""
    visit(page, demo_server, "/loss-to-loss", screenshot="published-l2l")
    assert page.locator(STATUS).inner_text() == "as published"
    pick(page, "l2l-pairing", "train-to-train (matched N, D)")
    wait_for_query(page, "pairing=train-to-train")
    wait_for_query(page, "x_data=fineweb-edu-100b")
    wait_rendered(page)
    page.wait_for_timeout(500)
    before = points_drawn(page, "/loss-to-loss")
    assert before > 50
    page.reload()
    wait_rendered(page)
    assert points_drawn(page, "/loss-to-loss") == before
    visit(page, demo_server, "/loss-to-loss?pairing=train-to-train", screenshot="shared-l2l")
    assert points_drawn(page, "/loss-to-loss") == before
    assert page.locator(STATUS).inner_text() == "as published"


def test_robustness_links_to_the_taori_figure(page, demo_server):
    """Standard ImageNet-1k models form the default baseline; one link opens Taori et al.'s
    figure (zero-shot CLIP above the standard models' line, ImageNet -> ImageNetV2)."""
    visit(page, demo_server, "/robustness", screenshot="published-robustness")
    assert page.locator(STATUS).inner_text() == "as published"
    page.click("#robustness-taori-link")
    wait_for_query(page, "data=WIT-400M")
    wait_rendered(page)
    names = {t["name"] for t in graph_data(page, ids.graph_id("/robustness"))}
    assert {"ImageNet-1k", "WIT-400M", "baseline fit (logit)"} <= names
