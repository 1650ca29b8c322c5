"""Evaluation data read into an ordered index of samples (torch-free).

Each format becomes the same thing, an :class:`IndexedDataset` of ``(image reference, target)``
in a fixed order: image folders sorted by class then file name, CSVs in row order, webdataset
shards in natural order and members in tar order (images are read lazily by offset, so tar
shards need no unpacking). Targets are class indices (zero-shot) or captions (contrastive).
"""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from backend.evaluation.specs import CONTRASTIVE, DatasetSpec
from backend.evaluation.templates import DEFAULT_TEMPLATES
from backend.exceptions import NotFoundError, ValidationError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
WDS_CLASSNAMES = "classnames.txt"
WDS_TEMPLATES = "zeroshot_classification_templates.txt"
MAX_REPORTED = 5


@dataclass(frozen=True, slots=True)
class ImageRef:
    """Where one image's bytes are: a whole file, or ``size`` bytes at ``offset`` in a tar."""

    path: str
    offset: int = -1
    size: int = -1

    def read_bytes(self) -> bytes:
        """The encoded image."""
        with open(self.path, "rb") as f:
            if self.offset < 0:
                return f.read()
            f.seek(self.offset)
            return f.read(self.size)

    def open(self) -> Image.Image:
        """The decoded image in RGB; a corrupt image -> ``ValidationError``."""
        try:
            with Image.open(io.BytesIO(self.read_bytes())) as image:
                return image.convert("RGB")
        except (UnidentifiedImageError, OSError) as exc:
            raise ValidationError(f"cannot decode image {self}: {exc}") from None

    def __str__(self) -> str:
        return self.path if self.offset < 0 else f"{self.path}@{self.offset}"


@dataclass(frozen=True, slots=True)
class Sample:
    """One image and its target: a class index or a caption."""

    image: ImageRef
    target: int | str


@dataclass(frozen=True)
class IndexedDataset:
    """The samples of one dataset in evaluation order, with class names and templates."""

    name: str
    samples: tuple[Sample, ...]
    classnames: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()


