"""What an upload did (or, for a dry run, would do): returned by the API as JSON."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TableCounts(BaseModel):
    """Rows of one table an upload created, changed, or found already as given."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        """Rows created or changed."""
        return self.new + self.updated


class UploadReport(BaseModel):
    """The outcome of one upload; ``upload_id`` is None for a dry run and for a file that
    changes nothing (``unchanged``: e.g. the same file again), since nothing was written."""

    upload_id: int | None = None
    unchanged: bool = False
    format: str
    filename: str | None = None
    sha256: str | None = None
    source: str = "api"
    dry_run: bool = False
    records: int = 0
    counts: dict[str, TableCounts] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)  # things skipped, e.g. an empty key
    seconds: float = 0.0

    def summary(self) -> str:
        """One line per table: ``measurements: 12 new, 0 updated, 3 unchanged``."""
        lines = [
            f"{table}: {c.new} new, {c.updated} updated, {c.unchanged} unchanged"
            for table, c in self.counts.items()
        ]
        return "\n".join(lines) if lines else "nothing to write"
