"""The demo's default views give the papers' numbers through ``GET /api/fits/{page}``."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from backend.analysis.chinchilla import COARSE_GRID, FULL_GRID, fit_chinchilla
from backend.demo.loader import DATA_DIR

KEMPNER = DATA_DIR / "loss_to_loss_kempner"


def values(group: dict) -> dict[str, float]:
    return {name: est["value"] for name, est in group["params"].items()}


def test_scaling_default_is_besiroglu_et_al_approach_3(demo_client):
    """Besiroglu et al. 2024 ("Chinchilla Scaling: A replication attempt", Approach 3 on the
    points extracted from Hoffmann et al. Fig. 4 with the five highest losses dropped):
    E = 1.8172, A = 482.01, B = 2085.43, alpha = 0.3478, beta = 0.3658; about 20 tokens per
    parameter at Chinchilla's 5.76e23 FLOP. Tolerances: their loose optimizer stop explains
    the ~1-3 % in A and B (tests/analysis/test_chinchilla.py)."""
    body = demo_client.get("/api/fits/scaling").json()
    assert body["state"]["metric"] == "massivetext:loss"
    assert body["state"]["drop_highest"] == 5 and "drop_highest=5" in body["query"]
    assert body["procedure"]["status"] == "as published"
    assert "Besiroglu" in body["procedure"]["citation"]
    assert len(body["points_used"]) == 240 and len(body["points_excluded"]) == 5
    assert all("highest" in p["reason"] for p in body["points_excluded"])
    assert min(p["y"] for p in body["points_excluded"]) > max(p["y"] for p in body["points_used"])
    (group,) = body["groups"]
    fit = values(group)
    assert fit["E"] == pytest.approx(1.8172, abs=0.002)
    assert fit["A"] == pytest.approx(482.01, rel=0.02)
    assert fit["B"] == pytest.approx(2085.43, rel=0.05)
    assert fit["alpha"] == pytest.approx(0.3478, abs=0.002)
    assert fit["beta"] == pytest.approx(0.3658, abs=0.003)
    assert group["params"]["E"]["interval"] == "bootstrap"
    assert group["params"]["E"]["low"] < fit["E"] < group["params"]["E"]["high"]
    assert 15 < group["compute_optimal"]["tokens_per_param"] < 25
    assert len(body["data_hash"]) == 64


def test_scaling_all_points_is_custom_and_differs(demo_client):
    """Keeping all 245 points is a custom view, with the ~7 tokens per parameter the issue
    reports (the published exclusion matters)."""
    body = demo_client.get("/api/fits/scaling?drop_highest=0").json()
    assert body["procedure"]["status"] == "custom"
    assert body["procedure"]["differences"] == ["drop_highest = 0 (published: 5)"]
    assert len(body["points_used"]) == 245 and not body["points_excluded"]
    assert body["groups"][0]["compute_optimal"]["tokens_per_param"] < 10


def test_default_start_grid_reaches_the_full_grids_optimum():
    """The page's 243-start grid finds the optimum of Hoffmann et al.'s 4,500 starts on the
    published 240 points (objective equal to 1e-9, parameters to 1e-4)."""
    frame = pd.read_csv(DATA_DIR / "chinchilla_epoch" / "svg_extracted_data.csv")
    n = frame["Model Size"].to_numpy()
    d = frame["Training FLOP"].to_numpy() / (6 * n)
    loss = frame["loss"].to_numpy()
    keep = loss < np.sort(loss)[-5]
    coarse = fit_chinchilla(n[keep], d[keep], loss[keep], grid=COARSE_GRID)
    full = fit_chinchilla(n[keep], d[keep], loss[keep], grid=FULL_GRID)
    assert coarse.goodness.objective <= full.goodness.objective * (1 + 1e-9)
    np.testing.assert_allclose(coarse.values, full.values, rtol=1e-4)


def test_clicked_point_exclusion_is_in_the_query(demo_client):
    body = demo_client.get("/api/fits/scaling").json()
    point = body["points_used"][0]
    picked = f"{point['model']}@{point['checkpoint']}"
    custom = demo_client.get("/api/fits/scaling", params={"exclude": picked}).json()
    assert len(custom["points_used"]) == 239
    reasons = {f"{p['model']}@{p['checkpoint']}": p["reason"] for p in custom["points_excluded"]}
    assert reasons[picked] == "excluded by hand"
    assert custom["procedure"]["status"] == "custom"
    assert custom["data_hash"] == body["data_hash"]  # same data, other exclusions


def published_e() -> pd.Series:
    """Brandfonbrener et al.'s own Kaplan-form fits (opt_params_data.csv, kaplan=True)."""
    params = pd.read_csv(KEMPNER / "opt_params_data.csv")
    return params[params["kaplan"]].set_index(["data", "loss_name"])["E"]


def test_loss_to_loss_default_uses_the_papers_irreducible_losses(demo_client):
    """Brandfonbrener et al. 2024: E_x, E_y of each dataset from Kaplan-form scaling-law fits
    over all its runs (opt_params_data.csv); the page's default reproduces them within 1 %."""
    body = demo_client.get("/api/fits/loss-to-loss").json()
    state = body["state"]
    assert state["irreducible"] == "scaling-law" and body["procedure"]["status"] == "as published"
    loss_name = {
        "c4_val:CrossEntropyLoss": "eval/c4_val/CrossEntropyLoss",
        "fineweb_100b_val:CrossEntropyLoss": "eval/fineweb_100b_val/CrossEntropyLoss",
    }
    assert state["x"] in loss_name and state["y"] in loss_name
    e = published_e()
    groups = {g["group"]: g for g in body["groups"]}
    assert len(groups) == 6
    for data, group in groups.items():
        fit = values(group)
        assert fit["E_x"] == pytest.approx(e[(data, loss_name[state["x"]])], rel=1e-2), data
        assert fit["E_y"] == pytest.approx(e[(data, loss_name[state["y"]])], rel=1e-2), data
        assert group["goodness"]["r_squared"] > 0.99


