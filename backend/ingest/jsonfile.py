"""Reading a JSON document with located errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backend.ingest.csvfile import first_undecodable_line
from backend.ingest.validation import Problems


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


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
    except ValueError as exc:
        problems.add(f"not valid JSON: {exc}")
    problems.raise_if_any()
    return None
