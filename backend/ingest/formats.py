"""The registry of input formats and the detection of a file's format from its content.

Each adapter module in ``backend.ingest.adapters`` defines ``ADAPTER``: a name, a one-line
description, ``sniff(sample) -> bool`` and ``read(path, *, problems, options) -> Iterator[Record]``.
Detection tries the adapters in registry order (most specific first) on a :class:`Sample` of
the file. ``problems.file`` is the name the user gave the file (an API upload is read from a
temporary path), which adapters that read meaning from file names use.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from backend.exceptions import IngestError, IngestProblem

# Adapter modules, most specific first (detection takes the first whose sniff says yes).
ADAPTER_MODULES = [
    "lm_eval_harness",
    "clip_benchmark",
    "per_class_accuracy",
    "concept_frequencies",
    "long_json",
    "llm_line",
    "loss_to_loss_sweep",
    "chinchilla",
    "obsscaling",
    "scaling_laws_openclip",
    "openclip_results",
    "imagenet_testbed",
    "long_csv",
    "wide_csv",
]

SAMPLE_BYTES = 64 * 1024
JSON_SNIFF_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class Sample:
    """What detection looks at: the file name, its first bytes, the CSV header or JSON."""

    path: Path
    name: str
    head: str

    @cached_property
    def looks_like_json(self) -> bool:
        return self.head.lstrip()[:1] in ("{", "[")

    @cached_property
    def json(self) -> Any:
        """The parsed JSON document (None when not JSON or too large to sniff)."""
        if not self.looks_like_json or self.path.stat().st_size > JSON_SNIFF_LIMIT:
            return None
        try:
            with open(self.path, encoding="utf-8") as handle:
                return json.load(handle)
        except (ValueError, UnicodeDecodeError):
            return None

    @cached_property
    def header(self) -> list[str]:
        """The first CSV line's fields (empty for JSON)."""
        if self.looks_like_json:
            return []
        try:
            return next(csv.reader(io.StringIO(self.head)), [])
        except csv.Error:
            return []

    @cached_property
    def second_line(self) -> list[str]:
        lines = csv.reader(io.StringIO(self.head))
        next(lines, None)
        try:
            return next(lines, [])
        except csv.Error:
            return []


@dataclass(frozen=True)
class Adapter:
    """One input format."""

    name: str
    description: str
    sniff: Callable[[Sample], bool]
    read: Callable[..., Iterator[Any]]
    options: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def adapters() -> dict[str, Adapter]:
    """Every known format by name, in detection order."""
    found = {}
    for module in ADAPTER_MODULES:
        adapter = importlib.import_module(f"backend.ingest.adapters.{module}").ADAPTER
        found[adapter.name] = adapter
    return found


def get_adapter(name: str) -> Adapter:
    """The adapter called ``name``; an unknown name is an ``IngestError`` listing the known."""
    known = adapters()
    if name not in known:
        raise IngestError(f"unknown format {name!r}; known formats: {', '.join(known)}")
    return known[name]


def sample(path: Path, name: str | None = None) -> Sample:
    """The first bytes of ``path`` as text (undecodable bytes replaced)."""
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    return Sample(path, name or path.name, head.decode("utf-8-sig", errors="replace"))


def detect_format(path: Path, name: str | None = None) -> str:
    """The name of the format of ``path``, guessed from its content."""
    probe = sample(path, name)
    if not probe.head.strip():
        raise IngestError(IngestProblem("the file is empty", probe.name))
    for adapter in adapters().values():
        if adapter.sniff(probe):
            return adapter.name
    raise IngestError(
        IngestProblem(
            "cannot tell the format of this file from its content; pass a format "
            f"(one of {', '.join(adapters())})",
            probe.name,
        )
    )
