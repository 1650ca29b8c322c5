"""Frequency vs accuracy, compositional prediction, PMI: recovery and the paper's data."""

import json

import numpy as np
import pytest
from scipy import stats

from backend.analysis.frequency import (
    fit_accuracy_vs_pmi,
    fit_compositional,
    fit_frequency_accuracy,
    pmi,
)

#: The 18 classification datasets Udandarao et al. pool per model
#: (notebooks/zero_shot_integrated_search_results.ipynb).
DATASETS = [
    "imagenet", "cifar10", "cifar100", "caltech101", "caltech256", "sun397", "birdsnap",
    "country211", "cub", "dtd", "eurosat", "fgvcaircraft", "flowers102", "food101",
    "imagenet-sketch", "oxfordpets", "stanfordcars", "ucf101",
]  # fmt: skip


def udandarao_points(folder, model, pretraining, prompts="ensemble"):
    """Integrated counts at threshold 0.7 and classwise accuracy (percent), pooled."""
    counts, accuracy = [], []
    for dataset in DATASETS:
        path = (
            folder
            / "search_counts"
            / (f"{dataset}_{pretraining}_integrated_tlemmatized_i0.7_search_counts.json")
        )
        concept_counts = json.loads(path.read_text())
        results = json.loads(
            (folder / "zero_shot_evaluations" / f"{dataset}_{prompts}_results.json").read_text()
        )
        key = next(k for k in results if pretraining in k and model in k)
        classwise = dict(results[key]["classwise"])
        if dataset == "cifar10":
            classwise["airplane"] = classwise.pop("plane")
        for concept in sorted(concept_counts):
            counts.append(concept_counts[concept])
            accuracy.append(classwise[concept])
    return np.array(counts, dtype=float), np.array(accuracy)


def paper_binned_r(counts, accuracy_percent):
    """The notebook's procedure written out literally, as an independent oracle."""
    x = np.log([c if c > 0 else 1 for c in counts])
    bins = np.linspace(min(x), max(x), num=12)
    assigned = np.digitize(x, bins, right=True)
    groups = {}
    for acc, b in zip(accuracy_percent, assigned, strict=True):
        groups.setdefault(b, []).append(acc)
    keys = sorted(groups)
    return stats.pearsonr([bins[k] for k in keys], [np.mean(groups[k]) for k in keys])[0]


def test_recovers_slope_per_decade():
    rng = np.random.default_rng(9)
    counts = np.floor(10 ** rng.uniform(0, 6, 3000))
    accuracy = np.clip(0.1 + 0.12 * np.log10(counts) + rng.normal(0, 0.1, counts.size), 0, 1)
    fit = fit_frequency_accuracy(counts, accuracy)
    assert fit.slope_per_decade == pytest.approx(0.12, abs=0.01)
    assert fit.slope_points == pytest.approx(12, abs=1)
    assert fit.r_binned > fit.r_raw > 0.5
    assert len(fit.binned.mean) == 12 and fit.binned.size.sum() == counts.size
    assert fit.predict([1e3])[0] == pytest.approx(0.46, abs=0.02)


@pytest.mark.parametrize(
    ("model", "pretraining"), [("ViT-B-32", "laion400m"), ("RN50", "cc3m"), ("ViT-B-16", "cc12m")]
)
def test_udandarao_log_binned_correlation(test_data_dir, model, pretraining):
    """Udandarao et al. 2024 (Fig. 2, integrated counts at RAM++ threshold 0.7, ensemble
    prompts, 12 log bins): a strong log-linear trend of binned mean accuracy in log count.
    Our r equals the notebook's procedure and shows the paper's qualitative finding."""
    folder = test_data_dir / "frequency_determines_performance"
    counts, accuracy_percent = udandarao_points(folder, model, pretraining)
    assert counts.size == 4469
    fit = fit_frequency_accuracy(counts, accuracy_percent / 100)
    assert fit.r_binned == pytest.approx(paper_binned_r(counts, accuracy_percent), abs=1e-9)
    assert fit.r_binned > 0.9
    assert fit.r_raw < fit.r_binned
    assert fit.slope_per_decade > 0


def test_compositional_prediction_from_geometric_mean():
    rng = np.random.default_rng(10)
    objects = np.floor(10 ** rng.uniform(0, 5, (500, 3)))
    objects[::5, 2] = np.nan  # samples with two objects only
    mean_log = np.nanmean(np.log10(np.maximum(objects, 1)), axis=1)
    performance = 0.2 + 0.1 * mean_log + rng.normal(0, 0.02, 500)
    fit = fit_compositional(objects, performance)
    assert fit.line.slope == pytest.approx(0.1, abs=0.005)
    assert fit.r_squared > 0.9 and fit.r == pytest.approx(np.sqrt(fit.r_squared))


def test_pmi_smoothing_and_accuracy_gap():
    assert pmi([0], [0], [0], k=1)[0] == pytest.approx(0.0)
    assert pmi([9], [4], [1], k=1)[0] == pytest.approx(np.log(10 / (5 * 2)))
    assert pmi([9], [4], [1], k=1, total=100)[0] == pytest.approx(np.log(100 * 10 / 10))
    rng = np.random.default_rng(11)
    values = rng.normal(0, 2, 2000)
    accuracy = np.clip(0.5 + 0.05 * values + rng.normal(0, 0.05, 2000), 0, 1)
    result = fit_accuracy_vs_pmi(values, accuracy)
    assert result.r > 0.8 and result.line.slope == pytest.approx(0.05, abs=0.005)
    top, bottom = values >= np.quantile(values, 0.95), values <= np.quantile(values, 0.05)
    assert result.gap == pytest.approx(accuracy[top].mean() - accuracy[bottom].mean())
    assert result.gap > 0.3
