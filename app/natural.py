"""Natural order for names with sizes and numbers: ``160m < 410m < 1.4b < 12b`` and
``step2 < step10``, as legends, dropdowns and tables list them (text order would put ``1.4b``
before ``160m``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# A number with an optional size suffix (k, m, b/g, t), standing alone or inside a name.
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*([kmbgt])?(?![a-z])", re.IGNORECASE)
_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}


def natural_key(value: Any) -> tuple:
    """A sort key: text parts compare as lower-case text, numbers (with their size suffix)
    as numbers; missing values sort last."""
    if value is None or (isinstance(value, float) and value != value):
        return ((2, ""),)
    if isinstance(value, int | float):
        return ((0, float(value)),)
    text = str(value)
    key: list[tuple] = []
    position = 0
    for match in _NUMBER.finditer(text):
        if match.start() > position:
            key.append((1, text[position : match.start()].lower()))
        number = float(match.group(1)) * _SCALE[(match.group(2) or "").lower()]
        key.append((0, number))
        position = match.end()
    if position < len(text):
        key.append((1, text[position:].lower()))
    return tuple(key)


def natural_sorted(values: Iterable[Any]) -> list[Any]:
    """``values`` in natural order."""
    return sorted(values, key=natural_key)
