"""Short help texts written in a small Markdown subset, turned into Dash HTML components on the
server: paragraphs, ``-`` lists (nested by indentation), ``**bold**``, ```code``` and
``[text](link)``. Dash's Markdown component would do the same in the browser, at the price of
a 100 kB (gzipped) parser and highlighter loaded on every page that shows one; the texts here
need none of it. Links inside the dashboard stay in the page (``dcc.Link``)."""

from __future__ import annotations

import re

from dash import dcc, html

INLINE = re.compile(
    r"\*\*(?P<bold>.+?)\*\*"  # **bold**
    r"|`(?P<code>[^`]+)`"  # `code`
    r"|\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)"  # [text](href)
)
BULLET = re.compile(r"^(?P<indent> *)- (?P<item>.*)$")


def inline(text: str) -> list:
    """``text`` with its bold, code and links as components (plain runs stay strings)."""
    parts: list = []
    position = 0
    for match in INLINE.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        if match.group("bold") is not None:
            parts.append(html.Strong(inline(match.group("bold"))))
        elif match.group("code") is not None:
            parts.append(html.Code(match.group("code")))
        else:
            parts.append(link(match.group("text"), match.group("href")))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return parts


def link(text: str, href: str):
    """A link: inside the dashboard (a path) without reloading the page, else a plain one."""
    if href.startswith("/") and not href.startswith("//"):
        return dcc.Link(inline(text), href=href)
    return html.A(inline(text), href=href)


def rich_text(markdown: str, *, className: str | None = None) -> html.Div:
    """``markdown`` (the subset above) as a ``Div`` of paragraphs and lists."""
    blocks: list = []
    lines = markdown.strip("\n").splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
        elif BULLET.match(lines[index]):
            items, index = _list(lines, index)
            blocks.append(items)
        else:
            paragraph = []
            while index < len(lines) and lines[index].strip() and not BULLET.match(lines[index]):
                paragraph.append(lines[index].strip())
                index += 1
            blocks.append(html.P(inline(" ".join(paragraph))))
    return html.Div(blocks, className=className)


def _list(lines: list[str], index: int) -> tuple[html.Ul, int]:
    """The list starting at ``lines[index]``, with the lists nested in it, and the index of
    the first line after it. A line indented under an item, not a bullet, continues it."""
    indent = _depth(lines[index])
    items: list[tuple[list[str], list]] = []  # (text lines, nested lists) per item
    while index < len(lines) and lines[index].strip():
        bullet, depth = BULLET.match(lines[index]), _depth(lines[index])
        if depth < indent or (depth == indent and bullet is None):
            break
        if bullet and depth == indent:
            items.append(([bullet.group("item").strip()], []))
            index += 1
        elif bullet:
            nested, index = _list(lines, index)
            items[-1][1].append(nested)
        else:
            items[-1][0].append(lines[index].strip())
            index += 1
    return html.Ul([html.Li([*inline(" ".join(text)), *nested]) for text, nested in items]), index


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
