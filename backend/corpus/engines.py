"""Pick the counting engine from the configuration (``SCALESCOPE_CORPUS_ENGINE``)."""

from __future__ import annotations

from backend.config import CORPUS_ENGINES, Settings, get_settings
from backend.corpus.counting import CountingEngine
from backend.exceptions import ValidationError

ENGINES = CORPUS_ENGINES


def make_engine(name: str | None = None, *, settings: Settings | None = None) -> CountingEngine:
    """The engine called ``name`` (default: the configured one), set up from ``settings``."""
    settings = settings or get_settings()
    name = (name or settings.corpus_engine).lower()
    if name == "duckdb":
        from backend.corpus.duckdb_engine import DuckDBEngine

        return DuckDBEngine(
            threads=settings.corpus_threads or None,
            memory_limit=settings.corpus_memory_limit,
            temp_directory=str(settings.data_dir / "corpus-spill"),
        )
    if name == "spark":
        from backend.corpus.spark_engine import SparkEngine

        return SparkEngine(master=settings.spark_master)
    raise ValidationError(f"unknown corpus engine {name!r}; choose one of {', '.join(ENGINES)}")
