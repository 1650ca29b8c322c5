"""Medium (issue 13): dashboard CSV downloads carried user text starting with ``= + - @``,
which a spreadsheet runs as a formula. Such text is now prefixed with ``'``; numbers are not."""

from __future__ import annotations

import csv
import io

from app.components.export_data import fits_csv, points_csv

ATTACKS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_plotted_points_csv_neutralises_formulas():
    figure = {
        "data": [
            {
                "name": ATTACKS[0],
                "x": [1.0, -2.5],
                "y": [3.0, -4.0],
                "customdata": [[ATTACKS[1], ATTACKS[2]], [ATTACKS[3], "\tstep"]],
            }
        ]
    }
    rows = _cells(points_csv(figure))
    text_cells = [cell for row in rows[1:] for cell in (row[0], row[4], row[5])]
    assert all(cell.startswith("'") for cell in text_cells), text_cells
    assert [row[2] for row in rows[1:]] == ["1.0", "-2.5"]  # numbers stay numbers


def test_fit_parameters_csv_neutralises_formulas():
    rows = _cells(fits_csv([{"group": attack, "slope": -0.5} for attack in ATTACKS]))
    assert all(row[0] == "'" + attack for row, attack in zip(rows[1:], ATTACKS, strict=True))
    assert {row[1] for row in rows[1:]} == {"-0.5"}


def test_plain_text_is_unchanged():
    rows = _cells(fits_csv([{"group": "pythia-70m", "note": "a-b"}]))
    assert rows[1] == ["pythia-70m", "a-b"]
