"""Bad input in every format, mostly real published files (``backend/demo/data``, ``tests/data``)
damaged in one place:
each is refused as a whole with a message naming the file, the row (the line, for JSON syntax)
and the column (the JSON key path), and the database is left exactly as it was."""

from __future__ import annotations

import csv
import io
import json

import pytest

from backend.exceptions import IngestError
from backend.services import uploads
from tests.backend.ingest.conftest import snapshot
from tests.backend.ingest.test_bad_input import GOOD

PYTHIA = "pythia_evals/pythia-70m/zero-shot/70m_step1000.json"


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def write_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def set_cell(text: str, line: int, column: str, value: str, header_line: int = 1) -> str:
    """``text`` with the cell of ``column`` on 1-based ``line`` replaced by ``value``."""
    rows = read_csv(text)
    rows[line - 1][rows[header_line - 1].index(column)] = value
    return write_csv(rows)


def truncated(text: str) -> tuple[str, int]:
    """The first half of ``text`` (cut inside a row) and the line the cut falls on."""
    cut = len(text) // 2
    while text[cut - 1] in ",\n":
        cut += 1
    return text[:cut], text[:cut].count("\n") + 1


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def case_openclip_truncated(demo, tests):
    text, line = truncated((demo / "openclip" / "openclip_results.csv").read_text())
    return "openclip_results.csv", text, None, line, None, "fields as in the header"


def case_openclip_wrong_type(demo, tests):
    text = set_cell(
        (demo / "openclip" / "openclip_results.csv").read_text(), 5, "ImageNet 1k", "n/a%"
    )
    return "openclip_results.csv", text, None, 5, "ImageNet 1k", "expected a number"


def case_openclip_inf(demo, tests):
    text = set_cell((demo / "openclip" / "openclip_results.csv").read_text(), 9, "MNIST", "inf")
    return "openclip_results.csv", text, None, 9, "MNIST", "finite"


def case_openclip_non_utf8(demo, tests):
    text = (demo / "openclip" / "openclip_results.csv").read_text()
    lines = text.split("\n")
    lines[6] = lines[6].replace(",", ",caf\u00e9", 1)  # line 7, a model name
    return "openclip_results.csv", "\n".join(lines).encode("latin-1"), None, 7, None, "not UTF-8"


def case_chinchilla_negative_loss(demo, tests):
    text = set_cell(
        (demo / "chinchilla_epoch" / "svg_extracted_data.csv").read_text(), 4, "loss", "-2.1"
    )
    return "svg_extracted_data.csv", text, None, 4, "loss", ">= 0"


def case_llm_line_truncated(demo, tests):
    text, line = truncated((demo / "llm_line" / "latest_pm_hf.csv").read_text())
    return "latest_pm_hf.csv", text, None, line, None, "fields as in the header"


def case_sweep_conflicting_duplicate(demo, tests):
    rows = read_csv((demo / "loss_to_loss_kempner" / "sweep.csv").read_text())[:4]
    again = list(rows[1])
    again[rows[0].index("eval/c4_val/CrossEntropyLoss")] = "9.99"
    text = write_csv([*rows, again])
    return "sweep.csv", text, None, 5, "value", "conflicting values (rows 2 and 5)"


def case_testbed_percent_out_of_range(demo, tests):
    text = (demo / "imagenet_testbed" / "robustness_top1s.csv").read_text()
    text = set_cell(text, 3, "val", "140.5")
    return "robustness_top1s.csv", text, None, 3, "val", "percentage in [0, 100]"


def case_chinchilla_unknown_column(demo, tests):
    rows = read_csv((demo / "chinchilla_epoch" / "svg_extracted_data.csv").read_text())[:4]
    rows[0].append("Dataset")
    for row in rows[1:]:
        row.append("MassiveText")
    return "svg_extracted_data.csv", write_csv(rows), "chinchilla", 1, "Dataset", "unknown column"


def case_pythia_wrong_type(demo, tests):
    doc = json.loads((demo / PYTHIA).read_text())
    task = next(t for t in doc["results"] if "acc" in doc["results"][t])
    doc["results"][task]["acc"] = "high"
    column = f"results.{task}.acc"
    return "70m_step1000.json", json.dumps(doc), "lm_eval_harness", None, column, "a number"


