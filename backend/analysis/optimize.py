"""Batched L-BFGS: minimize k independent smooth objectives of p parameters at once.

Used where a published procedure runs one L-BFGS from each of thousands of starts (Chinchilla
Approach 3) or refits thousands of bootstrap resamples. All rows advance together with numpy
array operations: the two-loop recursion over a per-row history of the last ``m`` (s, y) pairs,
then a backtracking Armijo line search, f(x + t d) <= f(x) + c1 t g.d, halving t only for the
rows that need it. A row stops when max|g| <= gtol or its relative decrease falls below ftol
(the criteria of scipy's L-BFGS-B). Rows that stopped are no longer evaluated.

``value_and_grad(theta, rows)`` must return (f, g) for parameter rows ``theta`` (shape (r, p))
that belong to the original rows ``rows`` (indices into the batch), with f of shape (r,) and
g of shape (r, p); non-finite values count as "worse" in the line search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from backend.analysis.arrays import FloatArray, IndexArray, Mask

ValueAndGrad = Callable[[FloatArray, IndexArray], tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class BatchResult:
    """Final parameters, objective values, iteration counts and convergence flags per row."""

    x: FloatArray
    fun: FloatArray
    iterations: IndexArray
    converged: Mask


def batched_lbfgs(
    value_and_grad: ValueAndGrad,
    x0: FloatArray,
    *,
    maxiter: int = 1000,
    memory: int = 10,
    gtol: float = 1e-10,
    ftol: float = 1e-13,
    c1: float = 1e-4,
    max_halvings: int = 40,
) -> BatchResult:
    """Minimize each row of ``x0`` independently; see the module docstring."""
    x = np.array(x0, dtype=np.float64, copy=True)
    k, p = x.shape
    all_rows = np.arange(k)
    f, g = value_and_grad(x, all_rows)
    f = np.where(np.isfinite(f), f, np.inf)
    g = np.where(np.isfinite(g), g, 0.0)
    s_hist = np.zeros((k, memory, p))
    y_hist = np.zeros((k, memory, p))
    rho = np.zeros((k, memory))
    iterations = np.zeros(k, dtype=int)
    converged = np.max(np.abs(g), axis=1) <= gtol
    active = ~converged & np.isfinite(f)

    for it in range(maxiter):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        xa, fa, ga = x[rows], f[rows], g[rows]
        direction = -_two_loop(ga, s_hist[rows], y_hist[rows], rho[rows], it, memory)
        slope = np.einsum("rp,rp->r", ga, direction)
        uphill = ~(slope < 0)
        if uphill.any():  # lost descent: restart this row from steepest descent
            direction[uphill] = -ga[uphill]
            slope[uphill] = -np.einsum("rp,rp->r", ga[uphill], ga[uphill])
            rho[rows[uphill]] = 0.0
        step = np.ones(rows.size)
        fresh = rho[rows].sum(axis=1) == 0
        norm = np.linalg.norm(direction, axis=1)
        step[fresh] = np.minimum(1.0, 1.0 / np.maximum(norm[fresh], 1e-300))

        x_new, f_new, g_new = xa.copy(), np.full(rows.size, np.inf), np.zeros_like(ga)
        pending = np.arange(rows.size)
        for _ in range(max_halvings):
            trial = xa[pending] + step[pending, None] * direction[pending]
            ft, gt = value_and_grad(trial, rows[pending])
            ok = np.isfinite(ft) & np.all(np.isfinite(gt), axis=1)
            ok &= ft <= fa[pending] + c1 * step[pending] * slope[pending]
            done = pending[ok]
            x_new[done], f_new[done], g_new[done] = trial[ok], ft[ok], gt[ok]
            pending = pending[~ok]
            if pending.size == 0:
                break
            step[pending] *= 0.5
        stuck = pending  # no acceptable step: the row is at a (numerical) minimum
        moved = np.setdiff1d(np.arange(rows.size), stuck)

        s = x_new[moved] - xa[moved]
        y = g_new[moved] - ga[moved]
        sy = np.einsum("rp,rp->r", s, y)
        good = sy > 1e-12 * np.einsum("rp,rp->r", y, y)
        slot = it % memory
        target = rows[moved]
        s_hist[target, slot] = np.where(good[:, None], s, 0.0)
        y_hist[target, slot] = np.where(good[:, None], y, 0.0)
        rho[target, slot] = np.where(good, 1.0 / np.where(good, sy, 1.0), 0.0)

        decrease = fa[moved] - f_new[moved]
        scale = np.maximum(np.maximum(np.abs(fa[moved]), np.abs(f_new[moved])), 1.0)
        small_step = decrease <= ftol * scale
        small_grad = np.max(np.abs(g_new[moved]), axis=1) <= gtol
        x[target], f[target], g[target] = x_new[moved], f_new[moved], g_new[moved]
        iterations[rows] += 1
        finished = target[small_step | small_grad]
        converged[finished] = True
        converged[rows[stuck]] = True
        active[finished] = False
        active[rows[stuck]] = False

    return BatchResult(x, f, iterations, converged)


def _two_loop(
    g: FloatArray,
    s_hist: FloatArray,
    y_hist: FloatArray,
    rho: FloatArray,
    it: int,
    memory: int,
) -> FloatArray:
    """H g for each row by the L-BFGS two-loop recursion (newest pair first)."""
    q = g.copy()
    order = [(it - 1 - j) % memory for j in range(min(it, memory))]
    alphas = []
    for slot in order:
        a = rho[:, slot] * np.einsum("rp,rp->r", s_hist[:, slot], q)
        q -= a[:, None] * y_hist[:, slot]
        alphas.append(a)
    gamma = np.ones(len(g))
    scaled = np.zeros(len(g), dtype=bool)
    for slot in order:  # scale by s.y / y.y of the newest valid pair
        yy = np.einsum("rp,rp->r", y_hist[:, slot], y_hist[:, slot])
        valid = (rho[:, slot] > 0) & ~scaled & (yy > 0)
        gamma[valid] = 1.0 / (rho[valid, slot] * yy[valid])
        scaled |= valid
    r: FloatArray = gamma[:, None] * q
    for slot, a in zip(reversed(order), reversed(alphas), strict=True):
        b = rho[:, slot] * np.einsum("rp,rp->r", y_hist[:, slot], r)
        r += s_hist[:, slot] * (a - b)[:, None]
    return r
