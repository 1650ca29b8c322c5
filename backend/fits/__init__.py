"""The fits the explorer pages show, computed once for both the Dash pages and
``GET /api/fits/{page}``: each page's view state (as its URL encodes it), the published
procedure of its data as the default, point exclusions, and the fits per group.

``page_fits(session, page, query)`` is the entry point; a page's module offers its state
class and ``<page>_fits(session, state) -> PageFits``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from backend.exceptions import NotFoundError
from backend.fits.result import PageFits
from backend.fits.urlstate import PageState, QueryParams, decode_state


def _pages() -> dict[str, tuple[type[PageState], Callable[[Session, Any], PageFits]]]:
    from backend.fits import frequency, loss_to_loss, robustness, scaling

    return {
        "scaling": (scaling.ScalingState, scaling.scaling_fits),
        "loss-to-loss": (loss_to_loss.LossToLossState, loss_to_loss.loss_to_loss_fits),
        "robustness": (robustness.RobustnessState, robustness.robustness_fits),
        "frequency": (frequency.FrequencyState, frequency.frequency_fits),
    }


def page_names() -> list[str]:
    """The pages that have fits."""
    return list(_pages())


def page_fits(session: Session, page: str, query: QueryParams | str | None) -> PageFits:
    """The fits page ``page`` shows for the URL query ``query`` (defaults filled in)."""
    pages = _pages()
    if page not in pages:
        raise NotFoundError(f"no fits for page {page!r}; pages: {', '.join(pages)}")
    state_cls, compute = pages[page]
    return compute(session, decode_state(state_cls, query))
