"""The frequency fits count the concepts never found in the corpus (count 0, drawn at 1 on the
log axis as the paper does): the numbers match the bundled count files, in the API's JSON and
in the page's fit table."""

from __future__ import annotations

import json

from backend.demo.loader import DATA_DIR

COUNTS = DATA_DIR / "frequency_determines_performance" / "search_counts"


def _zeros(corpus: str, method: str, concepts: set[str]) -> int:
    counts = json.loads((COUNTS / f"cifar100_{corpus}_{method}_search_counts.json").read_text())
    return sum(1 for concept, n in counts.items() if n == 0 and concept in concepts)


def test_zero_counts_are_the_concepts_with_no_occurrence(demo_client):
    body = demo_client.get("/api/fits/frequency").json()
    state = body["state"]
    assert body["groups"]
    for group in body["groups"]:
        concepts = {p["concept"] for p in body["points_used"] if p["group"] == group["group"]}
        expected = _zeros(state["corpus"], state["method"], concepts)
        assert expected > 0  # cc12m's integrated counts miss three CIFAR-100 classes
        assert group["zero_counts"] == expected
        assert group["n_concepts"] == len(concepts)
