"""Store corpus statistics where the explorers read them, and read similarities back.

Concept and pair counts go through the ingest write path (``services.uploads.ingest_records``)
as canonical records: one upload, the corpus's ``n_documents``, a ``concept_frequencies`` row
per vocabulary concept (zeros included) and a ``concept_pair_frequencies`` row per co-occurring
pair, all under the counting method (:data:`backend.corpus.counts.METHOD`).

Train-test similarities have no canonical record (they are per image, not per concept); they
are written here, replacing the previous rows of the same corpus, eval set and method, under an
``uploads`` row of their own for provenance.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from backend import models
from backend.corpus.counts import CorpusCounts
from backend.corpus.similarity import SimilarityResult
from backend.exceptions import NotFoundError, ValidationError
from backend.schemas.records import (
    ConceptFrequencyRecord,
    CorpusRecord,
    Record,
    concept_pair,
)

COUNTS_FORMAT = "corpus_counts"
SIMILARITY_FORMAT = "train_test_similarity"


def count_records(
    counts: CorpusCounts, *, corpus: str, details: dict[str, Any] | None = None
) -> Iterator[Record]:
    """The canonical records of a counting run: the corpus, then its frequencies."""
    yield CorpusRecord(
        name=corpus,
        n_documents=counts.n_documents,
        attributes={
            "counting": {"method": counts.method, "shards": counts.n_shards, **(details or {})}
        },
    )
    for concept, n in counts.concepts.items():
        yield ConceptFrequencyRecord(corpus, counts.method, concept, int(n))
    for (a, b), n in counts.pairs.items():
        yield concept_pair(corpus=corpus, method=counts.method, first=a, second=b, count=int(n))


def write_counts(
    *,
    session: Session,
    counts: CorpusCounts,
    corpus: str,
    source: str = "job",
    job_id: int | None = None,
    created_by: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write a counting run as one upload in the caller's transaction (a job commits it with
    its final status) through the ingest core; returns the upload id and rows per table."""
    from backend.ingest.core import write_upload
    from backend.ingest.validation import Problems

    report = write_upload(
        session.connection(),
        count_records(counts, corpus=corpus, details=details),
        problems=Problems(f"{corpus} counts"),
        format=COUNTS_FORMAT,
        source=source,
        filename=f"{corpus} ({counts.method})",
        created_by=created_by,
        job_id=job_id,
    )
    tables = {str(table): c.model_dump() for table, c in report.counts.items()}
    return {"upload_id": report.upload_id, "records": report.records, "tables": tables}


def store_counts(
    *,
    engine: Engine,
    counts: CorpusCounts,
    corpus: str,
    source: str = "job",
    job_id: int | None = None,
    created_by: str | None = None,
    details: dict[str, Any] | None = None,
):
    """Write a counting run as one upload through ``ingest_records`` (its own transaction);
    returns the ``UploadReport``."""
    from backend.services.uploads import ingest_records

    return ingest_records(
        engine=engine,
        records=count_records(counts, corpus=corpus, details=details),
        format=COUNTS_FORMAT,
        source=source,
        job_id=job_id,
        created_by=created_by,
        filename=f"{corpus} ({counts.method})",
    )


def _get_or_create(session: Session, model, name: str, **values) -> int:
    found = session.scalar(select(model.id).where(model.name == name))
    if found is not None:
        return found
    row = model(name=name, **values)
    session.add(row)
    session.flush()
    return row.id


def store_similarity(
    *,
    session: Session,
    corpus: str,
    eval_set: str,
    method: str,
    samples: Sequence[str],
    labels: Sequence[str | None] | None,
    result: SimilarityResult,
    correct: Sequence[bool] | None = None,
    source: str = "job",
    job_id: int | None = None,
    created_by: str | None = None,
) -> dict[str, int]:
    """Replace the similarities of (corpus, eval set, method) in the caller's transaction;
    returns the upload id and the number of rows."""
    n = len(samples)
    if n != len(result.similarity) or (labels is not None and len(labels) != n):
        raise ValidationError(
            f"{n} test samples but {len(result.similarity)} similarities"
            + (f" and {len(labels)} labels" if labels is not None else "")
        )
    if correct is not None and len(correct) != n:
        raise ValidationError(f"{n} test samples but {len(correct)} correctness flags")
    if len(set(samples)) != n:
        raise ValidationError("test sample names must be unique")
    corpus_id = _get_or_create(session, models.Corpus, corpus)
    eval_set_id = _get_or_create(session, models.EvalSet, eval_set, kind="benchmark")
    uploads = models.Upload.__table__
    upload_id = session.execute(
        insert(uploads)
        .values(
            created_by=created_by,
            source=source,
            format=SIMILARITY_FORMAT,
            filename=f"{corpus} x {eval_set} ({method})",
            status="committed",
            counts={},
        )
        .returning(uploads.c.id)
    ).scalar_one()
    table = models.TrainTestSimilarity.__table__
    session.execute(
        delete(table).where(
            table.c.corpus_id == corpus_id,
            table.c.eval_set_id == eval_set_id,
            table.c.method == method,
        )
    )
    similarity = np.clip(result.similarity.astype(float), -1.0, 1.0)
    rows = [
        {
            "corpus_id": corpus_id,
            "eval_set_id": eval_set_id,
            "method": method,
            "sample": str(samples[i]),
            "label": None if labels is None else labels[i],
            "similarity": float(similarity[i]),
            "nearest_ids": [int(x) for x in result.nearest_ids[i]],
            "correct": None if correct is None else bool(correct[i]),
            "upload_id": upload_id,
            "job_id": job_id,
        }
        for i in range(n)
    ]
    for start in range(0, n, 5000):
        session.execute(insert(table), rows[start : start + 5000])
    counts = {SIMILARITY_FORMAT: {"new": n, "updated": 0, "unchanged": 0}}
    session.execute(update(uploads).where(uploads.c.id == upload_id).values(counts=counts))
    return {"upload_id": upload_id, "rows": n}


