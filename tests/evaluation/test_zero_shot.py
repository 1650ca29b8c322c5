"""Zero-shot classification of the tiny trained model on the synthetic benchmark."""

from __future__ import annotations

import math

import open_clip
import pytest
import torch

from backend.evaluation import EvaluationCancelled, run_evaluation, to_records, zeroshot
from backend.evaluation.factory import build_model
from backend.evaluation.testing import TRAIN_TEMPLATES, tiny_model_spec, zero_shot_spec
from backend.evaluation.zeroshot import build_classifier

pytestmark = pytest.mark.worker


def test_trained_model_is_clearly_above_chance(folder_result, bench, checkpoint):
    chance = 1 / len(bench.classnames)
    top1 = folder_result.metric("top1")
    assert top1.n == bench.n_images
    assert top1.value >= 0.5 > chance + 3 * top1.stderr
    assert folder_result.metric("top5").value >= top1.value
    untrained = run_evaluation(zero_shot_spec(None, bench))
    assert untrained.metric("top1").value < top1.value


@pytest.mark.parametrize("fmt", ["csv", "webdataset"])
def test_every_format_gives_identical_metrics(folder_result, checkpoint, bench, fmt):
    result = run_evaluation(zero_shot_spec(checkpoint, bench, fmt))
    assert result.metrics == folder_result.metrics
    assert result.per_class == folder_result.per_class


def test_runs_are_deterministic_across_batching_and_workers(folder_result, checkpoint, bench):
    again = run_evaluation(zero_shot_spec(checkpoint, bench))
    assert again.metrics == folder_result.metrics
    other = run_evaluation(zero_shot_spec(checkpoint, bench, batch_size=7, num_workers=2))
    assert other.metrics == folder_result.metrics
    assert other.per_class == folder_result.per_class


def test_per_class_accuracies_agree_with_top1_and_recall(folder_result, bench):
    per_class = folder_result.per_class
    assert [c.concept for c in per_class] == list(bench.classnames)
    assert sum(c.n for c in per_class) == folder_result.n_samples == bench.n_images
    correct = sum(round(c.value * c.n) for c in per_class)
    assert correct / folder_result.n_samples == pytest.approx(folder_result.metric("top1").value)
    recall = sum(c.value for c in per_class) / len(per_class)
    assert recall == pytest.approx(folder_result.metric("mean_per_class_recall").value)
    top1 = folder_result.metric("top1")
    assert top1.stderr == pytest.approx(math.sqrt(top1.value * (1 - top1.value) / top1.n))


@pytest.mark.parametrize("text_batch", [512, 4])
def test_classifier_matches_open_clip_reference(checkpoint, bench, monkeypatch, text_batch):
    monkeypatch.setattr(zeroshot, "TEXT_BATCH", text_batch)  # 4: two classes a chunk
    loaded = build_model(tiny_model_spec(checkpoint))
    ours = build_classifier(loaded, bench.classnames, TRAIN_TEMPLATES)
    reference = open_clip.build_zero_shot_classifier(
        loaded.model, loaded.tokenizer, bench.classnames, TRAIN_TEMPLATES, num_classes_per_batch=3
    )
    assert ours.shape == (32, len(bench.classnames))
    torch.testing.assert_close(ours, reference, atol=1e-5, rtol=1e-5)


def test_progress_rises_to_one(checkpoint, bench):
    seen: list[float] = []
    run_evaluation(
        zero_shot_spec(checkpoint, bench, batch_size=16), progress=lambda f, m: seen.append(f)
    )
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    assert len(seen) >= bench.n_images // 16


def test_cancel_stops_between_batches(checkpoint, bench):
    reported: list[float] = []

    def should_cancel() -> bool:
        return len(reported) >= 4  # model, classifier and two batches reported

    with pytest.raises(EvaluationCancelled, match="cancelled after 16 of 96 images"):
        run_evaluation(
            zero_shot_spec(checkpoint, bench, batch_size=8),
            progress=lambda f, m: reported.append(f),
            should_cancel=should_cancel,
        )
    assert len(reported) == 4


def test_result_to_records(folder_result, bench):
    records = to_records(folder_result, model_name="tiny", revision="step-30", eval_set="colors")
    assert len(records) == len(folder_result.metrics) + len(bench.classnames)
    assert {r.metric for r in records} == {"top1", "top5", "mean_per_class_recall"}
