"""Effective robustness: recovery, bands, and the ImageNet testbed (Taori et al. 2020)."""

import numpy as np
import pandas as pd
import pytest

from backend.analysis.robustness import fit_effective_robustness
from backend.analysis.transforms import get_transform

#: models trained with more than ImageNet-1k (Taori et al.'s "more data" group) or zero-shot
EXTRA_DATA = "instagram|BiT|jft|clip|swsl|ssl|noisystudent|FixResNeXt|vit_|21k"


@pytest.mark.parametrize("transform", ["logit", "probit"])
def test_recovers_baseline_and_robust_models(transform):
    rng = np.random.default_rng(12)
    t = get_transform(transform)
    acc_id = rng.uniform(0.55, 0.9, 300)
    acc_ood = t.inverse(0.9 * t.forward(acc_id) - 0.4 + rng.normal(0, 0.02, 300))
    acc_ood[:10] += 0.05  # ten robust models, not in the baseline
    baseline = np.arange(300) >= 10
    fit = fit_effective_robustness(
        acc_id, acc_ood, baseline=baseline, transform=transform, bootstrap=500
    )
    assert fit.slope == pytest.approx(0.9, abs=0.03)
    assert fit.intercept == pytest.approx(-0.4, abs=0.03)
    assert np.all(fit.effective_robustness_points[:10] > 3)
    assert abs(np.median(fit.effective_robustness_points[10:])) < 0.5
    low, high = fit.effective_robustness_interval
    assert np.all(low[:10] > 0) and np.all(low <= fit.effective_robustness)
    band = fit.band([0.6, 0.95])
    truth = t.inverse(0.9 * t.forward(np.array([0.6, 0.95])) - 0.4)
    assert band.kind == "bootstrap" and np.all((band.low < truth) & (truth < band.high))
    wald = fit_effective_robustness(acc_id, acc_ood, baseline=baseline, transform=transform)
    assert wald.band([0.7]).kind == "wald" and wald.effective_robustness_interval is None


def test_imagenet_testbed_lines_and_clip_effective_robustness(demo_data_dir):
    """Taori et al. 2020: ImageNetV2 accuracy of standard models lies on a line in logit
    space (Miller et al. 2021: R^2 > 0.99 for ImageNetV2); Radford et al. 2021: zero-shot
    CLIP has large effective robustness on ImageNet-R (tens of points)."""
    frame = pd.read_csv(demo_data_dir / "imagenet_testbed" / "robustness_top1s.csv")
    v2 = frame[["model", "val", "imagenetv2-matched-frequency"]].dropna()
    standard = ~v2.model.str.contains(EXTRA_DATA, case=False).to_numpy()
    fit = fit_effective_robustness(
        v2.val / 100, v2["imagenetv2-matched-frequency"] / 100, baseline=standard
    )
    assert fit.line.goodness.r_squared > 0.99
    assert 0.85 < fit.slope < 1.0
    rendition = frame[["model", "val", "imagenet-r"]].dropna()
    standard = ~rendition.model.str.contains(EXTRA_DATA, case=False).to_numpy()
    fit = fit_effective_robustness(
        rendition.val / 100, rendition["imagenet-r"] / 100, baseline=standard, bootstrap=200
    )
    clip = rendition.model.str.contains("clip_zeroshot").to_numpy()
    assert clip.sum() == 2
    assert np.all(fit.effective_robustness_points[clip] > 25)
    assert np.all(fit.effective_robustness_interval[0][clip] > 0.2)