def similarity_frame(
    *, session: Session, corpus: str, eval_set: str, method: str | None = None
) -> pd.DataFrame:
    """The stored similarities of one corpus and eval set: sample, label, similarity,
    nearest_ids, correct, method."""
    t = models.TrainTestSimilarity
    query = (
        select(t.sample, t.label, t.similarity, t.nearest_ids, t.correct, t.method)
        .join(models.Corpus, models.Corpus.id == t.corpus_id)
        .join(models.EvalSet, models.EvalSet.id == t.eval_set_id)
        .where(models.Corpus.name == corpus, models.EvalSet.name == eval_set)
        .order_by(t.sample)
    )
    if method is not None:
        query = query.where(t.method == method)
    rows = session.execute(query).all()
    if not rows:
        raise NotFoundError(f"no train-test similarities of {eval_set!r} against {corpus!r}")
    columns = ["sample", "label", "similarity", "nearest_ids", "correct", "method"]
    return pd.DataFrame(rows, columns=columns)


def accuracy_by_similarity(frame: pd.DataFrame, *, bins: int = 10) -> pd.DataFrame:
    """The paper's view: test images binned by max similarity (equal-count bins), per bin the
    mean similarity, the accuracy (share of ``correct``) and the number of images."""
    known = frame.dropna(subset=["correct"])
    if known.empty:
        raise ValidationError("these similarities carry no per-image correctness")
    n_bins = max(1, min(bins, len(known)))
    binned = known.assign(
        bin=pd.qcut(known["similarity"].rank(method="first"), n_bins, labels=False)
    )
    return (
        binned.groupby("bin")
        .agg(
            similarity=("similarity", "mean"),
            accuracy=("correct", "mean"),
            n_images=("correct", "size"),
        )
        .reset_index(drop=True)
    )


def accuracy_vs_similarity_frame(
    *, session: Session, corpus: str, eval_set: str, method: str | None = None
) -> pd.DataFrame:
    """Per class of the eval set and per checkpoint: the class's accuracy (``ConceptScore``)
    beside the mean and max similarity of its test images to the corpus."""
    sims = similarity_frame(session=session, corpus=corpus, eval_set=eval_set, method=method)
    per_class = (
        sims.dropna(subset=["label"])
        .groupby("label")["similarity"]
        .agg(mean_similarity="mean", max_similarity="max", n_images="size")
        .reset_index()
        .rename(columns={"label": "concept"})
    )
    cs, ck, md, es = models.ConceptScore, models.Checkpoint, models.Model, models.EvalSet
    scores = session.execute(
        select(md.name, ck.revision, cs.metric, cs.concept, cs.value)
        .join(ck, ck.id == cs.checkpoint_id)
        .join(md, md.id == ck.model_id)
        .join(es, es.id == cs.eval_set_id)
        .where(es.name == eval_set)
    ).all()
    frame = pd.DataFrame(scores, columns=["model", "revision", "metric", "concept", "accuracy"])
    return frame.merge(per_class, on="concept", how="inner")


def similarity_choices(*, session: Session) -> list[tuple[str, str, str]]:
    """Every (corpus, eval set, method) that has stored train-test similarities."""
    t = models.TrainTestSimilarity
    rows = session.execute(
        select(models.Corpus.name, models.EvalSet.name, t.method)
        .join(models.Corpus, models.Corpus.id == t.corpus_id)
        .join(models.EvalSet, models.EvalSet.id == t.eval_set_id)
        .distinct()
        .order_by(models.Corpus.name, models.EvalSet.name, t.method)
    ).all()
    return [tuple(row) for row in rows]
