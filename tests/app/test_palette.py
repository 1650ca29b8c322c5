"""Palette: one colour per value, the same in every call and every process; grey for missing."""

from __future__ import annotations

import subprocess
import sys

from app.palette import MISSING_COLOR, PALETTE, color_for, color_map


def test_same_value_same_colour_whatever_else_is_plotted():
    first = color_map(["fineweb-edu", "starcoder"])
    second = color_map(["proof-pile-2", "starcoder", "fineweb-edu", "smollm-corpus"])
    assert first["fineweb-edu"] == second["fineweb-edu"]
    assert first["starcoder"] == second["starcoder"]


def test_colours_are_stable_across_processes():
    code = "from app.palette import color_for; print(color_for('laion2b'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == color_for("laion2b")


def test_missing_values_are_grey_and_others_come_from_the_palette():
    for missing in (None, float("nan"), "", "None", " unknown "):
        assert color_for(missing) == MISSING_COLOR
    assert color_for("pile") in PALETTE
    assert color_for(7e9) == color_for("7000000000.0")


def test_many_values_spread_over_the_palette():
    colours = {color_for(f"corpus-{i}") for i in range(200)}
    assert len(colours) >= len(PALETTE) - 2
