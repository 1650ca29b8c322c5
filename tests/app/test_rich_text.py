"""Help texts in a small Markdown subset become HTML components on the server (no Markdown
parser shipped to the browser): paragraphs, nested lists, bold, code and links."""

from __future__ import annotations

from pathlib import Path

from dash import dcc, html

from app.components.rich_text import rich_text
from app.views.jobs_help import REGISTER_MARKDOWN

APP = Path(__file__).resolve().parents[2] / "app"


def shape(component):
    """A component tree as nested (type, children) tuples; strings stay strings."""
    if isinstance(component, str):
        return component
    children = component.children
    children = children if isinstance(children, list) else [children]
    kind = type(component).__name__
    if isinstance(component, dcc.Link | html.A):
        kind += f"->{component.href}"
    return (kind, [shape(child) for child in children])


def test_paragraphs_inline_marks_and_links():
    text = (
        "See the **[Models](/models)** page, or run `scalescope demo`.\n"
        "Same paragraph; [docs](https://example.org/a_b).\n\nSecond."
    )
    assert shape(rich_text(text, className="hint")) == (
        "Div",
        [
            (
                "P",
                [
                    "See the ",
                    ("Strong", [("Link->/models", ["Models"])]),
                    " page, or run ",
                    ("Code", ["scalescope demo"]),
                    ". Same paragraph; ",
                    ("A->https://example.org/a_b", ["docs"]),
                    ".",
                ],
            ),
            ("P", ["Second."]),
        ],
    )
    assert rich_text(text, className="hint").className == "hint"


def test_nested_lists_with_continued_items():
    tree = shape(rich_text(REGISTER_MARKDOWN))
    _, (intro, outer, tail) = tree
    assert intro[0] == "P" and ("Strong", ["checkpoint with weights"]) in intro[1]
    assert tail[0] == "P" and tail[1][0].startswith("A ")
    kind, items = outer
    assert kind == "Ul" and len(items) == 3
    second = items[1][1]
    assert second[:2] == ["the checkpoint's ", ("Code", ["weights_uri"])]
    assert second[-1][0] == "Ul" and len(second[-1][1]) == 2  # the nested list of two
    first_nested = second[-1][1][0][1]
    assert ("Code", ["openclip:laion2b_s34b_b79k"]) in first_nested  # a continued line
    assert ("Code", ["attributes.open_clip_config"]) in items[0][1]  # a continued line


def test_no_page_ships_the_markdown_parser():
    for path in APP.rglob("*.py"):
        assert "Markdown(" not in path.read_text(), path
