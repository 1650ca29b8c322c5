"""``backend/`` and ``app/`` type-check: mypy with the configuration in ``pyproject.toml``
(strict for ``backend/analysis/`` and ``backend/services/``), run as CI runs the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_passes():
    checked = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0, f"mypy found problems:\n{report}"
    assert "Success: no issues found" in report
