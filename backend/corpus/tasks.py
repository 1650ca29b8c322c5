"""The two corpus tasks as specs (plain JSON, the same for the CLI and the job queue) and the
functions that run them: count concepts of a caption corpus, compare test embeddings with a
corpus's image embeddings. Both report progress, stop between shards when asked, and store
their results (see :mod:`backend.corpus.store`)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Engine, select

from backend import db, models
from backend.config import get_settings
from backend.corpus.counting import count_corpus, discover_vocabulary
from backend.corpus.engines import make_engine
from backend.corpus.readers import DEFAULT_COLUMN, resolve_shards
from backend.corpus.similarity import embedding_shards, max_similarity
from backend.corpus.store import store_counts, store_similarity
from backend.corpus.vocabulary import Vocabulary, read_word_list, vocabulary_from_names
from backend.exceptions import IngestError, IngestProblem, NotFoundError, ValidationError

COUNT_KIND = "corpus_concept_counts"
SIMILARITY_KIND = "corpus_train_test_similarity"
KINDS = (COUNT_KIND, SIMILARITY_KIND)

#: progress(fraction 0..1, message)
Progress = Callable[[float, str], None]


class CountSpec(BaseModel):
    """Count concepts and pairs of a caption corpus. The vocabulary is exactly one of:
    ``concepts`` (names), ``concepts_file`` (a word list), ``eval_set`` (the class names that
    eval set has scores for, or its ``attributes.classnames``), ``min_count`` (every word in at
    least that many documents)."""

    model_config = ConfigDict(extra="forbid")

    corpus: str = Field(min_length=1, max_length=200)
    sources: list[str] = Field(min_length=1)
    column: str = DEFAULT_COLUMN
    concepts: list[str] | None = None
    concepts_file: str | None = None
    eval_set: str | None = None
    min_count: int | None = Field(default=None, ge=1)
    engine: str | None = None
    pairs: bool = True

    @model_validator(mode="after")
    def _one_vocabulary(self) -> CountSpec:
        given = [
            name
            for name in ("concepts", "concepts_file", "eval_set", "min_count")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one vocabulary: concepts, concepts_file, eval_set or min_count"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class SimilaritySpec(BaseModel):
    """Compare test-image embeddings with a corpus's image embeddings. The test side is either
    precomputed (``test_embeddings``: ``.npy``, one row per test image in the order of
    ``samples_file``) or ``evaluation``: a zero-shot evaluation spec (model, dataset, options of
    ``backend.evaluation``) whose images are embedded on the worker, which also records whether
    each image was classified right. ``device`` runs the corpus products with torch (``cuda``)."""

    model_config = ConfigDict(extra="forbid")

    corpus: str = Field(min_length=1, max_length=200)
    eval_set: str = Field(min_length=1, max_length=200)
    corpus_embeddings: list[str] = Field(min_length=1)
    test_embeddings: str | None = None
    evaluation: dict[str, Any] | None = None
    samples_file: str | None = None  # CSV with columns sample[,label], or one name per line
    embedding_model: str = "unknown-model"
    k: int = Field(default=5, ge=1, le=100)
    search: str = "auto"
    device: str | None = None

    @model_validator(mode="after")
    def _one_test_side(self) -> SimilaritySpec:
        if (self.test_embeddings is None) == (self.evaluation is None):
            raise ValueError("give exactly one of test_embeddings and evaluation")
        return self

    @property
    def method(self) -> str:
        return f"{self.embedding_model} {self.search}"


def parse(spec: dict[str, Any] | BaseModel, model: type[BaseModel]):
    """A spec from JSON; a malformed one raises ``ValidationError`` naming the fields."""
    if isinstance(spec, model):
        return spec
    try:
        return model.model_validate(spec)
    except Exception as exc:  # pydantic's ValidationError
        raise ValidationError(f"invalid {model.__name__}: {exc}") from exc


def _eval_set_classes(*, engine: Engine, name: str) -> list[str]:
    with db.session_scope(engine) as session:
        eval_set = session.scalar(select(models.EvalSet).where(models.EvalSet.name == name))
        if eval_set is None:
            raise NotFoundError(f"no eval set named {name!r}")
        classnames = (eval_set.attributes or {}).get("classnames")
        if isinstance(classnames, list) and classnames:
            return [str(c) for c in classnames]
        concepts = session.scalars(
            select(models.ConceptScore.concept)
            .where(models.ConceptScore.eval_set_id == eval_set.id)
            .distinct()
            .order_by(models.ConceptScore.concept)
        ).all()
    if not concepts:
        raise ValidationError(f"eval set {name!r} has no class names and no per-class scores")
    return list(concepts)


def run_count(
    spec: CountSpec | dict[str, Any],
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    store: bool = True,
    source: str = "job",
    job_id: int | None = None,
    created_by: str | None = None,
) -> dict[str, Any]:
    """Run a counting spec (resuming from its per-shard checkpoints) and store the counts."""
    spec = parse(spec, CountSpec)
    engine = engine or db.get_engine()
    settings = get_settings()
    shards = resolve_shards(spec.sources)
    counter = make_engine(spec.engine, settings=settings)
    report = progress or (lambda _f, _m: None)
    try:
        vocabulary: Vocabulary
        if spec.min_count is not None:
            report(0.0, f"finding every word in {spec.min_count}+ documents")
            vocabulary = discover_vocabulary(
                shards=shards, engine=counter, min_count=spec.min_count, column=spec.column
            )
        elif spec.concepts is not None:
            vocabulary = vocabulary_from_names(spec.concepts)
        elif spec.concepts_file is not None:
            vocabulary = vocabulary_from_names(read_word_list(spec.concepts_file))
        else:
            vocabulary = vocabulary_from_names(_eval_set_classes(engine=engine, name=spec.eval_set))
        counts = count_corpus(
            shards=shards,
            vocabulary=vocabulary,
            engine=counter,
            column=spec.column,
            pairs=spec.pairs,
            checkpoint_dir=settings.data_dir / "corpus-checkpoints",
            progress=lambda done, total, msg: report(0.95 * done / total, msg),
            should_cancel=should_cancel,
        )
    finally:
        close = getattr(counter, "close", None)
        if close:
            close()
    result: dict[str, Any] = {
        "corpus": spec.corpus,
        "method": counts.method,
        "engine": counter.name,
        "n_documents": counts.n_documents,
        "n_shards": counts.n_shards,
        "resumed_shards": counts.resumed_shards,
        "n_concepts": len(counts.concepts),
        "concepts_found": sum(1 for n in counts.concepts.values() if n),
        "n_pairs": len(counts.pairs),
        "skipped_concepts": list(counts.skipped_concepts),
    }
    if store:
        report(0.96, f"storing {len(counts.concepts)} concepts and {len(counts.pairs)} pairs")
        upload = store_counts(
            engine=engine,
            counts=counts,
            corpus=spec.corpus,
            source=source,
            job_id=job_id,
            created_by=created_by,
            details={"engine": counter.name, "column": spec.column},
        )
        result["upload_id"] = upload.upload_id
        result["tables"] = {t: c.model_dump() for t, c in upload.counts.items()}
    result["counts"] = counts
    return result


def read_samples(path: str | None, n: int) -> tuple[list[str], list[str | None] | None]:
    """Test sample names and labels: a CSV with ``sample`` (and ``label``) columns, or one
    name per line; without a file the samples are the row numbers."""
    if path is None:
        return [str(i) for i in range(n)], None
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(IngestProblem(f"unreadable samples file: {exc}", str(file))) from exc
    if file.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        if rows and "sample" not in rows[0]:
            raise IngestError(IngestProblem("no such column", file=str(file), column="sample"))
        samples = [r["sample"] for r in rows]
        labels = [r.get("label") or None for r in rows] if rows and "label" in rows[0] else None
    else:
        samples, labels = [line.strip() for line in text.splitlines() if line.strip()], None
    if len(samples) != n:
        raise IngestError(
            IngestProblem(f"{len(samples)} samples for {n} test embeddings", file=str(file))
        )
    return samples, labels


def run_similarity(
    spec: SimilaritySpec | dict[str, Any],
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    store: bool = True,
    source: str = "job",
    job_id: int | None = None,
    created_by: str | None = None,
) -> dict[str, Any]:
    """Compare the test embeddings with the corpus embeddings and store per-image results."""
    spec = parse(spec, SimilaritySpec)
    report = progress or (lambda _f, _m: None)
    shards = embedding_shards(spec.corpus_embeddings)
    correct = None
    if spec.evaluation is not None:
        from backend.evaluation.embeddings import embed_dataset

        embedded = embed_dataset(
            spec.evaluation,
            progress=lambda f, msg: report(0.3 * f, msg),
            should_cancel=should_cancel or (lambda: False),
        )
        queries = embedded.vectors
        samples = [str(i) for i in range(len(queries))]
        labels = [embedded.classnames[t] for t in embedded.targets]
        correct = [bool(c) for c in embedded.correct]
    else:
        try:
            queries = np.load(spec.test_embeddings, allow_pickle=False)
        except (OSError, ValueError) as exc:
            problem = IngestProblem(f"unreadable test embeddings: {exc}", spec.test_embeddings)
            raise IngestError(problem) from exc
        samples, labels = read_samples(spec.samples_file, len(queries))
    scorer = None
    if spec.device and spec.device != "cpu":
        from backend.evaluation.embeddings import torch_scorer

        scorer = torch_scorer(spec.device)
    start = 0.3 if spec.evaluation is not None else 0.0
    result = max_similarity(
        queries=queries,
        shards=shards,
        k=spec.k,
        method=spec.search,
        scorer=scorer,
        progress=lambda done, total, msg: report(start + (0.95 - start) * done / total, msg),
        should_cancel=should_cancel,
    )
    summary: dict[str, Any] = {
        "corpus": spec.corpus,
        "eval_set": spec.eval_set,
        "method": spec.method,
        "n_test": len(samples),
        "n_corpus": result.n_corpus,
        "mean_similarity": float(result.similarity.mean()),
        "max_similarity": float(result.similarity.max()),
    }
    if store:
        with db.session_scope(engine or db.get_engine()) as session:
            written = store_similarity(
                session=session,
                corpus=spec.corpus,
                eval_set=spec.eval_set,
                method=spec.method,
                samples=samples,
                labels=labels,
                result=result,
                correct=correct,
                source=source,
                job_id=job_id,
                created_by=created_by,
            )
        summary.update(written)
    summary["result"] = result
    summary["samples"] = samples
    summary["labels"] = labels
    summary["correct"] = correct
    if correct is not None:
        summary["accuracy"] = float(np.mean(correct))
    return summary
