"""One name per thing: the demo's sources land on canonical entities (backend/catalog/
aliases.csv), the API accepts aliases, and the names the table does not know are listed."""

from __future__ import annotations

import re
from collections import defaultdict

from backend.catalog.aliases import canonical, display_name, table


def spelling(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _spelling_twins(names) -> list[set[str]]:
    groups = defaultdict(set)
    for name in names:
        groups[spelling(name)].add(name)
    return [group for group in groups.values() if len(group) > 1]


def test_no_two_names_differ_only_in_spelling(demo_client):
    catalog = demo_client.get("/api/catalog").json()
    eval_sets = [e["name"] if isinstance(e, dict) else e for e in catalog["eval_sets"]]
    assert _spelling_twins(eval_sets) == []
    assert _spelling_twins(m["name"] for m in catalog["models"]) == []
    assert _spelling_twins(c["name"] for c in catalog["corpora"]) == []
    assert _spelling_twins({m["metric"] for m in catalog["metrics"]}) == []
    assert _spelling_twins(catalog["attribute_values"]["pretraining_data"]) == []
    assert "imagenet" in eval_sets and "ImageNet 1k" not in eval_sets and "val" not in eval_sets
    data = demo_client.get("/api/attributes").json()
    values = data["pretraining_data"] if isinstance(data, dict) else data
    assert "The Pile" in values and "the_pile" not in values
    assert "WIT-400M" in values and "openai" not in values


def test_testbed_and_open_clip_share_imagenet(demo_client):
    """imagenet-testbed's ``val``/``top1`` and open_clip's ``ImageNet 1k``/``acc1`` are one
    metric: 338 testbed models plus open_clip's checkpoints, standard models labelled."""
    frame = demo_client.get("/api/frames/pair?x=imagenet:top1&y=imagenetv2-matched-frequency:top1")
    rows = frame.json()
    rows = rows["rows"] if isinstance(rows, dict) else rows
    models = {row["model"] for row in rows}
    assert "resnet50" in models and "ViT-L-14/openai" in models
    by_model = {row["model"]: row for row in rows}
    assert by_model["resnet50"]["pretraining_data"] == "ImageNet-1k"
    assert by_model["resnet50"]["architecture"] == "ResNet"
    assert by_model["ViT-L-14/openai"]["pretraining_data"] == "WIT-400M"


def test_api_accepts_aliases(demo_client):
    by_alias = demo_client.get(
        "/api/fits/robustness", params={"id": "val:top1", "ood": "ImageNet v2:acc1"}
    ).json()
    assert (by_alias["state"]["id"], by_alias["state"]["ood"]) == (
        "imagenet:top1",
        "imagenetv2-matched-frequency:top1",
    )
    canonical_body = demo_client.get("/api/fits/robustness").json()
    assert by_alias["data_hash"] == canonical_body["data_hash"]
    pair = demo_client.get("/api/frames/pair?x=ImageNet 1k:acc1&y=ImageNet v2:acc1")
    assert pair.status_code == 200


def test_unknown_names_are_listed_and_the_table_is_served(demo_client):
    unknown = demo_client.get("/api/aliases/unknown").json()
    assert set(unknown) == {"eval_set", "metric", "model", "pretraining_data"}
    assert "imagenet" not in unknown["eval_set"] and "massivetext" in unknown["eval_set"]
    rows = demo_client.get("/api/aliases").json()
    assert {"kind": "eval_set", "alias": "val", "canonical": "imagenet"}.items() <= rows[1].items()
    assert canonical("eval_set", "ARC-Challenge") == "arc_challenge"
    assert display_name("eval_set", "val") == "ImageNet (ILSVRC-2012 val)"
    # every canonical name has one display name
    names = defaultdict(set)
    for row in table():
        names[(row.kind, row.canonical)].add(row.display_name)
    assert all(len(v) == 1 for v in names.values())
