"""ScaleScope's analysis engine: pure numpy/scipy fits of scaling and generalization papers.

No database, no torch, no plotting. Every fit takes plain arrays (pandas Series work; for a
DataFrame use ``fit_columns`` or ``fit_per_group``), refuses bad input with
:class:`AnalysisInputError` (a ``backend.exceptions.ValidationError``: HTTP 422) and returns a
frozen result that names the space it was fitted in (``result.space``).

Public API
----------
Transforms (``transforms``): one registry for plots and fits
    ``TRANSFORMS``, ``get_transform(name)`` -> ``AxisTransform`` with ``forward``, ``inverse``,
    ``ticks(low, high)`` (positions in transformed space, labels in data space);
    names "linear", "log" (log10), "logit", "probit".
Results (``results``)
    ``ParametricFit``: ``params`` (name -> ``Estimate`` with value, stderr and an interval
    labelled "wald" or "bootstrap"), ``goodness`` (``GoodnessOfFit``: n, R^2, RMSE, objective),
    ``residuals``, ``predict(*x)``, ``band(*x, level)`` -> ``Band``, ``to_dict()``, ``fit["E"]``.
Compute scaling (``chinchilla``, ``power_law``)
    ``fit_chinchilla(n_params, n_tokens, loss, grid=FULL_GRID, bootstrap=0)`` -> ``ScalingLawFit``
    (Approach 3, Huber 1e-3 on log loss, 4,500 starts, batched L-BFGS; ``.E .A .B .alpha .beta``,
    ``.compute_optimal(C)`` -> ``ComputeOptimal`` N_opt, D_opt, tokens/param with bootstrap CIs);
    ``fit_kaplan(...)`` (L = E + ((A/N)^(alpha/beta) + B/D)^beta); ``fit_power_law(x, loss)`` ->
    ``PowerLawFit`` (L = E + A x^-alpha); ``COARSE_GRID`` for quick fits.
Loss-to-loss (``loss_to_loss``)
    ``fit_loss_to_loss(loss_x, loss_y, e_x=, e_y=, procedure="loglog"|"least_squares",
    bootstrap=0)`` -> ``ShiftedPowerLawFit`` (``.K .kappa``, ``.extrapolate(loss_x)`` -> Band);
    ``irreducible_losses(n, d, loss_x, loss_y)``; ``pair_runs(frame, group_column=, x_group=,
    y_group=)`` (train-to-train); ``fit_error_vs_loss(loss, accuracy)``;
    ``chance_normalized_accuracy(accuracy, chance)``.
Frequency (``frequency``)
    ``fit_frequency_accuracy(counts, accuracy)`` -> ``FrequencyFit`` (``slope_per_decade``,
    ``r_raw``, ``r_binned``, ``binned``); ``fit_compositional(object_counts, performance)``;
    ``pmi(c12, c1, c2, k=1)``; ``fit_accuracy_vs_pmi(pmi, accuracy, tail=0.05)``.
Effective robustness (``robustness``)
    ``fit_effective_robustness(acc_id, acc_ood, baseline=mask, transform="logit",
    bootstrap=0)`` -> ``EffectiveRobustnessFit`` (``effective_robustness_points``,
    ``predict``, ``band``).
Lines and frames
    ``fit_line(x, y)`` -> ``LineFit``; ``fit_columns(frame, fit, columns)``;
    ``fit_per_group(frame, by, fit, columns)`` (one fit per corpus, tokenizer, ...).
"""

from backend.analysis.chinchilla import (
    COARSE_GRID,
    FULL_GRID,
    ComputeOptimal,
    ScalingLawFit,
    fit_chinchilla,
    fit_kaplan,
)
from backend.analysis.frequency import (
    CompositionalFit,
    FrequencyFit,
    PmiAccuracy,
    fit_accuracy_vs_pmi,
    fit_compositional,
    fit_frequency_accuracy,
    pmi,
)
from backend.analysis.grouping import fit_columns, fit_per_group
from backend.analysis.linear import LineFit, fit_line
from backend.analysis.loss_to_loss import (
    ShiftedPowerLawFit,
    chance_normalized_accuracy,
    fit_error_vs_loss,
    fit_loss_to_loss,
    irreducible_losses,
    pair_runs,
)
from backend.analysis.power_law import PowerLawFit, fit_power_law
from backend.analysis.results import Band, Estimate, GoodnessOfFit, ParametricFit
from backend.analysis.robustness import EffectiveRobustnessFit, fit_effective_robustness
from backend.analysis.transforms import TRANSFORMS, AxisTransform, get_transform
from backend.analysis.validation import AnalysisInputError

__all__ = [
    "COARSE_GRID",
    "FULL_GRID",
    "TRANSFORMS",
    "AnalysisInputError",
    "AxisTransform",
    "Band",
    "CompositionalFit",
    "ComputeOptimal",
    "EffectiveRobustnessFit",
    "Estimate",
    "FrequencyFit",
    "GoodnessOfFit",
    "LineFit",
    "ParametricFit",
    "PmiAccuracy",
    "PowerLawFit",
    "ScalingLawFit",
    "ShiftedPowerLawFit",
    "chance_normalized_accuracy",
    "fit_accuracy_vs_pmi",
    "fit_chinchilla",
    "fit_columns",
    "fit_compositional",
    "fit_effective_robustness",
    "fit_error_vs_loss",
    "fit_frequency_accuracy",
    "fit_kaplan",
    "fit_line",
    "fit_loss_to_loss",
    "fit_per_group",
    "fit_power_law",
    "get_transform",
    "irreducible_losses",
    "pair_runs",
    "pmi",
]
