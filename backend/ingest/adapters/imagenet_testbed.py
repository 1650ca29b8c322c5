"""The imagenet-testbed matrix (``robustness_top1s.csv``): one row per model, one column per
test condition (``val``, ``imagenetv2-matched-frequency``, ``objectnet-1.0-beta``,
``imagenet-c.*``...), top-1 accuracy in percent. Sparse: blank cells are skipped.

Each condition is an eval set of that name with metric ``top1`` (stored as a fraction, unit
``percent``); the checkpoint is ``final``. Each model gets its training data (ImageNet-1k or
more data) and architecture from its name (:mod:`.testbed_models`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters import testbed_models
from backend.ingest.adapters.common import cell_measurement
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import CellError, Problems, parse_text
from backend.schemas import records as rec


def sniff(sample: Sample) -> bool:
    """A CSV whose first column is ``model`` and that has a ``val`` column and ImageNet
    conditions."""
    header = [h.strip() for h in sample.header]
    return (
        bool(header)
        and header[0] == "model"
        and "val" in header
        and any(h.startswith(("imagenet", "objectnet")) for h in header)
    )


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Measurements of every filled cell."""
    (header,) = read_header(path, problems)
    header = [h.strip() for h in header]
    for row, fields in iter_rows(path, problems):
        try:
            model = parse_text(fields[0])
        except CellError as exc:
            problems.add(str(exc), row=row, column="model")
            continue
        yield rec.ModelRecord(
            model,
            architecture=testbed_models.architecture(model),
            pretraining_data=testbed_models.training_data(model),
            row=row,
        )
        for index in range(1, len(header)):
            record = cell_measurement(
                fields[index],
                model=model,
                revision=rec.DEFAULT_REVISION,
                eval_set=header[index],
                metric="top1",
                row=row,
                column=header[index],
                problems=problems,
                unit="percent",
            )
            if record is not None:
                yield record


ADAPTER = Adapter(
    "imagenet_testbed",
    "imagenet-testbed matrix: model, then top-1 (%) per test condition",
    sniff,
    read,
)
