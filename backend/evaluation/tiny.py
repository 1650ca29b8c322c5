"""The tiny runnable model: a small open_clip config, a synthetic labelled benchmark written in
all three formats, and a few steps of contrastive training on CPU so that zero-shot accuracy is
clearly above chance. The demo ships them as its runnable evaluation (``backend.demo.runnable``);
the evaluation and jobs tests use them too.

    bench = write_synthetic_benchmark(tmp / "data")
    ckpt = train_tiny_checkpoint(tmp / "tiny.pt", bench)        # a few seconds on CPU
    spec = zero_shot_spec(ckpt, bench, fmt="csv")
"""

from __future__ import annotations

import csv
import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from backend.evaluation.specs import (
    ContrastiveLossSpec,
    DataFormat,
    DatasetSpec,
    ModelSpec,
    RunOptions,
    ZeroShotSpec,
)
from backend.evaluation.tiny_config import TINY_ARCH, TINY_CONFIG, TRAIN_TEMPLATES

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "green": (30, 200, 40),
    "blue": (30, 40, 220),
    "yellow": (230, 220, 30),
    "purple": (140, 30, 160),
    "orange": (240, 140, 20),
    "white": (240, 240, 240),
    "black": (15, 15, 15),
}
CAPTION = "a photo of a {}."


@dataclass(frozen=True)
class SyntheticBenchmark:
    """Where the synthetic data lies, in every format, and its class names (folder order)."""

    root: Path
    folder: Path  # image_folder: one sub-folder per class
    labels_csv: Path  # csv: image,label (class names)
    captions_csv: Path  # csv: image,caption
    webdataset: Path  # CLIP_benchmark layout: classnames.txt, templates, test/*.tar
    classnames: tuple[str, ...]
    per_class: int

    @property
    def n_images(self) -> int:
        return self.per_class * len(self.classnames)


