"""The model factory: custom configs, checkpoint files (weights only), devices, fast failure."""

from __future__ import annotations

import json

import pytest
import torch

from backend.evaluation import ModelSpec, run_evaluation
from backend.evaluation import runner as runner_module
from backend.evaluation.device import pick_device
from backend.evaluation.factory import build_model
from backend.evaluation.testing import TINY_ARCH, TINY_CONFIG, tiny_model_spec, zero_shot_spec
from backend.exceptions import NotFoundError, ValidationError

pytestmark = pytest.mark.worker


class Payload:
    """Not a tensor: a weights_only load must refuse it."""


def test_checkpoint_round_trip_through_a_file(checkpoint, tmp_path):
    from safetensors.torch import save_file

    loaded = build_model(tiny_model_spec(checkpoint))
    saved = torch.load(checkpoint, weights_only=True)["state_dict"]
    for name, value in loaded.model.state_dict().items():
        torch.testing.assert_close(value, saved[name], rtol=0, atol=0)
    assert not loaded.model.training
    path = tmp_path / "tiny.safetensors"
    save_file({k: v.contiguous() for k, v in saved.items()}, str(path))
    again = build_model(tiny_model_spec(f"file://{path}"))
    torch.testing.assert_close(
        again.model.visual.conv1.weight, loaded.model.visual.conv1.weight, rtol=0, atol=0
    )


def test_same_metrics_from_safetensors(checkpoint, bench, folder_result, tmp_path):
    from safetensors.torch import save_file

    state = torch.load(checkpoint, weights_only=True)["state_dict"]
    path = tmp_path / "t.safetensors"
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    assert run_evaluation(zero_shot_spec(path, bench)).metrics == folder_result.metrics


def test_pickled_code_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"state_dict": {}, "payload": Payload()}, path)
    with pytest.raises(ValidationError, match="holds more than weights"):
        build_model(tiny_model_spec(path))


def test_mismatched_checkpoint_is_refused(tmp_path):
    path = tmp_path / "wrong.pt"
    torch.save({"visual.conv1.weight": torch.zeros(1)}, path)
    with pytest.raises(ValidationError, match="does not fit the model"):
        build_model(tiny_model_spec(path))


def test_config_file_both_layouts(tmp_path):
    plain, wrapped = tmp_path / "plain.json", tmp_path / "wrapped.json"
    plain.write_text(json.dumps(TINY_CONFIG))
    wrapped.write_text(json.dumps({"model_cfg": TINY_CONFIG}))
    for file in (plain, wrapped):
        spec = ModelSpec(architecture=TINY_ARCH, config_file=str(file), random_weights=True)
        assert build_model(spec).model.visual.conv1.weight.shape[0] == 64
    (tmp_path / "bad.json").write_text('{"embed_dim": 3}')
    bad = ModelSpec(architecture="x", config_file=str(tmp_path / "bad.json"), random_weights=True)
    with pytest.raises(ValidationError, match="lacks vision_cfg"):
        build_model(bad)


def test_names_and_tags_are_checked_before_anything_loads():
    with pytest.raises(ValidationError, match="unknown open_clip architecture"):
        build_model(ModelSpec(architecture="ViT-Nope", random_weights=True))
    with pytest.raises(ValidationError, match="no pretrained tag 'nope'"):
        build_model(ModelSpec(architecture="ViT-B-32", pretrained="nope"))
    with pytest.raises(ValidationError, match="built-in open_clip model"):
        build_model(ModelSpec(architecture="ViT-B-32", config=TINY_CONFIG, random_weights=True))


@pytest.fixture
def no_model_building(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a model was built although the inputs were bad")

    monkeypatch.setattr(runner_module, "build_model", refuse)


def test_missing_checkpoint_fails_fast(no_model_building, bench, tmp_path):
    with pytest.raises(NotFoundError, match="checkpoint .*gone.pt' does not exist"):
        run_evaluation(zero_shot_spec(tmp_path / "gone.pt", bench))


def test_missing_dataset_fails_fast(no_model_building, checkpoint, bench, tmp_path):
    spec = zero_shot_spec(checkpoint, bench)
    spec = spec.model_copy(
        update={"dataset": spec.dataset.model_copy(update={"path": str(tmp_path / "none")})}
    )
    with pytest.raises(NotFoundError, match="image folder .*none' does not exist"):
        run_evaluation(spec)


def test_missing_images_in_csv_fail_before_the_model(no_model_building, checkpoint, tmp_path):
    (tmp_path / "l.csv").write_text("image,label\nmissing.png,cat\n")
    spec = {
        "task": "zero_shot_classification",
        "model": tiny_model_spec(checkpoint).model_dump(),
        "dataset": {"name": "c", "path": str(tmp_path / "l.csv"), "format": "csv"},
    }
    with pytest.raises(NotFoundError, match="1 images named"):
        run_evaluation(spec)


def test_device_choice():
    if torch.cuda.is_available():
        assert pick_device().type == "cuda"
    else:
        assert pick_device().type == "cpu"
        with pytest.raises(ValidationError, match="CUDA is not available"):
            pick_device("cuda")
    assert pick_device("cpu").type == "cpu"
    with pytest.raises(ValidationError, match="unknown device"):
        pick_device("tpu9")


def test_local_dir_model_gives_the_same_metrics(checkpoint, bench, folder_result, tmp_path):
    from safetensors.torch import save_file

    state = torch.load(checkpoint, weights_only=True)["state_dict"]
    save_file({k: v.contiguous() for k, v in state.items()}, str(tmp_path / "model.safetensors"))
    (tmp_path / "open_clip_config.json").write_text(json.dumps({"model_cfg": TINY_CONFIG}))
    spec = zero_shot_spec(None, bench)
    spec = spec.model_copy(update={"model": ModelSpec(architecture=f"local-dir:{tmp_path}")})
    assert run_evaluation(spec).metrics == folder_result.metrics


def test_local_dir_without_weights_fails_fast(no_model_building, bench, tmp_path):
    (tmp_path / "open_clip_config.json").write_text(json.dumps({"model_cfg": TINY_CONFIG}))
    spec = zero_shot_spec(None, bench)
    spec = spec.model_copy(update={"model": ModelSpec(architecture=f"local-dir:{tmp_path}")})
    with pytest.raises(NotFoundError, match="has no weights file"):
        run_evaluation(spec)
    gone = spec.model_copy(update={"model": ModelSpec(architecture=f"local-dir:{tmp_path}/x")})
    with pytest.raises(NotFoundError, match="does not exist"):
        run_evaluation(gone)
