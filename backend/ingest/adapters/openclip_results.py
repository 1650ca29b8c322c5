"""open_clip's results CSVs (``docs/openclip_results.csv``, ``openclip_classification_results.csv``,
``openclip_retrieval_results.csv``): one row per model, one column per benchmark.

The model is ``<name>/<pretrained>``; ``params (M)`` gives its parameter count and
``FLOPs (B)`` is kept as an attribute. The pretrained tag names the pretraining data and the
samples seen (``laion2b_s34b_b88k``: LAION-2B, 34B samples, batch 88k; ``laion400m_e32``:
LAION-400M, 32 epochs), as open_clip's pretrained tags are written.
Each benchmark column is an eval set of the same name
with metric ``acc1`` (zero-shot top-1, a fraction) in the results files, and the column's
retrieval metric (``Flickr image retr. R@1`` -> eval set ``Flickr``, metric
``image retr. R@1``) in the retrieval file; averages and Flickr/MSCOCO/WinoGAViL summary columns
get metric ``score``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import cell_measurement, header_has, optional_float
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import CellError, Problems, parse_text
from backend.schemas import records as rec

ID_COLUMNS = ("name", "pretrained", "params (M)", "FLOPs (B)")
SUMMARY = ("Average", "Flickr", "MSCOCO", "WinoGAViL")
# Tag segments after the dataset name: samples seen (s34b), batch size (b88k), epochs (e32).
_SAMPLES = re.compile(r"^s(\d+(?:\.\d+)?)([kmb])$")
_RUN_SEGMENT = re.compile(r"^(s\d+(?:\.\d+)?[kmb]|b\d+k|e\d+)$")
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9}
# Tags that name no dataset.
_NO_DATASET = ("pretrained", "v1")


def parse_pretrained_tag(tag: str) -> tuple[str | None, float | None]:
    """(pretraining data, samples seen) named by an open_clip pretrained tag."""
    segments = tag.split("_")
    cut = next((i for i, seg in enumerate(segments) if _RUN_SEGMENT.match(seg)), len(segments))
    data = "_".join(segments[:cut]) or None
    samples = next(
        (float(m[1]) * _SCALE[m[2]] for seg in segments if (m := _SAMPLES.match(seg))), None
    )
    return (None if data in _NO_DATASET else data), samples


def sniff(sample: Sample) -> bool:
    """A CSV with open_clip's name, pretrained, params and FLOPs columns."""
    return header_has(sample.header, *ID_COLUMNS)


def metric_of(column: str) -> tuple[str, str]:
    """(eval set, metric) of a benchmark column."""
    for prefix in ("Flickr ", "MSCOCO ", "WinoGAViL "):
        if column.startswith(prefix):
            return prefix.strip(), column[len(prefix) :]
    if column.startswith(SUMMARY):
        return column, "score"
    return column, "acc1"


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """A model and its measurements per row."""
    (header,) = read_header(path, problems)
    header = [h.strip() for h in header]
    metrics = {i: metric_of(c) for i, c in enumerate(header) if c not in ID_COLUMNS}
    where = {c: i for i, c in enumerate(header)}
    for row, fields in iter_rows(path, problems):
        try:
            name = parse_text(fields[where["name"]])
            pretrained = parse_text(fields[where["pretrained"]])
        except CellError as exc:
            problems.add(str(exc), row=row, column="name")
            continue
        model = f"{name}/{pretrained}"
        params = optional_float(
            fields[where["params (M)"]],
            row=row,
            column="params (M)",
            problems=problems,
            positive=True,
        )
        flops = optional_float(
            fields[where["FLOPs (B)"]], row=row, column="FLOPs (B)", problems=problems
        )
        pretraining_data, samples_seen = parse_pretrained_tag(pretrained)
        yield rec.ModelRecord(
            model,
            architecture=name,
            n_params=params * 1e6 if params else None,
            pretraining_data=pretraining_data,
            attributes={"gflops": flops} if flops is not None else {},
            row=row,
        )
        if samples_seen is not None:
            yield rec.CheckpointRecord(model, samples_seen=samples_seen, row=row)
        for index, (eval_set, metric) in metrics.items():
            record = cell_measurement(
                fields[index],
                model=model,
                revision=rec.DEFAULT_REVISION,
                eval_set=eval_set,
                metric=metric,
                row=row,
                column=header[index],
                problems=problems,
                unit="fraction",
            )
            if record is not None:
                yield record


ADAPTER = Adapter(
    "openclip_results",
    "open_clip results CSV: name, pretrained, params (M), FLOPs (B), one column per benchmark",
    sniff,
    read,
)
