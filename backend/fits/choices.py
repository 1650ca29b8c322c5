"""What the explorer controls offer (metrics, grouping attributes and their values), read
once per view with the shared catalog queries; the fits resolve their defaults from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from backend.catalog.aliases import canonical_key, display_name
from backend.catalog.units import GROUP_LABELS
from backend.fits.memo import recalled, remembered
from backend.queries.catalog import attribute_values, list_metrics
from backend.schemas.catalog import MetricAvailability

MODEL_OPTIONS_LIMIT = 50
#: How many metrics a metric picker lists before one types: the browser indexes every
#: option's substrings when the page draws (a second for the demo's 524 metrics, per picker).
METRIC_OPTIONS_LIMIT = 40


@dataclass(frozen=True)
class Choices:
    """Options of the explorer controls: metrics (``eval_set:metric``), model attributes and
    their values. Model names are searched as one types (:func:`model_options`)."""

    metrics: tuple[MetricAvailability, ...] = ()
    attributes: dict[str, list] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Whether the database holds no measurements at all."""
        return not self.metrics

    def metric_options(
        self,
        kind: str | None = None,
        *,
        search: str | None = None,
        keep: Sequence[str] = (),
        first: Sequence[str] = (),
        limit: int | None = None,
    ) -> list[dict]:
        """Dropdown options for metrics (optionally only of validation sets or benchmarks)
        in catalog order: those whose label or key holds every word of ``search``; with
        ``limit``, only that many of them (the keys in ``first`` first, then the most
        widely measured) and the ``keep`` ones (the chosen)."""
        listed = [
            (metric_key(m), metric_label(m), m.n_models)
            for m in self.metrics
            if kind is None or m.kind == kind
        ]
        words = (search or "").lower().split()
        found = [item for item in listed if all(w in f"{item[0]} {item[1]}".lower() for w in words)]
        if limit is not None and len(found) > limit:
            rank = {key: index for index, key in enumerate(first)}
            found = sorted(found, key=lambda item: (rank.get(item[0], len(rank)), -item[2]))
            found = found[:limit]
        shown = {item[0] for item in found} | set(keep)
        return [{"label": label, "value": key} for key, label, _ in listed if key in shown]

    def metrics_beyond(self, limit: int, kind: str | None = None) -> bool:
        """Whether a metric picker of ``limit`` options leaves metrics to search for."""
        return sum(kind is None or m.kind == kind for m in self.metrics) > limit

    def group_options(self) -> list[dict]:
        """Dropdown options for the attribute that groups and colours the points."""
        keys = [key for key, values in self.attributes.items() if values]
        options = [{"label": GROUP_LABELS.get(key, key), "value": key} for key in keys]
        return options + [
            {"label": "model", "value": "model"},
            {"label": "(no grouping)", "value": "none"},
        ]

    def value_options(self, attribute: str) -> list[dict]:
        """Dropdown options for the values of one attribute (filters)."""
        return [{"label": str(v), "value": str(v)} for v in self.attributes.get(attribute, [])]

    def stored_key(self, key: str) -> str:
        """``key`` as measured: itself, or its canonical form when only that is measured."""
        return key if self.has_metric(key) else canonical_key(key)

    def has_metric(self, key: str) -> bool:
        """Whether ``key`` (``eval_set:metric``) has data."""
        return any(metric_key(m) == key for m in self.metrics)


def metric_label(metric: MetricAvailability) -> str:
    """How a metric picker names a metric: eval set, metric and how many models have it."""
    return (
        f"{display_name('eval_set', metric.eval_set)} · "
        f"{display_name('metric', metric.metric)} ({metric.n_models} models)"
    )


def metric_key(metric: MetricAvailability) -> str:
    """The ``eval_set:metric`` form a URL and ``MetricRef.parse`` use."""
    return f"{metric.eval_set}:{metric.metric}"


def read_choices(session: Session) -> Choices:
    """The control options from the catalog queries, read once per session (a page's
    defaults are resolved more than once while its view is built)."""
    return remembered(
        session,
        "choices",
        lambda: Choices(metrics=tuple(list_metrics(session)), attributes=attribute_values(session)),
    )


def read_metric_choices(session: Session) -> Choices:
    """The metrics alone (no attribute values, a read of every model), for resolving a view
    whose attribute defaults are already set; the full choices if this transaction has them."""
    full = recalled(session, "choices")
    if isinstance(full, Choices):
        return full
    return remembered(
        session, "metric choices", lambda: Choices(metrics=tuple(list_metrics(session)))
    )
