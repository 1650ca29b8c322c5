"""Streaming CSV reading with located errors (file, row, column).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2
(with two header lines, row 3). Fields are strings; adapters parse them with
``backend.ingest.validation``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from backend.ingest.validation import Problems

csv.field_size_limit(10 * 1024 * 1024)


def read_header(path: Path, problems: Problems, *, header_lines: int = 1) -> list[list[str]]:
    """The first ``header_lines`` lines of a CSV file, parsed."""
    lines: list[list[str]] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for _ in range(header_lines):
                lines.append(next(reader))
    except StopIteration:
        problems.add(f"expected {header_lines} header line(s), the file ends early", row=1)
        problems.raise_if_any()
    except UnicodeDecodeError as exc:
        problems.add(_decode_message(exc), row=first_undecodable_line(path) or len(lines) + 1)
        problems.raise_if_any()
    except csv.Error as exc:
        problems.add(f"not a readable CSV file: {exc}", row=len(lines) + 1)
        problems.raise_if_any()
    return lines


def iter_rows(
    path: Path, problems: Problems, *, header_lines: int = 1
) -> Iterator[tuple[int, list[str]]]:
    """``(row number, fields)`` of every data row; rows whose field count differs from the
    header's are problems (a truncated or shifted row), blank lines are skipped."""
    width = None
    row_no = header_lines
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            for index, fields in enumerate(reader):
                row_no = reader.line_num
                if index < header_lines:
                    if index == 0:
                        width = len(fields)
                    continue
                if not fields:
                    continue
                if len(fields) != width:
                    if len(fields) == width + 1 and fields[-1] == "":
                        fields = fields[:-1]
                    else:
                        problems.add(
                            f"expected {width} fields as in the header, found {len(fields)} "
                            "(a truncated or malformed row?)",
                            row=row_no,
                        )
                        continue
                yield row_no, fields
    except UnicodeDecodeError as exc:
        problems.add(_decode_message(exc), row=first_undecodable_line(path) or row_no + 1)
        problems.raise_if_any()
    except csv.Error as exc:
        problems.add(f"not a readable CSV row: {exc}", row=row_no + 1)
        problems.raise_if_any()


def _decode_message(exc: UnicodeDecodeError) -> str:
    byte = exc.object[exc.start : exc.start + 1].hex()
    return f"not UTF-8 text: byte 0x{byte} cannot be decoded (save the file as UTF-8)"


def first_undecodable_line(path: Path) -> int | None:
    """The 1-based line number of the first line that is not UTF-8 text."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None
