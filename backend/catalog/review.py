"""Names in the database that the alias table does not know: the list to review (add each
one, or its aliases, to ``aliases.csv``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.catalog.aliases import unknown_names
from backend.models import EvalSet, Measurement, Model


def stored_names(session: Session) -> dict[str, list[str]]:
    """Every stored name by kind (eval sets, metrics, models, pretraining data)."""
    columns = {
        "eval_set": EvalSet.name,
        "metric": Measurement.metric,
        "model": Model.name,
        "pretraining_data": Model.pretraining_data,
    }
    return {
        kind: [name for name in session.scalars(select(column).distinct()) if name]
        for kind, column in columns.items()
    }


def unknown_by_kind(session: Session) -> dict[str, list[str]]:
    """The stored names the alias table does not list, by kind."""
    return {kind: unknown_names(kind, names) for kind, names in stored_names(session).items()}
