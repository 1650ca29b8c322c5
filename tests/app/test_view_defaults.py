"""Default views: the scaling page opens on the final-run loss spanning the most compute, the
robustness page on ImageNet against ImageNet-V2 (the plots the papers show)."""

from __future__ import annotations

from app.views.choices import Choices
from app.views.robustness import RobustnessState
from app.views.robustness import with_defaults as robustness_defaults
from app.views.scaling import ScalingState
from app.views.scaling import with_defaults as scaling_defaults
from backend.schemas.catalog import MetricAvailability


def metric(eval_set, name, n_models, *, kind="validation", per_model=1):
    return MetricAvailability(
        eval_set=eval_set,
        kind=kind,
        metric=name,
        n_measurements=n_models * per_model,
        n_models=n_models,
    )


def test_scaling_default_is_the_final_run_loss_with_the_widest_compute_span():
    choices = Choices(
        metrics=(
            metric("sweep", "loss", 500),
            metric("massivetext", "loss", 245),
            metric("pythia", "loss", 3, per_model=20),
            metric("arc", "acc", 900, kind="benchmark"),
        )
    )
    decades = {"sweep:loss": 1.9, "massivetext:loss": 4.0, "pythia:loss": 7.0}
    assert scaling_defaults(ScalingState(), choices, decades).metric == "massivetext:loss"
    # Without spans the most widely measured final-run loss; a chosen metric is kept.
    assert scaling_defaults(ScalingState(), choices).metric == "sweep:loss"
    kept = scaling_defaults(ScalingState(metric="arc:acc"), choices, decades)
    assert kept.metric == "arc:acc"


def test_robustness_default_is_imagenet_against_imagenet_v2():
    choices = Choices(
        metrics=(
            metric("imagenet-a", "top1", 335, kind="benchmark"),
            metric("imagenetv2-matched-frequency-format-val", "top1", 338, kind="benchmark"),
            metric("imagenetv2-matched-frequency", "top1", 300, kind="benchmark"),
            metric("ImageNet 1k", "acc1", 121, kind="benchmark"),
            metric("ImageNet v2", "acc1", 121, kind="benchmark"),
            metric("ObjectNet", "acc1", 121, kind="benchmark"),
        )
    )
    state = robustness_defaults(RobustnessState(), choices)
    assert (state.id, state.ood) == ("ImageNet 1k:acc1", "ImageNet v2:acc1")
    state = robustness_defaults(RobustnessState(id="imagenet-a:top1"), choices)
    assert (state.id, state.ood) == ("imagenet-a:top1", "imagenetv2-matched-frequency:top1")