def test_train_to_train_default_extrapolates_the_3b_run(demo_client):
    """Brandfonbrener et al. 2024: train-to-train fineweb-edu-100b -> fineweb-100b (runs
    matched on N, D), E from the per-dataset fits, predicts the 3.3B (1e21 FLOP) run's
    fineweb-100b loss from its fineweb-edu-100b loss (extrapolation.csv) within 0.5 %."""
    big = pd.read_csv(KEMPNER / "extrapolation.csv").set_index("data")
    column = "val_loss"  # each run's loss on its own pretraining data (eval set "val")
    query = {
        "pairing": "train-to-train",
        "x": "val:loss",
        "y": "val:loss",
        "extrapolate": str(big.loc["fineweb-edu-100b", column]),
    }
    body = demo_client.get("/api/fits/loss-to-loss", params=query).json()
    assert (body["state"]["x_data"], body["state"]["y_data"]) == (
        "fineweb-edu-100b",
        "fineweb-100b",
    )
    (group,) = body["groups"]
    assert len(body["points_used"]) == 86
    predicted = group["extrapolation"]["y"]
    assert predicted == pytest.approx(big.loc["fineweb-100b", column], rel=5e-3)


def test_unknown_page_is_404(demo_client):
    assert demo_client.get("/api/fits/nothing").status_code == 404


def test_robustness_default_is_taoris_standard_models_baseline(demo_client):
    """Taori et al. 2020 / Miller et al. 2021 ("Accuracy on the line"): on the imagenet-testbed
    the standard ImageNet-1k models put ImageNetV2 accuracy on a line in logit space
    (R² > 0.99, slope below 1: 0.85-1.0 as tests/analysis/test_robustness.py checks); zero-shot
    CLIP sits above that line, and on ImageNet-R far above it (Radford et al. 2021: tens of
    points of effective robustness)."""
    body = demo_client.get("/api/fits/robustness").json()
    state = body["state"]
    assert (state["id"], state["ood"]) == ("imagenet:top1", "imagenetv2-matched-frequency:top1")
    assert state["baseline"] == ["ImageNet-1k"] and body["procedure"]["status"] == "as published"
    (line,) = body["groups"]
    assert line["goodness"]["r_squared"] > 0.99
    assert 0.85 < line["params"]["slope"]["value"] < 1.0
    assert line["params"]["slope"]["interval"] == "bootstrap"
    used = body["points_used"]
    standard = [p for p in used if p["group"] == "ImageNet-1k"]
    assert line["baseline_models"] == len(standard) > 250
    assert all(p["in_baseline"] == (p["group"] == "ImageNet-1k") for p in used)
    clip = [p for p in used if "clip_zeroshot" in p["model"]]
    assert len(clip) == 2 and all(p["effective_robustness"] > 2 for p in clip)
    rendition = demo_client.get("/api/fits/robustness?ood=imagenet-r:top1").json()
    clip = [p for p in rendition["points_used"] if "clip_zeroshot" in p["model"]]
    assert len(clip) == 2 and all(p["effective_robustness"] > 25 for p in clip)
    assert all(p["effective_robustness_low"] > 20 for p in clip)


def test_frequency_default_is_udandaraos_procedure(demo_client):
    """Udandarao et al. 2024: integrated counts at RAM++ threshold 0.7, each model against its
    own pretraining corpus, 12 log-count bins, first and last bins left out of the binned r.
    The demo ships CIFAR-100 only (the paper pools 18 datasets), so the check is the
    procedure and its numbers against a literal re-computation, not the pooled figure."""
    body = demo_client.get("/api/fits/frequency").json()
    state = body["state"]
    assert state["trim"] == 1 and state["bins"] == 12 and "0.7" in state["method"]
    assert body["procedure"]["status"] == "as published"
    assert body["groups"]
    for group in body["groups"]:
        assert {"r_raw", "r_binned", "params", "goodness"} <= set(group)
        points = [p for p in body["points_used"] if p["group"] == group["group"]]
        x = np.log([p["x"] for p in points])
        y = np.array([p["y"] for p in points])
        edges = np.linspace(x.min(), x.max(), 12)
        index = np.digitize(x, edges, right=True)
        kept = sorted(set(index))[1:-1]
        means = [y[index == k].mean() for k in kept]
        r = np.corrcoef(edges[kept], means)[0, 1]
        assert group["r_binned"] == pytest.approx(r, abs=1e-9)
        assert group["r_raw"] == pytest.approx(np.corrcoef(np.log10(np.exp(x)), y)[0, 1])
    untrimmed = demo_client.get("/api/fits/frequency?trim=0").json()
    assert untrimmed["procedure"]["status"] == "custom"
    assert untrimmed["groups"][0]["r_binned"] != body["groups"][0]["r_binned"]


def test_fits_csv_is_numeric_with_units(demo_client):
    text = demo_client.get("/api/fits/scaling.csv").text
    frame = pd.read_csv(io.StringIO(text))
    assert {"E [loss]", "E low [loss]", "E high [loss]", "alpha", "alpha low"} <= set(frame)
    assert frame["E [loss]"].dtype.kind == "f"
    assert frame.loc[0, "E low [loss]"] < frame.loc[0, "E [loss]"] < frame.loc[0, "E high [loss]"]
    assert 15 < frame.loc[0, "tokens_per_param [tokens/parameter]"] < 25
