"""The real published files (``tests/data``, ``backend/demo/data``) beyond the one-per-format
tests in ``test_formats``: the variant files of each format and whole folders, each imported
with the counts it holds (counted here with the csv / json modules, independently of the
adapters) and re-imported with no change."""

from __future__ import annotations

import csv
import json
import math

import pytest

from backend.services import uploads
from tests.backend.ingest.conftest import count, snapshot
from tests.backend.ingest.test_formats import ingest


def csv_rows(path, skip_second_line=False) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if skip_second_line:
            next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def numeric_cells(rows, columns) -> int:
    """Cells of ``columns`` that hold a finite number (what becomes a measurement)."""
    total = 0
    for row in rows:
        for column in columns:
            cell = row[column].strip()
            try:
                total += math.isfinite(float(cell))
            except ValueError:
                continue
    return total


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("openclip/openclip_classification_results.csv", ("name", "pretrained")),
        ("openclip/openclip_retrieval_results.csv", ("name", "pretrained")),
    ],
)
def test_openclip_variant_tables(engine, test_data_dir, name, keys):
    path = test_data_dir / name
    header, rows = csv_rows(path)
    report = ingest(engine, path, "openclip_results")
    metrics = [c for c in header if c not in (*keys, "params (M)", "FLOPs (B)")]
    assert report.counts["measurements"].new == numeric_cells(rows, metrics)
    assert count(engine, "models") == len({tuple(r[k] for k in keys) for r in rows})


@pytest.mark.parametrize(
    "name",
    [
        "obsscaling/eval_results/base_llm_benchmark_eval_sub_10b.csv",
        "obsscaling/eval_results/instruct_llm_benchmark_eval.csv",
        "obsscaling/at_commit_43dad32/base_llm_benchmark_eval.csv",
    ],
)
def test_obsscaling_variant_tables(engine, test_data_dir, name):
    path = test_data_dir / name
    header, rows = csv_rows(path)
    descriptive = {
        "Model",
        "Model Family",
        "Model Size (B)",
        "Pretraining Data Size (T)",
        "FLOPs (1E21)",
    }
    report = ingest(engine, path, "obsscaling")
    metrics = [c for c in header if c not in descriptive]
    assert report.counts["measurements"].new == numeric_cells(rows, metrics)
    assert report.counts["models"].new == len({r["Model"] for r in rows})


def test_imagenet_testbed_2020_version(engine, test_data_dir):
    """The 2020 table, trimmed to 19 of its 204 models (dense and sparse rows, every column)."""
    path = test_data_dir / "imagenet_testbed" / "at_commit_a62fafa" / "robustness_top1s.csv"
    header, rows = csv_rows(path)
    report = ingest(engine, path, "imagenet_testbed")
    assert report.counts["models"].new == len(rows)
    assert report.counts["eval_sets"].new == len(header) - 1
    assert report.counts["measurements"].new == numeric_cells(rows, header[1:])


def test_loss_to_loss_extrapolation_runs(engine, test_data_dir):
    path = test_data_dir / "loss_to_loss_kempner" / "extrapolation.csv"
    header, rows = csv_rows(path)
    report = ingest(engine, path, "loss_to_loss_sweep")
    assert report.counts["models"].new == len(rows)
    descriptive = {
        "id", "name", "state", "group", "n_layers", "d_model", "params", "flops", "data",
        "iso_flop", "tokens", "System/Peak GPU Memory (MB)", "steps", "data_ratio",
    }  # fmt: skip
    metrics = [c for c in header if c not in descriptive]
    assert report.counts["measurements"].new == numeric_cells(rows, metrics)


def test_scaling_laws_openclip_training_settings(engine, test_data_dir):
    path = test_data_dir / "scaling_laws_openclip" / "trained_models_info.csv"
    _, rows = csv_rows(path)
    report = ingest(engine, path, "scaling_laws_openclip")
    assert report.counts["models"].new == len({r["name"] for r in rows})
    assert report.counts["checkpoints"].new == len(rows)


def test_a_whole_pythia_folder(engine, demo_data_dir):
    """All 27 checkpoints of one Pythia size: one model, one checkpoint per file."""
    files = sorted((demo_data_dir / "pythia_evals" / "pythia-70m" / "zero-shot").glob("*.json"))
    assert len(files) == 27
    expected = 0
    for path in files:
        results = json.loads(path.read_text())["results"]
        expected += sum(1 for m in results.values() for k in m if not k.endswith("_stderr"))
        ingest(engine, path, "lm_eval_harness")
    assert count(engine, "measurements") == expected
    assert count(engine, "checkpoints") == len(files)
    assert count(engine, "models") == 1


def test_every_search_count_file_of_one_dataset(engine, test_data_dir):
    """Every corpus x counting method of CIFAR-10's concepts."""
    folder = test_data_dir / "frequency_determines_performance" / "search_counts"
    files = sorted(folder.glob("cifar10_*_search_counts.json"))
    assert files
    expected = 0
    for path in files:
        expected += sum(1 for concept in json.loads(path.read_text()) if concept.strip())
        ingest(engine, path, "concept_frequencies")
    assert count(engine, "concept_frequencies") == expected


@pytest.mark.parametrize("prompts", ["class", "ensemble", "simple"])
def test_per_class_accuracy_every_prompt_set(engine, demo_data_dir, test_data_dir, prompts):
    # the class-prompt file ships with the demo, the other two are the tests' own
    path = (
        (demo_data_dir if prompts == "class" else test_data_dir)
        / "frequency_determines_performance"
        / "zero_shot_evaluations"
        / f"cifar100_{prompts}_results.json"
    )
    doc = json.loads(path.read_text())
    report = ingest(engine, path, "per_class_accuracy")
    assert report.counts["measurements"].new == len(doc)
    assert report.counts["concept_scores"].new == sum(len(v["classwise"]) for v in doc.values())


def test_files_of_no_known_format_are_refused_and_write_nothing(engine, test_data_dir):
    """Tables of fitted parameters or architecture metadata hold no measurements: refused."""
    before = snapshot(engine)
    for name in ("loss_to_loss_kempner/opt_params_data.csv", "openclip/model_profile.csv"):
        with pytest.raises(Exception, match="cannot tell the format"):
            uploads.ingest_file(engine=engine, path=test_data_dir / name)
    assert snapshot(engine) == before
