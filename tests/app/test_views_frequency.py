"""Frequency view on a real database: synthetic log-linear truth and the published data."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import select

from app.views.frequency import FrequencyState, build_frequency_view
from backend.analysis.frequency import fit_frequency_accuracy
from backend.models import Checkpoint, ConceptScore, EvalSet, Model
from backend.services.uploads import ingest_file
from tests.app.explorer_data import add_concept_counts, add_concept_scores

SLOPE, INTERCEPT = 0.08, 0.05  # accuracy gained per x10 frequency, accuracy at count 1


@pytest.fixture
def synthetic(session):
    rng = np.random.default_rng(0)
    counts = {f"concept{i}": int(c) for i, c in enumerate(np.logspace(1, 7, 60))}
    add_concept_counts(session, corpus="webtext", method="captions", counts=counts)
    for model in ("clip-a", "clip-b"):
        scores = {
            concept: float(np.clip(INTERCEPT + SLOPE * np.log10(c) + rng.normal(0, 0.01), 0, 1))
            for concept, c in counts.items()
        }
        add_concept_scores(
            session, model=model, eval_set="objects", scores=scores, pretraining_data="webtext"
        )
    add_concept_scores(session, model="other", eval_set="objects", scores={"concept1": 0.5})
    session.commit()


def test_log_linear_fit_per_model_recovers_slope(session, synthetic):
    view = build_frequency_view(
        session, FrequencyState(eval_set="objects", corpus="webtext", method="captions")
    )
    assert [row["model"] for row in view.table] == ["clip-a", "clip-b"]  # own corpus only
    for row in view.table:
        assert float(row["slope (points per ×10)"].split()[0]) == pytest.approx(8.0, abs=0.3)
        assert row["r (binned means)"] > 0.99
    line = next(t for t in view.figure.data if t.mode == "lines" and t.fill is None)
    np.testing.assert_allclose(line.y, INTERCEPT + SLOPE * np.log10(np.asarray(line.x)), atol=0.01)
    diamonds = [t for t in view.figure.data if t.name.endswith("(bin means)")]
    assert len(diamonds) == 2 and len(diamonds[0].x) == 12


def test_chosen_models_and_missing_counts(session, synthetic):
    state = FrequencyState(eval_set="objects", corpus="webtext", method="captions")
    view = build_frequency_view(session, state.model_copy(update={"models": ["other"]}))
    assert set(view.points["model"]) == {"other"} and view.notes  # one concept: not fitted
    # an uncounted method falls back to a counted one, as a URL's would
    other = build_frequency_view(session, state.model_copy(update={"method": "tags"}))
    assert other.fits.state.method == "captions"


def test_published_counts_and_accuracies_give_the_direct_fit(session, engine, test_data_dir):
    folder = test_data_dir / "frequency_determines_performance"
    scores_file = folder / "zero_shot_evaluations" / "cifar10_ensemble_results.json"
    counts_file = (
        folder / "search_counts" / "cifar10_cc3m_integrated_tlemmatized_i0.7_search_counts.json"
    )
    for path in (scores_file, counts_file):
        ingest_file(engine=engine, path=path)
    state = FrequencyState(
        eval_set="cifar10", corpus="cc3m", method="integrated_tlemmatized_i0.7", bins=4
    )
    view = build_frequency_view(session, state)
    assert view.table, view.message
    counts = json.loads(counts_file.read_text())
    results = json.loads(scores_file.read_text())
    for row in view.table:
        key = next(k for k in results if row["model"].split("/")[0] in k and "cc3m" in k)
        classwise = results[key]["classwise"]
        concepts = sorted(set(classwise) & set(counts))
        direct = fit_frequency_accuracy(
            [counts[c] for c in concepts], [classwise[c] / 100 for c in concepts], bins=4
        )
        assert row["r (raw)"] == pytest.approx(direct.r_raw, abs=1e-3)
        assert row["concepts"] == len(concepts)


def test_pooled_view_joins_every_eval_set_and_trims_bins(session, synthetic):
    """Udandarao et al. pool a model's concepts over their downstream datasets; the binned r
    leaves out the first and last bins unless asked (trim=0)."""
    scenes = EvalSet(name="scenes", kind="benchmark")
    session.add(scenes)
    session.flush()
    checkpoint = session.scalar(select(Checkpoint.id).join(Model).where(Model.name == "clip-a"))
    for concept, value in {"concept3": 0.4, "concept30": 0.7}.items():
        session.add(
            ConceptScore(
                checkpoint_id=checkpoint,
                eval_set_id=scenes.id,
                metric="accuracy",
                concept=concept,
                value=value,
            )
        )
    session.commit()
    state = FrequencyState(eval_set="objects", corpus="webtext", method="captions")
    single = build_frequency_view(session, state)
    pooled = build_frequency_view(session, state.model_copy(update={"pool": True}))
    count = {v.fits.state.pool: (v.points["model"] == "clip-a").sum() for v in (single, pooled)}
    assert count == {False: 60, True: 62}
    assert set(pooled.points["eval_set"]) == {"objects", "scenes"}
    assert single.fits.state.trim == 1 and single.fits.procedure.status == "as published"
    fit = single.fits.group("clip-a").fit
    untrimmed = build_frequency_view(session, state.model_copy(update={"trim": 0}))
    assert untrimmed.fits.procedure.status == "custom"
    kept = slice(1, len(fit.binned.mean) - 1)
    r = np.corrcoef(fit.binned.log_count[kept], fit.binned.mean[kept])[0, 1]
    assert fit.r_binned == pytest.approx(r)
    assert untrimmed.fits.group("clip-a").fit.r_binned != pytest.approx(fit.r_binned, abs=1e-12)
