"""The Chinchilla training runs extracted by Besiroglu et al. 2024 from Hoffmann et al. 2022,
Fig. 4 (``svg_extracted_data.csv``): ``Model Size`` (N), ``Training FLOP`` (C), ``loss``.

Each row is one run: model ``chinchilla/N=<N>/C=<C>`` (family ``chinchilla``, n_params N),
checkpoint ``final`` with flops C and tokens D = C / (6 N), and the final training loss as
metric ``loss`` on the eval set ``massivetext`` (validation). ``x, y, color, hex_color`` are
artifacts of the extraction and are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import header_has
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import CellError, Problems, parse_float
from backend.schemas import records as rec

EVAL_SET = "massivetext"
REQUIRED = ("Model Size", "Training FLOP", "loss")
IGNORED = ("x", "y", "color", "hex_color")


def sniff(sample: Sample) -> bool:
    """A CSV with Model Size, Training FLOP and loss columns."""
    return header_has(sample.header, *REQUIRED)


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """A model, checkpoint and loss per run."""
    (header,) = read_header(path, problems)
    header = [h.strip() for h in header]
    for column in header:
        if column not in REQUIRED + IGNORED:
            problems.add("unknown column in a Chinchilla points file", row=1, column=column)
    problems.raise_if_any()
    where = {c: i for i, c in enumerate(header)}
    yield rec.EvalSetRecord(EVAL_SET, kind="validation")
    for row, fields in iter_rows(path, problems):
        column = "Model Size"
        try:
            n_params = parse_float(fields[where[column]], nonnegative=True)
            if n_params <= 0:
                raise CellError(f"expected a model size > 0, found {n_params!r}")
            column = "Training FLOP"
            flops = parse_float(fields[where[column]], nonnegative=True)
            column = "loss"
            loss = parse_float(fields[where[column]], nonnegative=True)
        except CellError as exc:
            problems.add(str(exc), row=row, column=column)
            continue
        model = f"chinchilla/N={n_params:.6g}/C={flops:.6g}"
        yield rec.ModelRecord(model, family="chinchilla", n_params=n_params, row=row)
        yield rec.CheckpointRecord(
            model, tokens_seen=flops / (6.0 * n_params), flops=flops, row=row
        )
        yield rec.MeasurementRecord(
            model, rec.DEFAULT_REVISION, EVAL_SET, "loss", loss, unit="nats", row=row
        )


ADAPTER = Adapter(
    "chinchilla",
    "Chinchilla points: Model Size, Training FLOP, loss (tokens = FLOP / (6 N))",
    sniff,
    read,
)
