"""Dedupe of job requests: identical requests share a key, and a request whose twin is still
pending (queued or running) gets that twin instead of a new row. The database enforces it too:
a unique index allows one pending job per key, so two racing requests cannot both insert."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.exceptions import ConflictError
from backend.models import EvalJob
from backend.queries.jobs import pending_job


@dataclass(frozen=True)
class Submitted:
    """One requested job: its row, and whether this request created it."""

    job: EvalJob
    created: bool


def dedupe_key(kind: str, fields: dict[str, Any]) -> str:
    """The hash that identical job requests share (sha256 of the canonical JSON of the kind
    and the request's fields)."""
    canonical = json.dumps(
        {"kind": kind, **fields}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> int | None:
    """Insert a job row unless an identical job is pending; the new id, or None."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(EvalJob).values(**values).on_conflict_do_nothing().returning(EvalJob.id)
    new_id: int | None = session.execute(statement).scalar_one_or_none()
    return new_id


def insert_unless_pending(session: Session, values: dict[str, Any]) -> Submitted:
    """Insert the job row ``values`` (which carry its ``dedupe_key``), or return its pending
    twin. Does not commit."""
    for _ in range(3):  # the pending twin may finish between the insert and the lookup
        new_id = _insert_ignoring_duplicates(session, values)
        if new_id is not None:
            job = session.get(EvalJob, new_id)
            assert job is not None  # inserted just now, in this transaction
            return Submitted(job=job, created=True)
        twin = pending_job(session=session, dedupe_key=values["dedupe_key"])
        if twin is not None:
            return Submitted(job=twin, created=False)
    raise ConflictError("could not queue the job: identical jobs keep changing state")
