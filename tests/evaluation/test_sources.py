"""Reading the three data formats into one ordered index, and refusing bad data clearly."""

from __future__ import annotations

import json

import pytest

from backend.evaluation.preflight import check_dataset
from backend.evaluation.sources import expand_braces, index_dataset, read_list_file
from backend.evaluation.specs import CONTRASTIVE, ZERO_SHOT, DatasetSpec
from backend.evaluation.templates import DEFAULT_TEMPLATES, fill
from backend.evaluation.testing import CAPTION, dataset_spec
from backend.exceptions import NotFoundError, ValidationError

pytestmark = pytest.mark.worker


def test_three_formats_index_the_same_labels_in_the_same_order(bench):
    indexed = [
        index_dataset(dataset_spec(bench, f), task=ZERO_SHOT)
        for f in ("image_folder", "csv", "webdataset")
    ]
    targets = [[s.target for s in d.samples] for d in indexed]
    assert targets[0] == targets[1] == targets[2]
    assert len(targets[0]) == bench.n_images
    assert all(d.classnames == bench.classnames for d in indexed)
    images = [[s.image.read_bytes() for s in d.samples[::17]] for d in indexed]
    assert images[0] == images[1] == images[2]


def test_webdataset_reads_classnames_and_templates_beside_the_shards(bench):
    data = index_dataset(dataset_spec(bench, "webdataset"), task=ZERO_SHOT)
    expected = (bench.webdataset / "zeroshot_classification_templates.txt").read_text().split("\n")
    assert list(data.templates) == [t for t in expected if t]


def test_captions_come_from_csv_and_webdataset_alike(bench):
    csv = index_dataset(dataset_spec(bench, "csv", captions=True), task=CONTRASTIVE)
    wds = index_dataset(dataset_spec(bench, "webdataset", captions=True), task=CONTRASTIVE)
    assert [s.target for s in csv.samples] == [s.target for s in wds.samples]
    assert csv.samples[0].target == CAPTION.format(bench.classnames[0])


def test_default_templates_and_placeholders(bench):
    spec = DatasetSpec(name="f", path=str(bench.folder))
    assert index_dataset(spec, task=ZERO_SHOT).templates == DEFAULT_TEMPLATES
    assert fill("a {c} in {}", "cat") == "a cat in {}"
    assert fill("a {}.", "dog") == "a dog."


def test_readable_classnames_replace_folder_names(bench, tmp_path):
    names = [f"a {n} thing" for n in bench.classnames]
    (tmp_path / "names.json").write_text(json.dumps(names))
    spec = DatasetSpec(
        name="f", path=str(bench.folder), classnames_file=str(tmp_path / "names.json")
    )
    assert index_dataset(spec, task=ZERO_SHOT).classnames == tuple(names)
    short = DatasetSpec(name="f", path=str(bench.folder), classnames=names[:3])
    with pytest.raises(ValidationError, match="3 class names for 8 class folders"):
        index_dataset(short, task=ZERO_SHOT)


def test_integer_csv_labels_index_the_classnames(tmp_path, bench):
    image = bench.folder / bench.classnames[0] / "000.png"
    (tmp_path / "l.csv").write_text(f"image,label\n{image},1\n{image},0\n")
    spec = DatasetSpec(name="c", path=str(tmp_path / "l.csv"), format="csv")
    with pytest.raises(ValidationError, match="give classnames"):
        index_dataset(spec, task=ZERO_SHOT)
    named = spec.model_copy(update={"classnames": ["x", "y"]})
    assert [s.target for s in index_dataset(named, task=ZERO_SHOT).samples] == [1, 0]
    three = spec.model_copy(update={"classnames": ["x"]})
    with pytest.raises(ValidationError, match=r"labels \[1\] beyond the 1 classes"):
        index_dataset(three, task=ZERO_SHOT)


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ("img,label\nx.png,a\n", ValidationError, "no column 'image'"),
        ("image,label\nnowhere.png,a\nnowhere2.png,b\n", NotFoundError, "2 images named"),
    ],
)
def test_bad_csvs_are_refused(tmp_path, content, error, message):
    (tmp_path / "l.csv").write_text(content)
    spec = DatasetSpec(name="c", path=str(tmp_path / "l.csv"), format="csv")
    with pytest.raises(error, match=message):
        index_dataset(spec, task=ZERO_SHOT)


def test_unknown_label_names_are_refused(bench):
    spec = DatasetSpec(
        name="c", path=str(bench.labels_csv), format="csv", classnames=["red", "blue"]
    )
    with pytest.raises(ValidationError, match="not among the class names"):
        index_dataset(spec, task=ZERO_SHOT)


