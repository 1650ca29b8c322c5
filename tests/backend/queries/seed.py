"""A small database with known contents, written through the ORM, for query and API tests.

Three models (``a-small`` and ``org/a-big`` trained on ``fineweb``, ``b-small`` on
``starcoder``; ``a-small`` and ``b-small`` share N and D, so they pair train-to-train), three
checkpoints each at steps 100, 200, 300 with tokens = 1000·step; loss on ``val-a`` is
``10 / step + k`` and accuracy on ``bench`` is ``step / 1000`` (except ``b-small`` at step 300,
which has no accuracy). ``a-small`` at step 300 has per-concept scores; corpus ``laion``
counts two of those concepts and one pair.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.ingest import coverage
from backend.models import (
    Checkpoint,
    ConceptFrequency,
    ConceptPairFrequency,
    ConceptScore,
    Corpus,
    EvalSet,
    Measurement,
    Model,
    Upload,
)

MODELS = {
    "a-small": dict(pretraining_data="fineweb", n_params=1e6, k=1.0, depth=2),
    "b-small": dict(pretraining_data="starcoder", n_params=1e6, k=2.0, depth=2),
    "org/a-big": dict(pretraining_data="fineweb", n_params=1e7, k=0.5, depth=4),
}
STEPS = (100, 200, 300)
N_MEASUREMENTS = 3 * 3 + 3 * 3 - 1
CONCEPT_SCORES = {"cat": 0.9, "dog": 0.4, "emu": 0.1}
CONCEPT_COUNTS = {"cat": 1000, "dog": 10}


def loss(model: str, step: int) -> float:
    """The seeded validation loss."""
    return 10.0 / step + MODELS[model]["k"]


def seed(session: Session) -> None:
    """Write the toy data set and commit."""
    upload = Upload(format="test", filename="seed.csv", counts={"measurements": N_MEASUREMENTS})
    val = EvalSet(name="val-a", kind="validation")
    bench = EvalSet(name="bench", kind="benchmark", n_classes=2, chance_accuracy=0.5)
    corpus = Corpus(name="laion")
    session.add_all([upload, val, bench, corpus])
    session.flush()
    for name, spec in MODELS.items():
        model = Model(
            name=name,
            family="toy",
            architecture="transformer",
            pretraining_data=spec["pretraining_data"],
            n_params=spec["n_params"],
            tokenizer="gpt2",
            attributes={"depth": spec["depth"]},
        )
        session.add(model)
        for step in STEPS:
            ckpt = Checkpoint(
                model=model, revision=f"step{step}", step=step, tokens_seen=1000.0 * step
            )
            session.add(ckpt)
            session.flush()
            session.add(
                Measurement(
                    checkpoint_id=ckpt.id,
                    eval_set_id=val.id,
                    metric="loss",
                    value=loss(name, step),
                    upload_id=upload.id,
                )
            )
            if not (name == "b-small" and step == 300):
                session.add(
                    Measurement(
                        checkpoint_id=ckpt.id,
                        eval_set_id=bench.id,
                        metric="acc",
                        value=step / 1000,
                        stderr=0.01,
                        n=1000,
                        unit="percent",
                        upload_id=upload.id,
                    )
                )
            if name == "a-small" and step == 300:
                for concept, value in CONCEPT_SCORES.items():
                    session.add(
                        ConceptScore(
                            checkpoint_id=ckpt.id,
                            eval_set_id=bench.id,
                            metric="acc",
                            concept=concept,
                            value=value,
                            n=50,
                        )
                    )
    for concept, count in CONCEPT_COUNTS.items():
        session.add(
            ConceptFrequency(corpus_id=corpus.id, method="lemmatized", concept=concept, count=count)
        )
    session.add(
        ConceptPairFrequency(
            corpus_id=corpus.id, method="lemmatized", concept_a="cat", concept_b="dog", count=5
        )
    )
    session.flush()
    # rows added directly, not through the ingest write path: fill the coverage grid as undo does
    coverage.refresh(session.connection())
    session.commit()
