"""The tiny model's builders under their old name, for the tests that import them from here;
they live in :mod:`backend.evaluation.tiny` (the demo's runnable evaluation uses them)."""

from backend.evaluation.tiny import (  # noqa: F401 (re-exported)
    CAPTION,
    COLORS,
    TINY_ARCH,
    TINY_CONFIG,
    TRAIN_TEMPLATES,
    SyntheticBenchmark,
    contrastive_spec,
    dataset_spec,
    synthetic_image,
    tiny_model_spec,
    train_tiny_checkpoint,
    write_synthetic_benchmark,
    zero_shot_spec,
)
