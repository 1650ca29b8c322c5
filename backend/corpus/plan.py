"""The counting logic as SQL: what the Spark engine runs (and DuckDB, for distinct tokens).

The DuckDB engine counts with numpy instead (:mod:`backend.corpus.batch_counts`); the tests
hold both, and this SQL, to the plain-Python reference.

Inputs (registered by the engine under these names):

- ``captions(shard INT, doc BIGINT, text STRING)``: one row per document, ``text`` already
  normalized by :func:`backend.corpus.text.normalize_array` (lowercase ``[a-z0-9]`` runs
  separated by spaces); ``doc`` is unique within a shard;
- ``forms(form STRING, word_id INT)``: each token that lemmatizes to a vocabulary word
  (stopwords never appear here, so they never match);
- ``concept_words(concept_id INT, word_id INT, n_words INT)``.

Words and concepts are integer ids (hash joins and aggregates on integers are faster than on
strings); concept ids follow the sorted concept names, so ``concept_a < concept_b`` on ids is the
same order as on names. :class:`backend.corpus.vocabulary.Vocabulary` builds both tables.

Steps: split ``text`` on spaces into tokens; keep the (shard, doc, word) triples whose token is a
form of a vocabulary word; a document mentions a concept when it has all ``n_words`` of its
words; count documents per (shard, concept) and per (shard, concept_a < concept_b).

Only three names differ between DuckDB and Spark SQL (how to split a string, how to turn a list
into rows, how to keep an intermediate table); :class:`Dialect` fills them in, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """The few spellings that differ between the SQL engines."""

    name: str
    split: str  # split(text, ' ') -> list of strings
    explode: str  # list -> one row per element
    materialize: str  # statement prefix that keeps a query's result as table {table}


DUCKDB = Dialect("duckdb", "string_split", "unnest", "CREATE OR REPLACE TEMP TABLE {table} AS")
SPARK = Dialect("spark", "split", "explode", "CACHE TABLE {table} AS")

_DOC_CONCEPTS = """
{materialize}
WITH tokens AS (
    SELECT shard, doc, {explode}({split}(text, ' ')) AS token
    FROM captions
),
doc_words AS (
    SELECT DISTINCT tokens.shard, tokens.doc, forms.word_id
    FROM tokens JOIN forms ON tokens.token = forms.form
)
SELECT doc_words.shard, doc_words.doc, concept_words.concept_id
FROM doc_words JOIN concept_words ON doc_words.word_id = concept_words.word_id
GROUP BY doc_words.shard, doc_words.doc, concept_words.concept_id, concept_words.n_words
HAVING count(*) = concept_words.n_words
"""

_CONCEPT_COUNTS = """
SELECT shard, concept_id, count(*) AS n
FROM doc_concepts
GROUP BY shard, concept_id
"""

_PAIR_COUNTS = """
SELECT a.shard, a.concept_id AS concept_a, b.concept_id AS concept_b, count(*) AS n
FROM doc_concepts a
JOIN doc_concepts b ON a.shard = b.shard AND a.doc = b.doc AND a.concept_id < b.concept_id
GROUP BY a.shard, a.concept_id, b.concept_id
"""

_DOCUMENT_COUNTS = """
SELECT shard, count(*) AS n
FROM captions
GROUP BY shard
"""

_DISTINCT_TOKENS = """
SELECT DISTINCT token
FROM (SELECT {explode}({split}(text, ' ')) AS token FROM captions) tokens
WHERE token <> ''
"""


_ALL_COUNTS = """
SELECT 'document' AS kind, shard, -1 AS concept_a, -1 AS concept_b, n FROM ({documents}) d
UNION ALL
SELECT 'concept' AS kind, shard, concept_id AS concept_a, -1 AS concept_b, n FROM ({concepts}) c
UNION ALL
SELECT 'pair' AS kind, shard, concept_a, concept_b, n FROM ({pairs}) p
"""


@dataclass(frozen=True)
class CountingPlan:
    """The statements of one counting step, spelled for one engine."""

    doc_concepts: str
    concept_counts: str
    pair_counts: str
    document_counts: str
    distinct_tokens: str

    def all_counts(self, *, pairs: bool = True) -> str:
        """One query for every count after ``doc_concepts``: rows (kind, shard, concept_a,
        concept_b, n) with kind 'document', 'concept' or 'pair' (one job instead of three)."""
        pair_query = self.pair_counts if pairs else self.pair_counts + " HAVING false"
        return _ALL_COUNTS.format(
            documents=self.document_counts, concepts=self.concept_counts, pairs=pair_query
        )


def counting_plan(dialect: Dialect) -> CountingPlan:
    """The counting statements in ``dialect``; run ``doc_concepts`` first, then the counts."""
    names = {"split": dialect.split, "explode": dialect.explode}
    materialize = dialect.materialize.format(table="doc_concepts")
    return CountingPlan(
        doc_concepts=_DOC_CONCEPTS.format(materialize=materialize, **names),
        concept_counts=_CONCEPT_COUNTS,
        pair_counts=_PAIR_COUNTS,
        document_counts=_DOCUMENT_COUNTS,
        distinct_tokens=_DISTINCT_TOKENS.format(**names),
    )
