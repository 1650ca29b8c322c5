"""Every format imports its real published file(s) (``backend/demo/data``, ``tests/data``) with
the counts they hold (counted independently with pandas / json), and spot values match the
published ones."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import text

from backend.catalog.aliases import canonical
from backend.ingest.formats import detect_format
from backend.services import uploads
from tests.backend.ingest.conftest import count


def value(engine, model, revision, eval_set, metric, table="measurements"):
    # ingest stores canonical names (backend/catalog/aliases.csv); the tests name the source's
    eval_set, metric = canonical("eval_set", eval_set), canonical("metric", metric)
    with engine.connect() as conn:
        return conn.execute(
            text(
                f"SELECT m.value FROM {table} m JOIN checkpoints c ON c.id = m.checkpoint_id "
                "JOIN models mo ON mo.id = c.model_id JOIN eval_sets e ON e.id = m.eval_set_id "
                "WHERE mo.name = :model AND c.revision = :revision AND e.name = :eval_set "
                "AND m.metric = :metric"
            ),
            dict(model=model, revision=revision, eval_set=eval_set, metric=metric),
        ).scalar_one()


def checkpoint(engine, model, revision):
    with engine.connect() as conn:
        return (
            conn.execute(
                text(
                    "SELECT c.step, c.tokens_seen, c.samples_seen, c.flops, mo.n_params "
                    "FROM checkpoints c JOIN models mo ON mo.id = c.model_id "
                    "WHERE mo.name = :model AND c.revision = :revision"
                ),
                dict(model=model, revision=revision),
            )
            .mappings()
            .one()
        )


def ingest(engine, path, expected_format):
    assert detect_format(path) == expected_format
    report = uploads.ingest_file(engine=engine, path=path)
    assert report.format == expected_format
    again = uploads.ingest_file(engine=engine, path=path)
    assert all(c.new == 0 and c.updated == 0 for c in again.counts.values()), again.counts
    return report


def test_openclip_results(engine, demo_data_dir):
    path = demo_data_dir / "openclip" / "openclip_results.csv"
    frame = pd.read_csv(path)
    report = ingest(engine, path, "openclip_results")
    cells = int(frame.drop(columns=["name", "pretrained", "params (M)", "FLOPs (B)"]).count().sum())
    assert report.counts["measurements"].new == cells
    assert count(engine, "models") == len(frame) == 121
    assert value(engine, "ViT-L-14/openai", "final", "ImageNet 1k", "acc1") == 0.7554
    assert checkpoint(engine, "ViT-L-14/openai", "final")["n_params"] == pytest.approx(427.62e6)
    # The pretrained tag names the pretraining data and the samples seen.
    assert checkpoint(engine, "ViT-H-14/laion2b_s32b_b79k", "final")["samples_seen"] == 32e9
    with engine.connect() as conn:
        data = conn.execute(
            text("SELECT pretraining_data FROM models WHERE name = 'ViT-H-14/laion2b_s32b_b79k'")
        ).scalar_one()
    assert data == "laion2b"


def test_scaling_laws_openclip_results_and_curves(engine, test_data_dir):
    folder = test_data_dir / "scaling_laws_openclip"
    frame = pd.read_csv(folder / "zeroshot_results.csv")
    assert len(frame) == 1312
    report = ingest(engine, folder / "zeroshot_results.csv", "scaling_laws_openclip")
    metrics = [
        "acc1",
        "acc5",
        "mean_per_class_recall",
        "image_retrieval_recall@5",
        "text_retrieval_recall@5",
        "mean_average_precision",
    ]
    assert report.counts["measurements"].new == int(frame[metrics].count().sum())
    assert report.counts["models"].new == 29 + 3  # 29 OpenCLIP + 3 OpenAI, told apart by arch
    assert value(engine, "openai/ViT-L-14", "final", "imagenet1k", "acc1") == 0.7549
    curves = pd.read_csv(folder / "imagenet_zeroshot_learning_curves.csv")
    report = ingest(
        engine, folder / "imagenet_zeroshot_learning_curves.csv", "scaling_laws_openclip"
    )
    assert report.counts["checkpoints"].new == len(curves) == 3359
    assert report.counts["models"].unchanged == 29  # same models as the results file
    assert report.counts["measurements"].new == int(
        curves[["imagenet-zeroshot-val-top1", "imagenet-zeroshot-val-top5"]].count().sum()
    )


def test_imagenet_testbed_percent_to_fraction(engine, demo_data_dir):
    path = demo_data_dir / "imagenet_testbed" / "robustness_top1s.csv"
    frame = pd.read_csv(path)
    report = ingest(engine, path, "imagenet_testbed")
    assert report.counts["models"].new == len(frame) == 338
    assert report.counts["eval_sets"].new == frame.shape[1] - 1 == 213
    assert report.counts["measurements"].new == int(frame.drop(columns=["model"]).count().sum())
    resnet = frame.set_index("model").loc["resnet50"]
    assert value(engine, "resnet50", "final", "val", "top1") == pytest.approx(resnet["val"] / 100)
    assert value(engine, "resnet50", "final", "imagenet-a", "top1") == 0.0  # by construction


def test_llm_line_two_header_lines(engine, demo_data_dir):
    path = demo_data_dir / "llm_line" / "latest_pm_hf.csv"
    frame = pd.read_csv(path, skiprows=[1])
    report = ingest(engine, path, "llm_line")
    assert report.counts["checkpoints"].new == len(frame) == 129
    assert report.counts["models"].new == frame["Name"].nunique()
    metric_columns = [
        c
        for c in frame.columns
        if c in ("Train Loss", "Test Loss") or c.endswith((" Loss", " BPB", " Accuracy"))
    ]
    assert report.counts["measurements"].new == int(frame[metric_columns].count().sum())
    row = frame[frame["Name"] == "EleutherAI/pythia-160m"].iloc[0]
    assert value(engine, "EleutherAI/pythia-160m", "final", "C4", "loss") == pytest.approx(
        row["C4 Validation Loss"]
    )
    assert checkpoint(engine, "EleutherAI/pythia-160m", "final")["n_params"] == row["Size"]


def test_loss_to_loss_sweep(engine, demo_data_dir):
    path = demo_data_dir / "loss_to_loss_kempner" / "sweep.csv"
    frame = pd.read_csv(path)
    report = ingest(engine, path, "loss_to_loss_sweep")
    assert report.counts["models"].new == len(frame) == 529
    descriptive = [
        "id",
        "name",
        "state",
        "group",
        "n_layers",
        "d_model",
        "params",
        "flops",
        "data",
        "iso_flop",
        "tokens",
        "System/Peak GPU Memory (MB)",
        "steps",
        "data_ratio",
    ]
    assert report.counts["measurements"].new == int(frame.drop(columns=descriptive).count().sum())
    first = frame.iloc[0]
    assert value(engine, first["name"], "final", "c4_val", "CrossEntropyLoss") == pytest.approx(
        first["eval/c4_val/CrossEntropyLoss"]
    )
    assert value(engine, first["name"], "final", "arc_easy", "acc") == pytest.approx(
        first["eval/downstream/arc_easy_test_acc"]
    )
    stored = checkpoint(engine, first["name"], "final")
    assert stored["tokens_seen"] == pytest.approx(first["tokens"])
    assert stored["n_params"] == first["params"]
    # The file's flops column is not training compute (about 1,000·N): kept as an attribute.
    assert stored["flops"] is None
    assert first["flops"] < 6 * first["params"] * first["tokens"] / 1e5


def test_chinchilla_tokens_from_flops(engine, demo_data_dir):
    path = demo_data_dir / "chinchilla_epoch" / "svg_extracted_data.csv"
    frame = pd.read_csv(path)
    report = ingest(engine, path, "chinchilla")
    assert report.counts["measurements"].new == report.counts["models"].new == len(frame) == 245
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT mo.n_params, c.flops, c.tokens_seen FROM checkpoints c "
                "JOIN models mo ON mo.id = c.model_id"
            )
        ).all()
    for n_params, flops, tokens in rows:
        assert tokens == pytest.approx(flops / (6 * n_params))


def test_lm_eval_harness_pythia(engine, test_data_dir):
    path = test_data_dir / "pythia_evals" / "pythia-160m" / "zero-shot" / "160m_step143000.json"
    results = json.loads(path.read_text())["results"]
    expected = sum(1 for m in results.values() for k in m if not k.endswith("_stderr"))
    report = ingest(engine, path, "lm_eval_harness")
    assert report.counts["measurements"].new == expected
    assert report.counts["eval_sets"].new == len(results)
    model = "EleutherAI/pythia-v1.1-160m"
    stored = checkpoint(engine, model, "step143000")
    assert stored["step"] == 143000 and stored["tokens_seen"] == 143000 * 2_097_152
    task = next(t for t in results if "acc" in results[t])
    assert value(engine, model, "step143000", task, "acc") == results[task]["acc"]
    with engine.connect() as conn:
        stderr = conn.execute(
            text("SELECT stderr FROM measurements WHERE metric = 'acc' ORDER BY id LIMIT 1")
        ).scalar_one()
    assert stderr is not None and stderr > 0


def test_lm_eval_harness_new_style_keys(engine, write):
    doc = {
        "results": {
            "arc_easy": {
                "alias": "arc_easy",
                "acc,none": 0.61,
                "acc_stderr,none": 0.01,
                "acc_norm,none": 0.55,
                "acc_norm_stderr,none": "N/A",
            }
        },
        "config": {
            "model_args": "pretrained=EleutherAI/pythia-70m,revision=step3000",
            "num_fewshot": 5,
        },
        "n-samples": {"arc_easy": {"original": 2376, "effective": 2376}},
    }
    report = ingest(engine, write("out.json", json.dumps(doc)), "lm_eval_harness")
    assert report.counts["measurements"].new == 2
    assert value(engine, "EleutherAI/pythia-70m", "step3000", "arc_easy", "acc_5shot") == 0.61


def test_clip_benchmark(engine, write):
    doc = {
        "dataset": "cifar10",
        "model": "ViT-B-32",
        "pretrained": "laion2b_s34b_b79k",
        "task": "zeroshot_classification",
        "metrics": {"acc1": 0.9355, "acc5": 0.9983, "mean_per_class_recall": 0.9356},
        "language": "en",
    }
    report = ingest(engine, write("cifar10.json", json.dumps(doc)), "clip_benchmark")
    assert report.counts["measurements"].new == 3
    assert value(engine, "ViT-B-32/laion2b_s34b_b79k", "final", "cifar10", "acc1") == 0.9355


def test_concept_frequencies(engine, test_data_dir):
    path = (
        test_data_dir
        / "frequency_determines_performance"
        / "search_counts"
        / "cifar10_laion400m_lemmatized_search_counts.json"
    )
    counts = json.loads(path.read_text())
    report = ingest(engine, path, "concept_frequencies")
    assert report.counts["concept_frequencies"].new == len(counts) == 10
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                text(
                    "SELECT f.concept, f.count FROM concept_frequencies f JOIN corpora c "
                    "ON c.id = f.corpus_id WHERE c.name = 'laion400m' AND f.method = 'lemmatized'"
                )
            ).all()
        )
    assert stored == counts and stored["dog"] == 868615


def test_per_class_accuracy(engine, test_data_dir):
    path = (
        test_data_dir
        / "frequency_determines_performance"
        / "zero_shot_evaluations"
        / "cifar10_class_results.json"
    )
    doc = json.loads(path.read_text())
    report = ingest(engine, path, "per_class_accuracy")
    assert report.counts["measurements"].new == len(doc) == 21
    assert report.counts["concept_scores"].new == sum(len(v["classwise"]) for v in doc.values())
    full = doc["backboneRN50_pretrainedcc3m"]["full"]
    assert value(engine, "RN50/cc3m", "final", "cifar10", "top1_class") == pytest.approx(full / 100)
    plane = doc["backboneRN50_pretrainedcc3m"]["classwise"]["plane"]
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT value, unit FROM concept_scores WHERE concept = 'plane' ORDER BY id LIMIT 1"
            )
        ).one()
    assert stored == (pytest.approx(plane / 100), "percent")


def test_wide_csv_with_column_mapping(engine, write):
    path = write("wide.csv", "Run,Step,ImageNet top-1,notes\nr1,100,55.0,x\nr1,200,61.5,\n")
    options = {
        "columns": {
            "Run": "model",
            "Step": "step",
            "ImageNet top-1": "imagenet:acc1",
            "notes": None,
        },
        "unit": "percent",
    }
    report = uploads.ingest_file(engine=engine, path=path, format="wide_csv", options=options)
    assert report.counts["measurements"].new == 2 and report.counts["checkpoints"].new == 2
    assert value(engine, "r1", "step200", "imagenet", "acc1") == pytest.approx(0.615)


def test_long_json(engine, write):
    items = [
        {
            "model": "m",
            "revision": "step1",
            "step": 1,
            "eval_set": "pile",
            "metric": "loss",
            "value": 3.5,
            "eval_kind": "validation",
        }
    ]
    report = ingest(engine, write("long.json", json.dumps(items)), "long_json")
    assert report.counts["measurements"].new == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT kind FROM eval_sets")).scalar_one() == "validation"


def test_obsscaling(engine, test_data_dir):
    path = test_data_dir / "obsscaling" / "eval_results" / "base_llm_benchmark_eval.csv"
    frame = pd.read_csv(path)
    report = ingest(engine, path, "obsscaling")
    assert report.counts["models"].new == frame["Model"].nunique()
    ids = ["Model", "Model Family", "Model Size (B)", "Pretraining Data Size (T)", "FLOPs (1E21)"]
    assert report.counts["measurements"].new == int(frame.drop(columns=ids).count().sum())
    llama = frame.set_index("Model").loc["meta-llama/Llama-2-7b-hf"]
    stored = checkpoint(engine, "meta-llama/Llama-2-7b-hf", "final")
    assert stored["n_params"] == 7e9 and stored["tokens_seen"] == pytest.approx(2e12)
    assert value(engine, "meta-llama/Llama-2-7b-hf", "final", "MMLU", "score") == pytest.approx(
        llama["MMLU"]
    )


def test_concept_frequencies_with_an_empty_key_upstream(engine, test_data_dir):
    path = (
        test_data_dir
        / "frequency_determines_performance"
        / "search_counts"
        / "coco_cc12m_rampp0.7_search_counts.json"
    )
    counts = json.loads(path.read_text())
    assert "" in counts
    report = ingest(engine, path, "concept_frequencies")
    assert report.counts["concept_frequencies"].new == len(counts) - 1
    assert "empty concept name" in report.warnings[0]


@pytest.mark.parametrize(
    ("tag", "data", "samples"),
    [
        ("laion2b_s34b_b88k", "laion2b", 34e9),
        ("commonpool_m_clip_s128m_b4k", "commonpool_m_clip", 128e6),
        ("laion400m_e32", "laion400m", None),
        ("datacomp1b", "datacomp1b", None),
        ("openai", "openai", None),
        ("pretrained", None, None),
    ],
)
def test_openclip_pretrained_tags_name_data_and_samples(tag, data, samples):
    from backend.ingest.adapters.openclip_results import parse_pretrained_tag

    assert parse_pretrained_tag(tag) == (data, samples)
