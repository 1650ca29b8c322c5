"""bench/_report.py: the JSON result every bench writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from _report import verdicts, write_result  # noqa: E402


def test_result_file_holds_figures_aims_verdicts_and_machine(tmp_path):
    path = write_result(
        "demo",
        {"median_ms": 120.5, "rate": 2e6, "same_counts": True},
        {"median_ms": "< 150", "rate": ">= 1e6", "same_counts": "must be true"},
        str(tmp_path / "out" / "demo.json"),
    )
    result = json.loads(path.read_text())
    assert result["name"] == "demo"
    assert result["figures"]["median_ms"] == 120.5
    assert result["met"] == {"median_ms": True, "rate": True, "same_counts": True}
    machine = result["machine"]
    assert machine["cpu_count"] >= 1 and machine["python"].count(".") == 2
    assert "numpy" in machine["packages"] and machine["sqlite"]


def test_verdicts_judge_each_comparison():
    figures = {"a": 10, "b": 10, "c": 10, "d": 10, "e": 10, "f": "text"}
    aims = {"a": "< 10", "b": "<= 10", "c": "> 9.5", "d": ">= 1_000", "e": "== 10", "f": "< 1"}
    assert verdicts(figures, aims) == {"a": False, "b": True, "c": True, "d": False, "e": True}
    assert verdicts({"x": 1}, {"x": "fast", "y": "< 2"}) == {}
    assert verdicts({"same": False, "off": False}, {"same": "== true", "off": "== false"}) == {
        "same": False,
        "off": True,
    }