def test_missing_data_fails_fast(tmp_path):
    for fmt, message in (("image_folder", "image folder"), ("csv", "CSV"), ("webdataset", "web")):
        spec = DatasetSpec(name="m", path=str(tmp_path / "nope"), format=fmt)
        with pytest.raises(NotFoundError, match=message):
            check_dataset(spec, task=ZERO_SHOT)
        with pytest.raises(NotFoundError):
            index_dataset(spec, task=ZERO_SHOT)
    empty = DatasetSpec(name="e", path=str(tmp_path), format="webdataset")
    with pytest.raises(NotFoundError, match="no .tar shards"):
        index_dataset(empty, task=ZERO_SHOT)


def test_contrastive_loss_needs_captions(bench):
    spec = DatasetSpec(name="f", path=str(bench.folder))
    with pytest.raises(ValidationError, match="needs captions"):
        check_dataset(spec, task=CONTRASTIVE)


def test_shard_patterns(bench):
    shards = bench.webdataset / "test"
    pattern = DatasetSpec(
        name="w",
        path=f"{shards}/{{0..1}}.tar",
        format="webdataset",
        classnames=list(bench.classnames),
    )
    assert len(index_dataset(pattern, task=ZERO_SHOT).samples) == bench.n_images
    assert expand_braces("s-{008..010}.tar") == ["s-008.tar", "s-009.tar", "s-010.tar"]


def test_list_files(tmp_path):
    (tmp_path / "a.txt").write_text("one\n\ntwo\n")
    (tmp_path / "b.json").write_text('["x", "y"]')
    (tmp_path / "c.json").write_text("[1, 2]")
    assert read_list_file(str(tmp_path / "a.txt"), what="t") == ["one", "two"]
    assert read_list_file(str(tmp_path / "b.json"), what="t") == ["x", "y"]
    with pytest.raises(ValidationError, match="list of strings"):
        read_list_file(str(tmp_path / "c.json"), what="t")
    with pytest.raises(NotFoundError, match="does not exist"):
        read_list_file(str(tmp_path / "d.txt"), what="t")


def test_corrupt_image_is_a_clear_error(tmp_path):
    (tmp_path / "cls").mkdir()
    (tmp_path / "cls" / "bad.png").write_bytes(b"not a png")
    data = index_dataset(DatasetSpec(name="b", path=str(tmp_path)), task=ZERO_SHOT)
    with pytest.raises(ValidationError, match="cannot decode image"):
        data.samples[0].image.open()


def test_webdataset_caption_is_the_first_of_several(tmp_path, bench):
    import io
    import tarfile

    image = (bench.folder / bench.classnames[0] / "000.png").read_bytes()
    with tarfile.open(tmp_path / "0.tar", "w") as tar:
        for name, data in (("k1.png", image), ("k1.txt", b"\n first caption \nsecond caption\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    spec = DatasetSpec(name="r", path=str(tmp_path / "0.tar"), format="webdataset")
    data = index_dataset(spec, task=CONTRASTIVE)
    assert [s.target for s in data.samples] == ["first caption"]
    assert data.samples[0].image.read_bytes() == image


def test_files_outside_the_allowed_roots_are_refused(tmp_path, bench):
    """A CSV under the root may not name images elsewhere (absolute, ``..`` or through a
    symlink); the error says so before saying whether those files exist."""
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    (root / "folder" / "red").mkdir(parents=True)
    elsewhere.mkdir()
    image = bench.folder / bench.classnames[0] / "000.png"
    (elsewhere / "secret.png").write_bytes(image.read_bytes())
    (root / "inside.png").write_bytes(image.read_bytes())
    (root / "folder" / "red" / "link.png").symlink_to(elsewhere / "secret.png")
    allowed = (str(root),)
    for row in (str(elsewhere / "secret.png"), "../elsewhere/secret.png", "../elsewhere/none.png"):
        (root / "labels.csv").write_text(f"image,label\ninside.png,red\n{row},red\n")
        spec = DatasetSpec(
            name="x", path=str(root / "labels.csv"), format="csv", allowed_roots=allowed
        )
        with pytest.raises(ValidationError, match="1 files lie outside the worker roots"):
            index_dataset(spec, task=ZERO_SHOT)
        unconfined = spec.model_copy(update={"allowed_roots": None})
        if "none" not in row:
            assert len(index_dataset(unconfined, task=ZERO_SHOT).samples) == 2
    folder = DatasetSpec(name="x", path=str(root / "folder"), allowed_roots=allowed)
    with pytest.raises(ValidationError, match="outside the worker roots.*link.png"):
        index_dataset(folder, task=ZERO_SHOT)
    (root / "folder" / "red" / "link.png").unlink()
    (root / "folder" / "red" / "ok.png").write_bytes(image.read_bytes())
    assert len(index_dataset(folder, task=ZERO_SHOT).samples) == 1
