"""One module per input format; each defines ``ADAPTER`` (see ``backend.ingest.formats``)."""
