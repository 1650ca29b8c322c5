"""Use cases that write (ingest, uploads, evaluations, shares, auth): one module per domain,
keyword-only functions taking a ``session``."""
