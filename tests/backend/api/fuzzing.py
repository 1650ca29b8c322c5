"""Schema-based fuzzing of the REST API (schemathesis 4): every operation of the OpenAPI spec
gets generated requests, valid ones (positive) and invalid ones (negative); every response is
checked for 5xx, for an undocumented status code or content type, and against the response
schema. Shared by ``tests/backend/api/test_fuzz.py`` (in-process, a few hundred requests) and
``bench/fuzz_api.py`` (a live server, thousands)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class FuzzReport:
    """What a fuzzing run sent and what it found."""

    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    per_operation: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: requests, operations, status codes, failures."""
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{self.requests} requests over {len(self.per_operation)} operations "
            f"(status codes {codes}); {len(self.failures)} failures"
        )


def fuzz(
    schema,
    *,
    max_examples: int,
    base_url: str | None = None,
    headers: dict[str, str] | None = None,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    report: FuzzReport | None = None,
    timeout: float | None = None,
) -> FuzzReport:
    """Send up to ``max_examples`` generated requests per operation and mode; collect every
    failed check (the run goes on after one). ``base_url`` targets a live server (a request
    slower than ``timeout`` seconds counts as a failure); without it, requests go to the
    schema's ASGI app in-process."""
    report = report or FuzzReport()
    call_kwargs: dict[str, Any] = {"headers": headers}
    if base_url is not None:
        call_kwargs["base_url"] = base_url
        call_kwargs["timeout"] = timeout or 10.0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            _fuzz_operation(operation, mode, max_examples, call_kwargs, report)
    return report


def _fuzz_operation(operation, mode, max_examples: int, call_kwargs, report: FuzzReport) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case) -> None:
        try:
            response = case.call(**call_kwargs)
        except Exception as exc:  # noqa: BLE001 - an exception escaping the in-process app is a 500
            report.requests += 1
            report.statuses[500] += 1
            report.failures.append(f"[{mode}] {label}: unhandled {type(exc).__name__}: {exc}")
            return
        report.requests += 1
        report.statuses[response.status_code] += 1
        report.per_operation[label] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=call_kwargs["headers"])
        except FailureGroup as failure:  # recorded; the run goes on
            report.failures.append(f"[{mode}] {label}: {str(failure).strip()[:1500]}")

    try:
        send()
    except Unsatisfiable:
        pass  # nothing to make invalid (an operation without parameters, negative mode)


def load_asgi_schema(app):
    """The schema of an in-process app (its OpenAPI document at ``/api/openapi.json``)."""
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def load_url_schema(base_url: str):
    """The schema of a live server at ``base_url``."""
    return schemathesis.openapi.from_url(f"{base_url}/api/openapi.json")
