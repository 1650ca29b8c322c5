"""The tiny runnable model's architecture, as plain data (no torch): the open_clip config,
its name and the caption templates it is trained and evaluated with. ``tiny`` builds and
trains it; the demo registers it (``backend.demo.runnable``) without loading torch."""

TINY_ARCH = "scalescope-tiny-vit"
TINY_CONFIG = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 64, "patch_size": 8, "head_width": 32},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}
TRAIN_TEMPLATES = ("a photo of a {}.", "a {} square.")
