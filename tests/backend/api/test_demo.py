"""The bundled demo data loads through the ingest service with the counts its files hold,
and ``scalescope demo --no-serve`` prepares a database the API serves."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from backend import db
from backend.demo.loader import DATA_DIR, demo_paths, load_demo
from backend.queries import catalog, frames, frequencies
from backend.schemas.measurements import MetricRef

SWEEP = DATA_DIR / "loss_to_loss_kempner" / "sweep.csv"
TESTBED = DATA_DIR / "imagenet_testbed" / "robustness_top1s.csv"
PER_CLASS = DATA_DIR / "frequency_determines_performance/zero_shot_evaluations"
COUNTS = DATA_DIR / "frequency_determines_performance/search_counts"


def _column(path, name) -> dict[str, float]:
    """Non-blank cells of one CSV column, keyed by the row's first cell."""
    with open(path, newline="") as handle:
        rows = csv.DictReader(handle)
        first = rows.fieldnames[0] if name != "name" else "name"
        key = "name" if "name" in rows.fieldnames else first
        return {row[key]: float(row[name]) for row in rows if row[name].strip()}


def test_demo_bundle_is_small_and_cited():
    size = sum(p.stat().st_size for p, _ in demo_paths())
    assert size < 5 * 1024 * 1024
    readme = (DATA_DIR / "README.md").read_text()
    for folder in {p.relative_to(DATA_DIR).parts[0] for p, _ in demo_paths()}:
        assert f"`{folder}/" in readme, f"{folder} is not cited in the demo README"


def test_demo_loads_with_the_counts_of_its_files(engine, session):
    reports = load_demo(engine=engine)
    assert len(reports) == len(demo_paths())

    # Loss-to-loss sweep: one model per run, each C4 loss cell a measurement.
    c4 = _column(SWEEP, "eval/c4_val/CrossEntropyLoss")
    fineweb = _column(SWEEP, "eval/fineweb_edu_100b_val/CrossEntropyLoss")
    pair = frames.metric_pair_frame(
        session,
        x=MetricRef(eval_set="c4_val", metric="CrossEntropyLoss"),
        y=MetricRef(eval_set="fineweb_edu_100b_val", metric="CrossEntropyLoss"),
    )
    assert len(pair) == len(c4.keys() & fineweb.keys()) == 529
    by_model = dict(zip(pair["model"], pair["x"], strict=True))
    assert all(by_model[name] == pytest.approx(value) for name, value in c4.items())
    assert set(pair["pretraining_data"]) >= {"fineweb-edu-100b", "proof-pile-2", "starcoder"}

    # Chinchilla: 245 runs, tokens = FLOP / (6 N).
    chinchilla = frames.scaling_frame(
        session, metric=MetricRef(eval_set="massivetext", metric="loss")
    )
    assert len(chinchilla) == 245
    assert (
        (chinchilla["tokens_seen"] * 6 * chinchilla["n_params"])
        .div(chinchilla["flops"])
        .between(0.999, 1.001)
        .all()
    )

    # Pythia learning curves: 3 sizes × 27 checkpoints, tokens = step × 2,097,152.
    pythia = [m for m in catalog.list_models(session, search="pythia") if m.n_checkpoints == 27]
    assert len(pythia) == 3
    curve = frames.learning_curve_frame(
        session,
        metric=MetricRef(eval_set="arc_easy", metric="acc"),
        flt=None,
    )
    curve = curve[curve["model"].isin([m.name for m in pythia])]
    assert len(curve) == 81 and curve["step"].max() == 143000
    assert (curve["tokens_seen"] == curve["step"] * 2_097_152).all()
    final_70m = json.loads(
        (DATA_DIR / "pythia_evals/pythia-70m/zero-shot/70m_step143000.json").read_text()
    )["results"]["arc_easy"]["acc"]
    row = curve[(curve["step"] == 143000) & curve["model"].str.endswith("70m")]
    assert row["value"].item() == pytest.approx(final_70m)

    # imagenet-testbed: top-1 in percent becomes a fraction.
    val = _column(TESTBED, "val")
    objectnet = _column(TESTBED, "objectnet-1.0-beta")
    robust = frames.robustness_frame(
        session,
        in_distribution=MetricRef(eval_set="val", metric="top1"),
        out_of_distribution=MetricRef(eval_set="objectnet-1.0-beta", metric="top1"),
    )
    assert len(robust) == len(val.keys() & objectnet.keys())
    sample = robust.iloc[0]
    assert sample["x"] == pytest.approx(val[sample["model"]] / 100)

    # Frequency: 21 models × 100 CIFAR-100 classes; 5 corpora × 2 methods × 100 concepts.
    scores = frequencies.concept_scores_frame(session, eval_set="cifar100")
    assert len(scores) == 21 * 100
    counts = json.loads(
        (COUNTS / "cifar100_laion400m_integrated_tlemmatized_i0.7_search_counts.json").read_text()
    )
    joined = frequencies.frequency_frame(
        session,
        corpus="laion400m",
        method="integrated_tlemmatized_i0.7",
        eval_set="cifar100",
        models=["ViT-B-32/laion400m"],
    )
    assert len(joined) == 100
    assert dict(zip(joined["concept"], joined["count"], strict=True)) == counts
    per_class = json.loads((PER_CLASS / "cifar100_class_results.json").read_text())
    classwise = per_class["backboneViT-B-32_pretrainedlaion400m"]["classwise"]
    assert dict(zip(joined["concept"], joined["value"] * 100, strict=True)) == pytest.approx(
        classwise
    )


def test_demo_command_prepares_a_database_the_api_serves(tmp_path):
    env = {**os.environ, "SCALESCOPE_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "backend.cli", "demo", "--no-serve"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert f"loading {len(demo_paths())} demo files" in first.stdout
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert "already loaded" in second.stdout

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with TestClient(create_app(url, dashboard=False)) as client:
        metrics = {(m["eval_set"], m["metric"]) for m in client.get("/api/metrics").json()}
        assert ("massivetext", "loss") in metrics and ("cifar100", "top1_class") in metrics
        assert len(client.get("/api/uploads", params={"limit": 1000}).json()) == len(demo_paths())
        n_models = len(client.get("/api/catalog").json()["models"])
    # both runs say what the database holds
    assert f"{n_models:,} models" in first.stdout and f"{n_models:,} models" in second.stdout
    db.get_engine.cache_clear()
