"""The launch forms' checkpoint picker: the first few checkpoints, what is typed searched over
all of them (any case, ``%`` and ``_`` taken literally), the chosen one always kept."""

from __future__ import annotations

from backend.models import Checkpoint, Model
from backend.queries.jobs import checkpoint_options


def _arrange(session) -> dict[str, int]:
    ids = {}
    for name in ("pythia-70m", "Pythia-410m", "ViT_B-32"):
        model = Model(name=name)
        session.add(model)
        session.flush()
        for step in (2, 1, 3):
            checkpoint = Checkpoint(model_id=model.id, revision=f"step{step}", step=step)
            session.add(checkpoint)
            session.flush()
            ids[f"{name} @ step{step}"] = checkpoint.id
    return ids


def labels(options: list[dict]) -> list[str]:
    return [option["label"] for option in options]


def test_checkpoint_options_search_limit_and_keep(session):
    ids = _arrange(session)
    everything = labels(checkpoint_options(session=session))
    assert sorted(everything) == sorted(ids)
    assert labels(checkpoint_options(session=session, limit=2)) == everything[:2]
    found = labels(checkpoint_options(session=session, search="PYTHIA-4"))
    assert found == ["Pythia-410m @ step1", "Pythia-410m @ step2", "Pythia-410m @ step3"]
    assert labels(checkpoint_options(session=session, search="vit_b")) == [
        "ViT_B-32 @ step1",
        "ViT_B-32 @ step2",
        "ViT_B-32 @ step3",
    ]
    assert checkpoint_options(session=session, search="t_b-3%") == []  # % is literal
    assert checkpoint_options(session=session, search="pythia_70m") == []  # _ is literal
    kept = checkpoint_options(
        session=session, search="70m", limit=1, keep=[ids["ViT_B-32 @ step3"]]
    )
    assert kept == [
        {"label": "pythia-70m @ step1", "value": ids["pythia-70m @ step1"]},
        {"label": "ViT_B-32 @ step3", "value": ids["ViT_B-32 @ step3"]},
    ]
