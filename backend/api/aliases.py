"""The alias table (canonical names and their display names) and the names left to review."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from backend.api.deps import SessionDep
from backend.catalog.aliases import table
from backend.catalog.review import unknown_by_kind

router = APIRouter(tags=["catalog"])


@router.get("/aliases")
def list_aliases() -> list[dict]:
    """Every alias with its canonical name, display name and why (``aliases.csv``)."""
    return [dataclasses.asdict(row) for row in table()]


@router.get("/aliases/unknown")
def unknown_names(session: SessionDep) -> dict[str, list[str]]:
    """Stored names the alias table does not know, by kind: kept as they are, to review."""
    return unknown_by_kind(session)