def natural_key(text: str) -> list:
    """Sort key that puts ``2.tar`` before ``10.tar``."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def read_list_file(path: str, *, what: str) -> list[str]:
    """Entries of a JSON list file or a text file with one entry a line."""
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"{what} file {path!r} does not exist")
    text = file.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            entries = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"{what} file {path!r} is not valid JSON: {exc}") from None
        if not all(isinstance(e, str) for e in entries):
            raise ValidationError(f"{what} file {path!r} must be a JSON list of strings")
    else:
        entries = [line.strip() for line in text.splitlines() if line.strip()]
    if not entries:
        raise ValidationError(f"{what} file {path!r} is empty")
    return entries


def expand_braces(pattern: str) -> list[str]:
    """Expand numeric ranges like ``shard-{000..009}.tar`` (zero padding kept)."""
    match = re.search(r"\{(\d+)\.\.(\d+)\}", pattern)
    if not match:
        return [pattern]
    first, last = match.group(1), match.group(2)
    width = len(first) if first.startswith("0") else 0
    head, tail = pattern[: match.start()], pattern[match.end() :]
    out: list[str] = []
    for i in range(int(first), int(last) + 1):
        out += expand_braces(f"{head}{i:0{width}d}{tail}")
    return out


def wds_root(spec: DatasetSpec) -> Path | None:
    """The CLIP_benchmark dataset folder (holding ``classnames.txt``), if ``path`` is one."""
    path = Path(spec.path)
    return path if path.is_dir() else None


def wds_shards(spec: DatasetSpec) -> list[str]:
    """The tar shards of a webdataset: ``{path}/{split}/*.tar``, ``{path}/*.tar``, a tar file,
    a glob or a brace range."""
    path = Path(spec.path)
    if path.is_dir():
        folder = path / spec.split if (path / spec.split).is_dir() else path
        shards = [str(p) for p in folder.glob("*.tar")]
        if not shards:
            raise NotFoundError(f"no .tar shards in {str(folder)!r}")
    elif path.is_file():
        shards = [str(path)]
    else:
        shards = sorted({s for p in expand_braces(spec.path) for s in glob.glob(p)})
        if not shards:
            raise NotFoundError(f"webdataset {spec.path!r} matches no shard")
    for shard in shards:
        if not shard.endswith(".tar"):
            raise ValidationError(f"shard {shard!r} is not an uncompressed .tar file")
    return sorted(shards, key=natural_key)


def _wds_members(shard: str):
    """``(key, {ext: TarInfo})`` per sample of one shard, in tar order."""
    try:
        with tarfile.open(shard, "r:") as tar:
            key, parts = None, {}
            for member in tar:
                if not member.isfile():
                    continue
                folder, base = os.path.split(member.name)
                if "." not in base:
                    continue
                stem, ext = base.split(".", 1)
                member_key = f"{folder}/{stem}" if folder else stem
                if member_key != key and parts:
                    yield key, parts
                    parts = {}
                key = member_key
                parts[ext.lower()] = member
            if parts:
                yield key, parts
    except tarfile.TarError as exc:
        raise ValidationError(f"cannot read webdataset shard {shard!r}: {exc}") from None


def _read_member(shard: str, member: tarfile.TarInfo) -> str:
    ref = ImageRef(shard, member.offset_data, member.size)
    return ref.read_bytes().decode("utf-8").strip()


def _index_webdataset(spec: DatasetSpec, *, captions: bool) -> list[tuple[ImageRef, str]]:
    items: list[tuple[ImageRef, str]] = []
    target_key = spec.caption_key if captions else spec.label_key
    for shard in wds_shards(spec):
        for key, parts in _wds_members(shard):
            ext = next((e for e in spec.image_keys if e in parts), None)
            if ext is None or target_key not in parts:
                missing = "an image" if ext is None else f"a .{target_key}"
                raise ValidationError(f"sample {key!r} in {shard!r} has no {missing} entry")
            image = parts[ext]
            target = _read_member(shard, parts[target_key])
            if captions:  # retrieval sets keep several captions a line: take the first
                target = next((line for line in target.splitlines() if line.strip()), "")
            items.append((ImageRef(shard, image.offset_data, image.size), target.strip()))
    return items


def _index_csv(spec: DatasetSpec, *, captions: bool) -> list[tuple[ImageRef, str]]:
    path = Path(spec.path)
    if not path.is_file():
        raise NotFoundError(f"CSV {spec.path!r} does not exist")
    column = spec.caption_column if captions else spec.label_column
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        for needed in (spec.image_column, column):
            if needed not in header:
                raise ValidationError(
                    f"CSV {spec.path!r} has no column {needed!r} (columns: {', '.join(header)})"
                )
        rows = [(r[spec.image_column], r[column]) for r in reader]
    files = [Path(image) if os.path.isabs(image) else path.parent / image for image, _ in rows]
    check_confined(spec, (str(file) for file in files))  # before saying which files exist
    items, missing = [], []
    for file, (_, target) in zip(files, rows, strict=True):
        if not file.is_file():
            missing.append(str(file))
        items.append((ImageRef(str(file)), (target or "").strip()))
    if missing:
        shown = ", ".join(missing[:MAX_REPORTED])
        raise NotFoundError(f"{len(missing)} images named in {spec.path!r} are missing: {shown}")
    return items


def _index_folder(spec: DatasetSpec) -> tuple[list[tuple[ImageRef, int]], list[str]]:
    root = Path(spec.path)
    if not root.is_dir():
        raise NotFoundError(f"image folder {spec.path!r} does not exist")
    classes = sorted((d.name for d in root.iterdir() if d.is_dir()), key=natural_key)
    if not classes:
        raise ValidationError(f"image folder {spec.path!r} has no class sub-folders")
    items = []
    for index, name in enumerate(classes):
        files = sorted(
            (p for p in (root / name).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES),
            key=lambda p: natural_key(str(p)),
        )
        items += [(ImageRef(str(p)), index) for p in files]
    return items, classes


def _classnames(spec: DatasetSpec) -> list[str] | None:
    if spec.classnames is not None:
        return list(spec.classnames)
    if spec.classnames_file:
        return read_list_file(spec.classnames_file, what="class names")
    root = wds_root(spec) if spec.format == "webdataset" else None
    if root is not None and (root / WDS_CLASSNAMES).is_file():
        return read_list_file(str(root / WDS_CLASSNAMES), what="class names")
    return None


def _templates(spec: DatasetSpec) -> list[str]:
    if spec.templates is not None:
        return list(spec.templates)
    if spec.templates_file:
        return read_list_file(spec.templates_file, what="templates")
    root = wds_root(spec) if spec.format == "webdataset" else None
    if root is not None and (root / WDS_TEMPLATES).is_file():
        return read_list_file(str(root / WDS_TEMPLATES), what="templates")
    return list(DEFAULT_TEMPLATES)


def _label_indices(
    labels: list[str], classnames: list[str] | None, *, where: str
) -> tuple[list[int], list[str]]:
    """Class indices of text labels: integer labels index ``classnames``; other labels are
    class names (``classnames`` defaults to the sorted distinct labels)."""
    if labels and all(re.fullmatch(r"\d+", label) for label in labels):
        indices = [int(label) for label in labels]
        if classnames is None:
            raise ValidationError(f"{where} has integer labels; give classnames for them")
        bad = sorted({i for i in indices if i >= len(classnames)})
        if bad:
            raise ValidationError(
                f"{where} has labels {bad[:MAX_REPORTED]} beyond the {len(classnames)} classes"
            )
        return indices, classnames
    if classnames is None:
        classnames = sorted(set(labels), key=natural_key)
    position = {name: i for i, name in enumerate(classnames)}
    unknown = sorted({label for label in labels if label not in position})
    if unknown:
        raise ValidationError(f"{where} has labels not among the class names: {unknown[:5]}")
    return [position[label] for label in labels], classnames


def check_confined(spec: DatasetSpec, files) -> None:
    """With ``spec.allowed_roots``, every file (``..`` and symlinks resolved) lies under one
    of them; else ``ValidationError`` naming the first few that do not."""
    if spec.allowed_roots is None:
        return
    roots = [Path(r).expanduser().resolve() for r in spec.allowed_roots]
    outside = [
        file
        for file in dict.fromkeys(files)
        if not any(Path(file).resolve().is_relative_to(root) for root in roots)
    ]
    if outside:
        allowed = ", ".join(str(r) for r in roots)
        shown = ", ".join(outside[:MAX_REPORTED])
        raise ValidationError(
            f"dataset {spec.name!r}: {len(outside)} files lie outside the worker roots "
            f"({allowed}): {shown}"
        )


def index_dataset(spec: DatasetSpec, *, task: str) -> IndexedDataset:
    """Read ``spec``'s data into an ordered index; missing data -> ``NotFoundError``, bad data
    -> ``ValidationError``."""
    captions = task == CONTRASTIVE
    if captions:
        if spec.format == "image_folder":
            raise ValidationError(
                f"dataset {spec.name!r}: contrastive loss needs captions (csv or webdataset)"
            )
        reader = _index_csv if spec.format == "csv" else _index_webdataset
        items = reader(spec, captions=True)
        empty = [str(ref) for ref, caption in items if not caption]
        if empty:
            raise ValidationError(f"{len(empty)} images have no caption, e.g. {empty[0]}")
        samples = tuple(Sample(ref, caption) for ref, caption in items)
        classnames: list[str] = []
        templates: list[str] = []
    else:
        templates = _templates(spec)
        classnames = _classnames(spec)
        if spec.format == "image_folder":
            pairs, folders = _index_folder(spec)
            if classnames is not None and len(classnames) != len(folders):
                raise ValidationError(
                    f"{len(classnames)} class names for {len(folders)} class folders"
                )
            classnames = classnames or folders
            samples = tuple(Sample(ref, i) for ref, i in pairs)
        else:
            reader = _index_csv if spec.format == "csv" else _index_webdataset
            items = reader(spec, captions=False)
            indices, classnames = _label_indices(
                [label for _, label in items], classnames, where=f"dataset {spec.name!r}"
            )
            samples = tuple(Sample(ref, i) for (ref, _), i in zip(items, indices, strict=True))
    if not samples:
        raise ValidationError(f"dataset {spec.name!r} at {spec.path!r} has no samples")
    check_confined(spec, (sample.image.path for sample in samples))
    return IndexedDataset(spec.name, samples, tuple(classnames), tuple(templates))
