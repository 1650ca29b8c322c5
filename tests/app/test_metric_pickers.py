"""Metric pickers list a short list before one types (the browser indexes every option when a
page draws): the ranked first, then the most widely measured, and the chosen; typing searches
every metric."""

from __future__ import annotations

from app.views.choices import METRIC_OPTIONS_LIMIT, Choices, metric_picker_options
from backend.schemas.catalog import MetricAvailability


def metric(eval_set, name, n_models):
    return MetricAvailability(
        eval_set=eval_set, kind="benchmark", metric=name, n_measurements=n_models, n_models=n_models
    )


def many_metrics(n: int) -> Choices:
    return Choices(metrics=tuple(metric(f"set{i:03d}", "acc", i + 1) for i in range(n)))


def values(options: list[dict]) -> list[str]:
    return [option["value"] for option in options]


def test_without_a_limit_every_metric_is_listed_in_catalog_order():
    choices = many_metrics(5)
    assert values(choices.metric_options()) == [f"set{i:03d}:acc" for i in range(5)]


def test_a_limited_list_keeps_the_ranked_the_widest_measured_and_the_chosen_in_catalog_order():
    choices = many_metrics(10)
    options = choices.metric_options(limit=4, first=["set002:acc"], keep=["set000:acc"])
    # set002 ranked first, then the three measured on most models (set009..set007), and the
    # chosen set000 although it is neither.
    assert values(options) == ["set000:acc", "set002:acc", "set007:acc", "set008:acc", "set009:acc"]
    assert options[1]["label"].endswith("(3 models)")


def test_search_matches_every_word_in_the_label_or_the_key():
    choices = Choices(
        metrics=(
            metric("imagenet", "top1", 300),
            metric("imagenet-a", "top1", 200),
            metric("cifar100", "top1", 100),
        )
    )
    assert values(choices.metric_options(search="IMAGENET top1")) == [
        "imagenet:top1",
        "imagenet-a:top1",
    ]
    # The chosen stays listed whatever is typed (the picker shows its label).
    assert values(choices.metric_options(search="cifar", keep=["imagenet:top1"], limit=1)) == [
        "imagenet:top1",
        "cifar100:top1",
    ]


def test_a_picker_lists_at_most_the_limit_besides_the_chosen():
    choices = many_metrics(METRIC_OPTIONS_LIMIT * 3)
    options = metric_picker_options(choices, "set000:acc")
    assert len(options) == METRIC_OPTIONS_LIMIT + 1
    assert "set000:acc" in values(options)
    assert choices.metrics_beyond(METRIC_OPTIONS_LIMIT)
    assert not many_metrics(3).metrics_beyond(METRIC_OPTIONS_LIMIT)
