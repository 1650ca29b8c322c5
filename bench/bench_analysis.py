"""Benchmarks of the analysis engine (not tests; run by hand and quote the figures).

    .venv/bin/python bench/bench_analysis.py            # everything, naive loop on all 4,500 starts
    .venv/bin/python bench/bench_analysis.py --quick    # naive loop on every 10th start, scaled x10
    .venv/bin/python bench/bench_analysis.py --data PATH  # Chinchilla points from another folder

1. Chinchilla Approach 3 on the 240 points of Besiroglu et al. (2024) with the full 4,500-start
   grid: the vectorized fit (batched L-BFGS, analytic gradients, scipy polish) against the
   straightforward loop of one scipy L-BFGS-B per start, side by side in one run. The loop is
   timed as in Besiroglu et al.'s notebook (finite-difference gradients) and, as a stricter
   reference, with our analytic gradient. Both must reach the same optimum.
2. Shifted power law with 1,000 bootstrap resamples on 1,000 points (target < 1 s).
3. Effective robustness with 1,000 bootstrap resamples on 300 models (target < 0.5 s).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _report import add_json_argument, write_result

from backend.analysis.chinchilla import FULL_GRID, fit_chinchilla, fit_chinchilla_naive
from backend.analysis.loss_to_loss import fit_loss_to_loss
from backend.analysis.robustness import fit_effective_robustness

#: The repository's published files shipped for the demo (Chinchilla points among them).
DEMO_DATA = Path(__file__).resolve().parents[1] / "backend" / "demo" / "data"


def chinchilla_points(data: Path):
    frame = pd.read_csv(data / "chinchilla_epoch" / "svg_extracted_data.csv")
    n = frame["Model Size"].to_numpy()
    d = frame["Training FLOP"].to_numpy() / (6 * n)
    loss = frame["loss"].to_numpy()
    keep = loss < np.sort(loss)[-5]
    return n[keep], d[keep], loss[keep]


def best_of(repeats, call):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), result


def bench_chinchilla(quick: bool, data: Path, figures: dict) -> None:
    n, d, loss = chinchilla_points(data)
    grid = FULL_GRID[::10] if quick else FULL_GRID
    scale = len(FULL_GRID) / len(grid)
    vec_time, fit = best_of(3, lambda: fit_chinchilla(n, d, loss))
    figures["chinchilla_vectorized_s"] = vec_time
    figures["chinchilla_objective"] = fit.goodness.objective
    print(f"Chinchilla Approach 3, {len(n)} points, {len(FULL_GRID)} starts")
    print(
        f"  vectorized (batched L-BFGS + polish): {vec_time:8.2f} s"
        f"   objective {fit.goodness.objective:.12g}"
    )
    print(
        f"    E={fit.E:.4f} A={fit.A:.2f} B={fit.B:.2f} alpha={fit.alpha:.4f} beta={fit.beta:.4f}"
    )
    for label, analytic in (("finite-difference gradient", False), ("analytic gradient", True)):
        start = time.perf_counter()
        values, objective = fit_chinchilla_naive(n, d, loss, grid=grid, analytic_gradient=analytic)
        naive_time = (time.perf_counter() - start) * scale
        note = f" (measured on {len(grid)} starts, x{scale:g})" if quick else ""
        same = objective >= fit.goodness.objective * (1 - 1e-6) and np.allclose(
            values, fit.values, rtol=2e-3
        )
        key = "analytic" if analytic else "finite_difference"
        figures[f"chinchilla_naive_{key}_s"] = naive_time
        figures[f"chinchilla_naive_{key}_same_optimum"] = bool(same)
        print(
            f"  naive loop, {label}: {naive_time:8.2f} s{note}   objective {objective:.12g}"
            f"   ratio {naive_time / vec_time:6.1f}x   same optimum: {same}"
        )


def bench_loss_to_loss(figures: dict) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(2.2, 4.0, 1000)
    y = 0.9 * (x - 1.8) ** 1.2 + 1.5 + rng.normal(0, 0.01, 1000)
    for procedure in ("loglog", "least_squares"):
        elapsed, fit = best_of(
            3,
            lambda p=procedure: fit_loss_to_loss(
                x, y, e_x=1.8, e_y=1.5, procedure=p, bootstrap=1000
            ),
        )
        kappa = fit.params["kappa"]
        figures[f"loss_to_loss_{procedure}_s"] = elapsed
        print(
            f"Shifted power law ({procedure}), 1,000 points, 1,000 bootstrap resamples: "
            f"{elapsed:6.3f} s   kappa {kappa.value:.4f} [{kappa.low:.4f}, {kappa.high:.4f}]"
        )


def bench_robustness(figures: dict) -> None:
    rng = np.random.default_rng(1)
    acc_id = rng.uniform(0.5, 0.9, 300)
    logit = np.log(acc_id / (1 - acc_id))
    acc_ood = 1 / (1 + np.exp(-(0.9 * logit - 0.4 + rng.normal(0, 0.05, 300))))
    elapsed, fit = best_of(3, lambda: fit_effective_robustness(acc_id, acc_ood, bootstrap=1000))
    figures["effective_robustness_s"] = elapsed
    print(
        f"Effective robustness, 300 models, 1,000 bootstrap resamples: {elapsed:6.3f} s"
        f"   slope {fit.slope:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="naive loop on every 10th start")
    parser.add_argument(
        "--data",
        type=Path,
        default=DEMO_DATA,
        metavar="PATH",
        help="folder holding chinchilla_epoch/svg_extracted_data.csv (default: %(default)s)",
    )
    add_json_argument(parser)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    figures: dict = {"quick": args.quick}
    bench_loss_to_loss(figures)
    bench_robustness(figures)
    bench_chinchilla(args.quick, args.data, figures)
    aims = {
        "chinchilla_naive_analytic_same_optimum": "must be true",
        "chinchilla_naive_finite_difference_same_optimum": "must be true",
    }
    write_result("bench_analysis", figures, aims, args.json)


if __name__ == "__main__":
    main()
