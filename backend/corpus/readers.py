"""Caption shards: find them (paths, folders, globs) and stream their text column as Arrow.

Supported shard formats, by file name:

- ``.parquet``: the column named by ``column``;
- ``.csv`` (``.csv.gz``): the column named by ``column`` (header row required);
- ``.tar``: a webdataset shard; samples are the members sharing a key (the name up to the first
  dot), and ``column`` names the member extension that holds the caption (``txt`` by default,
  the way img2dataset writes it); samples without that member are skipped;
- ``.txt``: one caption per line (``column`` is ignored).

Both engines read shards through :func:`iter_text_batches`, so they see the same documents.
Problems raise :class:`~backend.exceptions.IngestError` naming the file (and the column or row).
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import tarfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backend.exceptions import IngestError, IngestProblem

FORMATS = {".parquet": "parquet", ".csv": "csv", ".gz": "csv", ".tar": "tar", ".txt": "txt"}
DEFAULT_COLUMN = "caption"
WEBDATASET_EXTENSION = "txt"

if TYPE_CHECKING:  # pyarrow is the corpus extra's: imported where shards are read, not here
    import pyarrow as pa


@dataclass(frozen=True)
class Shard:
    """One caption file and its position in the corpus (``index`` keys its checkpoint)."""

    index: int
    path: str
    format: str

    @property
    def name(self) -> str:
        return Path(self.path).name


def shard_format(path: str | Path) -> str | None:
    """The shard format of a file name, or None when it is not a caption shard."""
    name = Path(path).name.lower()
    if name.endswith(".csv.gz"):
        return "csv"
    suffix = Path(name).suffix
    return FORMATS.get(suffix) if suffix != ".gz" else None


def resolve_shards(sources: Sequence[str | Path]) -> list[Shard]:
    """Every shard named by ``sources`` (files, folders or glob patterns), sorted per source."""
    paths: list[str] = []
    for source in sources:
        source = str(source)
        if any(ch in source for ch in "*?["):
            matches = sorted(glob.glob(source, recursive=True))
        elif Path(source).is_dir():
            matches = sorted(str(p) for p in Path(source).rglob("*") if p.is_file())
            matches = [m for m in matches if shard_format(m)]
        else:
            matches = [source]
        if not matches:
            raise IngestError(IngestProblem("no caption shard matches this path", file=source))
        for match in matches:
            if not Path(match).is_file():
                raise IngestError(IngestProblem("no such file", file=match))
            if shard_format(match) is None:
                raise IngestError(
                    IngestProblem(
                        "not a caption shard (expected .parquet, .csv, .csv.gz, .tar or .txt)",
                        file=match,
                    )
                )
            if match not in paths:
                paths.append(match)
    return [Shard(i, p, shard_format(p) or "") for i, p in enumerate(paths)]


def iter_text_batches(
    shard: Shard, column: str = DEFAULT_COLUMN, batch_rows: int = 262_144
) -> Iterator[pa.Array]:
    """The shard's caption column as Arrow string arrays of at most ``batch_rows`` rows."""
    import pyarrow as pa

    readers = {"parquet": _parquet, "csv": _csv, "tar": _webdataset, "txt": _lines}
    try:
        yield from readers[shard.format](shard.path, column, batch_rows)
    except IngestError:
        raise
    except (OSError, pa.ArrowException, tarfile.TarError, UnicodeDecodeError, csv.Error) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise IngestError(IngestProblem(f"unreadable shard: {message}", file=shard.path)) from exc


def check_columns(shard: Shard, column: str) -> None:
    """Refuse a Parquet or CSV shard without ``column`` (cheap: reads the schema or header)."""
    import pyarrow as pa

    try:
        if shard.format == "parquet":
            import pyarrow.parquet as pq

            names = pq.read_schema(shard.path).names
        elif shard.format == "csv":
            with _open_text(shard.path) as handle:
                names = next(csv.reader(handle), None) or []
        else:
            return
    except (OSError, pa.ArrowException, csv.Error, UnicodeDecodeError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise IngestError(IngestProblem(f"unreadable shard: {message}", file=shard.path)) from exc
    if column not in names:
        raise _missing_column(shard.path, column, names)


def _missing_column(path: str, column: str, available: Sequence[str]) -> IngestError:
    shown = ", ".join(repr(c) for c in list(available)[:20]) or "none"
    return IngestError(
        IngestProblem(f"no such column (the file has {shown})", file=path, column=column)
    )


def _parquet(path: str, column: str, batch_rows: int) -> Iterator[pa.Array]:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    names = file.schema_arrow.names
    if column not in names:
        raise _missing_column(path, column, names)
    for batch in file.iter_batches(batch_size=batch_rows, columns=[column]):
        yield batch.column(0)


def _open_text(path: str) -> io.TextIOBase:
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _csv(path: str, column: str, batch_rows: int) -> Iterator[pa.Array]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with _open_text(path) as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise IngestError(IngestProblem("empty CSV file (no header row)", file=path))
    if column not in header:
        raise _missing_column(path, column, header)
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 24),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            include_columns=[column], column_types={column: pa.string()}
        ),
    )
    for batch in reader:
        values = batch.column(0)
        for start in range(0, len(values), batch_rows):
            yield values.slice(start, batch_rows)


def _webdataset(path: str, column: str, batch_rows: int) -> Iterator[pa.Array]:
    import pyarrow as pa

    extension = WEBDATASET_EXTENSION if column in ("", DEFAULT_COLUMN) else column.lstrip(".")
    captions: list[str] = []
    seen_any = False
    with tarfile.open(path, mode="r:*") as archive:
        for member in archive:
            if not member.isfile():
                continue
            base = member.name.rsplit("/", 1)[-1]
            if "." not in base or base.split(".", 1)[1] != extension:
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            seen_any = True
            captions.append(handle.read().decode("utf-8", errors="replace"))
            if len(captions) >= batch_rows:
                yield pa.array(captions, pa.string())
                captions = []
    if not seen_any:
        raise IngestError(
            IngestProblem(
                f"no sample of this webdataset shard has a .{extension} member",
                file=path,
                column=extension,
            )
        )
    if captions:
        yield pa.array(captions, pa.string())


def _lines(path: str, _column: str, batch_rows: int) -> Iterator[pa.Array]:
    import pyarrow as pa

    captions: list[str] = []
    with open(path, "rb") as handle:
        for row, raw in enumerate(handle, start=1):
            try:
                captions.append(raw.decode("utf-8").rstrip("\r\n"))
            except UnicodeDecodeError as exc:
                raise IngestError(
                    IngestProblem(f"not UTF-8 text ({exc.reason})", file=path, row=row)
                ) from exc
            if len(captions) >= batch_rows:
                yield pa.array(captions, pa.string())
                captions = []
    if captions:
        yield pa.array(captions, pa.string())
