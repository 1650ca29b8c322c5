"""The fits as numbers for a CSV: one row per group; every parameter's value, stderr, low
and high in separate columns, units in the column names (``E [loss]``, ``E low [loss]``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from backend.fits.result import PageFits

#: Units of the parameters and derived numbers, by page (a name without one is unitless).
UNITS = {
    "scaling": {
        "E": "loss",
        "compute": "FLOP",
        "n_opt": "parameters",
        "d_opt": "tokens",
        "tokens_per_param": "tokens/parameter",
        "loss": "loss",
    },
    "loss-to-loss": {"E_x": "x loss", "E_y": "y loss", "K": "y loss / x loss^kappa"},
    "robustness": {"slope": "transformed accuracy", "intercept": "transformed accuracy"},
    "frequency": {"slope": "accuracy per x10 count", "intercept": "accuracy"},
}


def _name(name: str, units: dict[str, str], suffix: str = "") -> str:
    unit = units.get(name)
    label = f"{name} {suffix}".strip()
    return f"{label} [{unit}]" if unit else label


def fit_records(fits: PageFits) -> list[dict[str, Any]]:
    """One numeric record per fitted group (the page's fits export)."""
    units = UNITS.get(fits.page, {})
    rows = []
    for group in fits.groups:
        data = group.to_dict()
        row: dict[str, Any] = {"group": group.group, "law": group.law}
        for name, estimate in data.get("params", {}).items():
            row[_name(name, units)] = estimate["value"]
            for part in ("stderr", "low", "high"):
                row[_name(name, units, part)] = estimate[part]
            row[f"{name} interval"] = estimate["interval"]
        goodness = data.get("goodness", {})
        row.update(n=goodness.get("n"), r_squared=goodness.get("r_squared"))
        for key in ("r_raw", "r_binned", "baseline_models"):
            if key in data:
                row[key] = data[key]
        for key, value in (data.get("compute_optimal") or {}).items():
            row[_name(key, units) if not key.startswith("tokens_per_param_") else key] = value
        extrapolation = data.get("extrapolation")
        if extrapolation:
            row.update({f"extrapolated {k}": v for k, v in extrapolation.items()})
        row["space"] = data.get("space")
        rows.append(row)
    return rows


def fits_csv_text(fits: PageFits) -> str:
    """:func:`fit_records` as CSV text."""
    return pd.DataFrame(fit_records(fits)).to_csv(index=False)
