"""Measurements as JSON pages or CSV, and plot frames (two metrics joined per checkpoint)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from backend.api.deps import SessionDep
from backend.api.filters import FRAME_RESPONSES, FilterDep, FrameFormat, frame_response
from backend.queries import frames, measurements
from backend.schemas.measurements import MeasurementPage, MetricRef

router = APIRouter(tags=["measurements"])

AXIS_HELP = "EVAL_SET:METRIC, e.g. pile:loss"


@router.get("/measurements", response_model=MeasurementPage)
def list_measurements(
    session: SessionDep,
    flt: FilterDep,
    limit: int = Query(1000, ge=1, le=100_000),
    offset: int = Query(0, ge=0),
    exact_total: bool = Query(False, description="count every match (slower on large results)"),
) -> MeasurementPage:
    """One page of measurements matching the filters, and how many match: exact when
    ``total_exact``, else at least ``total`` (counting stops 10,000 matches past the page)."""
    return measurements.list_measurements(
        session, flt=flt, limit=limit, offset=offset, exact_total=exact_total
    )


@router.get("/measurements.csv", responses=FRAME_RESPONSES)
def export_measurements(session: SessionDep, flt: FilterDep):
    """Every measurement matching the filters as CSV (one row per measurement). The CSV is
    raw: text is written as stored, also when it starts with ``= + - @`` (a spreadsheet may
    run it as a formula; the dashboard's downloads neutralise such text)."""
    frame = measurements.measurements_frame(session, flt=flt)
    return frame_response(frame, fmt="csv", filename="measurements")


@router.get("/frames/metric", responses=FRAME_RESPONSES)
def metric_frame(
    session: SessionDep,
    flt: FilterDep,
    metric: str = Query(description=AXIS_HELP),
    format: FrameFormat = "json",
):
    """One metric per checkpoint with model and checkpoint attributes (learning curves,
    scaling)."""
    frame = frames.scaling_frame(session, metric=MetricRef.parse(metric), flt=flt)
    return frame_response(frame, fmt=format, filename="metric")


@router.get("/frames/pair", responses=FRAME_RESPONSES)
def metric_pair_frame(
    session: SessionDep,
    flt: FilterDep,
    x: str = Query(description=AXIS_HELP),
    y: str = Query(description=AXIS_HELP),
    format: FrameFormat = "json",
):
    """Two metrics joined per checkpoint (loss-to-loss, robustness): columns x and y."""
    frame = frames.metric_pair_frame(session, x=MetricRef.parse(x), y=MetricRef.parse(y), flt=flt)
    return frame_response(frame, fmt=format, filename="pair")


@router.get("/frames/train-to-train", responses=FRAME_RESPONSES)
def train_to_train_frame(
    session: SessionDep,
    flt: FilterDep,
    x: str = Query(description=AXIS_HELP),
    y: str = Query(description=AXIS_HELP),
    x_data: str | None = None,
    y_data: str | None = None,
    format: FrameFormat = "json",
):
    """x of a model on one pretraining dataset against y of the model with the same N and D
    trained on another."""
    frame = frames.train_to_train_frame(
        session, x=MetricRef.parse(x), y=MetricRef.parse(y), x_data=x_data, y_data=y_data, flt=flt
    )
    return frame_response(frame, fmt=format, filename="train_to_train")
