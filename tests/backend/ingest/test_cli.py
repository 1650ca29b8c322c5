"""``scalescope import`` and ``scalescope uploads list|undo|formats`` against a real database."""

from __future__ import annotations

import re

import pytest

from backend.cli import main
from backend.config import get_settings
from tests.backend.ingest.conftest import count

CSV = "model,revision,eval_set,metric,value\nm1,final,pile,loss,3.2\nm2,final,pile,loss,3.0\n"


@pytest.fixture
def cli_db(db_url, monkeypatch):
    monkeypatch.setattr(get_settings(), "database_url", db_url)
    return db_url


def test_import_dry_run_list_and_undo(cli_db, engine, write, capsys):
    path = write("losses.csv", CSV)
    assert main(["import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run (nothing written)" in out and "measurements: 2 new" in out
    assert count(engine, "measurements") == 0
    assert main(["import", str(path), "--format", "long_csv", "--by", "ada"]) == 0
    out = capsys.readouterr().out
    upload_id = re.search(r"upload (\d+): losses.csv as long_csv", out).group(1)
    assert count(engine, "measurements") == 2
    assert main(["uploads", "list"]) == 0
    listed = capsys.readouterr().out
    assert "committed" in listed and "losses.csv" in listed and "long_csv" in listed
    assert main(["uploads", "undo", upload_id]) == 0
    assert "measurements: 0 restored, 2 deleted" in capsys.readouterr().out
    assert count(engine, "measurements") == 0
    assert main(["uploads", "undo", upload_id]) == 1
    assert "already been undone" in capsys.readouterr().err


def test_import_refusal_lists_the_problems(cli_db, engine, write, capsys):
    path = write("bad.csv", "model,revision,eval_set,metric,value\nm1,final,pile,loss,oops\n")
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "refused; nothing was written" in err
    assert "bad.csv, row 2, column 'value': expected a number, found 'oops'" in err
    assert count(engine, "uploads") == 0


def test_formats_lists_every_adapter(cli_db, capsys):
    assert main(["uploads", "formats"]) == 0
    out = capsys.readouterr().out
    for name in ("lm_eval_harness", "clip_benchmark", "llm_line", "chinchilla", "wide_csv"):
        assert name in out


def test_file_name_meaning_survives_a_temporary_upload_path(engine, test_data_dir, tmp_path):
    """The API stores an upload under a temporary name and passes the user's file name."""
    from backend.services import uploads

    source = (
        test_data_dir
        / "frequency_determines_performance"
        / "search_counts"
        / "dtd_cc3m_lemmatized_search_counts.json"
    )
    temporary = tmp_path / "upload-3f2a.json"
    temporary.write_bytes(source.read_bytes())
    report = uploads.ingest_file(engine=engine, path=temporary, filename=source.name)
    assert report.filename == source.name and report.format == "concept_frequencies"
    assert count(engine, "corpora") == 1 and report.counts["concept_frequencies"].new > 0
