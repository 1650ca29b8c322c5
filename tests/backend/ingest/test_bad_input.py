"""Bad files are refused as a whole with a message naming file, row and column, and leave the
database exactly as it was (on SQLite and Postgres)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from backend.config import get_settings
from backend.exceptions import IngestError
from backend.schemas import records as rec
from backend.services import uploads
from tests.backend.ingest.conftest import count, snapshot

GOOD = (
    "model,revision,eval_set,metric,value,stderr,n\n"
    "m1,step1,pile,loss,3.2,0.01,1000\n"
    "m1,step2,pile,loss,3.0,0.01,1000\n"
    "m2,step1,arc,acc,0.41,0.02,1172\n"
)


@pytest.fixture
def seeded(engine, write):
    """A database that already holds one good upload (so 'unchanged' is not just 'empty')."""
    uploads.ingest_file(engine=engine, path=write("good.csv", GOOD))
    return snapshot(engine)


def refused(engine, path, **kwargs) -> list:
    with pytest.raises(IngestError) as caught:
        uploads.ingest_file(engine=engine, path=path, **kwargs)
    return caught.value.problems


@pytest.mark.parametrize(
    ("content", "row", "column", "message"),
    [
        # a truncated last row
        (GOOD + "m2,step2,arc,ac", 5, None, "expected 7 fields as in the header, found 4"),
        (
            "model,revision,eval_set,metric,value\nm,s,e,acc,abc\n",
            2,
            "value",
            "expected a number, found 'abc'",
        ),
        ("model,revision,eval_set,metric,value\nm,s,e,acc,nan\n", 2, "value", "finite"),
        ("model,revision,eval_set,metric,value\nm,s,e,acc,inf\n", 2, "value", "finite"),
        ("model,revision,eval_set,metric,value,n\nm,s,e,acc,0.5,-3\n", 2, "n", "count >= 0"),
        ("model,revision,eval_set,metric,value,stderr\nm,s,e,acc,0.5,-0.1\n", 2, "stderr", ">= 0"),
        ("model,revision,eval_set,metric,value,n_params\nm,s,e,acc,0.5,0\n", 2, "n_params", "> 0"),
        (
            "model,revision,eval_set,metric,value,unit\nm,s,e,acc,140,percent\n",
            2,
            "unit",
            "percentage in [0, 100]",
        ),
        (
            "model,revision,eval_set,metric,value,colour\nm,s,e,acc,0.5,red\n",
            1,
            "colour",
            "unknown column",
        ),
        ("model,revision,metric,value\nm,s,acc,0.5\n", 1, "eval_set", "required column"),
        ("model,revision,eval_set,metric,value\n,s,e,acc,0.5\n", 2, "model", "empty cell"),
    ],
    ids=[
        "truncated",
        "wrong-type",
        "nan",
        "inf",
        "negative-count",
        "negative-stderr",
        "zero-params",
        "percent-out-of-range",
        "unknown-column",
        "missing-column",
        "empty-key",
    ],
)
def test_bad_long_csv(engine, seeded, write, content, row, column, message):
    problems = refused(engine, write("bad.csv", content))
    first = problems[0]
    assert (first.file, first.row, first.column) == ("bad.csv", row, column)
    assert message in first.message
    assert snapshot(engine) == seeded


def test_bad_rows_after_good_ones_write_nothing(engine, seeded, write, monkeypatch):
    """Problems found after many rows were staged (several batches) still write nothing."""
    monkeypatch.setattr(get_settings(), "ingest_batch_rows", 7)
    lines = [f"m{i},final,e{i % 3},acc,0.{i % 10}" for i in range(100)]
    lines.append("mx,final,e0,acc,1e999")
    path = write("late.csv", "model,revision,eval_set,metric,value\n" + "\n".join(lines) + "\n")
    problems = refused(engine, path)
    assert [(p.row, p.column) for p in problems] == [(102, "value")]
    assert snapshot(engine) == seeded


def test_duplicate_keys_with_conflicting_values_across_batches(engine, seeded, write, monkeypatch):
    monkeypatch.setattr(get_settings(), "ingest_batch_rows", 2)
    content = (
        "model,revision,eval_set,metric,value\n"
        "a,final,e,acc,0.5\n"
        "b,final,e,acc,0.6\n"
        "a,final,e,acc,0.5\n"  # an exact repeat is fine
        "c,final,e,acc,0.7\n"
        "a,final,e,acc,0.9\n"  # a conflicting repeat is not
    )
    problems = refused(engine, write("dups.csv", content))
    assert len(problems) == 1
    assert problems[0].row == 6 and problems[0].column == "value"
    assert "rows 2 and 6" in problems[0].message and "'a'" in problems[0].message
    assert snapshot(engine) == seeded


def test_exact_duplicates_are_written_once(engine, write):
    content = "model,revision,eval_set,metric,value\na,final,e,acc,0.5\na,final,e,acc,0.5\n"
    report = uploads.ingest_file(engine=engine, path=write("twice.csv", content))
    assert report.counts["measurements"].new == 1 and count(engine, "measurements") == 1


def test_conflicting_descriptions_of_one_model(engine, seeded, write):
    content = (
        "model,revision,eval_set,metric,value,n_params\n"
        "a,final,e,acc,0.5,1e6\n"
        "a,final,f,acc,0.6,2e6\n"
    )
    problems = refused(engine, write("models.csv", content))
    assert (problems[0].row, problems[0].column) == (3, "n_params")
    assert "row 2 says 1000000.0" in problems[0].message
    assert snapshot(engine) == seeded


def test_non_utf8_text_names_the_line(engine, seeded, write):
    content = GOOD.encode() + "m3,step1,caf\u00e9,acc,0.5,0.01,10\n".encode("latin-1")
    problems = refused(engine, write("latin1.csv", content))
    assert problems[0].row == 5 and "not UTF-8" in problems[0].message
    assert "0xe9" in problems[0].message
    assert snapshot(engine) == seeded


def test_truncated_json(engine, seeded, write, demo_data_dir):
    source = demo_data_dir / "pythia_evals" / "pythia-70m" / "zero-shot" / "70m_step1000.json"
    text = source.read_text()
    problems = refused(
        engine, write("70m_step1000.json", text[: len(text) // 2]), format="lm_eval_harness"
    )
    assert problems[0].file == "70m_step1000.json" and problems[0].row > 1
    assert "not valid JSON" in problems[0].message
    assert snapshot(engine) == seeded


def test_negative_and_nan_counts_in_frequency_json(engine, seeded, write):
    path = write(
        "cifar10_laion400m_lemmatized_search_counts.json",
        json.dumps({"dog": 10, "cat": -4, "frog": 2.5}),
    )
    problems = refused(engine, path, format="concept_frequencies")
    assert [(p.column, p.message) for p in problems] == [
        ("cat", "expected a count >= 0, found -4"),
        ("frog", "expected a whole number, found 2.5"),
    ]
    nan = write("x_laion400m_lemmatized_search_counts.json", '{"dog": NaN}')
    assert "NaN" in refused(engine, nan, format="concept_frequencies")[0].message
    assert snapshot(engine) == seeded


def test_records_from_code_are_checked_too(engine, seeded):
    bad = [
        rec.MeasurementRecord("m", "final", "e", "acc", float("nan")),
        rec.ConceptFrequencyRecord("c", "lemmatized", "dog", -1),
        rec.ConceptPairFrequencyRecord("c", "lemmatized", "dog", "dog", 3),
    ]
    with pytest.raises(IngestError) as caught:
        uploads.ingest_records(engine=engine, records=bad, format="eval_job")
    assert [p.column for p in caught.value.problems] == ["value", "count", "concept_b"]
    assert snapshot(engine) == seeded


def test_problems_are_capped_and_the_file_stops_early(engine, write):
    rows = "\n".join(f"m,final,e{i},acc,bad" for i in range(500))
    problems = refused(engine, write("many.csv", "model,revision,eval_set,metric,value\n" + rows))
    assert len(problems) == 50 and problems[-1].row == 51


def test_undetectable_and_unknown_format(engine, write):
    problems = refused(engine, write("notes.txt", "just some words\n"))
    assert "cannot tell the format" in problems[0].message and problems[0].file == "notes.txt"
    assert "unknown format" in str(refused(engine, write("a.csv", GOOD), format="excel")[0])
    assert "empty" in refused(engine, write("empty.csv", ""))[0].message


STREAM_SCRIPT = """
import resource, sys
from backend import db
from backend.services import uploads
engine = db.get_engine(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
report = uploads.ingest_file(engine=engine, path=sys.argv[2])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(report.counts["measurements"].new, before // 1024, after // 1024)
"""


def write_big_long_csv(path, target_bytes: int) -> int:
    """A long CSV of about ``target_bytes`` with wide rows (names near their length limits, so
    fewer rows to store; 200 checkpoints; every key distinct); returns its row count."""
    pad = "x" * 250
    rows = 0
    with open(path, "w") as handle:
        handle.write("model,revision,eval_set,metric,value,stderr,n\n")
        written = 0
        while written < target_bytes:
            line = (
                f"model-{rows % 40:02d}-{pad},step{(rows // 40) % 5}-{pad[:150]},"
                f"corpus-{(rows // 200) % 1000:03d}-{pad[:180]},metric-{rows // 200000}-"
                f"{pad[:80]},{(rows % 997) / 997:.6f},0.001,1000\n"
            )
            handle.write(line)
            written += len(line)
            rows += 1
    return rows


@pytest.mark.slow
def test_200_mb_file_streams_with_bounded_memory(db_url, engine, tmp_path):
    path = tmp_path / "big.csv"
    rows = write_big_long_csv(path, 200 * 1024 * 1024)
    done = subprocess.run(
        [sys.executable, "-c", STREAM_SCRIPT, db_url, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    written, before_mb, peak_mb = map(int, done.stdout.split())
    assert written == rows == count(engine, "measurements")
    # The file is 200 MB; the process grows by far less than that.
    assert peak_mb - before_mb < 80, (before_mb, peak_mb)


def test_database_constraints_become_ingest_errors(engine, seeded):
    """A value only the database's own constraints catch still names the upload."""
    records = [rec.MeasurementRecord("m", "final", "e", "x" * 150, 0.5)]  # metric: 100 chars max
    records.append(rec.CheckpointRecord("m", "final", step=-5))  # step must be >= 0
    with pytest.raises(IngestError) as caught:
        uploads.ingest_records(engine=engine, records=records, format="eval_job", filename="job-7")
    assert caught.value.problems[0].file == "job-7"
    assert "the database refused the upload" in caught.value.problems[0].message
    assert snapshot(engine) == seeded
