"""The bundled demo data set: a compact subset of published results (sources and licences in
``data/README.md``), loaded through the ingest service like any upload."""
