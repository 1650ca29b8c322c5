"""The Corpus page in headless Chromium on the real web process (SQLite, the app's own local
executor): point ScaleScope at a caption corpus and a benchmark's class names, watch the job
on the Jobs page, and find the corpus with its counts in the frequency explorer."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from backend import db
from backend.config import get_settings
from backend.models import ConceptFrequency, Corpus
from backend.services import jobs
from backend.worker.runner import run_job
from tests.browser.conftest import SCREENSHOTS, pick, start_server, wait_rendered
from tests.worker.conftest import seed_tiny

pytestmark = [
    pytest.mark.worker,
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
]

# How many captions mention each color: the counts the job must find.
MENTIONS = {"red": 40, "green": 20, "blue": 10, "yellow": 5, "purple": 3, "orange": 2}


@pytest.fixture
def corpus_server(tmp_path, tiny_assets, monkeypatch, local_job_queue):
    """The tiny model's per-class scores on the color benchmark, a caption shard under the
    worker root, and the web process on that database."""
    database_url = f"sqlite:///{tmp_path / 'scalescope.db'}"
    db.upgrade(database_url)
    for key, value in {
        "BROKER_URL": "",
        "LOCAL_EXECUTOR_WORKERS": "1",
        "JOB_HEARTBEAT_TIMEOUT_S": "10",
        "DATA_DIR": str(tmp_path / "data"),
        "WORKER_ROOTS": json.dumps([str(tiny_assets.root)]),
    }.items():
        monkeypatch.setenv(f"SCALESCOPE_{key}", value)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    get_settings.cache_clear()
    engine = db.get_engine(database_url)
    with db.session_scope(engine) as session:
        rows = seed_tiny(session, tiny_assets)
        (submitted,) = jobs.submit(
            session=session,
            checkpoint_ids=[rows.checkpoint_id],
            eval_set_ids=[rows.folder_id],
            options={"device": "cpu", "num_workers": 0},
        )
    assert run_job(submitted.job.id, engine=engine) == "succeeded"  # per-class scores
    captions = [f"a {color} square on a table" for color, n in MENTIONS.items() for _ in range(n)]
    captions += ["a plain photo of nothing"] * 30
    shard = tiny_assets.root / f"captions-{tmp_path.name}.parquet"
    pd.DataFrame({"text": captions}).to_parquet(shard)
    embeddings = tiny_assets.root / f"img_emb-{tmp_path.name}.npy"
    np.save(embeddings, np.random.default_rng(0).standard_normal((300, 32)).astype(np.float32))
    process, url = start_server(database_url, tmp_path / "server.log")
    yield url, engine, shard, embeddings
    process.terminate()
    process.wait(timeout=20)
    get_settings.cache_clear()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    yield new_page
    context.close()
    assert not errors, errors


def _launch(page, button_id: str, message_id: str) -> str:
    """Click a launch button and return the message its callback then writes (waits for the
    message to change, not for a fixed time)."""
    before = page.inner_text(f"#{message_id}")
    page.click(f"#{button_id}")
    page.wait_for_function(
        "([id, before]) => document.getElementById(id).innerText.trim() !== before.trim()",
        arg=[message_id, before],
        timeout=60_000,
    )
    return page.inner_text(f"#{message_id}")


def test_count_a_corpus_from_the_browser_and_explore_it(corpus_server, page):
    url, engine, shard, _ = corpus_server
    page.goto(url + "/corpus")
    wait_rendered(page)
    assert "No corpus statistics yet" in page.inner_text(".empty-state")
    page.fill("#corpus-name", "my-captions")
    page.fill("#corpus-sources", str(shard))
    refused = _launch(page, "corpus-count", "corpus-count-message")  # no concepts given
    assert "Not launched" in refused and "vocabulary" in refused, refused

    page.fill("#corpus-column", "text")
    page.locator("#corpus-vocabulary label", has_text="class names").click()
    pick(page, "corpus-eval-set", "synthetic-colors")
    queued = _launch(page, "corpus-count", "corpus-count-message")
    assert "Queued job" in queued, queued
    page.click("#corpus-count-message a")  # "Watch it on the Jobs page"
    wait_rendered(page)
    row = page.locator("tr.job-row", has_text="concept counts of corpus my-captions")
    row.wait_for(timeout=20_000)
    page.wait_for_selector("tr.job-succeeded:has-text('my-captions')", timeout=120_000)
    assert "documents" in row.inner_text()

    with db.session_scope(engine) as session:
        counts = dict(
            session.execute(
                select(ConceptFrequency.concept, ConceptFrequency.count)
                .join(Corpus, Corpus.id == ConceptFrequency.corpus_id)
                .where(Corpus.name == "my-captions")
            ).all()
        )
    assert counts == {**MENTIONS, "white": 0, "black": 0}

    page.goto(url + "/corpus")
    wait_rendered(page)
    assert "my-captions" in page.inner_text(".corpus-list")
    page.goto(url + "/frequency")
    wait_rendered(page)
    assert "my-captions" in page.inner_text("#frequency-corpus")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=20_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "corpus-frequency.png"), full_page=True)


def test_compare_a_benchmark_with_corpus_embeddings_from_the_browser(corpus_server, page):
    url, engine, _, embeddings = corpus_server
    page.goto(url + "/corpus")
    wait_rendered(page)
    page.fill("#similarity-corpus", "my-embeddings")
    page.fill("#similarity-embeddings", str(embeddings))
    pick(page, "similarity-checkpoint", "tiny-clip @ step40")
    pick(page, "similarity-eval-set", "synthetic-colors")
    queued = _launch(page, "similarity-launch", "similarity-message")
    assert "Queued job" in queued, queued
    page.goto(url + "/jobs")
    wait_rendered(page)
    page.wait_for_selector(
        "tr.job-succeeded:has-text('synthetic-colors vs corpus my-embeddings')", timeout=120_000
    )
    page.goto(url + "/similarity")
    wait_rendered(page)
    assert "my-embeddings" in page.inner_text("#similarity-choice")
    page.wait_for_selector("#similarity-graph .scatterlayer .point", timeout=20_000)
    assert "48 test images" in page.inner_text("#similarity-summary")
