"""Units of metrics and how their values read: accuracies are stored as fractions and shown
in percent, losses are shown as they are (nats per token or per sample, as the source
measured them). Labels join the display names of ``aliases.csv`` with the unit."""

from __future__ import annotations

import math

from backend.catalog.aliases import display_name

GROUP_LABELS = {
    "pretraining_data": "pretraining data",
    "family": "family",
    "architecture": "architecture",
    "tokenizer": "tokenizer",
    "n_params": "parameters",
    "model": "model",
}

ACCURACY_METRICS = frozenset(
    {
        "top1",
        "top5",
        "acc",
        "acc_norm",
        "accuracy",
        "mean_per_class_recall",
        "exact_match",
        "em",
        "f1",
    }
)


def is_accuracy(metric: str) -> bool:
    """Whether ``metric`` is an accuracy-like score stored as a fraction."""
    name = metric.lower()
    return name in ACCURACY_METRICS or name.startswith(("acc", "top"))


def unit(metric: str) -> str:
    """``%`` for accuracies (shown ×100), ``''`` for losses and other scores."""
    return "%" if is_accuracy(metric) else ""


def metric_label(metric: str) -> str:
    """``top-1 accuracy (%)``; a loss keeps its display name alone."""
    shown = display_name("metric", metric)
    return f"{shown} ({unit(metric)})" if unit(metric) else shown


def metric_key_label(key: str, *, with_unit: bool = True) -> str:
    """An axis title for an ``eval_set:metric`` key in display names, with the unit where the
    axis shows it: ``top-1 accuracy on ImageNet (%)`` for ``imagenet:top1``."""
    eval_set, sep, metric = key.rpartition(":")
    if not sep:
        return metric_label(key) if with_unit else display_name("metric", key)
    shown = f"{display_name('metric', metric)} on {display_name('eval_set', eval_set)}"
    return f"{shown} ({unit(metric)})" if with_unit and unit(metric) else shown


def group_label(field: str) -> str:
    """A legend title for a grouping field (``pretraining_data`` → ``pretraining data``)."""
    return GROUP_LABELS.get(field, field.replace("_", " "))


def format_value(metric: str, value: float | None, digits: int = 3) -> str:
    """``87.5 %`` for an accuracy of 0.875; ``2.31`` for a loss; ``''`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if is_accuracy(metric):
        return f"{100 * value:.1f} %"
    return f"{value:.{digits}g}"
