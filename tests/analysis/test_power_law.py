"""L(C) = E + A C^-alpha: recovery with bootstrap; one fit per group."""

import numpy as np
import pandas as pd
import pytest

from backend.analysis import AnalysisInputError
from backend.analysis.chinchilla import COARSE_GRID, fit_chinchilla
from backend.analysis.grouping import fit_per_group
from backend.analysis.power_law import fit_power_law


def test_recovers_compute_power_law():
    rng = np.random.default_rng(5)
    compute = np.geomspace(1e18, 1e22, 40)
    loss = (1.7 + 2.1e3 * compute**-0.16) * np.exp(rng.normal(0, 0.003, compute.size))
    fit = fit_power_law(compute, loss, bootstrap=200)
    assert fit.E == pytest.approx(1.7, abs=0.1)
    assert fit.alpha == pytest.approx(0.16, abs=0.03)
    low, high = fit.params["alpha"].low, fit.params["alpha"].high
    assert low < 0.16 < high
    band = fit.band([1e23])
    assert band.kind == "bootstrap" and band.low[0] < band.center[0] < band.high[0]
    assert fit.predict([1e23])[0] == pytest.approx(1.7 + 2.1e3 * 1e23**-0.16, rel=0.02)


def test_one_fit_per_group_and_group_named_in_errors():
    rng = np.random.default_rng(6)
    rows = []
    for corpus, e in (("web", 2.0), ("code", 1.2)):
        for n in np.geomspace(5e7, 1e10, 6):
            for d in np.geomspace(1e9, 5e11, 6):
                loss = e + 400 / n**0.34 + 410 / d**0.28
                rows.append((corpus, n, d, loss * np.exp(rng.normal(0, 0.002))))
    frame = pd.DataFrame(rows, columns=["corpus", "n", "d", "loss"])
    fits = fit_per_group(frame, "corpus", fit_chinchilla, ["n", "d", "loss"], grid=COARSE_GRID)
    assert set(fits) == {"web", "code"}
    assert fits["web"].E == pytest.approx(2.0, rel=0.05)
    assert fits["code"].E == pytest.approx(1.2, rel=0.05)
    tiny = frame.groupby("corpus").head(3)
    with pytest.raises(AnalysisInputError, match="group 'code'"):
        fit_per_group(tiny, "corpus", fit_chinchilla, ["n", "d", "loss"])
    columns = ["n", "d", "loss"]
    assert fit_per_group(tiny, "corpus", fit_chinchilla, columns, skip_failures=True) == {}
    failures: dict = {}
    mixed = pd.concat([frame[frame["corpus"] == "web"], tiny[tiny["corpus"] == "code"]])
    kept = fit_per_group(
        mixed,
        "corpus",
        fit_chinchilla,
        columns,
        skip_failures=True,
        failures=failures,
        grid=COARSE_GRID,
    )
    assert set(kept) == {"web"} and set(failures) == {"code"}
    assert failures["code"].endswith("needs at least 6 points, got 3")


def test_fit_columns_drops_missing_rows():
    from backend.analysis import fit_columns, fit_line

    frame = pd.DataFrame({"x": [1, 2, 3, np.nan, 5], "y": [2.0, 4.0, 6.0, 8.0, 10.0]})
    fit = fit_columns(frame, fit_line, ["x", "y"])
    assert fit.goodness.n == 4 and fit.slope == pytest.approx(2.0)
