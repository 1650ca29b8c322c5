"""Metric units and labels: accuracies (stored as fractions) read in percent with their
display name, losses as they are; learning-curve axes say what they plot."""

from __future__ import annotations

from app.tables import series_axis
from backend.catalog.units import (
    format_value,
    group_label,
    is_accuracy,
    metric_key_label,
    metric_label,
)


def test_accuracies_read_in_percent_and_losses_as_stored():
    assert format_value("top1", 0.875) == "87.5 %"
    assert format_value("acc", 0.61234) == "61.2 %"
    assert format_value("CrossEntropyLoss", 2.3456) == "2.35"
    assert format_value("top1", None) == "" and format_value("top1", float("nan")) == ""
    assert metric_label("top1") == "top-1 accuracy (%)"
    assert not is_accuracy("contrastive_loss") and is_accuracy("mean_per_class_recall")


def test_learning_curve_axes_name_the_metric_and_unit():
    assert series_axis(["imagenet · top1"]) == ("top-1 accuracy", ".0%")
    assert series_axis(["piqa · acc", "arc_easy · acc_norm"]) == ("accuracy", ".0%")
    assert series_axis(["c4_val · CrossEntropyLoss"]) == ("CrossEntropyLoss", None)
    assert series_axis(["c4 · loss", "piqa · acc"]) == ("value", None)


def test_explorer_axes_and_legends_read_in_display_names():
    assert metric_key_label("imagenet:top1") == "top-1 accuracy on ImageNet (ILSVRC-2012 val) (%)"
    assert metric_key_label("ImageNet 1k:top1", with_unit=False) == (
        "top-1 accuracy on ImageNet (ILSVRC-2012 val)"  # an alias reads as its canonical name
    )
    assert metric_key_label("c4:loss") == "loss on c4"  # no display name: the name itself
    assert group_label("pretraining_data") == "pretraining data"
    assert group_label("n_params") == "parameters" and group_label("new_field") == "new field"
