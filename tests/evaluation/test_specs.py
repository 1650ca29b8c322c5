"""Spec parsing, result round trips and canonical records (torch-free)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backend.evaluation import (
    ClassScore,
    EvaluationResult,
    MetricValue,
    ZeroShotSpec,
    parse_spec,
    to_records,
)
from backend.exceptions import ValidationError
from backend.schemas.records import ConceptScoreRecord, MeasurementRecord

pytestmark = pytest.mark.worker

MODEL = {"architecture": "ViT-B-32", "checkpoint": "/ckpt/model.pt"}
DATA = {"name": "imagenet-val", "path": "/data/val"}


def spec(**changes):
    base = {"task": "zero_shot_classification", "model": MODEL, "dataset": DATA}
    return {**base, **changes}


def test_spec_round_trips_through_json():
    parsed = parse_spec(spec(options={"batch_size": 16}))
    assert isinstance(parsed, ZeroShotSpec)
    assert parsed.options.batch_size == 16
    assert parse_spec(parsed.model_dump(mode="json")) == parsed
    assert parsed.model.checkpoint_path == "/ckpt/model.pt"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": {"architecture": "ViT-B-32"}}, "no weights"),
        ({"model": {**MODEL, "pretrained": "openai"}}, "not both"),
        ({"model": {"architecture": "x", "checkpoint": "s3://b/k.pt"}}, "scheme 's3'"),
        ({"model": {**MODEL, "config": {"embed_dim": 8}}}, "lacks vision_cfg, text_cfg"),
        ({"dataset": {**DATA, "templates": ["a photo"]}}, "placeholder"),
        ({"dataset": {**DATA, "classnames": ["a", "a"]}}, "distinct"),
        ({"dataset": {**DATA, "format": "parquet"}}, "dataset.format"),
        ({"task": "retrieval"}, "task"),
        ({"options": {"batch_size": 0}}, "batch_size"),
        ({"surprise": 1}, "surprise"),
        ({"model": {"architecture": "local-dir:/m", "pretrained": "x"}}, "its own config"),
    ],
)
def test_bad_specs_are_refused_with_the_reason(changes, message):
    with pytest.raises(ValidationError, match="bad evaluation spec") as info:
        parse_spec(spec(**changes))
    assert message in str(info.value)


def test_file_uri_checkpoint_is_a_path():
    parsed = parse_spec(spec(model={"architecture": "a", "checkpoint": "file:///w/m.pt"}))
    assert parsed.model.checkpoint_path == "/w/m.pt"


RESULT = EvaluationResult(
    task="zero_shot_classification",
    dataset="toy",
    metrics=(MetricValue("top1", 0.75, 8, 0.15), MetricValue("mean_per_class_recall", 0.7, 8)),
    per_class=(ClassScore("cat", 1.0, 3), ClassScore("dog", 0.6, 5)),
    n_samples=8,
    seconds=2.0,
    details={"n_classes": 2},
)


def test_result_round_trips_through_a_dict():
    assert EvaluationResult.from_dict(RESULT.to_dict()) == RESULT
    assert RESULT.metric("top1").n == 8
    assert RESULT.values == {"top1": 0.75, "mean_per_class_recall": 0.7}
    assert RESULT.per_class_values == {"cat": (1.0, 3), "dog": (0.6, 5)}
    assert RESULT.samples_per_second == 4.0
    with pytest.raises(KeyError, match="no metric 'top5'"):
        RESULT.metric("top5")


def test_result_becomes_canonical_records():
    records = to_records(RESULT, model_name="m", revision="step-10", eval_set="toy")
    measurements = [r for r in records if isinstance(r, MeasurementRecord)]
    scores = [r for r in records if isinstance(r, ConceptScoreRecord)]
    assert [(m.metric, m.value, m.n, m.stderr) for m in measurements] == [
        ("top1", 0.75, 8, 0.15),
        ("mean_per_class_recall", 0.7, 8, None),
    ]
    assert {(s.concept, s.value, s.n, s.metric) for s in scores} == {
        ("cat", 1.0, 3, "top1"),
        ("dog", 0.6, 5, "top1"),
    }
    assert all((r.model, r.revision, r.eval_set) == ("m", "step-10", "toy") for r in records)


def test_public_api_imports_without_torch():
    code = (
        "import sys, backend.evaluation as e; "
        "e.parse_spec({'task': 'contrastive_loss', 'model': {'architecture': 'a', "
        "'random_weights': True}, 'dataset': {'name': 'n', 'path': '/p', 'format': 'csv'}}); "
        "assert 'torch' not in sys.modules and 'open_clip' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
