"""A consistent colour for every group value, on every page and in every session.

The colour of a value depends on the value alone (a stable hash into a fixed palette), so
"fineweb-edu" has the same colour on the loss-to-loss page, the scaling page and in a shared
link, whatever else is plotted beside it. Missing values are grey.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# 20 distinguishable colours (Tableau 10 and its lighter/darker companions, reordered so that
# neighbours differ), readable on white.
PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#ad494a",
    "#637939",
    "#8c6d31",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#d6616b",
    "#636363",
)
MISSING_COLOR = "#a0a0a0"
MISSING_LABELS = frozenset({"", "none", "nan", "null", "unknown"})


def _normalized(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING_LABELS else text


def color_for(value: object) -> str:
    """The colour of one group value (grey for a missing value)."""
    text = _normalized(value)
    if text is None:
        return MISSING_COLOR
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return PALETTE[int.from_bytes(digest, "big") % len(PALETTE)]


def color_map(values: Iterable[object]) -> dict[str, str]:
    """``{str(value): colour}`` for every distinct value (for plotly's ``color_discrete_map``)."""
    return {str(value): color_for(value) for value in dict.fromkeys(values)}
