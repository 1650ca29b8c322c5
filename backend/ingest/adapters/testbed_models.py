"""What the imagenet-testbed's model names say about each model: its training data (standard
ImageNet-1k, or more data, Taori et al. 2020's "trained with more data" group) and its
architecture. The testbed ships no metadata; these rules are read off the model names and the
testbed's model registry (modestyachts/imagenet-testbed, ``src/models``)."""

from __future__ import annotations

import re

STANDARD_DATA = "ImageNet-1k"
CLIP_DATA = "WIT-400M"  # OpenAI CLIP's training set (open_clip's "openai")
#: (pattern, training data), first match wins; everything else is trained on ImageNet-1k.
TRAINING_DATA = (
    (r"clip_zeroshot", CLIP_DATA),
    (r"instagram|FixResNeXt101_32x48d|_swsl", "Instagram-1B (weakly supervised)"),
    (r"_ssl", "YFCC-100M (semi-supervised)"),
    (r"noisystudent", "JFT-300M (noisy student)"),
    (r"jft", "JFT-300M"),
    (r"BiT-M|vit_|21k|11k", "ImageNet-21k"),
    (r"tencent-ml-images", "Tencent ML-Images"),
)
#: (pattern, architecture), first match wins.
ARCHITECTURES = (
    (r"^vit_|clip_zeroshot$", "ViT"),
    (r"efficientnet", "EfficientNet"),
    (r"resnext|ResNeXt", "ResNeXt"),
    (r"BiT-M|resnet|ResNet|^se_|senet", "ResNet"),
    (r"densenet", "DenseNet"),
    (r"^vgg", "VGG"),
    (r"^dpn", "DPN"),
    (r"pnasnet|PNASNet|nasnet", "NASNet"),
    (r"inception|googlenet|bninception|xception|polynet", "Inception"),
    (r"mobilenet|mnasnet|shufflenet|squeezenet", "mobile CNN"),
    (r"alexnet", "AlexNet"),
)


def training_data(model: str) -> str:
    """The data ``model`` was trained on: ImageNet-1k unless its name says more data."""
    for pattern, data in TRAINING_DATA:
        if re.search(pattern, model):
            return data
    return STANDARD_DATA


def architecture(model: str) -> str | None:
    """The architecture family of ``model`` (None for non-network baselines)."""
    if model.startswith("vit_b_32_clip"):
        return "ViT"
    for pattern, arch in ARCHITECTURES:
        if re.search(pattern, model):
            return arch
    return None