def synthetic_image(color: tuple[int, int, int], rng: np.random.Generator, size: int = 32):
    """A noisy square of ``color`` with a random stripe of another shade (PIL image)."""
    base = np.array(color, dtype=np.float32)
    pixels = np.tile(base, (size, size, 1)) + rng.normal(0, 18, (size, size, 3))
    row = rng.integers(0, size - 4)
    pixels[row : row + 4] = base * 0.6 + 40
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def write_synthetic_benchmark(
    root: Path,
    *,
    classes: dict[str, tuple[int, int, int]] | None = None,
    per_class: int = 12,
    seed: int = 0,
    shards: int = 2,
    image_size: int = 32,
) -> SyntheticBenchmark:
    """Write the same labelled, captioned images as a folder, two CSVs and webdataset shards
    (all in one order: class by class, file by file)."""
    classes = classes or COLORS
    root = Path(root)
    rng = np.random.default_rng(seed)
    folder, wds = root / "folder", root / "wds"
    (wds / "test").mkdir(parents=True, exist_ok=True)
    rows = []
    names = sorted(classes)
    for index, name in enumerate(names):
        (folder / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            relative = f"folder/{name}/{i:03d}.png"
            synthetic_image(classes[name], rng, image_size).save(root / relative)
            rows.append((relative, name, index))
    with (root / "labels.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["image", "label"])
        writer.writerows((image, name) for image, name, _ in rows)
    with (root / "captions.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["image", "caption"])
        writer.writerows((image, CAPTION.format(name)) for image, name, _ in rows)
    (wds / "classnames.txt").write_text("\n".join(names) + "\n")
    (wds / "zeroshot_classification_templates.txt").write_text("\n".join(TRAIN_TEMPLATES) + "\n")
    per_shard = -(-len(rows) // shards)
    for shard in range(shards):
        with tarfile.open(wds / "test" / f"{shard}.tar", "w") as tar:
            for key, (image, name, index) in enumerate(rows):
                if key // per_shard != shard:
                    continue
                _add(tar, f"s{key:05d}.png", (root / image).read_bytes())
                _add(tar, f"s{key:05d}.cls", str(index).encode())
                _add(tar, f"s{key:05d}.txt", CAPTION.format(name).encode())
    return SyntheticBenchmark(
        root, folder, root / "labels.csv", root / "captions.csv", wds, tuple(names), per_class
    )


def tiny_model_spec(checkpoint: Path | str | None = None) -> ModelSpec:
    """The tiny custom architecture with ``checkpoint`` weights (random when None)."""
    return ModelSpec(
        architecture=TINY_ARCH,
        config=TINY_CONFIG,
        checkpoint=str(checkpoint) if checkpoint else None,
        random_weights=checkpoint is None,
    )


def dataset_spec(bench: SyntheticBenchmark, fmt: DataFormat = "image_folder", *, captions=False):
    """A :class:`DatasetSpec` for one format of ``bench``."""
    path = {
        "image_folder": bench.folder,
        "csv": bench.captions_csv if captions else bench.labels_csv,
        "webdataset": bench.webdataset,
    }[fmt]
    templates = None if fmt == "webdataset" or captions else list(TRAIN_TEMPLATES)
    return DatasetSpec(name=f"synthetic-{fmt}", path=str(path), format=fmt, templates=templates)


def zero_shot_spec(checkpoint, bench, fmt="image_folder", **options) -> ZeroShotSpec:
    """Zero-shot spec of the tiny model on ``bench`` (CPU, no loader workers by default)."""
    options = {"device": "cpu", "num_workers": 0, "batch_size": 32, **options}
    return ZeroShotSpec(
        model=tiny_model_spec(checkpoint),
        dataset=dataset_spec(bench, fmt),
        options=RunOptions(**options),
    )


def contrastive_spec(checkpoint, bench, fmt="csv", **options) -> ContrastiveLossSpec:
    """Contrastive-loss spec of the tiny model on ``bench``'s captions."""
    options = {"device": "cpu", "num_workers": 0, "batch_size": 32, **options}
    return ContrastiveLossSpec(
        model=tiny_model_spec(checkpoint),
        dataset=dataset_spec(bench, fmt, captions=True),
        options=RunOptions(**options),
    )


def train_tiny_checkpoint(
    path: Path | str,
    bench: SyntheticBenchmark,
    *,
    steps: int = 30,
    batch_size: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
) -> Path:
    """Train the tiny model a few contrastive steps on a fresh draw of ``bench``'s classes
    (captions from the training templates) and save its weights to ``path``."""
    import torch

    from backend.evaluation.device import seed_everything
    from backend.evaluation.factory import build_model

    seed_everything(seed)
    loaded = build_model(tiny_model_spec(None))
    model = loaded.model.train()
    rng = np.random.default_rng(seed + 1000)
    colors = {name: COLORS[name] for name in bench.classnames}
    names = list(colors)
    n_train = 24 * len(names)
    labels = rng.integers(0, len(names), n_train)
    images = torch.stack(
        [loaded.preprocess(synthetic_image(colors[names[i]], rng)) for i in labels]
    )
    captions = [
        TRAIN_TEMPLATES[j % len(TRAIN_TEMPLATES)].format(names[i]) for j, i in enumerate(labels)
    ]
    tokens = loaded.tokenizer(captions)
    model.token_embedding.requires_grad_(False)  # random token vectors suffice; much faster
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.0)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        batch = torch.randperm(n_train, generator=generator)[:batch_size]
        image_features = model.encode_image(images[batch], normalize=True)
        text_features = model.encode_text(tokens[batch], normalize=True)
        # Same-class pairs in a batch are positives too (soft targets avoid false negatives).
        same = torch.as_tensor(labels[batch.numpy()])
        targets = (same[:, None] == same[None, :]).float()
        targets = targets / targets.sum(dim=1, keepdim=True)
        logits = model.logit_scale.exp() * image_features @ text_features.T
        loss = -(targets * logits.log_softmax(dim=1)).sum(1).mean()
        loss = loss - (targets * logits.T.log_softmax(dim=1)).sum(1).mean()
        optimizer.zero_grad()
        (loss / 2).backward()
        optimizer.step()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": model.eval().state_dict()}, path)
    return path
