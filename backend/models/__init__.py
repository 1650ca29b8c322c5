"""ORM tables.

Natural keys (unique constraints) make re-uploading the same file an update, not a duplicate:

- ``Model.name``; ``Checkpoint(model_id, revision)``; ``EvalSet.name``;
  ``Measurement(checkpoint_id, eval_set_id, metric)``;
- ``Corpus.name``; ``ConceptFrequency(corpus_id, method, concept)``;
  ``ConceptPairFrequency(corpus_id, method, concept_a, concept_b)`` with ``concept_a < concept_b``;
- ``ConceptScore(checkpoint_id, eval_set_id, metric, concept)``.

Every row written by an ingest carries ``upload_id`` (the upload that last wrote it), so an
upload can be listed and undone. Every constraint and index is named (see ``db.NAMING``).

One module per area (accounts, uploads, results, corpus, jobs, coverage, fit cache); every
table is importable from here, and importing this package registers them all on
``Base.metadata``.
"""

from backend.db import Base
from backend.models.accounts import ApiToken, LoginSession, LoginThrottle, SharedView, User
from backend.models.columns import JSONDoc
from backend.models.corpus import (
    ConceptFrequency,
    ConceptPairFrequency,
    ConceptScore,
    Corpus,
    TrainTestSimilarity,
)
from backend.models.coverage import CoverageCell, CoveragePair
from backend.models.fit_cache import FitCacheEntry
from backend.models.jobs import EvalJob
from backend.models.results import Checkpoint, EvalSet, Measurement, Model
from backend.models.uploads import EntityMerge, Upload, UploadOverwrite

__all__ = [
    "Base",
    "JSONDoc",
    "User",
    "ApiToken",
    "LoginSession",
    "LoginThrottle",
    "SharedView",
    "Upload",
    "EntityMerge",
    "UploadOverwrite",
    "Model",
    "Checkpoint",
    "EvalSet",
    "Measurement",
    "Corpus",
    "ConceptFrequency",
    "ConceptPairFrequency",
    "ConceptScore",
    "TrainTestSimilarity",
    "EvalJob",
    "CoverageCell",
    "CoveragePair",
    "FitCacheEntry",
]
