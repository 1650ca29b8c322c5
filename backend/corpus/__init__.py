"""Pretraining-corpus statistics: concept and pair frequencies, PMI, train-test similarity.

Modules, in the order data flows through them:

- :mod:`~backend.corpus.readers`: caption shards (Parquet, CSV, webdataset tar, text lines);
- :mod:`~backend.corpus.text`, :mod:`~backend.corpus.lemmatizer`: what a token is;
- :mod:`~backend.corpus.vocabulary`: concepts to count and their word tables;
- :mod:`~backend.corpus.plan`: the counting logic as SQL, what the Spark engine runs;
- :mod:`~backend.corpus.token_match`, :mod:`~backend.corpus.batch_counts`: the same counting
  with numpy on the caption bytes, what the DuckDB engine runs;
- :mod:`~backend.corpus.duckdb_engine` (embedded default), :mod:`~backend.corpus.spark_engine`
  (distributed), chosen by :func:`~backend.corpus.engines.make_engine`;
- :mod:`~backend.corpus.counting`: the run over shards (checkpoints, progress, cancel);
- :mod:`~backend.corpus.pmi`: pointwise mutual information of concept pairs;
- :mod:`~backend.corpus.similarity`: train-test similarity of image embeddings;
- :mod:`~backend.corpus.store`: results into the explorer's tables, similarities back out;
- :mod:`~backend.corpus.tasks`, :mod:`~backend.corpus.jobs`: the count and similarity tasks as
  specs shared by ``scalescope corpus`` and the job queue;
- :mod:`~backend.corpus.reference`: the papers' plain-Python counter (test oracle, baseline).
"""
