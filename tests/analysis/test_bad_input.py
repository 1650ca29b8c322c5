"""Every fit refuses bad input with an AnalysisInputError (HTTP 422) that names the problem."""

import re

import numpy as np
import pytest

from backend.analysis import AnalysisInputError
from backend.analysis.chinchilla import COARSE_GRID, fit_chinchilla, fit_kaplan
from backend.analysis.frequency import (
    fit_accuracy_vs_pmi,
    fit_compositional,
    fit_frequency_accuracy,
    pmi,
)
from backend.analysis.linear import fit_line
from backend.analysis.loss_to_loss import (
    chance_normalized_accuracy,
    fit_error_vs_loss,
    fit_loss_to_loss,
)
from backend.analysis.power_law import fit_power_law
from backend.analysis.robustness import fit_effective_robustness
from backend.exceptions import ValidationError

N = np.geomspace(1e8, 1e10, 12)
D = np.geomspace(1e9, 1e11, 12)
LOSS = 2.0 + 400 / N**0.3 + 400 / D**0.3
LX = np.linspace(2.5, 3.5, 30)
LY = 0.9 * (LX - 2.0) ** 1.1 + 1.5
ACC = np.linspace(0.5, 0.9, 40)
COUNTS = np.geomspace(1, 1e6, 40)


def with_nan(values, index=3):
    copy = np.array(values, dtype=float)
    copy[index] = np.nan
    return copy


def chinchilla(n, d, loss):
    return fit_chinchilla(n, d, loss, grid=COARSE_GRID[:5], polish=0)


CASES = {
    "chinchilla too few points": (lambda: chinchilla(N[:4], D[:4], LOSS[:4]), "at least"),
    "chinchilla NaN loss": (lambda: chinchilla(N, D, with_nan(LOSS)), "NaN"),
    "chinchilla zero loss": (lambda: chinchilla(N, D, np.r_[0.0, LOSS[1:]]), "> 0"),
    "chinchilla negative tokens": (lambda: chinchilla(N, -D, LOSS), "n_tokens"),
    "chinchilla length mismatch": (lambda: chinchilla(N, D[:-1], LOSS), "differ in length"),
    "kaplan NaN": (lambda: fit_kaplan(with_nan(N), D, LOSS, grid=COARSE_GRID[:5]), "NaN"),
    "power law negative loss": (lambda: fit_power_law(N, -LOSS), "> 0"),
    "power law too few": (lambda: fit_power_law(N[:3], LOSS[:3]), "at least"),
    "power law constant x": (lambda: fit_power_law(np.ones(12), LOSS), "all values are equal"),
    "loss-to-loss E_x not below": (lambda: fit_loss_to_loss(LX, LY, e_x=2.6, e_y=1.0), "E_x"),
    "loss-to-loss E_y not below": (lambda: fit_loss_to_loss(LX, LY, e_x=1.0, e_y=9.0), "E_y"),
    "loss-to-loss negative E": (lambda: fit_loss_to_loss(LX, LY, e_x=-1.0, e_y=1.0), ">= 0"),
    "loss-to-loss NaN": (lambda: fit_loss_to_loss(with_nan(LX), LY, e_x=1, e_y=1), "NaN"),
    "loss-to-loss too few": (lambda: fit_loss_to_loss(LX[:3], LY[:3], e_x=1, e_y=1), "at least"),
    "loss-to-loss procedure": (
        lambda: fit_loss_to_loss(LX, LY, e_x=1, e_y=1, procedure="magic"),
        "procedure",
    ),
    "loss-to-loss extrapolate below E_x": (
        lambda: fit_loss_to_loss(LX, LY, e_x=2.0, e_y=1.0).extrapolate([1.5]),
        "E_x",
    ),
    "error vs loss percent accuracy": (
        lambda: fit_error_vs_loss(LX, np.linspace(50, 90, 30)),
        "divide by 100",
    ),
    "chance-normalized outside": (lambda: chance_normalized_accuracy([1.2], 0.25), "[0, 1]"),
    "frequency accuracy above 1": (lambda: fit_frequency_accuracy(COUNTS, ACC * 100), "[0, 1]"),
    "frequency negative count": (lambda: fit_frequency_accuracy(-COUNTS, ACC), "negative"),
    "frequency NaN": (lambda: fit_frequency_accuracy(COUNTS, with_nan(ACC)), "NaN"),
    "frequency too few": (lambda: fit_frequency_accuracy(COUNTS[:5], ACC[:5]), "at least"),
    "compositional 1-D counts": (lambda: fit_compositional(COUNTS, ACC), "one row"),
    "compositional empty row": (
        lambda: fit_compositional(np.full((5, 2), np.nan), ACC[:5]),
        "no object counts",
    ),
    "pmi negative count": (lambda: pmi([-1], [1], [1]), "negative"),
    "pmi bad smoothing": (lambda: pmi([1], [1], [1], k=0), "k must be"),
    "pmi accuracy tail": (lambda: fit_accuracy_vs_pmi(COUNTS, ACC, tail=0.7), "tail"),
    "robustness accuracy above 1": (lambda: fit_effective_robustness(ACC, ACC + 0.2), "[0, 1]"),
    "robustness transform": (
        lambda: fit_effective_robustness(ACC, ACC, transform="log"),
        "logit",
    ),
    "robustness tiny baseline": (
        lambda: fit_effective_robustness(ACC, ACC, baseline=[0, 1]),
        "at least",
    ),
    "robustness mask length": (
        lambda: fit_effective_robustness(ACC, ACC, baseline=np.ones(3, dtype=bool)),
        "entries",
    ),
    "line NaN": (lambda: fit_line(with_nan(ACC), ACC), "NaN"),
    "line non-numeric": (lambda: fit_line(["a", "b", "c"], [1, 2, 3]), "expected numbers"),
    "level outside (0, 1)": (lambda: fit_power_law(N, LOSS, level=1.5), "level"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_clearly(case):
    call, message = CASES[case]
    with pytest.raises(AnalysisInputError, match=re.escape(message)) as info:
        call()
    assert isinstance(info.value, ValidationError)  # the API answers 422
