"""A consistent colour for every group value, on every page and in every session.

The colour of a value depends on the value alone (a stable hash into a fixed palette), so
"fineweb-edu" has the same colour on the loss-to-loss page, the scaling page and in a shared
link, whatever else is plotted beside it. Missing values are grey.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# Colour-blind-safe colours readable on white: Okabe & Ito's palette (without its black and
# its pale yellow) followed by Paul Tol's "muted" scheme, so that neighbours differ in hue
# and lightness for every kind of colour vision.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # Okabe-Ito blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#332288",  # Tol muted: indigo
    "#117733",  # green
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
    "#AA4499",  # purple
    "#CC6677",  # rose
    "#88CCEE",  # cyan
    "#DDCC77",  # sand
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
