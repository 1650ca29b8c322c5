"""Huber losses on log loss for the parametric scaling laws, with analytic gradients.

All three forms are fitted in log space, as Hoffmann et al. (2022, App. D.2) do:

    objective(theta) = sum_i w_i * Huber_delta(pred_i(theta) - log L_i)
    Huber_delta(r)   = r^2 / 2                    if |r| <= delta
                       delta * (|r| - delta / 2)  otherwise

with the log-space prediction ``pred`` written as a log-sum-exp (LSE):

* Chinchilla  L = E + A/N^alpha + B/D^beta       pred = LSE(a - alpha log N, b - beta log D, e)
  theta = (a, b, e, alpha, beta), A = e^a, B = e^b, E = e^e.
* Kaplan-style  L = E + ((A/N)^(alpha/beta) + B/D)^beta
  pred = LSE(beta * LSE((alpha/beta)(a - log N), b - log D), e).
* Power law with offset  L = E + A x^-alpha      pred = LSE(a - alpha log x, e);
  theta = (a, e, alpha).

``w`` are per-row data weights (ones for a plain fit; resampling counts for bootstrap refits),
so one call evaluates many independent problems. Every ``value_and_grad(theta, rows)`` returns
f of shape (r,) and g of shape (r, p).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from backend.analysis.arrays import FloatArray, IndexArray

Terms2 = tuple[FloatArray, FloatArray, FloatArray]
Terms3 = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def huber(residuals: FloatArray, delta: float) -> tuple[FloatArray, FloatArray]:
    """Huber_delta(r) and its derivative clip(r, -delta, delta).

    With c = clip(r, -delta, delta), Huber_delta(r) = c * (r - c / 2) in both regimes.
    """
    clipped = np.clip(residuals, -delta, delta)
    return clipped * (residuals - 0.5 * clipped), clipped


def _softmax2(t1: FloatArray, t2: FloatArray) -> Terms2:
    top = np.maximum(t1, t2)
    e1, e2 = np.exp(t1 - top), np.exp(t2 - top)
    total = e1 + e2
    return top + np.log(total), e1 / total, e2 / total


def _softmax3(t1: FloatArray, t2: FloatArray, t3: FloatArray) -> Terms3:
    top = np.maximum(np.maximum(t1, t2), t3)
    e1, e2, e3 = np.exp(t1 - top), np.exp(t2 - top), np.exp(t3 - top)
    total = e1 + e2 + e3
    return top + np.log(total), e1 / total, e2 / total, e3 / total


@dataclass(frozen=True)
class LogLossData:
    """log N, log D (or log x), log L and optional per-problem weights of shape (k, n)."""

    log_n: FloatArray
    log_d: FloatArray | None
    log_loss: FloatArray
    delta: float = 1e-3
    weights: FloatArray | None = None
    buffers: dict[str, FloatArray] = field(default_factory=dict, compare=False, repr=False)

    def _w(self, rows: IndexArray) -> FloatArray | float:
        return 1.0 if self.weights is None else self.weights[rows]

    def require_log_d(self) -> FloatArray:
        """log D, which the two-variable forms (Chinchilla, Kaplan) need."""
        if self.log_d is None:
            raise ValueError("the L(N, D) objectives need log D; this data has only log N")
        return self.log_d

    def buffer(self, name: str, rows: int) -> FloatArray:
        """A reusable (rows, n) scratch array: fresh large temporaries cost more than the math."""
        held = self.buffers.get(name)
        if held is None or held.shape[0] < rows:
            held = self.buffers[name] = np.empty((rows, len(self.log_loss)))
        return held[:rows]


def chinchilla_pred(theta: FloatArray, log_n: FloatArray, log_d: FloatArray) -> Terms3:
    """pred (k, n) and softmax weights of the three terms."""
    a, b, e, alpha, beta = (theta[:, i : i + 1] for i in range(5))
    return _softmax3(a - alpha * log_n, b - beta * log_d, np.broadcast_to(e, (len(theta), 1)))


def chinchilla_value_and_grad(
    data: LogLossData, theta: FloatArray, rows: IndexArray
) -> tuple[FloatArray, FloatArray]:
    """Huber objective of the Chinchilla form and its gradient in (a, b, e, alpha, beta).

    Evaluated without the max-shift of a stable LSE (a term that overflows gives a non-finite
    objective, which the line search rejects; terms that underflow carry no gradient) and in
    place in reusable buffers, which makes the batched multi-start several times faster.
    """
    k = len(theta)
    log_d = data.require_log_d()
    term_n, term_d = data.buffer("term_n", k), data.buffer("term_d", k)
    total, residual = data.buffer("total", k), data.buffer("residual", k)
    clipped = data.buffer("clipped", k)
    np.multiply(theta[:, 3:4], data.log_n, out=term_n)
    np.subtract(theta[:, 0:1], term_n, out=term_n)
    np.exp(term_n, out=term_n)
    np.multiply(theta[:, 4:5], log_d, out=term_d)
    np.subtract(theta[:, 1:2], term_d, out=term_d)
    np.exp(term_d, out=term_d)
    term_e = np.exp(theta[:, 2:3])
    np.add(term_n, term_d, out=total)
    np.add(total, term_e, out=total)
    np.log(total, out=residual)
    np.subtract(residual, data.log_loss, out=residual)
    np.clip(residual, -data.delta, data.delta, out=clipped)
    # Huber = c * (r - c / 2), computed into ``residual``
    np.subtract(residual, 0.5 * clipped, out=residual)
    np.multiply(residual, clipped, out=residual)
    if data.weights is not None:
        weights = data.buffer("weights", k)
        np.take(data.weights, rows, axis=0, out=weights)
        np.multiply(residual, weights, out=residual)
        np.multiply(clipped, weights, out=clipped)
    value = residual.sum(1)
    np.divide(clipped, total, out=clipped)  # q = w * Huber'(r) / total
    np.multiply(term_n, clipped, out=term_n)
    np.multiply(term_d, clipped, out=term_d)
    grad = np.stack(
        [
            term_n.sum(1),
            term_d.sum(1),
            term_e[:, 0] * clipped.sum(1),
            -(term_n @ data.log_n),
            -(term_d @ log_d),
        ],
        axis=1,
    )
    return value, grad


class KaplanPieces(NamedTuple):
    """The intermediate terms of the Kaplan-style prediction that its gradient reuses."""

    a: FloatArray
    alpha: FloatArray
    beta: FloatArray
    shifted: FloatArray
    inner: FloatArray
    v1: FloatArray
    v2: FloatArray
    wt: FloatArray
    we: FloatArray


def kaplan_pred(
    theta: FloatArray, log_n: FloatArray, log_d: FloatArray
) -> tuple[FloatArray, KaplanPieces]:
    """pred (k, n) of the Kaplan-style form and the pieces its gradient needs."""
    a, b, e, alpha, beta = (theta[:, i : i + 1] for i in range(5))
    shifted = a - log_n
    inner, v1, v2 = _softmax2((alpha / beta) * shifted, b - log_d)
    pred, wt, we = _softmax2(beta * inner, np.broadcast_to(e, inner.shape))
    return pred, KaplanPieces(a, alpha, beta, shifted, inner, v1, v2, wt, we)


def kaplan_value_and_grad(
    data: LogLossData, theta: FloatArray, rows: IndexArray
) -> tuple[FloatArray, FloatArray]:
    """Huber objective of the Kaplan-style form and its gradient in (a, b, e, alpha, beta)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pred, (a, alpha, beta, shifted, inner, v1, v2, wt, we) = kaplan_pred(
            theta, data.log_n, data.require_log_d()
        )
        value, slope = huber(pred - data.log_loss, data.delta)
        weights = data._w(rows)
        ct = weights * slope * wt
        grad = np.stack(
            [
                (ct * alpha * v1).sum(1),
                (ct * beta * v2).sum(1),
                (weights * slope * we).sum(1),
                (ct * v1 * shifted).sum(1),
                (ct * (inner - v1 * alpha * shifted / beta)).sum(1),
            ],
            axis=1,
        )
    return (weights * value).sum(1), grad


def power_law_pred(theta: FloatArray, log_x: FloatArray) -> Terms2:
    """pred (k, n) of E + A x^-alpha with theta = (a, e, alpha)."""
    a, e, alpha = (theta[:, i : i + 1] for i in range(3))
    return _softmax2(a - alpha * log_x, np.broadcast_to(e, (len(theta), 1)))


def power_law_value_and_grad(
    data: LogLossData, theta: FloatArray, rows: IndexArray
) -> tuple[FloatArray, FloatArray]:
    """Huber objective of E + A x^-alpha and its gradient in (a, e, alpha)."""
    pred, w1, w2 = power_law_pred(theta, data.log_n)
    value, slope = huber(pred - data.log_loss, data.delta)
    weights = data._w(rows)
    c = weights * slope
    c1 = c * w1
    grad = np.stack([c1.sum(1), (c * w2).sum(1), -(c1 @ data.log_n)], axis=1)
    return (weights * value).sum(1), grad
