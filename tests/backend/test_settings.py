"""Settings: fixed choices are validated when read, with an error naming the variable, what it
may be and what it is; the CLI turns it into one line."""

from __future__ import annotations

import pytest

from backend.cli import main
from backend.config import get_settings
from backend.exceptions import ValidationError


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("SCALESCOPE_ACCESS", "open", "'local', 'public' or 'private'"),
        ("SCALESCOPE_COOKIE_SECURE", "yes", "'auto', 'always' or 'never'"),
        ("SCALESCOPE_CORPUS_ENGINE", "polars", "'duckdb' or 'spark'"),
    ],
)
def test_a_value_outside_the_choices_is_refused_by_name(monkeypatch, variable, value, allowed):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        get_settings()
    assert variable in str(refused.value)
    assert allowed in str(refused.value) and repr(value) in str(refused.value)


def test_choices_ignore_case_and_cuda_devices_come_unprefixed(monkeypatch):
    monkeypatch.setenv("SCALESCOPE_ACCESS", " Private")
    monkeypatch.setenv("SCALESCOPE_CORPUS_ENGINE", "DuckDB")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1,3")
    settings = get_settings()
    assert (settings.access, settings.corpus_engine) == ("private", "duckdb")
    assert settings.cuda_visible_devices == "1,3"
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    get_settings.cache_clear()
    assert get_settings().cuda_visible_devices is None


def test_the_cli_reports_a_bad_setting_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv("SCALESCOPE_ACCESS", "everyone")
    assert main(["jobs", "list"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("scalescope: error: bad setting: SCALESCOPE_ACCESS")
    assert "\n" not in error