def case_pythia_accuracy_above_one(demo, tests):
    doc = json.loads((demo / PYTHIA).read_text())
    task = next(t for t in doc["results"] if "acc" in doc["results"][t])
    doc["results"][task]["acc"] = 61.0
    column = f"results.{task}.acc"
    return "70m_step1000.json", json.dumps(doc), "lm_eval_harness", None, column, "in [0, 1]"


def case_pythia_nan(demo, tests):
    doc = json.loads((demo / PYTHIA).read_text())
    task = next(t for t in doc["results"] if "acc" in doc["results"][t])
    text = json.dumps(doc, indent=2).replace(
        f'"acc": {doc["results"][task]["acc"]}', '"acc": NaN', 1
    )
    return "70m_step1000.json", text, "lm_eval_harness", line_of(text, "NaN"), "acc", "NaN"


def case_clip_benchmark_negative(demo, tests):
    doc = {
        "dataset": "cifar10",
        "model": "ViT-B-32",
        "pretrained": "openai",
        "task": "zeroshot_classification",
        "metrics": {"acc1": 0.89, "acc5": -0.2},
    }
    return "cifar10.json", json.dumps(doc), "clip_benchmark", None, "metrics.acc5", "in [0, 1]"


def case_per_class_percent_out_of_range(demo, tests):
    folder = tests / "frequency_determines_performance" / "zero_shot_evaluations"
    doc = json.loads((folder / "cifar10_class_results.json").read_text())
    key = next(iter(doc))
    doc[key]["classwise"]["dog"] = 101.0
    column = f"{key}.classwise.dog"
    return "cifar10_class_results.json", json.dumps(doc), None, None, column, "[0, 100]"


def case_frequencies_non_utf8(demo, tests):
    name = "cifar10_laion400m_lemmatized_search_counts.json"
    counts = json.loads(
        (tests / "frequency_determines_performance" / "search_counts" / name).read_text()
    )
    text = json.dumps(counts, indent=1).replace('"dog"', '"d\u00f6g"')
    return (
        name,
        text.encode("latin-1"),
        "concept_frequencies",
        line_of(text, "d\u00f6g"),
        None,
        "not UTF-8",
    )


def case_frequencies_infinity(demo, tests):
    name = "cifar10_laion400m_lemmatized_search_counts.json"
    counts = json.loads(
        (tests / "frequency_determines_performance" / "search_counts" / name).read_text()
    )
    text = json.dumps(counts, indent=1).replace('"cat": ', '"cat": -Infinity, "x": ', 1)
    return name, text, "concept_frequencies", line_of(text, "Infinity"), "cat", "Infinity"


def case_long_json_unknown_key(demo, tests):
    items = [{"model": "m", "revision": "f", "eval_set": "e", "metric": "acc", "value": 0.5}]
    items.append({**items[0], "eval_set": "g", "colour": "red"})
    return "long.json", json.dumps(items), "long_json", 2, "colour", "unknown column"


def case_long_json_conflicting_duplicate(demo, tests):
    item = {"model": "m", "revision": "f", "eval_set": "e", "metric": "acc", "value": 0.5}
    items = [item, {**item, "metric": "loss"}, {**item, "value": 0.7}]
    return "long.json", json.dumps(items), "long_json", 3, "value", "rows 1 and 3"


def case_wide_csv_negative_step(demo, tests):
    text = "model,step,imagenet:acc1\nr1,100,0.55\nr1,-5,0.61\n"
    return "wide.csv", text, "wide_csv", 3, "model/step/revision", "count >= 0"


CASES = {
    name.removeprefix("case_"): function
    for name, function in sorted(globals().items())
    if name.startswith("case_")
}


@pytest.fixture
def seeded(engine, write):
    """A database that already holds one good upload (so 'unchanged' is not just 'empty')."""
    uploads.ingest_file(engine=engine, path=write("good.csv", GOOD))
    return snapshot(engine)


@pytest.mark.parametrize("case", list(CASES))
def test_damaged_file_is_refused_with_its_place_and_writes_nothing(
    engine, seeded, write, demo_data_dir, test_data_dir, case
):
    name, content, fmt, row, column, message = CASES[case](demo_data_dir, test_data_dir)
    with pytest.raises(IngestError) as caught:
        uploads.ingest_file(engine=engine, path=write(name, content), format=fmt)
    first = caught.value.problems[0]
    assert (first.file, first.row, first.column) == (name, row, column), first
    assert message in first.message, first.message
    assert snapshot(engine) == seeded
