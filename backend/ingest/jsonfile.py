"""Reading a JSON document with located errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from backend.ingest.csvfile import first_undecodable_line
from backend.ingest.validation import Problems

NON_FINITE = re.compile(r'(?:"((?:[^"\\]|\\.)*)"\s*:\s*)?(?<![\w"])(-?Infinity|NaN)\b')


STRING = re.compile(r'"(?:[^"\\]|\\.)*"(\s*:)?')


def _blank_values(match: re.Match) -> str:
    """A string value emptied (so that text like "NaN" inside it is not found); keys kept."""
    return match.group(0) if match.group(1) else '""'


class NonFiniteConstant(ValueError):
    """``NaN`` or ``Infinity`` in a JSON document (Python's json accepts them; JSON does not)."""


def _reject_constant(name: str):
    raise NonFiniteConstant(f"{name} is not a number JSON allows")


def _locate_constant(path: Path) -> tuple[int | None, str | None]:
    """The line of the first ``NaN``/``Infinity`` outside strings, and its key if any."""
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            stripped = STRING.sub(_blank_values, line)
            match = NON_FINITE.search(stripped)
            if match:
                return number, match.group(1)
    return None, None


def load_json(path: Path, problems: Problems) -> Any:
    """The parsed document; bad UTF-8, truncation and syntax errors name the line and column.
    ``NaN`` and ``Infinity`` are refused."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start : exc.start + 1].hex()
        problems.add(
            f"not UTF-8 text: byte 0x{byte} cannot be decoded (save the file as UTF-8)",
            row=first_undecodable_line(path),
        )
    except json.JSONDecodeError as exc:
        problems.add(
            f"not valid JSON (truncated or malformed?): {exc.msg} at line {exc.lineno}, "
            f"character {exc.colno}",
            row=exc.lineno,
        )
    except NonFiniteConstant as exc:
        row, key = _locate_constant(path)
        problems.add(f"not valid JSON: {exc} (expected a finite number)", row=row, column=key)
    except ValueError as exc:
        problems.add(f"not valid JSON: {exc}")
    problems.raise_if_any()
    return None
