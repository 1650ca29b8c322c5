"""Every fit refuses bad input with an AnalysisInputError (HTTP 422) that names the problem."""

import inspect
import re
import sys

import numpy as np
import pandas as pd
import pytest

import backend.analysis
from backend.analysis import AnalysisInputError, fit_columns, fit_per_group, get_transform
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
    irreducible_losses,
    pair_runs,
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
RUNS = pd.DataFrame(
    {"data": ["a"] * 6 + ["b"] * 6, "params": N, "tokens": D, "x": LX[:12], "y": LY[:12]}
)


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
    "chinchilla negative bootstrap": (
        lambda: fit_chinchilla(N, D, LOSS, grid=COARSE_GRID[:5], bootstrap=-3),
        "bootstrap",
    ),
    "kaplan too few": (
        lambda: fit_kaplan(N[:3], D[:3], LOSS[:3], grid=COARSE_GRID[:5]),
        "at least",
    ),
    "kaplan zero loss": (
        lambda: fit_kaplan(N, D, np.r_[0.0, LOSS[1:]], grid=COARSE_GRID[:5]),
        "> 0",
    ),
    "compute-optimal negative budget": (
        lambda: chinchilla(N, D, LOSS).compute_optimal([-1.0]),
        "compute",
    ),
    "power law NaN": (lambda: fit_power_law(with_nan(N), LOSS), "NaN"),
    "power law fractional bootstrap": (lambda: fit_power_law(N, LOSS, bootstrap=2.5), "bootstrap"),
    "loss-to-loss negative bootstrap": (
        lambda: fit_loss_to_loss(LX, LY, e_x=1, e_y=1, bootstrap=-1),
        "bootstrap",
    ),
    "irreducible losses NaN": (
        lambda: irreducible_losses(N, D, with_nan(LOSS), LOSS, grid=COARSE_GRID[:5]),
        "NaN",
    ),
    "irreducible losses form": (
        lambda: irreducible_losses(N, D, LOSS, LOSS, form="magic", grid=COARSE_GRID[:5]),
        "form",
    ),
    "pair runs missing column": (
        lambda: pair_runs(
            RUNS.drop(columns="tokens"), group_column="data", x_group="a", y_group="b"
        ),
        "missing column",
    ),
    "pair runs unknown group": (
        lambda: pair_runs(RUNS, group_column="data", x_group="a", y_group="zzz"),
        "no runs",
    ),
    "error vs loss NaN": (lambda: fit_error_vs_loss(with_nan(LX), ACC[:30]), "NaN"),
    "error vs loss length": (lambda: fit_error_vs_loss(LX, ACC), "differ in length"),
    "chance-normalized chance 1": (lambda: chance_normalized_accuracy([0.5], 1.0), "chance"),
    "frequency length": (lambda: fit_frequency_accuracy(COUNTS, ACC[:-1]), "differ in length"),
    "compositional NaN performance": (
        lambda: fit_compositional(np.outer(np.arange(1, 41), [1, 2]), with_nan(ACC)),
        "NaN",
    ),
    "pmi NaN": (lambda: pmi([np.nan], [1], [1]), "NaN"),
    "pmi length": (lambda: pmi([1, 2], [1], [1]), "differ in length"),
    "accuracy vs pmi NaN": (lambda: fit_accuracy_vs_pmi(with_nan(COUNTS), ACC), "NaN"),
    "accuracy vs pmi above 1": (lambda: fit_accuracy_vs_pmi(COUNTS, ACC + 1), "[0, 1]"),
    "robustness NaN": (lambda: fit_effective_robustness(with_nan(ACC), ACC), "NaN"),
    "robustness length": (lambda: fit_effective_robustness(ACC, ACC[:-1]), "differ in length"),
    "robustness negative bootstrap": (
        lambda: fit_effective_robustness(ACC, ACC * 0.9, bootstrap=-3),
        "bootstrap",
    ),
    "line too few": (lambda: fit_line([1, 2], [1, 2]), "at least"),
    "line empty": (lambda: fit_line([], []), "no values"),
    "line 2-D": (lambda: fit_line(np.ones((3, 3)), np.ones((3, 3))), "1-D"),
    "per group missing column": (
        lambda: fit_per_group(RUNS, "data", fit_line, ["x", "nope"]),
        "missing column",
    ),
    "per group names the group": (
        lambda: fit_per_group(RUNS.iloc[:7], "data", fit_power_law, ["params", "y"]),
        "group 'b'",
    ),
    "fit columns missing column": (
        lambda: fit_columns(RUNS, fit_line, ["x", "nope"]),
        "missing column",
    ),
    "transform unknown": (lambda: get_transform("sqrt"), "unknown transform"),
    "transform outside its domain": (
        lambda: get_transform("logit").forward(np.array([1.5])),
        "(0.0, 1.0)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_clearly(case):
    call, message = CASES[case]
    with pytest.raises(AnalysisInputError, match=re.escape(message)) as info:
        call()
    assert isinstance(info.value, ValidationError)  # the API answers 422


#: Public callables that are not fits of data (results, registries, constants).
NOT_FITS = {"TRANSFORMS", "COARSE_GRID", "FULL_GRID"}


def test_every_public_fit_has_bad_input_cases():
    """Each public function of ``backend.analysis`` is called by at least one case above."""
    source = inspect.getsource(sys.modules[__name__])
    cases = source[source.index("CASES = {") : source.index("NOT_FITS")]
    public = [
        name
        for name in backend.analysis.__all__
        if name not in NOT_FITS and inspect.isfunction(getattr(backend.analysis, name))
    ]
    assert len(public) >= 15
    missing = [name for name in public if f"{name}(" not in cases]
    assert not missing, f"no bad-input case calls {missing}"
