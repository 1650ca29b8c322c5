"""Image–text contrastive loss on the synthetic captions."""

from __future__ import annotations

import open_clip
import pytest
import torch

from backend.evaluation import run_evaluation
from backend.evaluation.factory import build_model
from backend.evaluation.testing import contrastive_spec, tiny_model_spec

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def trained_loss(checkpoint, bench):
    return run_evaluation(contrastive_spec(checkpoint, bench, "csv"))


def test_training_lowers_the_loss(trained_loss, bench):
    before = run_evaluation(contrastive_spec(None, bench, "csv")).metric("contrastive_loss")
    after = trained_loss.metric("contrastive_loss")
    assert after.n == before.n == bench.n_images
    assert after.value + 3 * after.stderr < before.value
    assert trained_loss.details["batch_size"] == 32


def test_webdataset_captions_give_the_same_loss(trained_loss, checkpoint, bench):
    wds = run_evaluation(contrastive_spec(checkpoint, bench, "webdataset", num_workers=2))
    assert wds.metrics == trained_loss.metrics


def test_loss_matches_open_clip_clip_loss(checkpoint, bench):
    n = bench.n_images
    result = run_evaluation(contrastive_spec(checkpoint, bench, "csv", batch_size=n))
    loaded = build_model(tiny_model_spec(checkpoint))
    from backend.evaluation.sources import index_dataset

    data = index_dataset(contrastive_spec(checkpoint, bench).dataset, task="contrastive_loss")
    images = torch.stack([loaded.preprocess(s.image.open()) for s in data.samples])
    tokens = loaded.tokenizer([s.target for s in data.samples])
    with torch.no_grad():
        image_features = loaded.model.encode_image(images, normalize=True)
        text_features = loaded.model.encode_text(tokens, normalize=True)
        expected = open_clip.ClipLoss()(
            image_features, text_features, loaded.model.logit_scale.exp()
        )
    assert result.metric("contrastive_loss").value == pytest.approx(float(expected), rel=1e-5)
