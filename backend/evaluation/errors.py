"""Errors of the evaluation package beyond ``backend.exceptions``.

Missing files raise ``NotFoundError``; malformed specs, data or checkpoints raise
``ValidationError``; a run stopped because ``should_cancel()`` said so raises
:class:`EvaluationCancelled`.
"""

from __future__ import annotations

from backend.exceptions import ScaleScopeError


class EvaluationCancelled(ScaleScopeError):
    """The evaluation stopped between batches because cancellation was requested."""
