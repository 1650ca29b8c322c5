"""The fit cache: results stored by a hash of their inputs and settings in the database
(shared by web processes), the JSON codec of fit results, and what it refuses to decode."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from backend.analysis.chinchilla import COARSE_GRID, fit_chinchilla
from backend.analysis.frequency import fit_frequency_accuracy
from backend.analysis.loss_to_loss import fit_loss_to_loss
from backend.analysis.power_law import fit_power_law
from backend.analysis.robustness import fit_effective_robustness
from backend.fits import cache, codec
from backend.fits.cache import cached_fit, clear_memory
from backend.models import FitCacheEntry

RNG = np.random.default_rng(0)
N = 10 ** RNG.uniform(7, 9, 40)
D = 10 ** RNG.uniform(9, 11, 40)
LOSS = 1.7 + 400 / N**0.34 + 410 / D**0.28
ACC_ID = RNG.uniform(0.1, 0.9, 50)
ACC_OOD = np.clip(ACC_ID * 0.8 + RNG.normal(0, 0.02, 50), 0.01, 0.99)
COUNTS = 10 ** RNG.uniform(0, 6, 200)
ACCURACY = np.clip(0.05 * np.log10(COUNTS) + 0.3 + RNG.normal(0, 0.1, 200), 0, 1)
L_X = RNG.uniform(2.5, 4.0, 30)
L_Y = 0.9 * (L_X - 1.0) ** 1.1 + 0.5 + RNG.normal(0, 0.01, 30)

FITS = {
    "chinchilla": lambda: fit_chinchilla(N, D, LOSS, grid=COARSE_GRID, bootstrap=5, seed=0),
    "loss-to-loss": lambda: fit_loss_to_loss(L_X, L_Y, e_x=1.0, e_y=0.5, bootstrap=10, seed=0),
    "robustness": lambda: fit_effective_robustness(
        ACC_ID, ACC_OOD, baseline=np.ones(50, bool), transform="logit", bootstrap=10, seed=0
    ),
    "frequency": lambda: fit_frequency_accuracy(COUNTS, ACCURACY),
    "power law": lambda: fit_power_law(N, LOSS, bootstrap=5, seed=0),
}


@pytest.fixture(autouse=True)
def _fresh_memory():
    """Each test (and each database) starts with nothing remembered in this process."""
    clear_memory()


@pytest.mark.parametrize("name", sorted(FITS))
def test_codec_gives_back_the_same_fit(name):
    fit = FITS[name]()
    again = codec.loads(codec.dumps(fit))
    assert type(again) is type(fit)
    assert codec.dumps(again) == codec.dumps(fit)
    if hasattr(fit, "params"):
        assert {k: e.to_dict() for k, e in again.params.items()} == {
            k: e.to_dict() for k, e in fit.params.items()
        }


def test_codec_refuses_names_outside_the_analysis_package():
    with pytest.raises(codec.CodecError, match="os:system"):
        codec.loads('{"function": "os:system"}')
    with pytest.raises(codec.CodecError, match="only backend.analysis"):
        codec.loads('{"dataclass": "subprocess:Popen", "fields": {}}')
    with pytest.raises(codec.CodecError, match="not a cached fit"):
        codec.loads("{not json")


def test_a_fit_is_computed_once_and_read_back_from_the_database(session, monkeypatch):
    monkeypatch.setattr(cache, "MIN_STORE_SECONDS", 0.0)  # store even a quick fit
    calls = []

    def counting_power_law(*args, **settings):
        calls.append(args)
        return fit_power_law(*args, **settings)

    first = cached_fit(session, counting_power_law, N, LOSS, bootstrap=0, seed=0)
    assert session.scalar(select(func.count()).select_from(FitCacheEntry)) == 1
    clear_memory()  # as another web process would: only the table has it
    again = cached_fit(session, counting_power_law, N, LOSS, bootstrap=0, seed=0)
    assert len(calls) == 1
    assert again.values.tolist() == first.values.tolist()
    assert again.predict([1e10]).tolist() == first.predict([1e10]).tolist()
    other = cached_fit(session, counting_power_law, N, LOSS * 1.01, bootstrap=0, seed=0)
    assert len(calls) == 2
    assert other.values.tolist() != first.values.tolist()
    cached_fit(session, counting_power_law, N, LOSS, bootstrap=3, seed=0)
    assert len(calls) == 3  # another setting, another key
    assert session.scalar(select(func.count()).select_from(FitCacheEntry)) == 3


def test_a_quick_fit_stays_in_memory_only(session, monkeypatch):
    monkeypatch.setattr(cache, "MIN_STORE_SECONDS", 3600.0)
    first = cached_fit(session, fit_power_law, N, LOSS * 3, bootstrap=0, seed=0)
    assert session.scalar(select(func.count()).select_from(FitCacheEntry)) == 0
    assert cached_fit(session, fit_power_law, N, LOSS * 3, bootstrap=0, seed=0) is first


def test_an_unreadable_row_is_refitted(session, engine, monkeypatch):
    monkeypatch.setattr(cache, "MIN_STORE_SECONDS", 0.0)
    calls = []

    def counting_power_law(*args, **settings):
        calls.append(args)
        return fit_power_law(*args, **settings)

    cached_fit(session, counting_power_law, N, LOSS * 2, bootstrap=0, seed=0)
    with engine.begin() as connection:
        connection.execute(FitCacheEntry.__table__.update().values(payload='{"function": "os:x"}'))
    clear_memory()
    fit = cached_fit(session, counting_power_law, N, LOSS * 2, bootstrap=0, seed=0)
    assert len(calls) == 2
    assert fit.params["E"].value > 0


def test_warming_stores_a_fit_this_process_already_remembers(session, monkeypatch):
    """A fit computed earlier in this process (kept in memory only: it was quick) is still
    written to the shared table when a warm-up asks for it (``store_every_fit``): another web
    process has no memory of it."""
    monkeypatch.setattr(cache, "MIN_STORE_SECONDS", 3600.0)
    first = cached_fit(session, fit_power_law, N, LOSS * 5, bootstrap=0, seed=0)
    assert session.scalar(select(func.count()).select_from(FitCacheEntry)) == 0
    with cache.store_every_fit():
        again = cached_fit(session, fit_power_law, N, LOSS * 5, bootstrap=0, seed=0)
    assert again is first
    assert session.scalar(select(func.count()).select_from(FitCacheEntry)) == 1
