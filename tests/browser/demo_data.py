"""Real published results for the browser tests, loaded through the ingest service as long
CSV files (one upload each): Chinchilla's 245 training runs (Hoffmann et al. 2022, points
extracted by Besiroglu et al. 2024), OpenCLIP zero-shot accuracies (mlfoundations/open_clip)
and Pythia learning curves (EleutherAI/pythia evals). The files are the repository's own:
``backend/demo/data`` and, for pythia-160m, ``tests/data``."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from sqlalchemy import Engine

from backend.services import uploads
from tests.conftest import DEMO_DATA, TEST_DATA

TOKENS_PER_PYTHIA_STEP = 2_097_152
OPENCLIP_BENCHMARKS = {
    "ImageNet 1k": "imagenet1k",
    "ImageNet v2": "imagenetv2",
    "ImageNet Sketch": "imagenet-sketch",
    "ObjectNet": "objectnet",
}
PYTHIA_TASKS = {"lambada_openai": ("acc", "ppl"), "piqa": ("acc",), "arc_easy": ("acc",)}
COLUMNS = [
    "model",
    "revision",
    "eval_set",
    "metric",
    "value",
    "stderr",
    "step",
    "tokens_seen",
    "flops",
    "family",
    "architecture",
    "n_params",
    "pretraining_data",
    "eval_kind",
]


def _write(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def chinchilla_rows(data: Path = DEMO_DATA) -> list[dict]:
    """One model per training run: loss at its final size, FLOPs and tokens (D = C / 6N)."""
    rows = []
    with open(data / "chinchilla_epoch" / "svg_extracted_data.csv") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            n_params, flops = float(row["Model Size"]), float(row["Training FLOP"])
            rows.append(
                {
                    "model": f"chinchilla-run-{index:03d}",
                    "revision": "final",
                    "eval_set": "massivetext-val",
                    "metric": "loss",
                    "value": row["loss"],
                    "tokens_seen": flops / (6 * n_params),
                    "flops": flops,
                    "family": "chinchilla",
                    "n_params": n_params,
                    "pretraining_data": "massivetext",
                    "eval_kind": "validation",
                }
            )
    return rows


def openclip_rows(data: Path = DEMO_DATA) -> list[dict]:
    """Zero-shot accuracy of every OpenCLIP checkpoint on ImageNet and three shifts."""
    rows = []
    with open(data / "openclip" / "openclip_results.csv") as handle:
        for row in csv.DictReader(handle):
            corpus = re.split(r"_s\d", row["pretrained"])[0]
            for column, eval_set in OPENCLIP_BENCHMARKS.items():
                if not row.get(column):
                    continue
                rows.append(
                    {
                        "model": f"{row['name']}/{row['pretrained']}",
                        "revision": "final",
                        "eval_set": eval_set,
                        "metric": "acc",
                        "value": row[column],
                        "family": "openclip",
                        "architecture": row["name"],
                        "n_params": float(row["params (M)"]) * 1e6,
                        "pretraining_data": corpus,
                        "eval_kind": "benchmark",
                    }
                )
    return rows


def pythia_folder(size: str) -> Path:
    """The evaluations of one Pythia size: 70m, 410m and 1.4b (27 checkpoints each) ship with
    the demo, 160m (10 of its checkpoints) is the tests' own."""
    for root in (DEMO_DATA, TEST_DATA):
        folder = root / "pythia_evals" / f"pythia-{size}" / "zero-shot"
        if folder.is_dir():
            return folder
    raise FileNotFoundError(f"no evaluations of pythia-{size} in {DEMO_DATA} or {TEST_DATA}")


def pythia_rows(sizes: tuple[str, ...] = ("160m", "410m")) -> list[dict]:
    """Learning curves: a few zero-shot tasks at every saved step of two Pythia models."""
    rows = []
    for size in sizes:
        for path in sorted(pythia_folder(size).glob("*.json")):
            step = int(re.search(r"step(\d+)", path.name).group(1))
            results = json.loads(path.read_text())["results"]
            for task, metrics in PYTHIA_TASKS.items():
                for metric in metrics:
                    if task not in results or metric not in results[task]:
                        continue
                    rows.append(
                        {
                            "model": f"pythia-{size}",
                            "revision": f"step{step}",
                            "eval_set": task,
                            "metric": metric,
                            "value": results[task][metric],
                            "stderr": results[task].get(f"{metric}_stderr"),
                            "step": step,
                            "tokens_seen": step * TOKENS_PER_PYTHIA_STEP,
                            "family": "pythia",
                            "architecture": "gpt-neox",
                            "pretraining_data": "pile",
                            "eval_kind": "benchmark",
                        }
                    )
    return rows


def load(engine: Engine, folder: Path | None = None) -> None:
    """Write the three long CSV files and ingest each as one upload."""
    folder = folder or Path(engine.url.database).parent
    for name, rows in (
        ("chinchilla_runs.csv", chinchilla_rows()),
        ("openclip_zero_shot.csv", openclip_rows()),
        ("pythia_curves.csv", pythia_rows()),
    ):
        uploads.ingest_file(engine=engine, path=_write(folder / name, rows), source="demo")
