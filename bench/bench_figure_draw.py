"""Figure draw benchmark: how long plotly.js takes to draw each plot page's default figure in
headless Chromium (``Plotly.newPlot`` until the next frame), as the demo serves it, and the
same figure with the margins it had before issue 17's margin fix (the peer, in the same run,
alternated with it: 64/56 px left/bottom, the coverage grid 16/24 px left/top; too small for
the labels, so the axes' automargin widened them and plotly drew each figure twice).

The figures come from the real app (the shell's first layout of each page, on the bundled
demo data in a temporary SQLite file); plotly.js is the bundle the app serves.

    .venv/bin/python bench/bench_figure_draw.py [--repeats 9] [--json PATH]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _report import add_json_argument, write_result  # noqa: E402

from backend import db  # noqa: E402
from backend.demo.loader import load_demo  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

#: page -> the (left, bottom or top) margins its figure had before the fix
OLD_MARGINS = {
    "/loss-to-loss": (64, 56),
    "/scaling": (64, 56),
    "/frequency": (64, 56),
    "/robustness": (64, 56),
    "/coverage": (16, 24),
}
PLOTLY_JS = "/_dash-component-suites/plotly/package_data/plotly.min.js"
DRAW_JS = """
async (figure) => {
    Plotly.purge('graph');
    const started = performance.now();
    await Plotly.newPlot('graph', figure.data, figure.layout);
    await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    return performance.now() - started;
}
"""


def _graphs(node, found: list) -> list:
    """Every dcc.Graph figure in a layout's JSON."""
    if isinstance(node, dict):
        if node.get("type") == "Graph" and "figure" in node.get("props", {}):
            found.append(node["props"]["figure"])
        for value in node.values():
            _graphs(value, found)
    elif isinstance(node, list):
        for value in node:
            _graphs(value, found)
    return found


def served_figures(database_url: str) -> tuple[dict[str, dict], str]:
    """Each page's default figure from the shell's first layout, and the plotly.js served."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    client = TestClient(create_app(database_url))
    client.get("/")
    figures = {}
    for path in OLD_MARGINS:
        layout = client.get("/_dash-layout", headers={"Referer": f"http://testserver{path}"})
        figures[path] = _graphs(layout.json(), [])[0]
    return figures, client.get(PLOTLY_JS).text


def with_margins(figure: dict, left: int, bottom: int) -> dict:
    """``figure`` with its left and bottom margins set (top for the coverage grid, whose eval
    sets are labelled above it)."""
    changed = copy.deepcopy(figure)
    margin = changed["layout"].setdefault("margin", {})
    margin["l"] = left
    margin["t" if changed["layout"].get("xaxis", {}).get("side") == "top" else "b"] = bottom
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    add_json_argument(parser)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="scalescope-draw-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'scalescope.db'}"
        db.upgrade(url)
        load_demo(engine=db.get_engine(url))
        figures, plotly_js = served_figures(url)
    results = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.set_content("<div id='graph' style='width:1200px;height:480px'></div>")
        page.add_script_tag(content=plotly_js)
        for path, figure in figures.items():
            left, bottom = OLD_MARGINS[path]
            peer = with_margins(figure, left, bottom)
            served, other = [], []
            for _ in range(args.repeats):  # alternated, so both see the same machine
                served.append(page.evaluate(DRAW_JS, figure))
                other.append(page.evaluate(DRAW_JS, peer))
            results[path] = {
                "served_ms": statistics.median(served),
                "peer_margins": [left, bottom],
                "peer_ms": statistics.median(other),
                "served_runs_ms": served,
                "peer_runs_ms": other,
            }
            print(
                f"  {path:16s} as served {statistics.median(served):6.0f} ms   "
                f"old margins {left},{bottom}: {statistics.median(other):6.0f} ms",
                flush=True,
            )
        browser.close()
    figures_out = {"repeats": args.repeats, "pages": results}
    write_result("bench_figure_draw", figures_out, {}, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
