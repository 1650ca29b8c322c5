"""Load the bundled demo files into a database through the uploads service.

Each file is one upload (source ``demo``) in the order of ``DEMO_FILES``; loading again changes
nothing (uploads are idempotent on natural keys)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from backend.services.uploads import UploadReport, ingest_file

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class DemoFile:
    """One bundled file (or a glob of files) and the ingest format that reads it."""

    pattern: str
    format: str
    shows: str

    def paths(self) -> list[Path]:
        """The files this entry names, sorted."""
        found = sorted(DATA_DIR.glob(self.pattern))
        if not found:
            raise FileNotFoundError(f"demo data missing: {DATA_DIR / self.pattern}")
        return found


DEMO_FILES: tuple[DemoFile, ...] = (
    DemoFile("loss_to_loss_kempner/sweep.csv", "loss_to_loss_sweep", "loss-to-loss lines"),
    DemoFile("chinchilla_epoch/svg_extracted_data.csv", "chinchilla", "Chinchilla fit"),
    DemoFile("llm_line/latest_pm_hf.csv", "llm_line", "loss-to-loss of public LLMs"),
    DemoFile("pythia_evals/*/zero-shot/*.json", "lm_eval_harness", "Pythia learning curves"),
    DemoFile("openclip/openclip_results.csv", "openclip_results", "robustness (OpenCLIP)"),
    DemoFile("imagenet_testbed/robustness_top1s.csv", "imagenet_testbed", "robustness"),
    DemoFile(
        "frequency_determines_performance/zero_shot_evaluations/*.json",
        "per_class_accuracy",
        "frequency vs accuracy (per-class scores)",
    ),
    DemoFile(
        "frequency_determines_performance/search_counts/*.json",
        "concept_frequencies",
        "frequency vs accuracy (concept counts)",
    ),
)


def demo_paths() -> list[tuple[Path, str]]:
    """Every bundled file with its format, in load order."""
    return [(path, entry.format) for entry in DEMO_FILES for path in entry.paths()]


def load_demo(
    *,
    engine: Engine,
    progress: Callable[[Path, UploadReport], None] | None = None,
    warm_fits: bool = True,
) -> list[UploadReport]:
    """Ingest every bundled file (one upload each); returns the reports in load order. With
    ``warm_fits`` the explorer pages' default fits are then computed into the shared fit
    cache (``backend.fits.warm``), so a first visitor does not wait for them."""
    reports = []
    for path, fmt in demo_paths():
        report = ingest_file(
            engine=engine,
            path=path,
            filename=path.name,
            format=fmt,
            source="demo",
            created_by="demo",
        )
        reports.append(report)
        if progress is not None:
            progress(path, report)
    if warm_fits:
        from backend.fits.warm import warm_default_fits

        warm_default_fits(engine)
    return reports
