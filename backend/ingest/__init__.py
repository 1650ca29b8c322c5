"""One adapter per input format, each turning a file into canonical records."""
