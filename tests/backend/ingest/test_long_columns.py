"""The long CSV's columnar fast path stores what the row-by-row path stores, and hands over to
it (with the right rows named) whenever a chunk holds something unusual."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backend.exceptions import IngestError
from backend.ingest.adapters import long_columns
from backend.services import uploads
from tests.conftest import _empty_all_tables

from .conftest import SNAPSHOT_TABLES


def stored(engine) -> dict[str, list[tuple]]:
    """Every ingest table's rows (sorted), without times."""
    out = {}
    with engine.connect() as conn:
        for table in SNAPSHOT_TABLES:
            rows = conn.execute(text(f"SELECT * FROM {table}"))
            out[table] = sorted(
                tuple(str(v) for k, v in row._mapping.items() if not k.endswith("_at"))
                for row in rows
            )
    return out


def both_ways(engine, path, monkeypatch) -> tuple:
    """(report, rows) of the columnar path, then of the row-by-row path on an emptied db."""
    monkeypatch.setattr(long_columns, "CHUNK_ROWS", 4)
    fast = uploads.ingest_file(engine=engine, path=path, source="cli")
    fast_rows = stored(engine)
    _empty_all_tables(engine)
    monkeypatch.setattr(long_columns, "applies", lambda columns: False)
    slow = uploads.ingest_file(engine=engine, path=path, source="cli")
    return fast, fast_rows, slow, stored(engine)


def long_rows(n: int, *, step: bool = True, cell=None) -> str:
    """A long CSV of ``n`` rows (two metrics per checkpoint); ``cell(i)`` overrides a value."""
    head = "model,revision,step,eval_set,metric,value,stderr,n\n" if step else None
    lines = [head or "model,revision,eval_set,metric,value,stderr,n\n"]
    for i in range(n):
        ck = i // 2
        value = cell(i) if cell else None
        value = f"{0.5 + i / 1000}" if value is None else value
        step_cell = f"{ck * 10}," if step else ""
        eval_set = "ImageNet 1k" if i % 3 else "val"  # aliases of imagenet
        lines.append(
            f"m{ck // 5},step{ck * 10},{step_cell}{eval_set},loss_{i % 2},{value},0.01,{100 + i}\n"
        )
    return "".join(lines)


@pytest.mark.parametrize("step", [True, False])
def test_columnar_path_stores_the_same_rows(engine, write, monkeypatch, step):
    path = write("long.csv", long_rows(23, step=step))
    fast, fast_rows, slow, slow_rows = both_ways(engine, path, monkeypatch)
    for table, rows in fast_rows.items():
        assert rows == slow_rows[table], table
    assert fast.records == slow.records
    assert fast.counts == slow.counts
    assert fast.counts["measurements"].new == 23
    assert fast_rows["coverage_cells"]


def test_unusual_chunks_hand_over_to_the_row_parser(engine, write, monkeypatch):
    # row 12 (in the third chunk of 4) has padding and a blank stderr: valid, but not fast
    content = long_rows(20).splitlines(keepends=True)
    content[11] = content[11].replace(",0.01,", ",,").replace("loss_0", " loss_0 ")
    path = write("long.csv", "".join(content))
    fast, fast_rows, slow, slow_rows = both_ways(engine, path, monkeypatch)
    for table, rows in fast_rows.items():
        assert rows == slow_rows[table], table
    assert fast.records == slow.records


def test_a_bad_value_after_fast_chunks_names_its_row_and_column(engine, write, monkeypatch):
    monkeypatch.setattr(long_columns, "CHUNK_ROWS", 4)
    path = write("bad.csv", long_rows(30, cell=lambda i: "oops" if i == 17 else None))
    with pytest.raises(IngestError) as caught:
        uploads.ingest_file(engine=engine, path=path, source="cli")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("bad.csv", 19, "value")
    assert stored(engine)["measurements"] == []


def test_rows_after_a_blank_line_keep_their_numbers(engine, write, monkeypatch):
    monkeypatch.setattr(long_columns, "CHUNK_ROWS", 4)
    lines = long_rows(12, cell=lambda i: "nan" if i == 9 else None).splitlines(keepends=True)
    lines.insert(6, "\n")  # a blank line 7: row i is now on line i + 3 from i = 5 on
    path = write("blank.csv", "".join(lines))
    with pytest.raises(IngestError) as caught:
        uploads.ingest_file(engine=engine, path=path, source="cli")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (12, "value")


def test_conflicting_duplicates_across_chunks_name_both_rows(engine, write, monkeypatch):
    monkeypatch.setattr(long_columns, "CHUNK_ROWS", 4)
    lines = long_rows(10).splitlines(keepends=True)
    first = lines[1].split(",")
    first[5] = "0.9"  # same key as row 2, another value
    lines.append(",".join(first))
    path = write("dup.csv", "".join(lines))
    with pytest.raises(IngestError) as caught:
        uploads.ingest_file(engine=engine, path=path, source="cli")
    (problem,) = caught.value.problems
    assert "rows 2 and 12" in problem.message
    assert (problem.row, problem.column) == (12, "value")


def test_a_checkpoint_stated_twice_differently_is_refused(engine, write, monkeypatch):
    monkeypatch.setattr(long_columns, "CHUNK_ROWS", 4)
    lines = long_rows(8).splitlines(keepends=True)
    lines.append("m0,step0,5,imagenet,loss_9,0.5,0.01,3\n")  # step0 said to be step 5
    path = write("ck.csv", "".join(lines))
    with pytest.raises(IngestError) as caught:
        uploads.ingest_file(engine=engine, path=path, source="cli")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (10, "step")
